// The demo's view models driven through fake ports (no library, no Android): the camera
// throttle, the check-in state machine, the form's parsing and language switch, the
// province and commune pickers (on the app's real resource), the diary's edit and delete,
// the door log with the status's provenance, the pass countdown, onboarding and the
// background run. The same view models run
// against the real library in tests/bindings/kotlin/DemoLogicTest.kt.

package vn.khaibao.demo

import java.io.File
import kotlin.system.exitProcess
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield

private fun check(cond: Boolean, what: () -> String) {
    if (!cond) throw AssertionError(what())
}

private fun <T> eq(expected: T, actual: T, what: String) = check(expected == actual) { "$what: expected $expected, got $actual" }

class FakeClock(var millis: Long = 1_700_000_000_000) : DemoClock {
    override fun nowMillis() = millis
}

class MapSettings : Settings {
    val map = mutableMapOf<String, String>()
    override fun get(key: String) = map[key]
    override fun put(key: String, value: String) {
        map[key] = value
    }
}

private val refusal = LibraryError("venue.bad_signature", Bilingual("Mã không hợp lệ", "Invalid code"))

class FakeVenue(name: String, text: String) : ReadVenue {
    override val info = VenueInfo(name, "1 Phố Huế", "school", true, "", text)
}

class FakeCheckIn(private val clock: FakeClock) : CheckInService {
    val checkIns = mutableListOf<String>()
    var active: VisitInfo? = null
    var nextFields: List<FieldProblem> = emptyList()

    /** When set, a check-in waits for it (a slow disk or network). */
    var hold: CompletableDeferred<Unit>? = null
    override suspend fun readScanned(text: String): ReadVenue = if (text.startsWith("KB:")) FakeVenue(text.drop(3), text) else throw refusal
    override suspend fun resolveManualCode(typed: String): ReadVenue = if (typed == "0101 0001 27") FakeVenue("Chợ Đồng Xuân", "0101000127") else throw refusal
    override suspend fun checkIn(venue: ReadVenue, declaration: DeclarationInput?): VisitInfo {
        hold?.await()
        if (nextFields.isNotEmpty()) throw LibraryError("declaration.invalid", Bilingual("sai", "wrong"), nextFields)
        checkIns += venue.info.sourceText
        val t = clock.nowSeconds()
        return VisitInfo(checkIns.size.toLong(), venue.info.name, "", true, t, null, t + 7200, false).also { active = it }
    }
    override suspend fun checkOut(): VisitInfo = active!!.copy(checkedOutAt = clock.nowSeconds()).also { active = null }
    override suspend fun activeVisit() = active
}

fun scanGateThrottlesFramesAndRepeats() {
    val gate = ScanGate(frameIntervalMillis = 200, repeatMillis = 3000)
    eq(true, gate.analyse(0), "first frame")
    eq(false, gate.analyse(100), "frame 100 ms later is dropped")
    eq(true, gate.analyse(200), "frame after the interval")
    val fresh = ScanGate(frameIntervalMillis = 200)
    eq(5, (0 until 30).count { fresh.analyse(it * 33L) }, "30 frames a second → 5 decoded")
    eq(true, gate.accept("A", 0), "new text")
    eq(false, gate.accept("A", 2999), "same text again soon")
    eq(true, gate.accept("B", 3000), "another text")
    eq(true, gate.accept("A", 3100), "A again after B")
}

