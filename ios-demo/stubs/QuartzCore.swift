// Mirrors: iOS 18 SDK, QuartzCore (CALayer).
import Foundation

open class CALayer {
    public init() {}
}
