// The app flows through the generated Kotlin binding, against the real release cdylib and a
// real authority server on loopback. Run by tests/run.sh, which sets KHAIBAO_BIN (the
// authority CLI) and passes -Djna.library.path to the directory of the library.

import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import javax.imageio.ImageIO
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking
import vn.khaibao.Clock
import vn.khaibao.HostHttpClient
import vn.khaibao.HostHttpException
import vn.khaibao.KeyStore
import vn.khaibao.KeyStoreException
import vn.khaibao.Khaibao
import vn.khaibao.KhaibaoConfig
import vn.khaibao.KhaibaoException
import vn.khaibao.SyncListener
import vn.khaibao.scanFrame
import vn.khaibao.scanImage
import vn.khaibao.validateDeclaration
import vn.khaibao.verifyKeyStore
import vn.khaibao.core.Declaration
import vn.khaibao.core.DrainReport
import vn.khaibao.core.HttpHeader
import vn.khaibao.core.HttpRequest
import vn.khaibao.core.HttpResponse
import vn.khaibao.core.ScannedVenue
import vn.khaibao.core.Symptom
import vn.khaibao.core.TrustedKey
import vn.khaibao.core.VenueCategory
import vn.khaibao.core.ErrorCode
import vn.khaibao.errorCodeString

fun check(cond: Boolean, what: () -> String) {
    if (!cond) throw AssertionError(what())
}

fun <T> checkEq(expected: T, actual: T, what: String) =
    check(expected == actual) { "$what: expected $expected, got $actual" }

inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing thrown")
}

fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

/** The host app's own HTTP stack, here the JDK's HttpURLConnection. */
class UrlConnectionClient : HostHttpClient {
    val calls = AtomicInteger()

    override fun send(request: HttpRequest): HttpResponse {
        calls.incrementAndGet()
        try {
            val conn = URI(request.url).toURL().openConnection() as HttpURLConnection
            conn.requestMethod = request.method
            conn.connectTimeout = 10_000
            conn.readTimeout = 10_000
            request.headers.forEach { conn.setRequestProperty(it.name, it.value) }
            if (request.body.isNotEmpty()) {
                conn.doOutput = true
                conn.outputStream.use { it.write(request.body) }
            }
            val status = conn.responseCode
            val stream = if (status >= 400) conn.errorStream else conn.inputStream
            val body = stream?.use { it.readBytes() } ?: ByteArray(0)
            val headers = conn.headerFields.filterKeys { it != null }
                .flatMap { (k, vs) -> vs.map { HttpHeader(k, it) } }
            return HttpResponse(status.toUShort(), headers, body)
        } catch (e: java.net.SocketTimeoutException) {
            throw HostHttpException.Timeout()
        } catch (e: java.io.IOException) {
            throw HostHttpException.Network(e.javaClass.simpleName)
        }
    }
}

class ExplodingClient : HostHttpClient {
    override fun send(request: HttpRequest): HttpResponse = throw IllegalStateException("the host's HTTP stack blew up")
}

/** A key store like Android Keystore's: AES-GCM under a key that never leaves it. */
class AesKeyStore : KeyStore {
    private val key: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    override fun wrap(secret: ByteArray): ByteArray {
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, key)
        return c.iv + c.doFinal(secret)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (wrapped.size < 12) throw KeyStoreException.Failed("short")
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
        return c.doFinal(wrapped.copyOfRange(12, wrapped.size))
    }
}

class ClearTextKeyStore : KeyStore {
    override fun wrap(secret: ByteArray) = secret.copyOf()
    override fun unwrap(wrapped: ByteArray) = wrapped.copyOf()
}

/** A clock whose first reading throws; later ones return `now`. */
class FlakyClock(var now: Long) : Clock {
    val calls = AtomicInteger()
    override fun nowUnixSeconds(): Long {
        if (calls.getAndIncrement() == 0) throw IllegalStateException("clock broke")
        return now
    }
}

