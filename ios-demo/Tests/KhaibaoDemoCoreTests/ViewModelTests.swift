// The demo's view models driven through fake ports (no library, no UIKit): the camera
// throttle, the check-in state machine, the form's parsing and language switch, the
// province and commune pickers (on the app's real resource), the diary's edit and delete,
// the door log with the status's provenance, the pass countdown, onboarding and the
// background run. The same view models run
// against the real library in tests/bindings/swift/DemoTests.swift. Mirrors the Android
// demo's ViewModelTest.kt.

import Foundation
#if canImport(KhaibaoDemoCore)
import KhaibaoDemoCore
#endif

struct Failure: Error, CustomStringConvertible { let description: String }
func check(_ cond: Bool, _ what: @autoclosure () -> String) throws { if !cond { throw Failure(description: what()) } }
func eq<T: Equatable>(_ expected: T, _ actual: T, _ what: String) throws {
    try check(expected == actual, "\(what): expected \(expected), got \(actual)")
}

final class FakeClock: DemoClock { var millis: Int64 = 1_700_000_000_000; var nowMillis: Int64 { millis } }
final class MapSettings: Settings {
    var map: [String: String] = [:]
    func get(_ key: String) -> String? { map[key] }
    func put(_ key: String, _ value: String) { map[key] = value }
}

let refusal = LibraryError(code: "venue.bad_signature", text: Bilingual(vi: "Mã không hợp lệ", en: "Invalid code"))
struct FakeVenue: ReadVenue { let info: VenueInfo
    init(_ name: String, _ text: String) { info = VenueInfo(name: name, address: "1 Phố Huế", category: "school", verified: true, detail: "", sourceText: text) } }

final class FakeCheckIn: CheckInService {
    let clock: FakeClock
    var checkIns: [String] = [], active: VisitInfo?, nextFields: [FieldProblem] = []
    /// While set, a check-in waits (a slow disk or network).
    var holding = false
    init(_ clock: FakeClock) { self.clock = clock }
    func readScanned(_ text: String) async throws -> ReadVenue { guard text.hasPrefix("KB:") else { throw refusal }; return FakeVenue(String(text.dropFirst(3)), text) }
    func resolveManualCode(_ typed: String) async throws -> ReadVenue { guard typed == "0101 0001 27" else { throw refusal }; return FakeVenue("Chợ Đồng Xuân", "0101000127") }
    func checkIn(_ venue: ReadVenue, declaration: DeclarationInput?) async throws -> VisitInfo {
        while holding { await Task.yield() }
        if !nextFields.isEmpty { throw LibraryError(code: "declaration.invalid", text: Bilingual(vi: "sai", en: "wrong"), fields: nextFields) }
        checkIns.append(venue.info.sourceText)
        let t = clock.nowSeconds
        let v = VisitInfo(id: Int64(checkIns.count), venueName: venue.info.name, address: "", verified: true, checkedInAt: t, checkedOutAt: nil, autoCheckoutAt: t + 7200, edited: false)
        active = v
        return v
    }
    func checkOut() async throws -> VisitInfo {
        guard let a = active else { throw refusal }
        active = nil
        return VisitInfo(id: a.id, venueName: a.venueName, address: "", verified: true, checkedInAt: a.checkedInAt, checkedOutAt: clock.nowSeconds, autoCheckoutAt: a.autoCheckoutAt, edited: false)
    }
    func activeVisit() async throws -> VisitInfo? { active }
}

func scanGateThrottles() throws {
    let gate = ScanGate(frameIntervalMillis: 200, repeatMillis: 3000)
    try eq(true, gate.analyse(0), "first frame")
    try eq(false, gate.analyse(100), "dropped")
    try eq(true, gate.analyse(200), "after the interval")
    let fresh = ScanGate(frameIntervalMillis: 200)
    try eq(5, (0..<30).filter { fresh.analyse(Int64($0) * 33) }.count, "30 frames a second → 5 decoded")
    try eq(true, gate.accept("A", 0), "new text")
    try eq(false, gate.accept("A", 2999), "same text again soon")
    try eq(true, gate.accept("B", 3000), "another text")
}

