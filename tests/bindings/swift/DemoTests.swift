// Tests of the iOS demo's view models (ios-demo/Sources/KhaibaoDemoCore) driven through its
// adapter (LibraryAdapter.swift) against the real library and a real authority: the luma
// plane through core's scanner, the declaration form with core's field errors in both
// languages, the check-in state machine, the diary, the background run, and the personal
// pass shown at a staff door log. Run by FlowTest's runner.

import Foundation

let demoTests: [(String, (Fixture) async throws -> Void)] = [
    ("demoLumaPlaneScans", demoLumaPlaneScans),
    ("demoFormShowsCoreFieldErrors", demoFormShowsCoreFieldErrors),
    ("demoCheckInDiaryPassAndDoor", demoCheckInDiaryPassAndDoor),
]

func demoLumaPlaneScans(_ f: Fixture) async throws {
    let w = Int(f.width), h = Int(f.height), bytesPerRow = w + 48
    var padded = [UInt8](repeating: 0, count: bytesPerRow * h)
    let src = [UInt8](f.luma)
    for y in 0..<h { for x in 0..<w { padded[y * bytesPerRow + x] = src[y * w + x] } }
    let plane = padded.withUnsafeBytes { LumaPlane(base: $0.baseAddress!, width: w, height: h, bytesPerRow: bytesPerRow) }!
    try checkEq(f.code, CoreFrameDecoder().decode(plane, roi: nil), "scan")
    try checkEq(f.code, CoreFrameDecoder().decode(plane, roi: centreSquare(width: w, height: h, fraction: 1.0)), "scan in ROI")
    let blank = [UInt8](repeating: 0, count: 64 * 64)
    let blankPlane = blank.withUnsafeBytes { LumaPlane(base: $0.baseAddress!, width: 64, height: 64, bytesPerRow: 64) }!
    try checkEq(nil, CoreFrameDecoder().decode(blankPlane, roi: nil), "blank")
}

private func dmy(_ daysAgo: Int) -> String {
    let f = DateFormatter()
    f.dateFormat = "dd/MM/yyyy"
    f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    return f.string(from: Date(timeIntervalSinceNow: -Double(daysAgo) * 86_400))
}

/// Every field of the form, valid (dates relative to today so the 14-day window holds).
func fillFullForm(_ vm: DeclarationFormViewModel) {
    var f = DeclarationForm()
    f.fullName = "Nguyễn Văn An"; f.birthYear = "1985"; f.dateOfBirth = "02/09/1985"; f.sex = .male
    f.nationality = "vn"; f.idKind = .cccd; f.idNumber = "001085012345"; f.phone = "0912 345 678"
    f.email = "an@example.vn"; f.province = "1"; f.district = "5"; f.ward = "157"; f.street = "10 Thụy Khuê"
    f.healthInsurance = "DN4010123456789"; f.closeContact = true; f.visitedPlaceWithCases = true
    f.negativeTestOn = dmy(1)
    var j = TravelForm(); j.mode = .air; j.vehicleNumber = "vn 123"; j.seat = "12a"; j.departure = dmy(3); j.arrival = dmy(2)
    j.places = "Đà Nẵng, Hà Nội"
    f.travel = [j]
    var d = DoseForm(); d.date = dmy(200); d.vaccine = "Comirnaty"
    f.vaccination = [d]
    vm.form = f
    vm.toggle(.cough)
}

func demoFormShowsCoreFieldErrors(_ f: Fixture) async throws {
    let model = DeclarationFormViewModel(validator: CoreValidator(), language: .vi)
    fillFullForm(model)
    try check(model.submit() != nil, "a complete form is valid: \(model.errorFields.map { ($0, model.errorFor($0) ?? "") })")
    model.form.birthYear = "19x5"; model.form.phone = "12345"; model.form.email = "an@"; model.form.idNumber = "123"
    model.form.healthInsurance = "X"; model.form.dateOfBirth = "31/02/1985"; model.form.province = "99"
    model.form.nationality = "ZZ"; model.form.travel[0].arrival = "hôm qua"; model.form.vaccination[0].date = "01/01/2999"
    try check(model.submit() == nil, "invalid form submitted")
    for field in ["birth_year", "date_of_birth", "nationality", "id_document", "phone", "email", "province",
                  "health_insurance", "travel[0].arrival", "vaccination[0].date"] {
        try check(model.errorFor(field) != nil, "no error for \(field): \(model.errorFields)")
    }
    try checkEq(nil, model.errorFor("full_name"), "name is fine")
    let vi = model.errorFor("phone")
    model.switchLanguage(.en)
    let en = model.errorFor("phone")
    try check(vi != nil && en != nil && vi != en, "phone error in both languages: \(String(describing: vi)) / \(String(describing: en))")
    try check(en!.lowercased().contains("mobile"), "English message from core: \(en!)")
}

final class StepClock: DemoClock { var millis = Int64(Date().timeIntervalSince1970 * 1000); var nowMillis: Int64 { millis } }
final class MemorySettings: Settings {
    var map: [String: String] = [:]
    func get(_ key: String) -> String? { map[key] }
    func put(_ key: String, _ value: String) { map[key] = value }
}