class RecordingListener(private val throwOnBatch: Boolean) : SyncListener {
    val batches = mutableListOf<Pair<UInt, UShort>>()
    var finished: DrainReport? = null
    var finishedCalls = 0

    override fun onBatch(batch: UInt, httpStatus: UShort) {
        synchronized(this) { batches += batch to httpStatus }
        if (throwOnBatch) throw RuntimeException("listener blew up")
    }

    override fun onFinished(report: DrainReport?) {
        synchronized(this) {
            finished = report
            finishedCalls++
        }
    }
}

fun form(phone: String = "0912345678") = Declaration(
    fullName = "  Trần Thị Bích Ngọc ",
    birthYear = 1995u,
    phone = phone,
    province = 79u,
    symptoms = listOf(Symptom.FEVER),
    closeContact = false,
    onBehalf = false,
)

class Fixture(val dir: File) {
    val bin = System.getenv("KHAIBAO_BIN") ?: error("KHAIBAO_BIN is not set")
    val keys = File(dir, "keys")
    val png = File(dir, "venue.png")
    val code: String
    val server: Process
    val url: String
    val config: KhaibaoConfig

    init {
        run(bin, "keygen", "--keys", keys.path)
        code = run(
            bin, "venue", "issue", "--keys", keys.path, "--name", "Trường THPT Chu Văn An",
            "--address", "10 Thụy Khuê, Tây Hồ, Hà Nội", "--province", "1",
            "--category", "school", "--out", png.path,
        ).trim()
        server = ProcessBuilder(bin, "serve", "--listen", "127.0.0.1:0", "--db", File(dir, "authority.db").path, "--keys", keys.path)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val line = server.inputStream.bufferedReader().readLine()?.split(" ") ?: error("server said nothing")
        check(line[0] == "listening") { "server: $line" }
        url = line[1]
        val fields = File(keys, "public.txt").readText().split(Regex("\\s+")).filter { it.isNotEmpty() }
            .associate { it.substringBefore("=") to it.substringAfter("=") }
        config = KhaibaoConfig(
            dbPath = File(dir, "citizen.db").path,
            venueKeys = listOf(TrustedKey(hex(fields.getValue("kid")), hex(fields.getValue("signing_public")))),
            authoritySealingKey = hex(fields.getValue("sealing_public")),
            authorityUrl = url,
            masterKey = ByteArray(32) { it.toByte() },
        )
    }

    fun run(vararg cmd: String): String {
        val p = ProcessBuilder(*cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "${cmd[1]} failed" }
        return out
    }

    fun stop() {
        server.destroy()
        server.waitFor(10, TimeUnit.SECONDS)
    }
}

fun scanVerifyDeclareUploadAndReadDiary(f: Fixture) {
    val img = ImageIO.read(f.png)
    val (w, h) = img.width to img.height
    // Pad every row, as a camera's Y plane is padded to its row stride.
    val stride = w + 64
    val luma = ByteArray(stride * h)
    val row = IntArray(w)
    for (y in 0 until h) {
        img.raster.getSamples(0, y, w, 1, 0, row)
        for (x in 0 until w) luma[y * stride + x] = row[x].toByte()
    }
    val codes = scanFrame(luma, w.toUInt(), h.toUInt(), stride.toUInt(), null)
    checkEq(1, codes.size, "codes found")
    checkEq(f.code, codes[0].text, "decoded text")
    checkEq(4, codes[0].corners.size, "corners")

    val app = Khaibao.open(f.config)
    val scanned = app.readVenue(codes[0].text!!)
    check(scanned is ScannedVenue.Verified) { "not verified: $scanned" }
    val venue = (scanned as ScannedVenue.Verified).venue
    checkEq("Trường THPT Chu Văn An", venue.name, "venue name")
    checkEq(VenueCategory.SCHOOL, venue.category, "category")

    // A bad phone number: the form gets the field error, nothing is stored.
    checkEq(listOf("phone"), validateDeclaration(form(phone = "12345")).map { it.field }, "validate")
    val bad = expectThrows<KhaibaoException.Validation> { app.checkIn(scanned, form(phone = "12345")) }
    checkEq(listOf("phone"), bad.fields.map { it.field }, "invalid fields")
    checkEq("phone.not_vietnamese_mobile", bad.fields[0].code, "field code")
    check("12345" !in bad.fields[0].messageEn) { "the message echoes the input" }
    checkEq(emptyList(), app.diary(), "diary before")
    checkEq(0uL, app.outboxCounts().pending, "pending before")

    // Fixed: sealed and queued with the check-in.
    checkEq(emptyList(), validateDeclaration(form()), "validate fixed")
    val visit = app.checkIn(scanned, form())
    check(visit.verified) { "visit not verified" }
    checkEq(1uL, app.outboxCounts().pending, "pending after")

    val report = runBlocking { app.sync() }
    checkEq(Triple(1uL, 1uL, 0uL), Triple(report.sent, report.accepted, report.remaining), "report")
    check(report.receipts[0].startsWith("rc-")) { "receipt ${report.receipts}" }
    checkEq(1uL, app.outboxCounts().delivered, "delivered")

    val diary = app.diary()
    checkEq(1, diary.size, "diary size")
    checkEq("Trường THPT Chu Văn An", diary[0].venueName, "diary venue")
    checkEq(null, diary[0].checkedOutAt, "still checked in")
    app.close()
}

