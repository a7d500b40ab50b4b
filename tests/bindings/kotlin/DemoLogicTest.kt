// Tests of the Android demo's platform-free module (android-demo/shared) against the real
// library: camera plane mapping, the declaration form, display mappers and the sync decision.
// Called from FlowTest's runner, which provides the fixture.

import java.io.File
import java.nio.ByteBuffer
import java.nio.file.Files
import javax.imageio.ImageIO
import kotlinx.coroutines.runBlocking
import vn.khaibao.*
import vn.khaibao.core.*
import vn.khaibao.demo.DeclarationFormModel
import vn.khaibao.demo.Language
import vn.khaibao.demo.LumaPlane
import vn.khaibao.demo.SyncOutcome
import vn.khaibao.demo.centreSquare
import vn.khaibao.demo.diaryRows
import vn.khaibao.demo.outboxStatus
import vn.khaibao.demo.runSync
import vn.khaibao.demo.syncOutcome
import vn.khaibao.demo.venueCard

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
        checkEq(f.code, plane.scanFirstText(), "scan with pixel stride $pixelStride, padding $padding")
        checkEq(f.code, plane.scanFirstText(centreSquare(w, h, 1.0)), "scan in ROI")
    }
    val blank = LumaPlane(ByteArray(64 * 64), 64, 64, 64)
    checkEq(null, blank.scanFirstText(), "blank frame")
}

suspend fun demoDeclarationFormShowsCoreFieldErrors(@Suppress("UNUSED_PARAMETER") f: Fixture) {
    val model = DeclarationFormModel(Language.VI)
    model.update { it.copy(fullName = "Nguyễn Văn An", birthYear = "19x5", phone = "12345", province = "79") }
    checkEq(null, model.submit(), "invalid form submits nothing")
    check(model.errors.of("phone") != null) { "no phone error: ${model.errors}" }
    check(model.errors.of("birth_year") != null) { "no birth year error: ${model.errors}" }
    checkEq(null, model.errors.of("full_name"), "name is fine")
    model.update { it.copy(birthYear = "1985", phone = "0912 345 678") }
    val declaration = model.submit() ?: error("fixed form rejected: ${model.errors}")
    check(model.errors.isEmpty) { "errors left" }
    checkEq(1985.toUShort(), declaration.birthYear, "birth year")
}

suspend fun demoMappersAndSyncDecision(f: Fixture) {
    val dir = Files.createTempDirectory("demo").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "d.db").path), WRAPPER).use { app ->
        val scanned = app.trust().readVenue(f.code)
        val card = venueCard(scanned)
        check(card.verified && card.title == "Trường THPT Chu Văn An" && card.subtitle.startsWith("Trường học")) { "card $card" }
        val other = venueCard(app.trust().readVenue("https://tokhaiyte.vn/?venue=42"))
        check(!other.verified && other.warning != null) { "unverified card $other" }

        val model = DeclarationFormModel(Language.EN)
        model.update { it.copy(fullName = "Lê Thị Hoa", birthYear = "1990", phone = "0987654321", province = "1") }
        app.diary().checkIn(scanned as VenueScan.Verified, model.submit())
        checkEq("1 tờ khai chờ gửi", outboxStatus(app.uploads().counts()), "status before sync")
        val rows = diaryRows(app.diary().visits())
        check(rows.size == 1 && rows[0].period.endsWith("đang ở đây")) { "rows $rows" }

        val listener = RecordingListener(throwOnProgress = false)
        checkEq(SyncOutcome.DONE, runBlocking { runSync(app, UrlConnectionClient(), listener) }, "sync outcome")
        checkEq("Đã gửi tất cả", outboxStatus(app.uploads().counts()), "status after sync")
        // Nothing is queued now, so a broken client is never called.
        checkEq(SyncOutcome.DONE, runBlocking { runSync(app, ExplodingClient(), listener) }, "nothing to send")
        // With an item queued, a broken client means "retry later".
        app.diary().checkOut()
        app.diary().checkIn(scanned, model.submit())
        checkEq(SyncOutcome.RETRY, runBlocking { runSync(app, ExplodingClient(), listener) }, "broken client")
        checkEq(SyncOutcome.RETRY, syncOutcome(KhaibaoException.Network(ErrorCode.NETWORK_FAILURE, "vi", "en", "x")), "network error retries")
        checkEq(SyncOutcome.FAILED, syncOutcome(KhaibaoException.Storage(ErrorCode.STORAGE_CORRUPT, "vi", "en", "x")), "storage error fails")
        checkEq("1 tờ khai bị từ chối", outboxStatus(OutboxCounts(pending = 0uL, inFlight = 0uL, delivered = 3uL, dead = 1uL)), "dead status")
    }
    dir.deleteRecursively()
}
