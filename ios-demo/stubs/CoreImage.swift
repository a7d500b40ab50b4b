// Mirrors: iOS 18 SDK, CoreImage (CIFilter, CIImage, CIContext).
@_exported import CoreGraphics
import Foundation

public final class CIImage {
    public func transformed(by matrix: CGAffineTransform) -> CIImage { fatalError("stub") }
    public var extent: CGRect { fatalError("stub") }
}

public final class CIFilter {
    public init?(name: String) { fatalError("stub") }
    public func setValue(_ value: Any?, forKey key: String) { fatalError("stub") }
    public var outputImage: CIImage? { fatalError("stub") }
}

public final class CIContext {
    public init() { fatalError("stub") }
    public func createCGImage(_ image: CIImage, from fromRect: CGRect) -> CGImage? { fatalError("stub") }
}
