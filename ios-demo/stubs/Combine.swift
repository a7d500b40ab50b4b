// Mirrors: iOS 18 SDK, Combine (ObservableObject, @Published, Timer.publish).
import Foundation

public protocol Publisher {
    associatedtype Output
    associatedtype Failure: Error
}

public protocol ObservableObject: AnyObject {}

@propertyWrapper
public struct Published<Value> {
    public init(wrappedValue: Value) { fatalError("stub") }
    public var wrappedValue: Value {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
}

extension Timer {
    public static func publish(every interval: TimeInterval, on runLoop: RunLoop, in mode: RunLoop.Mode) -> TimerPublisher {
        fatalError("stub")
    }
    public final class TimerPublisher {
        public func autoconnect() -> Autoconnect { fatalError("stub") }
        public final class Autoconnect: Publisher {
            public typealias Output = Date
            public typealias Failure = Never
        }
    }
}