fun checkInStateMachine(): Unit = runBlocking<Unit> {
    val clock = FakeClock()
    val service = FakeCheckIn(clock)
    val vm = CheckInViewModel(service, clock)
    vm.start(cameraGranted = null)
    eq(CheckInState.AskingPermission, vm.state, "asks first")
    vm.onScanned("KB:Trường A")
    eq(CheckInState.AskingPermission, vm.state, "no camera frames before permission")
    vm.onPermissionResult(false)
    eq(CheckInState.PermissionDenied, vm.state, "denied")
    vm.openManualEntry()
    vm.typeManual("0101 0001 28")
    vm.submitManual()
    eq("Invalid code", vm.error?.en, "typo shows core's message")
    check(vm.state is CheckInState.ManualEntry) { "stays on manual entry" }
    vm.typeManual("0101 0001 27")
    vm.submitManual()
    eq("Chợ Đồng Xuân", (vm.state as CheckInState.Confirming).venue.info.name, "manual code read")
    eq(Str.announce_venue_read, vm.takeAnnouncement()?.key, "announced")
    eq(null, vm.takeAnnouncement(), "announced once")
    vm.cancel()
    eq(CheckInState.Scanning, vm.state, "back to scanning")
    eq(true, vm.cameraActive, "camera runs while scanning")

    vm.onScanned("KB:Trường A")
    val confirming = vm.state as CheckInState.Confirming
    eq(false, vm.cameraActive, "camera stops on confirmation")
    vm.onScanned("KB:Trường B")
    eq(confirming, vm.state, "a poster in view does not replace the venue")
    vm.confirm(withDeclaration = true)
    val form = DeclarationFormViewModel({ emptyList() }, Language.VI)
    service.nextFields = listOf(FieldProblem("phone", "phone.not_vietnamese_mobile", Bilingual("SĐT sai", "Bad phone")))
    vm.submitDeclaration(form)
    eq("SĐT sai", form.errorFor("phone"), "check-in's field errors land on the form")
    check(vm.state is CheckInState.Declaring) { "still declaring" }
    service.nextFields = emptyList()
    vm.submitDeclaration(form)
    val active = vm.state as CheckInState.Active
    eq(listOf("KB:Trường A"), service.checkIns, "one check-in")
    eq(listOf(Str.checked_in_since, Str.auto_checkout_at), vm.activeLines(active.visit).map { it.key }, "active visit lines")
    vm.confirm(withDeclaration = false)
    vm.submitDeclaration(form)
    eq(1, service.checkIns.size, "a second tap checks in nobody")

    vm.scanNext()
    clock.millis += 5000
    vm.onScanned("KB:Trường A")
    eq(CheckInState.Scanning, vm.state, "the same code again does not open a check-in")
    eq(Str.announce_same_venue, vm.takeAnnouncement()?.key, "told it is the same venue")
    vm.cancel()
    check(vm.state is CheckInState.Active) { "cancel returns to the active visit" }
    vm.checkOut()
    eq(CheckInState.Scanning, vm.state, "checked out")
    eq(null, service.active, "service checked out")
    clock.millis += 5000
    vm.onScanned("KB:Trường A")
    check(vm.state is CheckInState.Confirming) { "after check-out the same venue is a new visit" }
    vm.confirm(withDeclaration = false)
    val again = vm.state as CheckInState.Active
    clock.millis = (again.visit.autoCheckoutAt + 1) * 1000
    vm.tick()
    eq(CheckInState.Scanning, vm.state, "automatic check-out time passed")

    val resumed = CheckInViewModel(service, clock)
    resumed.start(cameraGranted = true)
    check(resumed.state is CheckInState.Active) { "an active visit resumes on start" }
}

fun doubleTapWhileCheckingInChecksInOnce(): Unit = runBlocking<Unit> {
    val clock = FakeClock()
    val service = FakeCheckIn(clock)
    val vm = CheckInViewModel(service, clock)
    vm.start(cameraGranted = true)
    vm.onScanned("KB:Trường A")
    vm.confirm(withDeclaration = true)
    val form = DeclarationFormViewModel({ emptyList() }, Language.VI)
    service.hold = CompletableDeferred()
    val first = launch { vm.submitDeclaration(form) }
    yield() // the first tap is now waiting inside the check-in
    eq(true, vm.busy, "busy while the check-in runs")
    vm.submitDeclaration(form) // the second tap
    service.hold?.complete(Unit)
    first.join()
    eq(listOf("KB:Trường A"), service.checkIns, "two taps, one check-in")
    check(vm.state is CheckInState.Active) { "active after the first tap" }
    eq(false, vm.busy, "not busy after")
}