func checkInStateMachine() async throws {
    let clock = FakeClock(), service = FakeCheckIn(clock)
    let vm = CheckInViewModel(service: service, clock: clock)
    await vm.start(cameraGranted: nil)
    guard case .askingPermission = vm.state else { throw Failure(description: "asks first") }
    await vm.onScanned("KB:Trường A")
    vm.onPermissionResult(false)
    guard case .permissionDenied = vm.state else { throw Failure(description: "denied") }
    vm.openManualEntry()
    vm.typeManual("0101 0001 28")
    await vm.submitManual()
    try eq("Invalid code", vm.error?.en, "typo shows core's message")
    vm.typeManual("0101 0001 27")
    await vm.submitManual()
    guard case .confirming(let manual) = vm.state else { throw Failure(description: "manual code read") }
    try eq("Chợ Đồng Xuân", manual.info.name, "manual venue")
    try eq(Str.announce_venue_read, vm.takeAnnouncement()?.key, "announced")
    try eq(nil, vm.takeAnnouncement(), "announced once")
    await vm.cancel()
    try eq(true, vm.cameraActive, "scanning again")
    await vm.onScanned("KB:Trường A")
    try eq(false, vm.cameraActive, "camera stops on confirmation")
    await vm.onScanned("KB:Trường B")
    guard case .confirming(let a) = vm.state, a.info.name == "Trường A" else { throw Failure(description: "a poster in view replaced the venue") }
    await vm.confirm(withDeclaration: true)
    let form = DeclarationFormViewModel(validator: AcceptAll(), language: .vi)
    service.nextFields = [FieldProblem(field: "phone", code: "phone.x", message: Bilingual(vi: "SĐT sai", en: "Bad phone"))]
    await vm.submitDeclaration(form)
    try eq("SĐT sai", form.errorFor("phone"), "check-in's field errors land on the form")
    service.nextFields = []
    await vm.submitDeclaration(form)
    guard case .active(let visit) = vm.state else { throw Failure(description: "active") }
    try eq(["KB:Trường A"], service.checkIns, "one check-in")
    try eq([Str.checked_in_since, .auto_checkout_at], vm.activeLines(visit).map(\.key), "active lines")
    await vm.submitDeclaration(form)
    try eq(1, service.checkIns.count, "a second tap checks in nobody")
    vm.scanNext()
    clock.millis += 5000
    await vm.onScanned("KB:Trường A")
    try eq(true, vm.cameraActive, "the same code again does not open a check-in")
    try eq(Str.announce_same_venue, vm.takeAnnouncement()?.key, "told it is the same venue")
    await vm.cancel()
    guard case .active = vm.state else { throw Failure(description: "cancel returns to the visit") }
    await vm.checkOut()
    try eq(true, vm.cameraActive, "checked out")
    clock.millis += 5000
    await vm.onScanned("KB:Trường A")
    await vm.confirm(withDeclaration: false)
    guard case .active(let again) = vm.state else { throw Failure(description: "a new visit after check-out") }
    clock.millis = (again.autoCheckoutAt + 1) * 1000
    vm.tick()
    try eq(true, vm.cameraActive, "automatic check-out passed")
}

func doubleTapChecksInOnce() async throws {
    let clock = FakeClock(), service = FakeCheckIn(clock)
    let vm = CheckInViewModel(service: service, clock: clock)
    await vm.start(cameraGranted: true)
    await vm.onScanned("KB:Trường A")
    await vm.confirm(withDeclaration: true)
    let form = DeclarationFormViewModel(validator: AcceptAll(), language: .vi)
    service.holding = true
    let first = Task { await vm.submitDeclaration(form) }
    while !vm.busy { await Task.yield() }  // the first tap is now inside the check-in
    await vm.submitDeclaration(form)         // the second tap
    service.holding = false
    await first.value
    try eq(["KB:Trường A"], service.checkIns, "two taps, one check-in")
    try eq(false, vm.busy, "not busy after")
}

