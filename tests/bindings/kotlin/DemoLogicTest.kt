// Tests of the Android demo's view models (android-demo/shared) driven through its adapter
// (LibraryAdapter.kt) against the real library and a real authority: the camera plane through
// core's scanner, the declaration form with core's field errors in both languages, the
// check-in state machine, the diary, the background run, the personal pass shown at a staff
// door log. Called from FlowTest's runner, which provides the fixture.

import java.io.File
import java.nio.ByteBuffer
import java.nio.file.Files
import java.time.LocalDate
import javax.imageio.ImageIO
import vn.khaibao.KhaibaoLibrary
import vn.khaibao.VenueStaff
import vn.khaibao.demo.CheckInState
import vn.khaibao.demo.CheckInViewModel
import vn.khaibao.demo.CoreFrameDecoder
import vn.khaibao.demo.CoreValidator
import vn.khaibao.demo.DeclarationFormViewModel
import vn.khaibao.demo.DemoClock
import vn.khaibao.demo.DiaryViewModel
import vn.khaibao.demo.DoorDirection
import vn.khaibao.demo.DoorLogViewModel
import vn.khaibao.demo.DoorResult
import vn.khaibao.demo.DoseForm
import vn.khaibao.demo.IdKind
import vn.khaibao.demo.Language
import vn.khaibao.demo.LibraryDoorLog
import vn.khaibao.demo.LibraryPorts
import vn.khaibao.demo.LumaPlane
import vn.khaibao.demo.PassState
import vn.khaibao.demo.PassViewModel
import vn.khaibao.demo.Settings
import vn.khaibao.demo.Sex
import vn.khaibao.demo.Str
import vn.khaibao.demo.Symptom
import vn.khaibao.demo.SyncOutcome
import vn.khaibao.demo.TravelForm
import vn.khaibao.demo.TravelMode
import vn.khaibao.demo.admissionText
import vn.khaibao.demo.centreSquare
import vn.khaibao.demo.runBackgroundSync
import vn.khaibao.demo.toCore
import vn.khaibao.demo.visitForAlert

/** The poster as a camera would deliver it: interleaved (pixel stride 2), padded rows. */
fun cameraPlane(png: File, pixelStride: Int, padding: Int): Triple<ByteBuffer, Int, Int> {
    val img = ImageIO.read(png)
    val rowStride = img.width * pixelStride + padding
    val bytes = ByteArray(rowStride * (img.height - 1) + (img.width - 1) * pixelStride + 1)
    val row = IntArray(img.width)
    for (y in 0 until img.height) {
        img.raster.getSamples(0, y, img.width, 1, 0, row)
        for (x in 0 until img.width) bytes[y * rowStride + x * pixelStride] = row[x].toByte()
    }
    return Triple(ByteBuffer.wrap(bytes), img.width, img.height).also { check(rowStride > 0) { "stride" } }
}

suspend fun demoCameraPlaneScans(f: Fixture) {
    for ((pixelStride, padding) in listOf(1 to 0, 1 to 32, 2 to 16)) {
        val (buffer, w, h) = cameraPlane(f.png, pixelStride, padding)
        val plane = LumaPlane.fromYPlane(buffer, w, h, w * pixelStride + padding, pixelStride)
        checkEq(f.code, CoreFrameDecoder.decode(plane, null), "scan with pixel stride $pixelStride, padding $padding")
        checkEq(f.code, CoreFrameDecoder.decode(plane, centreSquare(w, h, 1.0)), "scan in ROI")
    }
    val blank = LumaPlane(ByteArray(64 * 64), 64, 64, 64)
    checkEq(null, CoreFrameDecoder.decode(blank, null), "blank frame")
}

private fun dmy(d: LocalDate) = "%02d/%02d/%04d".format(d.dayOfMonth, d.monthValue, d.year)

