// The app flows through the generated Swift binding, against the real release cdylib and a
// real authority server on loopback. Compiled into one module with the generated sources and
// the iOS demo's platform-free code, and run by tests/bindings/run_swift.sh, which starts the
// authority and passes its details in the environment:
//   KHAIBAO_URL, KHAIBAO_CODE (the poster's text), KHAIBAO_KID, KHAIBAO_SIGNING (the venue
//   key), KHAIBAO_EXPOSURE_KID, KHAIBAO_EXPOSURE (the exposure-list key), KHAIBAO_DEVICE_KID,
//   KHAIBAO_DEVICE (the device-certificate key), KHAIBAO_SEALING (hex), KHAIBAO_LUMA (path of the poster's raw 8-bit luma),
//   KHAIBAO_WIDTH, KHAIBAO_HEIGHT, KHAIBAO_TMP (a scratch directory), KHAIBAO_BIN (the
//   authority CLI) and KHAIBAO_AUTHORITY_DB (the server's database), for publishing.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func check(_ cond: Bool, _ what: @autoclosure () -> String) throws {
    if !cond { throw Failure(description: what()) }
}

func checkEq<T: Equatable>(_ expected: T, _ actual: T, _ what: String) throws {
    try check(expected == actual, "\(what): expected \(expected), got \(actual)")
}

func env(_ name: String) -> String {
    guard let v = ProcessInfo.processInfo.environment[name] else {
        FileHandle.standardError.write("\(name) is not set\n".data(using: .utf8)!)
        exit(2)
    }
    return v
}

func hex(_ s: String) -> Data {
    var out = Data()
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        out.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return out
}

/// The completion handler's result, handed across threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<(HTTPURLResponse, Data), Error> = .failure(HostHttpError.Timeout)
    func set(_ v: Result<(HTTPURLResponse, Data), Error>) { lock.lock(); value = v; lock.unlock() }
    func get() -> Result<(HTTPURLResponse, Data), Error> { lock.lock(); defer { lock.unlock() }; return value }
}

/// The host app's own HTTP stack, here URLSession (FoundationNetworking on Linux).
final class URLSessionClient: HostHttpClient, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls = 0
    var calls: Int { lock.lock(); defer { lock.unlock() }; return _calls }

    func send(request: HttpRequest) async throws -> HostHttpResponse {
        lock.lock(); _calls += 1; lock.unlock()
        var req = URLRequest(url: URL(string: request.url)!)
        req.httpMethod = request.method
        req.timeoutInterval = 10
        for h in request.headers { req.setValue(h.value, forHTTPHeaderField: h.name) }
        if !request.body.isEmpty { req.httpBody = request.body }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        URLSession.shared.dataTask(with: req) { data, response, error in
            if let http = response as? HTTPURLResponse {
                box.set(.success((http, data ?? Data())))
            } else if let error {
                box.set(.failure(error))
            }
            done.signal()
        }.resume()
        if done.wait(timeout: .now() + 15) == .timedOut { throw HostHttpError.Timeout }
        switch box.get() {
        case .success(let (http, body)):
            let headers = http.allHeaderFields.map { HttpHeader(name: "\($0.key)", value: "\($0.value)") }
            return HostHttpResponse(status: Int32(http.statusCode), headers: headers, body: body)
        case .failure(let error as URLError) where error.code == .timedOut:
            throw HostHttpError.Timeout
        case .failure(let error):
            throw HostHttpError.Network(reason: String(describing: type(of: error)))
        }
    }
}

struct HostBlewUp: Error {}

final class ExplodingClient: HostHttpClient, @unchecked Sendable {
    func send(request: HttpRequest) async throws -> HostHttpResponse { throw HostBlewUp() }
}