struct AcceptAll: DeclarationValidator { func validate(_ form: DeclarationInput) -> [FieldProblem] { [] } }
struct Refuse: DeclarationValidator { let problems: [FieldProblem]; func validate(_ form: DeclarationInput) -> [FieldProblem] { problems } }

func declarationFormParses() throws {
    let vm = DeclarationFormViewModel(validator: AcceptAll(), language: .vi)
    vm.form.fullName = "Nguyễn Văn An"; vm.form.birthYear = "1985"; vm.form.dateOfBirth = "02/09/1985"
    vm.form.nationality = "vn"; vm.form.idKind = .cccd; vm.form.idNumber = "001085012345"; vm.form.district = "5"
    vm.form.recoveredOn = "31/02/2021"
    vm.addJourney()
    vm.form.travel[0].arrival = "x"; vm.form.travel[0].places = "Hà Nội, , SG"
    vm.addDose(); vm.addDose(); vm.removeDose(0)
    vm.toggle(.fever); vm.toggle(.cough); vm.toggle(.fever)
    guard let input = vm.submit() else { throw Failure(description: "accepted") }
    try eq(Day(1985, 9, 2), input.dateOfBirth, "date of birth")
    try eq("VN", input.nationality, "nationality")
    try eq(nil, input.ward, "empty ward")
    try eq(5, input.district, "district")
    try eq(Day(2021, 2, 31), input.recoveredOn, "impossible date goes to core")
    try eq(notADay, input.travel[0].arrival, "unparsable date")
    try eq(["Hà Nội", "SG"], input.travel[0].places, "places")
    try eq(1, input.vaccination.count, "dose removed")
    try eq([.cough], input.symptoms, "toggles")
    let failing = DeclarationFormViewModel(validator: Refuse(problems: [FieldProblem(field: "phone", code: "p", message: Bilingual(vi: "Số điện thoại sai", en: "Wrong phone"))]), language: .vi)
    try eq(nil, failing.submit(), "invalid")
    try eq("Số điện thoại sai", failing.errorFor("phone"), "vi")
    failing.switchLanguage(.en)
    try eq("Wrong phone", failing.errorFor("phone"), "en")
}

/// The app's resource: check-demo.sh copies it to the working folder; `swift run` finds it in App/Resources.
func appUnits() throws -> AdministrativeUnits {
    let path = ProcessInfo.processInfo.environment["KHAIBAO_UNITS"]
        ?? (FileManager.default.fileExists(atPath: "units.tsv") ? "units.tsv" : "App/Resources/units.tsv")
    return AdministrativeUnits.parse(try String(contentsOfFile: path, encoding: .utf8))
}