/** Every field of the form, valid (dates relative to today so the 14-day window holds). */
fun fullForm(vm: DeclarationFormViewModel) {
    val today = LocalDate.now(java.time.ZoneId.of("Asia/Ho_Chi_Minh"))
    vm.update {
        it.copy(
            fullName = "Nguyễn Văn An", birthYear = "1985", dateOfBirth = "02/09/1985", sex = Sex.MALE,
            nationality = "vn", idKind = IdKind.CCCD, idNumber = "001085012345", phone = "0912 345 678",
            email = "an@example.vn", province = "1", district = "5", ward = "157", street = "10 Thụy Khuê",
            healthInsurance = "DN4010123456789", closeContact = true, visitedPlaceWithCases = true,
            visitedAnimalMarket = false, recoveredOn = "", negativeTestOn = dmy(today.minusDays(1)), onBehalf = false,
            travel = listOf(TravelForm(TravelMode.AIR, "vn 123", "12a", dmy(today.minusDays(3)), dmy(today.minusDays(2)), "Đà Nẵng, Hà Nội")),
            vaccination = listOf(DoseForm(dmy(today.minusDays(200)), "Comirnaty")),
        )
    }
    vm.toggle(Symptom.COUGH)
}

suspend fun demoDeclarationFormShowsCoreFieldErrors(@Suppress("UNUSED_PARAMETER") f: Fixture) {
    val model = DeclarationFormViewModel(CoreValidator, Language.VI)
    fullForm(model)
    model.submit() ?: error("a complete form is valid: ${model.errorFields.map { it to model.errorFor(it) }}")
    model.update {
        it.copy(
            birthYear = "19x5", phone = "12345", email = "an@", idNumber = "123", healthInsurance = "X",
            dateOfBirth = "31/02/1985", province = "99", nationality = "ZZ",
            travel = it.travel.map { t -> t.copy(arrival = "hôm qua") },
            vaccination = listOf(DoseForm("01/01/2999", "")),
        )
    }
    checkEq(null, model.submit(), "invalid form submits nothing")
    val expected = listOf(
        "birth_year", "date_of_birth", "nationality", "id_document", "phone", "email", "province",
        "health_insurance", "travel[0].arrival", "vaccination[0].date",
    )
    for (field in expected) check(model.errorFor(field) != null) { "no error for $field: ${model.errorFields}" }
    checkEq(null, model.errorFor("full_name"), "name is fine")
    val vi = model.errorFor("phone")
    model.switchLanguage(Language.EN)
    val en = model.errorFor("phone")
    check(vi != null && en != null && vi != en) { "phone error in both languages: $vi / $en" }
    check(en!!.contains("mobile", ignoreCase = true)) { "English message from core: $en" }
}

/** A clock the test moves (the camera's repeat window, the door's). */
class DoorClock(var millis: Long = System.currentTimeMillis()) : DemoClock {
    override fun nowMillis() = millis
}

class MemorySettings : Settings {
    private val map = mutableMapOf<String, String>()
    override fun get(key: String) = map[key]
    override fun put(key: String, value: String) {
        map[key] = value
    }
}

