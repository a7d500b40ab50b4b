// The library's foreign traits on iOS: URLSession as the host HTTP client and the Keychain
// key that wraps the library's database key; UserDefaults for the demo's small settings.

import CryptoKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking  // URLSession on Linux, where the test command type-checks this file
#endif
import Khaibao
import KhaibaoDemoCore
import Security

final class URLSessionHostClient: HostHttpClient, @unchecked Sendable {
    private let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = 10
        c.timeoutIntervalForResource = 30
        return URLSession(configuration: c)
    }()

    func send(request: HttpRequest) async throws -> HostHttpResponse {
        guard let url = URL(string: request.url) else { throw HostHttpError.Network(reason: "url") }
        var req = URLRequest(url: url)
        req.httpMethod = request.method
        request.headers.forEach { req.setValue($0.value, forHTTPHeaderField: $0.name) }
        if !request.body.isEmpty { req.httpBody = request.body }
        let result: Result<(HTTPURLResponse, Data), Error> = await withCheckedContinuation { answer in
            session.dataTask(with: req) { data, response, error in
                if let http = response as? HTTPURLResponse { answer.resume(returning: .success((http, data ?? Data()))) }
                else { answer.resume(returning: .failure(error ?? URLError(.badServerResponse))) }
            }.resume()
        }
        switch result {
        case .success(let (http, body)):
            return HostHttpResponse(status: Int32(http.statusCode),
                                    headers: http.allHeaderFields.map { HttpHeader(name: "\($0.key)", value: "\($0.value)") },
                                    body: body)
        case .failure(let e as URLError) where e.code == .timedOut:
            throw HostHttpError.Timeout
        case .failure:
            throw HostHttpError.Network(reason: "urlsession")
        }
    }
}

/// Wraps the library's database key with AES-GCM under a 256-bit key kept in the Keychain
/// (this device only, after first unlock). A backup restored onto another phone has no such
/// key: unwrapping then reports `KeyUnavailable`, and the diary is discarded.
final class KeychainKeyWrapper: HardwareKeyWrapper, @unchecked Sendable {
    private let account = "vn.khaibao.master-wrap"

    private func key(create: Bool) throws -> SymmetricKey {
        let query: [String: Any] = [kSecClass as String: kSecClassGenericPassword,
                                    kSecAttrAccount as String: account,
                                    kSecReturnData as String: true]
        var item: CFTypeRef?
        if SecItemCopyMatching(query as CFDictionary, &item) == errSecSuccess, let data = item as? Data {
            return SymmetricKey(data: data)
        }
        guard create else { throw KeyWrapError.KeyUnavailable }
        let key = SymmetricKey(size: .bits256)
        let add: [String: Any] = [kSecClass as String: kSecClassGenericPassword,
                                  kSecAttrAccount as String: account,
                                  kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
                                  kSecValueData as String: key.withUnsafeBytes { Data($0) }]
        guard SecItemAdd(add as CFDictionary, nil) == errSecSuccess else { throw KeyWrapError.Failed(reason: "add") }
        return key
    }

    func wrap(secret: Data) throws -> Data {
        guard let sealed = try AES.GCM.seal(secret, using: key(create: true)).combined else {
            throw KeyWrapError.Failed(reason: "seal")
        }
        return sealed
    }

    func unwrap(wrapped: Data) throws -> Data {
        let key = try key(create: false)
        let box: AES.GCM.SealedBox
        do { box = try AES.GCM.SealedBox(combined: wrapped) } catch { throw KeyWrapError.Failed(reason: "short") }
        // Wrapped under a Keychain key this phone no longer has.
        do { return try AES.GCM.open(box, using: key) } catch { throw KeyWrapError.KeyUnavailable }
    }
}

/// The demo's small settings (no personal data is kept there).
final class UserDefaultsSettings: Settings {
    func get(_ key: String) -> String? { UserDefaults.standard.string(forKey: key) }
    func put(_ key: String, _ value: String) { UserDefaults.standard.set(value, forKey: key) }
}