fun declarationFormParsesEveryField() {
    var seen: DeclarationInput? = null
    val vm = DeclarationFormViewModel({ seen = it; emptyList() }, Language.VI)
    vm.update {
        it.copy(
            fullName = "Nguyễn Văn An", birthYear = "1985", dateOfBirth = "02/09/1985", sex = Sex.MALE,
            nationality = "vn", idKind = IdKind.CCCD, idNumber = "001085012345", phone = "0912345678",
            email = "an@example.vn", province = "1", district = "5", ward = "", street = "10 Thụy Khuê",
            healthInsurance = "", closeContact = true, visitedAnimalMarket = true, recoveredOn = "31/02/2021",
        )
    }
    vm.addJourney()
    vm.update { f -> f.copy(travel = f.travel.map { it.copy(mode = TravelMode.AIR, vehicleNumber = "VN123", departure = "1/1/2026", arrival = "x", places = "Hà Nội, , SG") }) }
    vm.addDose()
    vm.addDose()
    vm.removeDose(0)
    vm.toggle(Symptom.FEVER)
    vm.toggle(Symptom.COUGH)
    vm.toggle(Symptom.FEVER)
    val input = vm.submit() ?: error("fake validator accepts")
    eq(input, seen, "validated what was submitted")
    eq(Day(1985, 9, 2), input.dateOfBirth, "date of birth dd/mm/yyyy")
    eq("VN", input.nationality, "nationality upper-cased")
    eq(null, input.ward, "empty ward is absent")
    eq(5, input.district, "district")
    eq(null, input.healthInsurance, "empty insurance is absent")
    eq(Day(2021, 2, 31), input.recoveredOn, "an impossible date goes to core as typed")
    eq(NOT_A_DAY, input.travel[0].arrival, "unparsable date → core's date.invalid")
    eq(listOf("Hà Nội", "SG"), input.travel[0].places, "places split")
    eq(1, input.vaccination.size, "dose removed")
    eq(setOf(Symptom.COUGH), input.symptoms, "symptom toggles")
    eq(0, DeclarationForm(birthYear = "19x5").toInput().birthYear, "bad number → 0 → core's error")

    val problems = listOf(
        FieldProblem("phone", "phone.x", Bilingual("Số điện thoại sai", "Wrong phone")),
        FieldProblem("travel[0].arrival", "date.invalid", Bilingual("Ngày không hợp lệ", "Not a date")),
    )
    val failing = DeclarationFormViewModel({ problems }, Language.VI)
    eq(null, failing.submit(), "invalid form submits nothing")
    eq("Số điện thoại sai", failing.errorFor("phone"), "vi")
    failing.switchLanguage(Language.EN)
    eq("Wrong phone", failing.errorFor("phone"), "en after switching")
    eq(listOf("phone", "travel[0].arrival"), failing.errorFields, "fields in order")
}

/** The app's resource, as check-demo.sh passes it (`-Dkhaibao.units=`). */
private fun appUnits() = AdministrativeUnits.parse(File(System.getProperty("khaibao.units") ?: error("-Dkhaibao.units not set")).readText())