/// A key wrapper with one-time pads kept in memory: stands in for the Keychain / Secure
/// Enclave. `lose()` forgets them, as restoring a backup onto a new phone does.
final class PadKeyWrapper: HardwareKeyWrapper, @unchecked Sendable {
    private var pads: [Data: Data] = [:]
    private let lock = NSLock()
    func lose() { lock.lock(); pads = [:]; lock.unlock() }
    func wrap(secret: Data) throws -> Data {
        var pad = Data(count: secret.count)
        for i in pad.indices { pad[i] = UInt8.random(in: 0...255) }
        let wrapped = Data(zip(secret, pad).map { $0 ^ $1 })
        lock.lock(); pads[wrapped] = pad; lock.unlock()
        return wrapped
    }
    func unwrap(wrapped: Data) throws -> Data {
        lock.lock(); let pad = pads[wrapped]; lock.unlock()
        guard let pad else { throw KeyWrapError.KeyUnavailable }
        return Data(zip(wrapped, pad).map { $0 ^ $1 })
    }
}

let WRAPPER = PadKeyWrapper()

final class ClearTextWrapper: HardwareKeyWrapper, @unchecked Sendable {
    func wrap(secret: Data) throws -> Data { secret }
    func unwrap(wrapped: Data) throws -> Data { wrapped }
}

/// A clock that the test sets, in Unix seconds.
final class TestClock: KhaibaoClock, @unchecked Sendable {
    private let lock = NSLock()
    private var _now: Int64
    init(_ now: Int64) { _now = now }
    var seconds: Int64 {
        get { lock.lock(); defer { lock.unlock() }; return _now }
        set { lock.lock(); _now = newValue; lock.unlock() }
    }
    func now() -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}

final class RecordingListener: UploadListener, @unchecked Sendable {
    private let lock = NSLock()
    var calls: [[Int64]] = []
    func onProgress(done: Int64, total: Int64) {
        lock.lock(); calls.append([done, total]); lock.unlock()
    }
}

/// An overloaded authority: every answer is 503 with Retry-After.
final class BusyClient: HostHttpClient, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls = 0
    var calls: Int { lock.lock(); defer { lock.unlock() }; return _calls }
    func send(request: HttpRequest) async throws -> HostHttpResponse {
        lock.lock(); _calls += 1; lock.unlock()
        return HostHttpResponse(status: 503, headers: [HttpHeader(name: "Retry-After", value: "600")], body: Data())
    }
}

final class ChangeCounter: DiaryListener, @unchecked Sendable {
    private let lock = NSLock()
    private var _count = 0
    var count: Int { lock.lock(); defer { lock.unlock() }; return _count }
    func onDiaryChanged() { lock.lock(); _count += 1; lock.unlock() }
}

func form(phone: String = "0912345678") -> Declaration {
    Declaration(fullName: "  Trần Thị Bích Ngọc ", birthYear: 1995, phone: phone, province: 79,
                symptoms: [.fever], closeContact: false, onBehalf: false)
}

struct Fixture {
    let code = env("KHAIBAO_CODE")
    let tmp = env("KHAIBAO_TMP")
    let width = Int32(env("KHAIBAO_WIDTH"))!
    let height = Int32(env("KHAIBAO_HEIGHT"))!
    let luma = FileManager.default.contents(atPath: env("KHAIBAO_LUMA"))!

    /// One key per purpose: without the root key, the phone lists the venue and exposure-list
    /// keys (with it, the keyset update brings them with their usages).
    func config(_ db: String = "citizen.db") -> KhaibaoConfig {
        KhaibaoConfig(
            dbPath: tmp + "/" + db,
            venueKeys: [
                TrustedKey(kid: hex(env("KHAIBAO_KID")), publicKey: hex(env("KHAIBAO_SIGNING"))),
                TrustedKey(kid: hex(env("KHAIBAO_EXPOSURE_KID")), publicKey: hex(env("KHAIBAO_EXPOSURE"))),
            ],
            authoritySealingKey: hex(env("KHAIBAO_SEALING")),
            authorityUrl: env("KHAIBAO_URL"))
    }

    /// What staff apps trust: the authority's device-certificate key.
    func deviceKeys() -> [TrustedKey] {
        [TrustedKey(kid: hex(env("KHAIBAO_DEVICE_KID")), publicKey: hex(env("KHAIBAO_DEVICE")))]
    }
}