suspend fun demoMappersAndSyncDecision(f: Fixture) {
    val dir = Files.createTempDirectory("demo").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "d.db").path), WRAPPER).use { app ->
        val ports = LibraryPorts(app, UrlConnectionClient(), trustConfigured = false)
        val camera = DoorClock()
        val vm = CheckInViewModel(ports, camera)
        vm.start(cameraGranted = false)
        checkEq(CheckInState.PermissionDenied, vm.state, "camera refused")
        vm.openManualEntry()
        vm.typeManual("0101 0000 00")
        vm.submitManual()
        check(vm.error != null && vm.error!!.vi != vm.error!!.en) { "manual-code refusal in vi and en: ${vm.error}" }
        vm.onPermissionResult(true)
        vm.cancel()
        checkEq(CheckInState.Scanning, vm.state, "scanning")

        vm.onScanned("https://tokhaiyte.vn/?venue=42")
        val other = (vm.state as CheckInState.Confirming).venue.info
        check(!other.verified) { "unverified venue $other" }
        vm.cancel()
        vm.onScanned(f.code)
        val venue = (vm.state as CheckInState.Confirming).venue.info
        check(venue.verified && venue.name == "Trường THPT Chu Văn An" && venue.category == "school") { "venue $venue" }
        checkEq(Str.announce_venue_read, vm.takeAnnouncement()?.key, "venue announced")
        vm.confirm(withDeclaration = true)
        val form = DeclarationFormViewModel(CoreValidator, Language.EN)
        fullForm(form)
        vm.submitDeclaration(form)
        val visit = (vm.state as CheckInState.Active).visit
        check(visit.autoCheckoutAt > visit.checkedInAt) { "auto check-out after check-in: $visit" }
        checkEq(1, app.diary().visits().size, "one visit")

        val diary = DiaryViewModel(ports)
        diary.refresh()
        checkEq(Str.outbox_pending, diary.status.key, "one declaration waits")
        checkEq(Str.still_here, diary.rows.single().period.key, "the visit is active")
        checkEq(SyncOutcome.DONE, runBackgroundSync(ports) { error("no alerts expected: $it") }, "background run")
        diary.refresh()
        checkEq(Str.outbox_all_sent, diary.status.key, "sent")
        checkEq(visit.id, visitForAlert(ports, visit.id)?.id, "an alert's visit is found")

        vm.checkOut()
        checkEq(CheckInState.Scanning, vm.state, "checked out")
        diary.refresh()
        checkEq(Str.checked_out_at, diary.rows.single().period.key, "the visit ended")
        check(diary.export(Language.EN).lines().size >= 2) { "CSV export has the visit" }
        // A declaration queued and the host's HTTP stack broken: retry later, nothing lost.
        vm.onScanned(f.code)
        checkEq(CheckInState.Scanning, vm.state, "the same code within 3 s is one read")
        camera.millis += 5_000
        vm.onScanned(f.code)
        vm.confirm(withDeclaration = true)
        vm.submitDeclaration(form)
        check(vm.state is CheckInState.Active) { "second visit after check-out: ${vm.state}" }
        checkEq(2, app.diary().visits().size, "two visits")
        val broken = LibraryPorts(app, ExplodingClient(), trustConfigured = false)
        checkEq(SyncOutcome.RETRY, runBackgroundSync(broken) {}, "broken client retries")
        diary.refresh()
        checkEq(Str.outbox_pending, diary.status.key, "still queued")
        // Deleting the second visit removes it from the library's diary; its declaration
        // stays queued for the authority.
        val second = diary.rows.first()
        diary.askDelete(second.id)
        check(diary.confirmDelete()) { "deleted: ${diary.error}" }
        checkEq(listOf(visit.id), app.diary().visits().map { it.id }, "only the first visit is left")
        checkEq(listOf(visit.id), diary.rows.map { it.id }, "the diary screen's rows")
        checkEq(Str.outbox_pending, diary.status.key, "the declaration is still queued")
        diary.askDelete(second.id)
        checkEq(null, diary.deleting, "a deleted visit cannot be asked about again")

        // The personal pass, registered with the real authority, read at a staff door.
        val settings = MemorySettings()
        val pass = PassViewModel(ports, settings)
        val declared = DeclarationFormViewModel(CoreValidator, Language.VI).also { fullForm(it) }.submit()!!
        pass.show(declared, showName = true)
        val shown = pass.state as? PassState.Showing ?: error("pass: ${pass.state}")
        checkEq("5:00", pass.countdown().args[0], "countdown")
        val status = app.passes().healthStatus(declared.toCore()).name
        VenueStaff.open(File(dir, "staff.db").path, f.deviceKeys).use { staff ->
            val clock = DoorClock()
            val door = DoorLogViewModel(LibraryDoorLog(staff), clock)
            door.onScanned(shown.text)
            val admitted = door.last as? DoorResult.Admitted ?: error("door: ${door.last}")
            checkEq(DoorDirection.ENTRY, admitted.admission.direction, "entry")
            checkEq("Nguyễn Văn An", admitted.admission.name, "name shown by choice")
            checkEq(status, admitted.admission.status.name, "the declaration's status")
            checkEq(false, admitted.admission.statusAttested, "a pass without attestation")
            checkEq(Str.door_status_self_declared, admissionText(admitted.admission).args[1], "shown as self-declared")
            checkEq(1, door.today.size, "today's list")
            checkEq(1, door.report.stillInside, "inside")
            clock.millis += 5_000
            door.onScanned(shown.text)
            check(door.last is DoorResult.Refused) { "the same pass twice is refused" }
            val again = PassViewModel(ports, settings)
            again.show(declared, showName = false)
            door.onScanned((again.state as PassState.Showing).text)
            checkEq(DoorDirection.EXIT, (door.last as DoorResult.Admitted).admission.direction, "exit")
            check(door.today.single().exitedAt != null) { "exit in today's list: ${door.today}" }
        }
    }
    dir.deleteRecursively()
}