fun pickersSearchTodaysUnitsWithoutDiacritics() {
    val units = appUnits()
    eq(34, units.provinces.size, "today's provinces")
    eq(3321, units.communeCount, "today's communes")
    eq("ha noi", fold("  HÀ   Nội! "), "fold keeps letters, drops marks and case")
    eq("da nang", fold("Đà Nẵng"), "đ is d")
    eq(listOf("Thành phố Đà Nẵng"), units.searchProvinces("da nang").map { it.name }, "search without diacritics")
    eq(listOf("Thành phố Đà Nẵng"), units.searchProvinces("Đà Nẵng").map { it.name }, "and with them")
    eq(48, units.searchProvinces("danang").single().code, "spaces optional")
    eq(34, units.searchProvinces(" ").size, "blank: every province")
    eq(emptyList<Province>(), units.searchProvinces("paris"), "no match")
    // A word that starts with the query comes before a name that only contains it.
    val ha = units.searchProvinces("ha")
    check(ha.first().name.let { fold(it).split(' ').any { w -> w.startsWith("ha") } }) { "word start first: $ha" }
    val hanoi = units.searchProvinces("ha noi").single()
    eq(1, hanoi.code, "Hà Nội is 1")
    eq(emptyList<Commune>(), units.searchCommunes(null, "ba dinh"), "no communes before a province")
    val baDinh = units.searchCommunes(hanoi.code, "ba dinh")
    eq(listOf("Phường Ba Đình"), baDinh.map { it.name }, "commune found in its province")
    eq(emptyList<Commune>(), units.searchCommunes(79, "ba dinh"), "not in another province")
    eq(units.searchCommunes(1, "").size, units.searchCommunes(1, "").map { it.province }.count { it == 1 }, "only the province's communes")
    check(units.searchCommunes(1, "").size in 100..200) { "Hà Nội has 126 communes" }

    val vm = DeclarationFormViewModel({ emptyList() }, Language.VI, units)
    vm.update { it.copy(district = "5") }
    vm.chooseProvince(hanoi)
    eq(hanoi, vm.province, "province chosen")
    vm.chooseCommune(baDinh.single())
    eq("Phường Ba Đình", vm.commune?.name, "commune chosen")
    var input = vm.submit()!!
    eq(1, input.province, "province code to core")
    eq(baDinh.single().code, input.ward, "commune code as core's ward")
    eq(null, input.district, "no district since 2025")
    vm.chooseProvince(hanoi)
    eq("Phường Ba Đình", vm.commune?.name, "the same province keeps the commune")
    vm.chooseProvince(units.searchProvinces("ho chi minh").single())
    eq(null, vm.commune, "another province clears the commune")
    input = vm.submit()!!
    eq(79, input.province, "Hồ Chí Minh is 79")
    eq(null, input.ward, "no commune")
    // Choosing a commune first sets its province.
    val other = DeclarationFormViewModel({ emptyList() }, Language.VI, units)
    other.chooseCommune(units.searchCommunes(48, "hai chau").first())
    eq(48, other.province?.code, "the commune's province")
}

class FakeDiary(var visits: MutableList<VisitInfo>) : VisitDiary {
    var refuseDelete = false
    override suspend fun visits() = visits.toList()
    override suspend fun edit(visitId: Long, checkedInAt: Long, checkedOutAt: Long): VisitInfo {
        val i = visits.indexOfFirst { it.id == visitId }
        visits[i] = visits[i].copy(checkedInAt = checkedInAt, checkedOutAt = checkedOutAt, edited = true)
        return visits[i]
    }
    override suspend fun delete(visitId: Long) {
        if (refuseDelete) throw LibraryError("api.invalid_state", Bilingual("Không có lượt này", "No such visit"))
        visits.removeAll { it.id == visitId }
    }
    override suspend fun exportCsv(language: Language) = "venue\n" + visits.joinToString("\n") { it.venueName }
    override suspend fun pendingUploads() = 1L
}