func scanVerifyDeclareUploadAndReadDiary(_ f: Fixture) async throws {
    // Pad every row, as a camera's Y plane is padded to its row stride.
    let stride = Int(f.width) + 64
    var padded = Data(count: stride * Int(f.height))
    for y in 0..<Int(f.height) {
        let row = f.luma.subdata(in: y * Int(f.width)..<(y + 1) * Int(f.width))
        padded.replaceSubrange(y * stride..<(y * stride + Int(f.width)), with: row)
    }
    let codes = try scanFrame(luma: padded, width: f.width, height: f.height, stride: Int32(stride), roi: nil)
    try checkEq(1, codes.count, "codes found")
    try checkEq(f.code, codes[0].text, "decoded text")
    try checkEq(4, codes[0].corners.count, "corners")

    let app = try await KhaibaoLibrary.open(config: f.config(), keyWrapper: WRAPPER)
    let scanned = try await app.trust().readVenue(text: codes[0].text!)
    guard case .verified(let venue) = scanned else { throw Failure(description: "not verified: \(scanned)") }
    try checkEq("Trường THPT Chu Văn An", venue.name(), "venue name")
    try checkEq(VenueCategory.school, venue.category(), "category")

    // A bad phone number: the form gets the field error, nothing is stored.
    do {
        _ = try await app.diary().checkIn(venue: scanned, declaration: form(phone: "12345"))
        throw Failure(description: "invalid declaration accepted")
    } catch KhaibaoError.Validation(let fields, _, _) {
        try checkEq(["phone"], fields.map(\.field), "invalid fields")
        try checkEq("phone.not_vietnamese_mobile", fields[0].code, "field code")
        try check(!fields[0].messageEn.contains("12345"), "the message echoes the input")
    }
    // Numbers the library cannot take (a year of birth out of range, a negative province)
    // are the same typed error, naming each field.
    var outOfRange = form()
    outOfRange.birthYear = -1995
    outOfRange.province = -79
    do {
        _ = try await app.diary().checkIn(venue: scanned, declaration: outOfRange)
        throw Failure(description: "out-of-range declaration accepted")
    } catch KhaibaoError.Validation(let fields, _, _) {
        try checkEq(["birth_year", "province"], fields.map(\.field), "out-of-range fields")
    }
    try checkEq([], try await app.diary().visits(), "diary before")
    try checkEq(0, try await app.uploads().counts().pending, "pending before")

    try checkEq([], validateDeclaration(declaration: form()), "validate fixed")
    let visit = try await app.diary().checkIn(venue: scanned, declaration: form())
    try check(visit.verified, "visit not verified")
    try checkEq(1, try await app.uploads().counts().pending, "pending after")

    let report = try await app.uploads().upload(options: UploadOptions())
    try checkEq([1, 1, 0], [report.sent, report.accepted, report.remaining], "report")
    try check(report.receipts[0].hasPrefix("rc-"), "receipt \(report.receipts)")
    try checkEq(1, try await app.uploads().counts().delivered, "delivered")

    let diary = try await app.diary().visits()
    try checkEq(1, diary.count, "diary size")
    try checkEq("Trường THPT Chu Văn An", diary[0].venueName, "diary venue")
    try checkEq(nil, diary[0].checkedOutAt, "still checked in")
}

func hostHttpClientInSwift(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config(), keyWrapper: WRAPPER)
    let scanned = try await app.trust().readVenue(text: f.code)
    _ = try await app.diary().checkOut()
    _ = try await app.diary().checkIn(venue: scanned, declaration: form())
    let client = URLSessionClient()
    let report = try await app.uploads().upload(options: UploadOptions(client: client))
    try checkEq([1, 0], [report.accepted, report.remaining], "report")
    try checkEq(1, client.calls, "host calls")
}