func pickersSearchTodaysUnits() async throws {
    let units = try appUnits()
    try eq(34, units.provinces.count, "today's provinces")
    try eq(3321, units.communeCount, "today's communes")
    try eq("ha noi", fold("  HÀ   Nội! "), "fold keeps letters, drops marks and case")
    try eq("da nang", fold("Đà Nẵng"), "đ is d")
    try eq(["Thành phố Đà Nẵng"], units.searchProvinces("da nang").map(\.name), "search without diacritics")
    try eq(["Thành phố Đà Nẵng"], units.searchProvinces("Đà Nẵng").map(\.name), "and with them")
    try eq([48], units.searchProvinces("danang").map(\.code), "spaces optional")
    try eq(34, units.searchProvinces(" ").count, "blank: every province")
    try eq([], units.searchProvinces("paris"), "no match")
    let ha = units.searchProvinces("ha")
    try check(fold(ha[0].name).split(separator: " ").contains { $0.hasPrefix("ha") }, "word start first: \(ha)")
    let hanoi = units.searchProvinces("ha noi")
    try eq([1], hanoi.map(\.code), "Hà Nội is 1")
    try eq([], units.searchCommunes(province: nil, "ba dinh"), "no communes before a province")
    let baDinh = units.searchCommunes(province: 1, "ba dinh")
    try eq(["Phường Ba Đình"], baDinh.map(\.name), "commune found in its province")
    try eq([], units.searchCommunes(province: 79, "ba dinh"), "not in another province")
    try eq(126, units.searchCommunes(province: 1, "").filter { $0.province == 1 }.count, "Hà Nội's 126 communes, only them")

    let vm = DeclarationFormViewModel(validator: Accept(), language: .vi, units: units)
    vm.form.district = "5"
    vm.chooseProvince(hanoi[0])
    try eq(hanoi[0], vm.province, "province chosen")
    vm.chooseCommune(baDinh[0])
    try eq("Phường Ba Đình", vm.commune?.name, "commune chosen")
    var input = vm.submit()
    try eq(1, input?.province, "province code to core")
    try eq(baDinh[0].code, input?.ward, "commune code as core's ward")
    try eq(nil, input?.district, "no district since 2025")
    vm.chooseProvince(hanoi[0])
    try eq("Phường Ba Đình", vm.commune?.name, "the same province keeps the commune")
    vm.chooseProvince(units.searchProvinces("ho chi minh")[0])
    try eq(nil, vm.commune, "another province clears the commune")
    input = vm.submit()
    try eq(79, input?.province, "Hồ Chí Minh is 79")
    try eq(nil, input?.ward, "no commune")
    let other = DeclarationFormViewModel(validator: Accept(), language: .vi, units: units)
    other.chooseCommune(units.searchCommunes(province: 48, "hai chau")[0])
    try eq(48, other.province?.code, "the commune's province")
}

struct Accept: DeclarationValidator { func validate(_ form: DeclarationInput) -> [FieldProblem] { [] } }

final class FakeDiary: VisitDiary {
    var visits: [VisitInfo], refuseDelete = false
    init(_ visits: [VisitInfo]) { self.visits = visits }
    func visits() async throws -> [VisitInfo] { visits }
    func edit(visitId: Int64, checkedInAt: Int64, checkedOutAt: Int64) async throws -> VisitInfo {
        guard let i = visits.firstIndex(where: { $0.id == visitId }) else { throw refusal }
        let v = visits[i]
        visits[i] = VisitInfo(id: v.id, venueName: v.venueName, address: v.address, verified: v.verified, checkedInAt: checkedInAt,
                              checkedOutAt: checkedOutAt, autoCheckoutAt: v.autoCheckoutAt, edited: true)
        return visits[i]
    }
    func delete(visitId: Int64) async throws {
        if refuseDelete { throw LibraryError(code: "api.invalid_state", text: Bilingual(vi: "Không có lượt này", en: "No such visit")) }
        visits.removeAll { $0.id == visitId }
    }
    func exportCsv(_ language: AppLanguage) async throws -> String { (["venue"] + visits.map(\.venueName)).joined(separator: "\n") }
    func pendingUploads() async throws -> Int { 1 }
}