fun diaryEditsAndDeletesAfterConfirmation(): Unit = runBlocking<Unit> {
    val t = 1_700_000_000L
    val diary = FakeDiary(mutableListOf(VisitInfo(2, "Chợ Đồng Xuân", "", true, t + 3600, null, t + 7200, false), VisitInfo(1, "Trường A", "", false, t, t + 600, t + 3600, false)))
    val vm = DiaryViewModel(diary)
    vm.refresh()
    eq(listOf(2L, 1L), vm.rows.map { it.id }, "newest first")
    eq(Message(Str.outbox_pending, listOf(1L)), vm.status, "pending uploads")
    eq(Str.still_here, vm.rows[0].period.key, "active visit")
    eq(true, vm.edit(1, t - 60, t + 900), "edit")
    eq(true, vm.rows[1].edited, "edited flag shown")

    vm.askDelete(2)
    eq(Message(Str.delete_visit_question, listOf("Chợ Đồng Xuân")), vm.deleteQuestion, "asks first, naming the venue")
    vm.cancelDelete()
    eq(null, vm.deleteQuestion, "cancelled")
    eq(2, diary.visits.size, "nothing deleted on cancel")
    eq(false, vm.confirmDelete(), "nothing to confirm")
    vm.askDelete(99)
    eq(null, vm.deleting, "an unknown row is not asked about")

    vm.askDelete(2)
    eq(true, vm.confirmDelete(), "deleted")
    eq(listOf(1L), diary.visits.map { it.id }, "the library deleted that visit")
    eq(listOf(1L), vm.rows.map { it.id }, "the list refreshed")
    eq(Message(Str.announce_visit_deleted, listOf("Chợ Đồng Xuân")), vm.takeAnnouncement(), "announced")
    eq(null, vm.takeAnnouncement(), "announced once")
    eq(null, vm.deleting, "question closed")

    diary.refuseDelete = true
    vm.askDelete(1)
    eq(false, vm.confirmDelete(), "refused")
    eq("No such visit", vm.error?.en, "core's message shown")
    eq(listOf(1L), vm.rows.map { it.id }, "row kept")
    check(vm.export(Language.EN).contains("Trường A")) { "export" }
}

class FakeDoor : DoorLog {
    val rows = mutableListOf<String>()
    override suspend fun scan(text: String): DoorAdmission {
        if (!text.startsWith("KBP1:")) throw LibraryError("pass.replayed", Bilingual("Đã dùng", "Already used"))
        val exit = rows.any { it.startsWith(text.drop(5) + ",") }
        rows += "${text.drop(5)},green,2026-12-02 08:00,${if (exit) "2026-12-02 09:00" else ""}"
        // A pass ending in "+" carries the authority's attestation (yellow, say).
        val attested = text.endsWith("+")
        val status = if (attested) PassStatus.YELLOW else PassStatus.GREEN
        return DoorAdmission(if (exit) DoorDirection.EXIT else DoorDirection.ENTRY, status, null, 0, text.drop(5), attested)
    }
    override suspend fun report() = DoorReport(rows.size, rows.count { it.endsWith(",") }, List(24) { 0 })
    override suspend fun exportCsv() = "pseudonym,status,entered_at,exited_at\n" + rows.joinToString("\n")
}

fun doorLogScansListsAndRefuses(): Unit = runBlocking<Unit> {
    val clock = FakeClock()
    val vm = DoorLogViewModel(FakeDoor(), clock)
    vm.onScanned("KBP1:ab")
    val entry = (vm.last as DoorResult.Admitted).admission
    eq(DoorDirection.ENTRY, entry.direction, "entry")
    // The colour is shown and announced as self-declared: the pass carries no attestation.
    val shown = Message(Str.door_entry, listOf(Str.pass_status_green, Str.door_status_self_declared))
    eq(shown, admissionText(entry), "screen: entry, green, self-declared")
    eq(shown, vm.takeAnnouncement(), "entry announced with its provenance")
    vm.onScanned("KBP1:ab")
    eq(1, vm.today.size, "the same frame text twice is one scan")
    clock.millis += 4000
    vm.onScanned("nonsense")
    eq("Already used", (vm.last as DoorResult.Refused).error.en, "refusal shown")
    vm.onScanned("KBP1:ab")
    eq(DoorDirection.EXIT, (vm.last as DoorResult.Admitted).admission.direction, "exit")
    eq(listOf(DoorEntry("ab", PassStatus.GREEN, "2026-12-02 08:00", null), DoorEntry("ab", PassStatus.GREEN, "2026-12-02 08:00", "2026-12-02 09:00")), vm.today, "today's list")
    check(vm.export().startsWith("pseudonym,status")) { "export" }
    clock.millis += 4000
    vm.onScanned("KBP1:cd+")
    val attested = (vm.last as DoorResult.Admitted).admission
    eq(Message(Str.door_entry, listOf(Str.pass_status_yellow, Str.door_status_attested)), admissionText(attested), "an attested status is shown as attested")
    eq(Str.door_status_attested, vm.takeAnnouncement()?.args?.get(1), "and announced so")
}

