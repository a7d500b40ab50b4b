// Receiving an exposure alert through the generated Swift binding: the phone checks in at a
// venue, the authority publishes a risky window there (`khaibao exposure publish`, run from
// the test as a health officer would), and the phone's exposure sync, over URLSession as the
// host HTTP client, raises exactly one alert, once. Run by FlowTest's runner; run_swift.sh
// passes KHAIBAO_BIN (the authority CLI) and KHAIBAO_AUTHORITY_DB (the server's database).

import Foundation

let exposureTests: [(String, (Fixture) async throws -> Void)] = [
    ("exposureAlertThroughURLSession", exposureAlertThroughURLSession),
]

/// The app's notification hook: records every call.
final class AlertRecorder: ExposureListener, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls: [[ExposureAlert]] = []
    var calls: [[ExposureAlert]] { lock.lock(); defer { lock.unlock() }; return _calls }
    func onAlerts(alerts: [ExposureAlert]) {
        lock.lock(); _calls.append(alerts); lock.unlock()
    }
}

/// 10:00 tomorrow in Vietnam (UTC+7): inside the venue code's validity, and far enough from
/// midnight that the visit's automatic check-out is not capped.
func tomorrowAtTenVietnam() -> Int64 {
    let offset: Int64 = 7 * 3600
    let day = (Int64(Date().timeIntervalSince1970) + offset) / 86400 + 1
    return day * 86400 - offset + 10 * 3600
}

/// Publishes one exposure window on the authority and returns the list version.
func publishExposure(venueId: String, start: Int64, end: Int64, recommendation: String) throws -> Int64 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: env("KHAIBAO_BIN"))
    p.arguments = ["exposure", "publish", "--db", env("KHAIBAO_AUTHORITY_DB"), "--venue-id", venueId,
                   "--from", String(start), "--until", String(end), "--recommendation", recommendation]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    try checkEq(0, p.terminationStatus, "exposure publish exit status")
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let version = Int64(text) else { throw Failure(description: "exposure publish printed \(text)") }
    return version
}

func exposureAlertThroughURLSession(_ f: Fixture) async throws {
    let t = tomorrowAtTenVietnam()
    let clock = TestClock(t)
    let app = try await KhaibaoLibrary.open(config: f.config("exposure.db"), keyWrapper: WRAPPER, clock: clock)
    let scanned = try await app.trust().readVenue(text: f.code)
    guard case .verified(let venue) = scanned else { throw Failure(description: "not verified: \(scanned)") }
    let visit = try await app.diary().checkIn(venue: scanned, declaration: nil)
    clock.seconds = t + 40 * 60
    _ = try await app.diary().checkOut()

    // An infected person was there from 09:50 to 10:30: 30 minutes with the visit.
    let version = try publishExposure(venueId: venue.id(), start: t - 10 * 60, end: t + 30 * 60, recommendation: "get_tested")
    let client = URLSessionClient()
    let listener = AlertRecorder()
    let fetched = try await app.exposures().sync(client: client, minOverlapSeconds: 15 * 60, listener: listener)
    try checkEq(version, fetched.version, "list version")
    try checkEq(Int(fetched.requests), client.calls, "requests through URLSession")
    try checkEq(version, try await app.exposures().since(), "version stored")
    try checkEq(1, listener.calls.count, "listener calls")
    try checkEq(1, listener.calls[0].count, "alerts in the call")
    let alert = listener.calls[0][0]
    try checkEq(visit.id, alert.visitId, "visit")
    try checkEq(venue.id(), alert.venueId, "venue id")
    try checkEq("Trường THPT Chu Văn An", alert.venueName, "venue name")
    try checkEq(Recommendation.getTested, alert.recommendation, "recommendation")
    try checkEq(30 * 60, alert.overlapSeconds, "overlap")
    try checkEq([t, t + 40 * 60].map { Date(timeIntervalSince1970: TimeInterval($0)) }, [alert.visitStart, alert.visitEnd], "visit window")
    try checkEq(version, alert.listVersion, "alert's list version")
    try checkEq([alert], fetched.alerts, "returned alerts")

    // Synced again: nothing new, no second alert.
    let again = try await app.exposures().sync(client: client, minOverlapSeconds: 15 * 60, listener: listener)
    try checkEq(version, again.version, "version after the second sync")
    try checkEq(1, again.requests, "requests of the second sync")
    try checkEq([], again.alerts, "alerts of the second sync")
    try checkEq(1, listener.calls.count, "listener calls after the second sync")

    // A window that only touches the end of the visit: a new list, still no alert.
    let later = try publishExposure(venueId: venue.id(), start: t + 40 * 60, end: t + 2 * 3600, recommendation: "isolate")
    try check(later > version, "version \(later) after \(version)")
    let third = try await app.exposures().sync(client: client, minOverlapSeconds: 15 * 60, listener: listener)
    try checkEq(later, third.version, "version after the third sync")
    try checkEq([], third.alerts, "alerts of the third sync")
    try checkEq(1, listener.calls.count, "listener calls after the third sync")

    // Lists signed by another authority are refused with a typed error, and not recorded.
    var stranger = f.config("exposure-stranger.db")
    stranger.venueKeys = [TrustedKey(kid: Data(repeating: 1, count: 8), publicKey: Data(repeating: 2, count: 32))]
    let other = try await KhaibaoLibrary.open(config: stranger, keyWrapper: WRAPPER, clock: clock)
    do {
        _ = try await other.exposures().sync(client: client, minOverlapSeconds: nil, listener: nil)
        throw Failure(description: "a stranger's list was accepted")
    } catch KhaibaoError.Venue(let code, _, _, _) {
        try checkEq(ErrorCode.venueUnknownKey, code, "stranger's list")
    }
    try checkEq(0, try await other.exposures().since(), "nothing recorded")
}