func diaryEditsAndDeletes() async throws {
    let t: Int64 = 1_700_000_000
    let diary = FakeDiary([VisitInfo(id: 2, venueName: "Chợ Đồng Xuân", address: "", verified: true, checkedInAt: t + 3600, checkedOutAt: nil, autoCheckoutAt: t + 7200, edited: false),
                           VisitInfo(id: 1, venueName: "Trường A", address: "", verified: false, checkedInAt: t, checkedOutAt: t + 600, autoCheckoutAt: t + 3600, edited: false)])
    let vm = DiaryViewModel(diary: diary)
    await vm.refresh()
    try eq([2, 1], vm.rows.map(\.id), "newest first")
    try eq(Message(.outbox_pending, ["1"]), vm.status, "pending uploads")
    try eq(Str.still_here, vm.rows[0].period.key, "active visit")
    try eq(true, await vm.edit(visitId: 1, checkedInAt: t - 60, checkedOutAt: t + 900), "edit")
    try eq(true, vm.rows[1].edited, "edited flag shown")

    vm.askDelete(2)
    try eq(Message(.delete_visit_question, ["Chợ Đồng Xuân"]), vm.deleteQuestion, "asks first, naming the venue")
    vm.cancelDelete()
    try eq(nil, vm.deleteQuestion, "cancelled")
    try eq(2, diary.visits.count, "nothing deleted on cancel")
    try eq(false, await vm.confirmDelete(), "nothing to confirm")
    vm.askDelete(99)
    try eq(nil, vm.deleting, "an unknown row is not asked about")

    vm.askDelete(2)
    try eq(true, await vm.confirmDelete(), "deleted")
    try eq([1], diary.visits.map(\.id), "the library deleted that visit")
    try eq([1], vm.rows.map(\.id), "the list refreshed")
    try eq(Message(.announce_visit_deleted, ["Chợ Đồng Xuân"]), vm.takeAnnouncement(), "announced")
    try eq(nil, vm.takeAnnouncement(), "announced once")

    diary.refuseDelete = true
    vm.askDelete(1)
    try eq(false, await vm.confirmDelete(), "refused")
    try eq("No such visit", vm.error?.en, "core's message shown")
    try eq([1], vm.rows.map(\.id), "row kept")
    try check(try await vm.export(.en).contains("Trường A"), "export")
}

final class FakeDoor: DoorLog {
    var rows: [String] = []
    func scan(_ text: String) async throws -> DoorAdmission {
        guard text.hasPrefix("KBP1:") else { throw LibraryError(code: "pass.replayed", text: Bilingual(vi: "Đã dùng", en: "Already used")) }
        let p = String(text.dropFirst(5)), exit = rows.contains { $0.hasPrefix(p + ",") }
        rows.append("\(p),green,2026-12-02 08:00,\(exit ? "2026-12-02 09:00" : "")")
        // A pass ending in "+" carries the authority's attestation (yellow, say).
        let attested = text.hasSuffix("+")
        return DoorAdmission(direction: exit ? .exit : .entry, status: attested ? .yellow : .green, name: nil, at: 0, pseudonym: p,
                             statusAttested: attested)
    }
    func report() async throws -> DoorReport { DoorReport(visitors: rows.count, stillInside: 0, entriesPerHour: []) }
    func exportCsv() async throws -> String { (["pseudonym,status,entered_at,exited_at"] + rows).joined(separator: "\n") }
}

func doorLog() async throws {
    let clock = FakeClock(), vm = DoorLogViewModel(log: FakeDoor(), clock: clock)
    await vm.onScanned("KBP1:ab")
    let entry = DoorAdmission(direction: .entry, status: .green, name: nil, at: 0, pseudonym: "ab")
    try eq(DoorResult.admitted(entry), vm.last, "entry")
    // The colour is shown and announced as self-declared: the pass carries no attestation.
    let shown = Message(.door_entry, [Str.pass_status_green.rawValue, Str.door_status_self_declared.rawValue])
    try eq(shown, admissionText(entry), "screen: entry, green, self-declared")
    try eq(shown, vm.takeAnnouncement(), "announced with its provenance")
    await vm.onScanned("KBP1:ab")
    try eq(1, vm.today.count, "one scan")
    clock.millis += 4000
    await vm.onScanned("nonsense")
    try eq(DoorResult.refused(Bilingual(vi: "Đã dùng", en: "Already used")), vm.last, "refused")
    await vm.onScanned("KBP1:ab")
    try eq("2026-12-02 09:00", vm.today.last?.exitedAt, "exit in today's list")
    clock.millis += 4000
    await vm.onScanned("KBP1:cd+")
    guard case .admitted(let attested)? = vm.last else { throw Failure(description: "attested pass refused") }
    try eq(Message(.door_entry, [Str.pass_status_yellow.rawValue, Str.door_status_attested.rawValue]), admissionText(attested),
           "an attested status is shown as attested")
    try eq(Str.door_status_attested.rawValue, vm.takeAnnouncement()?.args.last, "and announced so")
}

