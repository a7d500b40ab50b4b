// Mirrors: iOS 18 SDK, CoreGraphics (only what App/ uses).
import Foundation

public struct CGAffineTransform {
    public init(scaleX sx: CGFloat, y sy: CGFloat) { fatalError("stub") }
}

public final class CGImage {}