fun passCountdownRenews() = runBlocking {
    val clock = FakeClock()
    var made = 0
    var registered = 0
    val service = object : PassService {
        override suspend fun register(): ByteArray = byteArrayOf(1, 2, 0xff.toByte()).also { registered++ }
        override suspend fun makePass(declaration: DeclarationInput, certificate: ByteArray, showName: Boolean): String {
            check(certificate.contentEquals(byteArrayOf(1, 2, 0xff.toByte()))) { "certificate kept" }
            return "KBP1:${++made}"
        }
        override val validSeconds = 300L
    }
    val settings = MapSettings()
    val vm = PassViewModel(service, settings, clock)
    vm.show(DeclarationForm(fullName = "A").toInput(), showName = false)
    eq("KBP1:1", (vm.state as PassState.Showing).text, "first pass")
    eq(Message(Str.pass_expires_in, listOf("5:00")), vm.countdown(), "countdown")
    clock.millis += 65_000
    vm.tick()
    eq("3:55", vm.countdown().args[0], "counting down")
    clock.millis += 206_000
    vm.tick()
    eq("KBP1:2", (vm.state as PassState.Showing).text, "renewed 30 s before expiry")
    eq("5:00", vm.countdown().args[0], "fresh countdown")
    PassViewModel(service, settings, clock).show(DeclarationForm().toInput(), true)
    eq(1, registered, "registered once, certificate kept")
}

fun onboardingAndBackgroundRun() = runBlocking {
    val settings = MapSettings()
    val vm = OnboardingViewModel(settings)
    eq(OnboardingStep.LANGUAGE, vm.step, "starts with language")
    vm.choose(Language.EN)
    eq(OnboardingStep.STORED, vm.step, "then what is stored")
    eq(listOf<Any>(21), vm.storedText().args, "retention days")
    vm.next()
    vm.next()
    eq(OnboardingStep.DONE, vm.step, "done")
    eq(OnboardingStep.DONE, OnboardingViewModel(settings).step, "not shown again")
    eq(Language.EN, OnboardingViewModel(settings).language, "language kept")

    val calls = mutableListOf<String>()
    val notified = mutableListOf<AlertNotification>()
    fun sync(remaining: Long, fail: Boolean) = object : BackgroundSync {
        override suspend fun upload(): Long {
            calls += "upload"
            if (fail) throw LibraryError("network.failure", Bilingual("", ""))
            return remaining
        }
        override suspend fun syncExposures(): List<ExposureMatch> {
            calls += "exposures"
            return listOf(ExposureMatch(7, "Chợ", 1_700_000_000, 1_700_003_600, "get_tested"))
        }
        override suspend fun syncTrust() {
            calls += "trust"
        }
    }
    eq(SyncOutcome.DONE, runBackgroundSync(sync(0, false)) { notified += it }, "all sent")
    eq(listOf("upload", "trust", "exposures"), calls, "order")
    eq(7L, notified.single().visitId, "alert opens visit 7")
    eq(Str.recommendation_get_tested, notified.single().advice.key, "advice")
    eq(SyncOutcome.RETRY, runBackgroundSync(sync(2, false)) {}, "items left")
    eq(SyncOutcome.RETRY, runBackgroundSync(sync(0, true)) {}, "network failure")
}

fun main() {
    val tests = listOf(
        ::scanGateThrottlesFramesAndRepeats, ::checkInStateMachine, ::doubleTapWhileCheckingInChecksInOnce,
        ::declarationFormParsesEveryField, ::pickersSearchTodaysUnitsWithoutDiacritics,
        ::diaryEditsAndDeletesAfterConfirmation,
        ::doorLogScansListsAndRefuses, ::passCountdownRenews, ::onboardingAndBackgroundRun,
    )
    var failed = 0
    for (t in tests) {
        try {
            t()
            println("ok   ${t.name}")
        } catch (e: Throwable) {
            failed++
            println("FAIL ${t.name}: $e")
            e.printStackTrace()
        }
    }
    println("${tests.size - failed} passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
