// Mirrors: iOS 18 SDK, UIKit (only what App/ uses).
@_exported import CoreGraphics
import Foundation
@_exported import QuartzCore

open class UIResponder: NSObject {}

open class UIView: UIResponder {
    override public init() { fatalError("stub") }
    open class var layerClass: AnyClass { fatalError("stub") }
    public var layer: CALayer { fatalError("stub") }
    open var isAccessibilityElement: Bool {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open var accessibilityLabel: String? {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
}

public final class UIImage {
    public init(cgImage: CGImage) { fatalError("stub") }
}

public struct UIBackgroundTaskIdentifier: Equatable {
    public static let invalid = UIBackgroundTaskIdentifier()
}

open class UIApplication: UIResponder {
    public class var shared: UIApplication { fatalError("stub") }
    public func beginBackgroundTask(withName taskName: String?, expirationHandler handler: (() -> Void)? = nil) -> UIBackgroundTaskIdentifier {
        fatalError("stub")
    }
    public func endBackgroundTask(_ identifier: UIBackgroundTaskIdentifier) { fatalError("stub") }
    public struct LaunchOptionsKey: Hashable {
        public init(rawValue: String) {}
    }
}

public protocol UIApplicationDelegate: NSObjectProtocol {
    func application(_ application: UIApplication, didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]?) -> Bool
}

public enum UIAccessibility {
    public struct Notification {
        public static let announcement = Notification()
    }
    public static func post(notification: Notification, argument: Any?) { fatalError("stub") }
}
