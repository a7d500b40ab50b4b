// The personal pass through the generated Swift binding: the citizen's phone registers its
// device key with the authority, renders a pass, and a venue's staff app verifies it offline,
// refuses the same pass twice and records the exit. Run by FlowTest's runner.

import Foundation

let passTests: [(String, (Fixture) async throws -> Void)] = [
    ("personalPassCheckedByStaff", personalPassCheckedByStaff),
    ("staffLogUploadedThroughTheUploads", staffLogUploadedThroughTheUploads),
]

func personalPassCheckedByStaff(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config("pass-citizen.db"), keyWrapper: WRAPPER)
    let certificate = try await app.passes().registerDevice(client: nil)
    try check(certificate.count > 64, "certificate of \(certificate.count) bytes")
    try checkEq(HealthStatus.red, try app.passes().healthStatus(declaration: form()), "a fever makes the status red")
    let text = try await app.passes().makePass(declaration: form(), certificate: certificate, showName: false)
    try check(text.hasPrefix("KBP1:"), "pass prefix")
    try check(!text.contains("Trần") && !text.contains("0912345678"), "identity in the clear")

    let staff = try await VenueStaff.open(dbPath: f.tmp + "/staff.db", authorityKeys: f.deviceKeys())
    let entry = try await staff.scan(text: text)
    try checkEq(Direction.entry, entry.direction, "first scan")
    try checkEq(HealthStatus.red, entry.check.status, "status shown to staff")
    try check(entry.check.name == nil, "name hidden unless the citizen shows it")
    do {
        _ = try await staff.scan(text: text)
        throw Failure(description: "a replayed pass was accepted")
    } catch KhaibaoError.Pass(let code, _, _, _) {
        try checkEq(ErrorCode.passReplayed, code, "the same pass twice")
    }
    let named = try await staff.scan(text: try await app.passes().makePass(declaration: form(), certificate: certificate, showName: true))
    try checkEq(Direction.exit, named.direction, "second pass of the day")
    try checkEq("Trần Thị Bích Ngọc", named.check.name, "name shown by choice, trimmed")
    let report = try await staff.report()
    try checkEq(1, report.visitors, "visitors")
    try checkEq(0, report.stillInside, "still inside")
    try checkEq("pseudonym,status,entered_at,exited_at,nonce,sealed",
                String(try await staff.exportCsv().split(separator: "\n").first ?? ""), "CSV header")
}

/// A staff phone's door log reaches the authority through its handle's one upload call.
func staffLogUploadedThroughTheUploads(_ f: Fixture) async throws {
    let citizen = try await KhaibaoLibrary.open(config: f.config("door-citizen.db"), keyWrapper: WRAPPER)
    let phone = try await KhaibaoLibrary.open(config: f.config("door-phone.db"), keyWrapper: WRAPPER)
    let certificate = try await citizen.passes().registerDevice(client: nil)
    guard case .verified(let venue) = try await citizen.trust().readVenue(text: f.code) else {
        throw Failure(description: "not verified")
    }
    let staff = try await VenueStaff.open(dbPath: f.tmp + "/door.db", authorityKeys: f.deviceKeys())
    _ = try await staff.scan(text: try await citizen.passes().makePass(declaration: form(), certificate: certificate, showName: false))
    try checkEq(0, try await staff.queueUploads(uploads: phone.uploads(), venueId: venue.id()), "still inside")
    _ = try await staff.scan(text: try await citizen.passes().makePass(declaration: form(), certificate: certificate, showName: false))
    try checkEq(1, try await staff.queueUploads(uploads: phone.uploads(), venueId: venue.id()), "queued once complete")
    let progress = RecordingListener()
    let report = try await phone.uploads().upload(options: UploadOptions(client: URLSessionClient(), listener: progress))
    try checkEq(1, report.accepted, "delivered through the host's client")
    try checkEq([[1, 1]], progress.calls, "progress")
    try checkEq(0, try await phone.uploads().upload(options: UploadOptions()).sent, "sent once")
}
