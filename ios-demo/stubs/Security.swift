// Mirrors: iOS 18 SDK, Security (Keychain items, random bytes). On Linux, CoreFoundation's
// toll-free bridging does not exist: CFString and CFDictionary stand for the Swift types they
// bridge from, so `"…" as String` and `[String: Any] as CFDictionary` type-check as on iOS.
import Foundation

public typealias CFString = String
public typealias CFDictionary = [String: Any]
public typealias CFTypeRef = AnyObject
public typealias OSStatus = Int32
public typealias SecRandomRef = OpaquePointer

public let errSecSuccess: OSStatus = 0
public let kSecClass: CFString = "class"
public let kSecClassGenericPassword: CFString = "genp"
public let kSecAttrAccount: CFString = "acct"
public let kSecReturnData: CFString = "r_Data"
public let kSecAttrAccessible: CFString = "pdmn"
public let kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly: CFString = "cku"
public let kSecValueData: CFString = "v_Data"
public let kSecRandomDefault: SecRandomRef? = nil

public func SecItemCopyMatching(_ query: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus { fatalError("stub") }
public func SecItemAdd(_ attributes: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus { fatalError("stub") }
public func SecRandomCopyBytes(_ rnd: SecRandomRef?, _ count: Int, _ bytes: UnsafeMutableRawPointer) -> Int32 { fatalError("stub") }