fun hostHttpClientInKotlin(f: Fixture) {
    Khaibao.open(f.config).use { app ->
        val scanned = app.readVenue(f.code)
        app.checkOut()
        app.checkIn(scanned, form())
        val client = UrlConnectionClient()
        val report = runBlocking { app.syncWith(client) }
        checkEq(1uL to 0uL, report.accepted to report.remaining, "report")
        checkEq(1, client.calls.get(), "host calls")
    }
}

fun hostCallbackThatThrowsLeavesItemsQueued(f: Fixture) {
    Khaibao.open(f.config).use { app ->
        app.checkIn(app.readVenue(f.code), form())
        val e = expectThrows<KhaibaoException.Network> { runBlocking { app.syncWith(ExplodingClient()) } }
        checkEq(ErrorCode.NETWORK_FAILURE, e.code, "code")
        checkEq(1uL, app.outboxCounts().pending, "still pending")
        checkEq(1uL, runBlocking { app.sync() }.accepted, "accepted later")
    }
}

fun syncListenerThatThrowsDoesNotStopTheUpload(f: Fixture) {
    Khaibao.open(f.config).use { app ->
        app.checkIn(app.readVenue(f.code), form())
        val listener = RecordingListener(throwOnBatch = true)
        val report = runBlocking { app.syncReporting(UrlConnectionClient(), listener) }
        checkEq(1uL, report.accepted, "accepted")
        checkEq(listOf(1u to 200.toUShort()), listener.batches, "batches")
        checkEq(1, listener.finishedCalls, "finished calls")
        checkEq(report, listener.finished, "finished report")
    }
}

fun forgedVenueIsATypedError(f: Fixture) {
    Khaibao.open(f.config).use { app ->
        val (prefix, payload) = f.code.split("#", limit = 2)
        val flipped = payload.dropLast(2) + (if (payload[payload.length - 2] != 'A') "A" else "B") + payload.last()
        val e = expectThrows<KhaibaoException> { app.readVenue("$prefix#$flipped") }
        val (code, vi, en) = when (e) {
            is KhaibaoException.Venue -> Triple(e.code, e.messageVi, e.messageEn)
            is KhaibaoException.Format -> Triple(e.code, e.messageVi, e.messageEn)
            else -> error("not a venue or format error: $e")
        }
        check(code in setOf(ErrorCode.VENUE_SIGNATURE_INVALID, ErrorCode.FORMAT_MALFORMED)) { "code $code" }
        check(errorCodeString(code).startsWith(if (e is KhaibaoException.Venue) "venue." else "format.")) { "family" }
        check(vi.isNotEmpty() && en.isNotEmpty() && vi != en) { "messages" }
        val other = app.readVenue("https://tokhaiyte.vn/?venue=42")
        checkEq("https://tokhaiyte.vn/?venue=42", (other as ScannedVenue.Unverified).text, "unverified text")
    }
}

