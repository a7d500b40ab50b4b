// Mirrors: iOS 18 SDK, UserNotifications.
import Foundation

public struct UNAuthorizationOptions: OptionSet {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let alert = UNAuthorizationOptions(rawValue: 4)
    public static let sound = UNAuthorizationOptions(rawValue: 2)
}

open class UNNotificationContent: NSObject {
    open var userInfo: [AnyHashable: Any] { fatalError("stub") }
}

open class UNMutableNotificationContent: UNNotificationContent {
    override public init() { fatalError("stub") }
    open var title: String {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open var body: String {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    override open var userInfo: [AnyHashable: Any] {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
}

open class UNNotificationTrigger: NSObject {}

open class UNNotificationRequest: NSObject {
    public convenience init(identifier: String, content: UNNotificationContent, trigger: UNNotificationTrigger?) { fatalError("stub") }
    open var content: UNNotificationContent { fatalError("stub") }
}

open class UNNotification: NSObject {
    open var request: UNNotificationRequest { fatalError("stub") }
}

open class UNNotificationResponse: NSObject {
    open var notification: UNNotification { fatalError("stub") }
}

public protocol UNUserNotificationCenterDelegate: NSObjectProtocol {
    func userNotificationCenter(_ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse,
                                withCompletionHandler completionHandler: @escaping () -> Void)
}

open class UNUserNotificationCenter: NSObject {
    open class func current() -> UNUserNotificationCenter { fatalError("stub") }
    weak open var delegate: UNUserNotificationCenterDelegate? {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open func requestAuthorization(options: UNAuthorizationOptions = [], completionHandler: @escaping (Bool, Error?) -> Void) { fatalError("stub") }
    open func add(_ request: UNNotificationRequest, withCompletionHandler completionHandler: ((Error?) -> Void)? = nil) { fatalError("stub") }
}
