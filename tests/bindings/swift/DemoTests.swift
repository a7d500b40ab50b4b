// Tests of the iOS demo's platform-free code (ios-demo/Sources/KhaibaoDemoCore) against the
// real library. Run by FlowTest's runner.

import Foundation

let demoTests: [(String, (Fixture) async throws -> Void)] = [
    ("demoLumaPlaneScans", demoLumaPlaneScans),
    ("demoFormShowsCoreFieldErrors", demoFormShowsCoreFieldErrors),
    ("demoMappersAndSyncDecision", demoMappersAndSyncDecision),
]

func demoLumaPlaneScans(_ f: Fixture) async throws {
    let w = Int(f.width), h = Int(f.height), bytesPerRow = w + 48
    var padded = [UInt8](repeating: 0, count: bytesPerRow * h)
    let src = [UInt8](f.luma)
    for y in 0..<h { for x in 0..<w { padded[y * bytesPerRow + x] = src[y * w + x] } }
    let plane = padded.withUnsafeBytes { LumaPlane(base: $0.baseAddress!, width: w, height: h, bytesPerRow: bytesPerRow) }!
    try checkEq(f.code, plane.firstText(), "scan")
    try checkEq(f.code, plane.firstText(roi: centreSquare(width: w, height: h, fraction: 1.0)), "scan in ROI")
    let blank = [UInt8](repeating: 0, count: 64 * 64)
    try checkEq(nil, blank.withUnsafeBytes { LumaPlane(base: $0.baseAddress!, width: 64, height: 64, bytesPerRow: 64) }!.firstText(), "blank")
}

func demoFormShowsCoreFieldErrors(_ f: Fixture) async throws {
    let model = DeclarationFormModel(language: .vi)
    model.state.fullName = "Nguyễn Văn An"
    model.state.birthYear = "19x5"
    model.state.phone = "12345"
    model.state.province = "79"
    try check(model.submit() == nil, "invalid form submitted")
    try check(model.errors["phone"] != nil, "no phone error: \(model.errors)")
    try check(model.errors["birth_year"] != nil, "no birth year error: \(model.errors)")
    try checkEq(nil, model.errors["full_name"], "name is fine")
    model.state.birthYear = "1985"
    model.state.phone = "0912 345 678"
    guard let d = model.submit() else { throw Failure(description: "fixed form rejected: \(model.errors)") }
    try checkEq(1985, d.birthYear, "birth year")
    try check(model.errors.isEmpty, "errors left")
}

func demoMappersAndSyncDecision(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config("demo.db"), keyWrapper: WRAPPER)
    let scanned = try await app.trust().readVenue(text: f.code)
    let card = venueCard(scanned)
    try check(card.verified && card.title == "Trường THPT Chu Văn An" && card.subtitle.hasPrefix("Trường học"), "card \(card)")
    let other = venueCard(try await app.trust().readVenue(text: "https://tokhaiyte.vn/?venue=42"))
    try check(!other.verified && other.warning != nil, "unverified card \(other)")

    let model = DeclarationFormModel(language: .en)
    model.state.fullName = "Lê Thị Hoa"
    model.state.birthYear = "1990"
    model.state.phone = "0987654321"
    model.state.province = "1"
    _ = try await app.diary().checkIn(venue: scanned, declaration: model.submit())
    try checkEq("1 tờ khai chờ gửi", outboxStatus(try await app.uploads().counts()), "status before")
    let rows = diaryRows(try await app.diary().visits())
    try check(rows.count == 1 && rows[0].period.hasSuffix("đang ở đây"), "rows \(rows)")

    try checkEq(SyncOutcome.done, await runSync(app, client: URLSessionClient(), listener: RecordingListener()), "sync")
    try checkEq("Đã gửi tất cả", outboxStatus(try await app.uploads().counts()), "status after")
    _ = try await app.diary().checkOut()
    _ = try await app.diary().checkIn(venue: scanned, declaration: model.submit())
    try checkEq(SyncOutcome.retry, await runSync(app, client: ExplodingClient(), listener: RecordingListener()), "broken client")
    try checkEq("1 tờ khai bị từ chối", outboxStatus(OutboxCounts(pending: 0, inFlight: 0, delivered: 3, dead: 1)), "dead")
}