fun badFramesAreTypedErrors(@Suppress("UNUSED_PARAMETER") f: Fixture) {
    val e = expectThrows<KhaibaoException.Scan> { scanFrame(ByteArray(10), 100u, 100u, 100u, null) }
    checkEq(ErrorCode.SCAN_INVALID_FRAME, e.code, "scan code")
    expectThrows<KhaibaoException.Scan> { scanImage("definitely not a png".toByteArray()) }
}

fun clockThatThrowsFailsOneCallOnly(f: Fixture) {
    val dir = Files.createTempDirectory("clock").toFile()
    val clock = FlakyClock(System.currentTimeMillis() / 1000)
    val config = f.config.copy(dbPath = File(dir, "c.db").path)
    // Opening reads the clock (retention purge); the broken first reading fails that call
    // with a typed error, and the library works on the next one.
    val e = expectThrows<KhaibaoException.Internal> { Khaibao.openWithClock(config, clock) }
    checkEq(ErrorCode.INTERNAL_PANIC, e.code, "internal code")
    Khaibao.openWithClock(config, clock).use { app ->
        val venue = (app.readVenue(f.code) as? ScannedVenue.Verified)?.venue ?: error("the handle did not survive")
        // The host's clock decides validity: after not_after, the code has expired.
        clock.now = venue.notAfter + 1
        val expired = expectThrows<KhaibaoException.Venue> { app.readVenue(f.code) }
        checkEq(ErrorCode.VENUE_EXPIRED, expired.code, "expired code")
        val visit = app.checkIn(ScannedVenue.Unverified("quán phở"), null)
        checkEq(clock.now, visit.checkedInAt, "check-in time from the host clock")
    }
    dir.deleteRecursively()
}

fun keyStoreRoundTripsAndClearTextIsRefused(@Suppress("UNUSED_PARAMETER") f: Fixture) {
    verifyKeyStore(AesKeyStore())
    val e = expectThrows<KhaibaoException.Keystore> { verifyKeyStore(ClearTextKeyStore()) }
    checkEq(ErrorCode.KEYSTORE_NOT_WRAPPING, e.code, "clear-text key store")
    val thrower = object : KeyStore {
        override fun wrap(secret: ByteArray): ByteArray = throw KeyStoreException.KeyUnavailable()
        override fun unwrap(wrapped: ByteArray): ByteArray = wrapped
    }
    checkEq(ErrorCode.KEYSTORE_UNAVAILABLE, expectThrows<KhaibaoException.Keystore> { verifyKeyStore(thrower) }.code, "unavailable")
}

fun main() {
    val tests = listOf(
        ::scanVerifyDeclareUploadAndReadDiary,
        ::hostHttpClientInKotlin,
        ::hostCallbackThatThrowsLeavesItemsQueued,
        ::syncListenerThatThrowsDoesNotStopTheUpload,
        ::forgedVenueIsATypedError,
        ::badFramesAreTypedErrors,
        ::clockThatThrowsFailsOneCallOnly,
        ::keyStoreRoundTripsAndClearTextIsRefused,
        ::personalPassCheckedByStaff,
        ::exposureAlertThroughKotlinHttp,
        ::trustSyncAndManualCodeThroughKotlinHttp,
        ::demoCameraPlaneScans,
        ::demoDeclarationFormShowsCoreFieldErrors,
        ::demoMappersAndSyncDecision,
        ::streamScannerReportsTheVenueOnce,
    )
    val dir = Files.createTempDirectory("khaibao-kt").toFile()
    val fixture = Fixture(dir)
    var failed = 0
    try {
        for (t in tests) {
            try {
                t(fixture)
                println("ok   ${t.name}")
            } catch (e: Throwable) {
                failed++
                println("FAIL ${t.name}: $e")
                e.printStackTrace()
            }
        }
    } finally {
        fixture.stop()
        dir.deleteRecursively()
    }
    println("${tests.size - failed} passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
