// Mirrors: iOS 18 SDK, BackgroundTasks (BGTaskScheduler, BGAppRefreshTaskRequest).
import Foundation

open class BGTask {
    open var expirationHandler: (() -> Void)? {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open func setTaskCompleted(success: Bool) { fatalError("stub") }
}

open class BGTaskRequest {
    open var earliestBeginDate: Date? {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
}

public final class BGAppRefreshTaskRequest: BGTaskRequest {
    public init(identifier: String) { fatalError("stub") }
}

public final class BGTaskScheduler {
    public class var shared: BGTaskScheduler { fatalError("stub") }
    @discardableResult
    public func register(forTaskWithIdentifier identifier: String, using queue: DispatchQueue?,
                         launchHandler: @escaping (BGTask) -> Void) -> Bool { fatalError("stub") }
    public func submit(_ taskRequest: BGTaskRequest) throws { fatalError("stub") }
}
