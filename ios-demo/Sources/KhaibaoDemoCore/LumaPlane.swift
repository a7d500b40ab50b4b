// The camera frame → scanFrame mapper. AVFoundation delivers 420YpCbCr8BiPlanar pixel
// buffers whose plane 0 is 8-bit luma with `bytesPerRow` padding. The app locks the buffer
// and passes plane 0's base address; this copies the rows once, keeping the row stride, as
// core accepts strided frames. Platform-free (no CoreVideo), so it also builds on Linux; a
// FrameDecoder (core's scanner, through the adapter) reads it.

import Foundation

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
}

/// A region of a frame, in plane pixels.
public struct Roi: Equatable { public let x: Int, y: Int, width: Int, height: Int }

/// The centred square the viewfinder shows, `fraction` of the shorter side.
public func centreSquare(width: Int, height: Int, fraction: Double = 0.8) -> Roi {
    let side = Int(Double(min(width, height)) * fraction)
    return Roi(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side)
}

/// Decodes text from a luma plane (core's scanner).
public protocol FrameDecoder { func decode(_ plane: LumaPlane, roi: Roi?) -> String? }
