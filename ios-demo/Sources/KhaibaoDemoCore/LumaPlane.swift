// The camera frame → scanFrame mapper. AVFoundation delivers 420YpCbCr8BiPlanar pixel
// buffers whose plane 0 is 8-bit luma with `bytesPerRow` padding. The app locks the buffer
// and passes plane 0's base address; this copies the rows once, keeping the row stride, as
// core accepts strided frames. Platform-free (no CoreVideo), so it also builds on Linux.

import Foundation
#if !KHAIBAO_ONE_MODULE  // the test script compiles everything into one module
import Khaibao
#endif

public struct LumaPlane {
    public let bytes: Data
    public let width: Int
    public let height: Int
    public let bytesPerRow: Int

    /// Copies a luma plane from `base` (plane 0 of a locked CVPixelBuffer).
    public init?(base: UnsafeRawPointer, width: Int, height: Int, bytesPerRow: Int) {
        guard width > 0, height > 0, bytesPerRow >= width else { return nil }
        bytes = Data(bytes: base, count: bytesPerRow * height)
        self.width = width
        self.height = height
        self.bytesPerRow = bytesPerRow
    }

    /// The first decoded text in the frame (or within `roi`), or nil.
    public func firstText(roi: Region? = nil) -> String? {
        let codes = (try? scanFrame(luma: bytes, width: Int32(width), height: Int32(height),
                                    stride: Int32(bytesPerRow), roi: roi)) ?? []
        return codes.lazy.compactMap(\.text).first
    }
}

/// The centred square the viewfinder shows, `fraction` of the shorter side.
public func centreSquare(width: Int, height: Int, fraction: Double = 0.8) -> Region {
    let side = Int(Double(min(width, height)) * fraction)
    return Region(x: UInt32((width - side) / 2), y: UInt32((height - side) / 2),
                  width: UInt32(side), height: UInt32(side))
}
