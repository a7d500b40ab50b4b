// Mirrors: iOS 18 SDK, CryptoKit (SymmetricKey, AES.GCM).
import Foundation

public struct SymmetricKeySize {
    public static let bits256 = SymmetricKeySize()
}

public struct SymmetricKey {
    public init<D: ContiguousBytes>(data: D) { fatalError("stub") }
    public init(size: SymmetricKeySize) { fatalError("stub") }
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { fatalError("stub") }
}

public enum AES {
    public enum GCM {
        public struct SealedBox {
            public init<C: DataProtocol>(combined: C) throws { fatalError("stub") }
            public var combined: Data? { fatalError("stub") }
        }
        public static func seal<Plaintext: DataProtocol>(_ message: Plaintext, using key: SymmetricKey) throws -> SealedBox { fatalError("stub") }
        public static func open(_ sealedBox: SealedBox, using key: SymmetricKey) throws -> Data { fatalError("stub") }
    }
}