func demoCheckInDiaryPassAndDoor(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config("demo.db"), keyWrapper: WRAPPER)
    let ports = LibraryPorts(app: app, client: URLSessionClient(), trustConfigured: false)
    let clock = StepClock()
    let vm = CheckInViewModel(service: ports, clock: clock)
    await vm.start(cameraGranted: false)
    vm.openManualEntry()
    vm.typeManual("0101 0000 00")
    await vm.submitManual()
    try check(vm.error != nil && vm.error!.vi != vm.error!.en, "manual-code refusal in vi and en")
    vm.onPermissionResult(true)
    await vm.cancel()
    await vm.onScanned("https://tokhaiyte.vn/?venue=42")
    guard case .confirming(let other) = vm.state, !other.info.verified else { throw Failure(description: "unverified venue") }
    await vm.cancel()
    await vm.onScanned(f.code)
    guard case .confirming(let venue) = vm.state else { throw Failure(description: "venue read: \(vm.state)") }
    try check(venue.info.verified && venue.info.name == "Trường THPT Chu Văn An" && venue.info.category == "school", "venue \(venue.info)")
    try checkEq(Str.announce_venue_read, vm.takeAnnouncement()?.key, "announced")
    await vm.confirm(withDeclaration: true)
    let form = DeclarationFormViewModel(validator: CoreValidator(), language: .en)
    fillFullForm(form)
    await vm.submitDeclaration(form)
    guard case .active(let visit) = vm.state else { throw Failure(description: "active: \(vm.state) \(form.errorFields)") }
    try check(visit.autoCheckoutAt > visit.checkedInAt, "auto check-out after check-in")

    let diary = DiaryViewModel(diary: ports)
    await diary.refresh()
    try checkEq(Str.outbox_pending, diary.status.key, "one declaration waits")
    try checkEq(Str.still_here, diary.rows.first?.period.key, "the visit is active")
    let done = await runBackgroundSync(ports) { _ in }
    try checkEq(SyncOutcome.done, done, "background run")
    await diary.refresh()
    try checkEq(Str.outbox_all_sent, diary.status.key, "sent")
    let alerted = await visitForAlert(ports, visit.id)
    try checkEq(visit.id, alerted?.id, "an alert's visit is found")
    await vm.checkOut()
    await diary.refresh()
    try checkEq(Str.checked_out_at, diary.rows.first?.period.key, "ended")
    let csv = try await diary.export(.en)
    // CRLF line ends (RFC 4180): "\r\n" is one Character in Swift, so split on newlines.
    try check(csv.split(whereSeparator: \.isNewline).count >= 2, "CSV has the visit: \(csv)")
    // A declaration queued and the host's HTTP stack broken: retry later, nothing lost.
    clock.millis += 5000
    await vm.onScanned(f.code)
    await vm.confirm(withDeclaration: true)
    await vm.submitDeclaration(form)
    guard case .active = vm.state else { throw Failure(description: "second visit: \(vm.state)") }
    let broken = LibraryPorts(app: app, client: ExplodingClient(), trustConfigured: false)
    let retry = await runBackgroundSync(broken) { _ in }
    try checkEq(SyncOutcome.retry, retry, "broken client retries")
    await diary.refresh()
    try checkEq(Str.outbox_pending, diary.status.key, "still queued")
    // Deleting the second visit removes it from the library's diary; its declaration stays
    // queued for the authority.
    guard let second = diary.rows.first, let kept = diary.rows.last, second.id != kept.id else {
        throw Failure(description: "two diary rows: \(diary.rows)")
    }
    diary.askDelete(second.id)
    try check(await diary.confirmDelete(), "deleted: \(String(describing: diary.error))")
    try checkEq([kept.id], try await app.diary().visits().map(\.id), "only the first visit is left")
    try checkEq([kept.id], diary.rows.map(\.id), "the diary screen's rows")
    try checkEq(Str.outbox_pending, diary.status.key, "the declaration is still queued")

    let settings = MemorySettings()
    let pass = PassViewModel(service: ports, settings: settings)
    let declared = DeclarationFormViewModel(validator: CoreValidator(), language: .vi)
    fillFullForm(declared)
    await pass.show(declared.submit()!, showName: true)
    guard case .showing(let text, _) = pass.state else { throw Failure(description: "pass: \(pass.state)") }
    try checkEq(["5:00"], pass.countdown().args, "countdown")
    let staff = try await VenueStaff.open(dbPath: f.tmp + "/demo-door.db", authorityKeys: f.deviceKeys())
    let door = DoorLogViewModel(log: LibraryDoorLog(staff: staff), clock: clock)
    await door.onScanned(text)
    guard case .admitted(let a)? = door.last else { throw Failure(description: "door: \(String(describing: door.last))") }
    try checkEq(DoorDirection.entry, a.direction, "entry")
    try checkEq("Nguyễn Văn An", a.name, "name shown by choice")
    try checkEq(false, a.statusAttested, "a pass without attestation")
    try checkEq(Str.door_status_self_declared.rawValue, admissionText(a).args.last, "shown as self-declared")
    try checkEq(1, door.today.count, "today's list")
    clock.millis += 5000
    await door.onScanned(text)
    guard case .refused? = door.last else { throw Failure(description: "the same pass twice is refused") }
    let again = PassViewModel(service: ports, settings: settings)
    await again.show(declared.submit()!, showName: false)
    guard case .showing(let second, _) = again.state else { throw Failure(description: "second pass") }
    await door.onScanned(second)
    guard case .admitted(let exit)? = door.last, exit.direction == .exit else { throw Failure(description: "exit") }
    try check(door.today.first?.exitedAt != nil, "exit in today's list")
}