func hostCallbackThatThrowsLeavesItemsQueued(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config(), keyWrapper: WRAPPER)
    _ = try await app.diary().checkIn(venue: try await app.trust().readVenue(text: f.code), declaration: form())
    do {
        _ = try await app.uploads().upload(options: UploadOptions(client: ExplodingClient()))
        throw Failure(description: "sync through a throwing client succeeded")
    } catch KhaibaoError.Network(let code, _, _, _) {
        try checkEq(ErrorCode.networkFailure, code, "code")
    }
    try checkEq(1, try await app.uploads().counts().pending, "still pending")
    // Backing off after the failure, by a full-jitter delay of 0 to 5 s.
    guard let due = try await app.uploads().nextUploadAt() else { throw Failure(description: "no next upload time") }
    try check(due <= Date().addingTimeInterval(6), "first backoff within 5 s: \(due)")
    if due > Date().addingTimeInterval(1) {
        // Not due yet: an upload straight away sends nothing.
        let early = try await app.uploads().upload(options: UploadOptions(client: URLSessionClient()))
        try checkEq([0, 1], [early.sent, early.remaining], "backing off")
    }
}

func forgedVenueIsATypedError(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config(), keyWrapper: WRAPPER)
    let parts = f.code.split(separator: "#", maxSplits: 1).map(String.init)
    var payload = Array(parts[1])
    payload[payload.count - 2] = payload[payload.count - 2] == "A" ? "B" : "A"
    do {
        _ = try await app.trust().readVenue(text: parts[0] + "#" + String(payload))
        throw Failure(description: "forged venue accepted")
    } catch KhaibaoError.Venue(let code, let vi, let en, _), KhaibaoError.Format(let code, let vi, let en, _) {
        try check([ErrorCode.venueSignatureInvalid, .formatMalformed].contains(code), "code \(code)")
        try check(!vi.isEmpty && !en.isEmpty && vi != en, "messages")
        try check(errorCodeString(code: code).hasPrefix(code == .formatMalformed ? "format." : "venue."), "family")
    }
    let other = try await app.trust().readVenue(text: "https://tokhaiyte.vn/?venue=42")
    guard case .unverified(let text) = other else { throw Failure(description: "verified: \(other)") }
    try checkEq("https://tokhaiyte.vn/?venue=42", text, "unverified")
}

func badFramesAreTypedErrors(_ f: Fixture) async throws {
    do {
        _ = try scanFrame(luma: Data(count: 10), width: 100, height: 100, stride: 100, roi: nil)
        throw Failure(description: "short frame accepted")
    } catch KhaibaoError.Scan(let code, _, _, _) {
        try checkEq(ErrorCode.scanInvalidFrame, code, "scan code")
    }
    do {
        _ = try scanFrame(luma: Data(count: 100), width: 10, height: 10, stride: 10,
                          roi: Region(x: -1, y: 0, width: 5, height: 5))
        throw Failure(description: "negative region accepted")
    } catch KhaibaoError.Scan(let code, _, _, _) {
        try checkEq(ErrorCode.scanInvalidFrame, code, "negative region")
    }
}

func clockAndKeysInsideTheLibrary(_ f: Fixture) async throws {
    let clock = TestClock(Int64(Date().timeIntervalSince1970))
    let app = try await KhaibaoLibrary.open(config: f.config("clock.db"), keyWrapper: WRAPPER, clock: clock)
    guard case .verified = try await app.trust().readVenue(text: f.code) else { throw Failure(description: "not verified") }
    clock.seconds += 5 * 365 * 86400
    do {
        _ = try await app.trust().readVenue(text: f.code)
        throw Failure(description: "expired venue accepted")
    } catch KhaibaoError.Venue(let code, _, _, _) {
        try checkEq(ErrorCode.venueExpired, code, "expired")
    }
    try checkEq(Date(timeIntervalSince1970: TimeInterval(clock.seconds)),
                try await app.diary().checkIn(venue: .unverified(text: "quán phở"), declaration: nil).checkedInAt, "check-in time")

    do {
        _ = try await KhaibaoLibrary.open(config: f.config("clear.db"), keyWrapper: ClearTextWrapper())
        throw Failure(description: "clear-text key wrapper accepted")
    } catch KhaibaoError.Keystore(let code, _, _, _) {
        try checkEq(ErrorCode.keystoreNotWrapping, code, "clear text")
    }
    // Restored onto a new phone: the hardware key is gone; the documented reset path.
    let wrapper = PadKeyWrapper()
    let config = f.config("restored.db")
    _ = try await KhaibaoLibrary.open(config: config, keyWrapper: wrapper).diary().checkIn(venue: .unverified(text: "chợ"), declaration: nil)
    wrapper.lose()
    do {
        _ = try await KhaibaoLibrary.open(config: config, keyWrapper: wrapper)
        throw Failure(description: "opened without the hardware key")
    } catch KhaibaoError.Keystore(let code, let vi, let en, _) {
        try checkEq(ErrorCode.keystoreUnavailable, code, "lost key")
        try check(!vi.isEmpty && !en.isEmpty, "messages for the user")
    }
    try await discardUnrecoverableDiary(config: config, keyWrapper: wrapper)
    let fresh = try await KhaibaoLibrary.open(config: config, keyWrapper: wrapper)
    try checkEq(0, try await fresh.diary().visits().count, "a new, empty diary")
}

