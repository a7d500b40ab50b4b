// The library's foreign traits on iOS: URLSession as the host HTTP client and the Keychain
// as the key store that wraps the master key; UserDefaults for the demo's small settings.

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

    // Called on the library's worker thread; blocking here is expected.
    func send(request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else { throw HostHttpError.Network(reason: "url") }
        var req = URLRequest(url: url)
        req.httpMethod = request.method
        request.headers.forEach { req.setValue($0.value, forHTTPHeaderField: $0.name) }
        if !request.body.isEmpty { req.httpBody = request.body }
        let done = DispatchSemaphore(value: 0)
        var result: Result<(HTTPURLResponse, Data), Error>?
        session.dataTask(with: req) { data, response, error in
            if let http = response as? HTTPURLResponse { result = .success((http, data ?? Data())) }
            else { result = .failure(error ?? URLError(.badServerResponse)) }
            done.signal()
        }.resume()
        done.wait()
        switch result {
        case .success(let (http, body))?:
            return HttpResponse(status: UInt16(http.statusCode),
                                headers: http.allHeaderFields.map { HttpHeader(name: "\($0.key)", value: "\($0.value)") },
                                body: body)
        case .failure(let e as URLError)? where e.code == .timedOut:
            throw HostHttpError.Timeout
        default:
            throw HostHttpError.Network(reason: "urlsession")
        }
    }
}

/// Wraps secrets with AES-GCM under a 256-bit key kept in the Keychain (this device only,
/// after first unlock).
final class KeychainKeyStore: KeyStore, @unchecked Sendable {
    private let account = "vn.khaibao.master-wrap"

    private func key(create: Bool) throws -> SymmetricKey {
        let query: [String: Any] = [kSecClass as String: kSecClassGenericPassword,
                                    kSecAttrAccount as String: account,
                                    kSecReturnData as String: true]
        var item: CFTypeRef?
        if SecItemCopyMatching(query as CFDictionary, &item) == errSecSuccess, let data = item as? Data {
            return SymmetricKey(data: data)
        }
        guard create else { throw KeyStoreError.KeyUnavailable }
        let key = SymmetricKey(size: .bits256)
        let add: [String: Any] = [kSecClass as String: kSecClassGenericPassword,
                                  kSecAttrAccount as String: account,
                                  kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
                                  kSecValueData as String: key.withUnsafeBytes { Data($0) }]
        guard SecItemAdd(add as CFDictionary, nil) == errSecSuccess else { throw KeyStoreError.Failed(reason: "add") }
        return key
    }

    func wrap(secret: Data) throws -> Data {
        guard let sealed = try AES.GCM.seal(secret, using: key(create: true)).combined else {
            throw KeyStoreError.Failed(reason: "seal")
        }
        return sealed
    }

    func unwrap(wrapped: Data) throws -> Data {
        do { return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: key(create: false)) }
        catch let e as KeyStoreError { throw e }
        catch { throw KeyStoreError.Failed(reason: "open") }
    }
}

/// The database master key: random on first start, kept wrapped by the Keychain key.
enum MasterKey {
    static func load(_ keyStore: KeychainKeyStore) throws -> Data {
        let defaults = UserDefaults.standard
        if let wrapped = defaults.data(forKey: "khaibao.master_key") { return try keyStore.unwrap(wrapped: wrapped) }
        var key = Data(count: 32)
        let status = key.withUnsafeMutableBytes { SecRandomCopyBytes(kSecRandomDefault, 32, $0.baseAddress!) }
        guard status == errSecSuccess else { throw KeyStoreError.Failed(reason: "random") }
        defaults.set(try keyStore.wrap(secret: key), forKey: "khaibao.master_key")
        return key
    }
}

/// The demo's small settings (no personal data is kept there).
final class UserDefaultsSettings: Settings {
    func get(_ key: String) -> String? { UserDefaults.standard.string(forKey: key) }
    func put(_ key: String, _ value: String) { UserDefaults.standard.set(value, forKey: key) }
}