final class FakePass: PassService {
    var made = 0, registered = 0
    func register() async throws -> Data { registered += 1; return Data([1, 2, 255]) }
    func makePass(_ declaration: DeclarationInput, certificate: Data, showName: Bool) async throws -> String {
        guard certificate == Data([1, 2, 255]) else { throw refusal }
        made += 1
        return "KBP1:\(made)"
    }
    var validSeconds: Int64 { 300 }
}

func passCountdown() async throws {
    let clock = FakeClock(), service = FakePass(), settings = MapSettings()
    let vm = PassViewModel(service: service, settings: settings, clock: clock)
    await vm.show(DeclarationForm().input, showName: false)
    try eq(PassState.showing(text: "KBP1:1", expiresAt: clock.nowSeconds + 300), vm.state, "first pass")
    try eq(["5:00"], vm.countdown().args, "countdown")
    clock.millis += 65_000; await vm.tick()
    try eq(["3:55"], vm.countdown().args, "counting down")
    clock.millis += 206_000; await vm.tick()
    try eq(["5:00"], vm.countdown().args, "renewed 30 s before expiry")
    await PassViewModel(service: service, settings: settings, clock: clock).show(DeclarationForm().input, showName: true)
    try eq(1, service.registered, "registered once")
}

final class FakeSync: BackgroundSync {
    var calls: [String] = []
    let remaining: Int, fail: Bool
    init(_ remaining: Int, _ fail: Bool) { self.remaining = remaining; self.fail = fail }
    func upload() async throws -> Int { calls.append("upload"); if fail { throw refusal }; return remaining }
    func syncExposures() async throws -> [ExposureMatch] {
        calls.append("exposures")
        return [ExposureMatch(visitId: 7, venueName: "Chợ", visitStart: 1_700_000_000, visitEnd: 1_700_003_600, recommendation: "get_tested")]
    }
    func syncTrust() async throws { calls.append("trust") }
}

func onboardingAndBackground() async throws {
    let settings = MapSettings(), vm = OnboardingViewModel(settings: settings)
    try eq(OnboardingStep.language, vm.step, "language first")
    vm.choose(.en)
    try eq(["21"], vm.storedText().args, "retention")
    vm.next(); vm.next()
    try eq(OnboardingStep.done, OnboardingViewModel(settings: settings).step, "not shown again")
    try eq(AppLanguage.en, OnboardingViewModel(settings: settings).language, "language kept")
    let ok = FakeSync(0, false)
    var notified: [AlertNotification] = []
    let outcome = await runBackgroundSync(ok) { notified += $0 }
    try eq(SyncOutcome.done, outcome, "done")
    try eq(["upload", "trust", "exposures"], ok.calls, "order")
    try eq(7, notified.first?.visitId, "alert opens visit 7")
    try eq(Str.recommendation_get_tested, notified.first?.advice.key, "advice")
    let left = await runBackgroundSync(FakeSync(2, false)) { _ in }
    try eq(SyncOutcome.retry, left, "items left")
    let failed = await runBackgroundSync(FakeSync(0, true)) { _ in }
    try eq(SyncOutcome.retry, failed, "failure retries")
}

@main
struct ViewModelTests {
    static func main() async {
        var failed = 0, passed = 0
        func run(_ name: String, _ t: () async throws -> Void) async {
            do { try await t(); passed += 1; print("ok   \(name)") } catch { failed += 1; print("FAIL \(name): \(error)") }
        }
        await run("scanGateThrottles", scanGateThrottles)
        await run("checkInStateMachine", checkInStateMachine)
        await run("doubleTapChecksInOnce", doubleTapChecksInOnce)
        await run("declarationFormParses", declarationFormParses)
        await run("pickersSearchTodaysUnits", pickersSearchTodaysUnits)
        await run("diaryEditsAndDeletes", diaryEditsAndDeletes)
        await run("doorLog", doorLog)
        await run("passCountdown", passCountdown)
        await run("onboardingAndBackground", onboardingAndBackground)
        print("\(passed) passed, \(failed) failed")
        exit(failed == 0 ? 0 : 1)
    }
}