func retryAfterCancelAndWatch(_ f: Fixture) async throws {
    let t = Int64(Date().timeIntervalSince1970)
    let clock = TestClock(t)
    let app = try await KhaibaoLibrary.open(config: f.config("retry.db"), keyWrapper: WRAPPER, clock: clock)
    let changes = ChangeCounter()
    let watch = app.diary().watch(listener: changes)
    _ = try await app.diary().checkIn(venue: try await app.trust().readVenue(text: f.code), declaration: form())
    try checkEq(1, changes.count, "diary change seen")
    let busy = BusyClient()
    do {
        _ = try await app.uploads().upload(options: UploadOptions(client: busy))
        throw Failure(description: "a 503 succeeded")
    } catch KhaibaoError.Network {}
    guard let retryAt = try await app.uploads().nextUploadAt() else { throw Failure(description: "nothing queued") }
    try check(retryAt >= Date(timeIntervalSince1970: TimeInterval(t + 600)), "Retry-After honoured: \(retryAt)")
    let early = try await app.uploads().upload(options: UploadOptions(client: busy))
    try checkEq([1, 0], [Int64(busy.calls), early.sent], "nothing sent before Retry-After")
    clock.seconds = Int64(retryAt.timeIntervalSince1970)
    let cancel = UploadCancel()
    cancel.cancel()
    let stopped = try await app.uploads().upload(options: UploadOptions(client: busy, cancel: cancel))
    try check(stopped.cancelled && stopped.sent == 0, "cancelled: \(stopped)")
    let listener = RecordingListener()
    let done = try await app.uploads().upload(options: UploadOptions(client: URLSessionClient(), listener: listener))
    try checkEq(1, done.accepted, "sent when due")
    try checkEq([[1, 1]], listener.calls, "progress")
    watch.stop()
    _ = try await app.diary().checkOut()
    try checkEq(1, changes.count, "stopped watching")
}

@main
struct FlowTest {
    static func main() async {
        let f = Fixture()
        let tests: [(String, (Fixture) async throws -> Void)] = [
            ("scanVerifyDeclareUploadAndReadDiary", scanVerifyDeclareUploadAndReadDiary),
            ("hostHttpClientInSwift", hostHttpClientInSwift),
            ("hostCallbackThatThrowsLeavesItemsQueued", hostCallbackThatThrowsLeavesItemsQueued),
            ("forgedVenueIsATypedError", forgedVenueIsATypedError),
            ("badFramesAreTypedErrors", badFramesAreTypedErrors),
            ("clockAndKeysInsideTheLibrary", clockAndKeysInsideTheLibrary),
            ("retryAfterCancelAndWatch", retryAfterCancelAndWatch),
        ] + passTests + exposureTests + trustTests + demoTests + platformTests + scannerTests
        var failed = 0
        for (name, test) in tests {
            do {
                try await test(f)
                print("ok   \(name)")
            } catch {
                failed += 1
                print("FAIL \(name): \(error)")
            }
        }
        print("\(tests.count - failed) passed, \(failed) failed")
        exit(failed == 0 ? 0 : 1)
    }
}
