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
import java.time.Instant
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import vn.khaibao.*
import vn.khaibao.core.*

fun check(cond: Boolean, what: () -> String) {
    if (!cond) throw AssertionError(what())
}

fun <T> checkEq(expected: T, actual: T, what: String) =
    check(expected == actual) { "$what: expected $expected, got $actual" }

inline fun <reified E : Throwable> expectThrows(block: () -> Any?): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing thrown")
}

fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

/** A public key with its key id (the first 4 bytes of its SHA-256). */
fun trustedKey(publicHex: String): TrustedKey {
    val key = hex(publicHex)
    return TrustedKey(java.security.MessageDigest.getInstance("SHA-256").digest(key).copyOf(4), key)
}

/** The host app's own HTTP stack, here the JDK's HttpURLConnection. */
class UrlConnectionClient : HostHttpClient {
    val calls = AtomicInteger()

    override suspend fun send(request: HttpRequest): HostHttpResponse {
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
            return HostHttpResponse(status, headers, body)
        } catch (e: java.net.SocketTimeoutException) {
            throw HostHttpException.Timeout()
        } catch (e: java.io.IOException) {
            throw HostHttpException.Network(e.javaClass.simpleName)
        }
    }
}

class ExplodingClient : HostHttpClient {
    override suspend fun send(request: HttpRequest): HostHttpResponse = throw IllegalStateException("the host's HTTP stack blew up")
}

/** A hardware key wrapper like Android Keystore's: AES-GCM under a key that never leaves it;
 *  `lose()` wipes that key, as restoring a backup onto a new phone does. */
class AesKeyWrapper : HardwareKeyWrapper {
    private var key: SecretKey? = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    fun lose() { key = null }

    override fun wrap(secret: ByteArray): ByteArray {
        val k = key ?: throw KeyWrapException.KeyUnavailable()
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, k)
        return c.iv + c.doFinal(secret)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        val k = key ?: throw KeyWrapException.KeyUnavailable()
        if (wrapped.size < 12) throw KeyWrapException.Failed("short")
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.DECRYPT_MODE, k, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
        return try {
            c.doFinal(wrapped.copyOfRange(12, wrapped.size))
        } catch (e: javax.crypto.AEADBadTagException) {
            throw KeyWrapException.KeyUnavailable()
        }
    }
}

val WRAPPER = AesKeyWrapper()

class ClearTextWrapper : HardwareKeyWrapper {
    override fun wrap(secret: ByteArray) = secret.copyOf()
    override fun unwrap(wrapped: ByteArray) = wrapped.copyOf()
}

/** A clock whose first reading throws; later ones return `now` (Unix seconds). */
class FlakyClock(var now: Long) : KhaibaoClock {
    val calls = AtomicInteger()
    override fun now(): Instant {
        if (calls.getAndIncrement() == 0) throw IllegalStateException("clock broke")
        return Instant.ofEpochSecond(now)
    }
}

class RecordingListener(private val throwOnProgress: Boolean) : UploadListener {
    val calls = mutableListOf<Pair<Long, Long>>()

    override fun onProgress(done: Long, total: Long) {
        synchronized(this) { calls += done to total }
        if (throwOnProgress) throw RuntimeException("listener blew up")
    }
}

/** An overloaded authority: every answer is 503 with Retry-After. */
class BusyClient(private val retryAfter: Int) : HostHttpClient {
    val calls = AtomicInteger()
    override suspend fun send(request: HttpRequest): HostHttpResponse {
        calls.incrementAndGet()
        return HostHttpResponse(503, listOf(HttpHeader("Retry-After", "$retryAfter")), ByteArray(0))
    }
}

/** The host's HTTP stack on a slow network: each request waits (suspended) until released. */
class SlowClient : HostHttpClient {
    val started = java.util.concurrent.CountDownLatch(1)
    @Volatile var released = false
    private val inner = UrlConnectionClient()
    override suspend fun send(request: HttpRequest): HostHttpResponse {
        started.countDown()
        while (!released) delay(10)
        return inner.send(request)
    }
}

fun form(phone: String = "0912345678") = Declaration(
    fullName = "  Trần Thị Bích Ngọc ",
    birthYear = 1995,
    phone = phone,
    province = 79,
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
    /** What staff apps trust: the authority's device-certificate key. */
    val deviceKeys: List<TrustedKey>

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
        // One key per purpose: without the root key, the phone lists the venue and
        // exposure-list keys (with it, the keyset update brings them with their usages).
        deviceKeys = listOf(trustedKey(fields.getValue("device_public")))
        config = KhaibaoConfig(
            dbPath = File(dir, "citizen.db").path,
            venueKeys = listOf(
                TrustedKey(hex(fields.getValue("kid")), hex(fields.getValue("signing_public"))),
                trustedKey(fields.getValue("exposure_public")),
            ),
            authoritySealingKey = hex(fields.getValue("sealing_public")),
            authorityUrl = url,
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

suspend fun scanVerifyDeclareUploadAndReadDiary(f: Fixture) {
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
    val codes = scanFrame(luma, w, h, stride, null)
    checkEq(1, codes.size, "codes found")
    checkEq(f.code, codes[0].text, "decoded text")
    checkEq(4, codes[0].corners.size, "corners")

    val app = KhaibaoLibrary.open(f.config, WRAPPER)
    val scanned = app.trust().readVenue(codes[0].text!!)
    check(scanned is VenueScan.Verified) { "not verified: $scanned" }
    val venue = (scanned as VenueScan.Verified).venue
    checkEq("Trường THPT Chu Văn An", venue.name(), "venue name")
    checkEq(VenueCategory.SCHOOL, venue.category(), "category")

    // A bad phone number: the form gets the field error, nothing is stored.
    checkEq(listOf("phone"), validateDeclaration(form(phone = "12345")).map { it.field }, "validate")
    val bad = expectThrows<KhaibaoException.Validation> { app.diary().checkIn(scanned, form(phone = "12345")) }
    checkEq(listOf("phone"), bad.fields.map { it.field }, "invalid fields")
    checkEq("phone.not_vietnamese_mobile", bad.fields[0].code, "field code")
    check("12345" !in bad.fields[0].messageEn) { "the message echoes the input" }
    // Numbers the library cannot take (a year of birth out of range, a negative province)
    // are the same typed error, naming each field.
    val outOfRange = expectThrows<KhaibaoException.Validation> {
        app.diary().checkIn(scanned, form().copy(birthYear = -1995, province = -79))
    }
    checkEq(listOf("birth_year", "province"), outOfRange.fields.map { it.field }, "out-of-range fields")
    checkEq(emptyList(), app.diary().visits(), "diary before")
    checkEq(0L, app.uploads().counts().pending, "pending before")

    // Fixed: sealed and queued with the check-in.
    checkEq(emptyList(), validateDeclaration(form()), "validate fixed")
    val visit = app.diary().checkIn(scanned, form())
    check(visit.verified) { "visit not verified" }
    checkEq(1L, app.uploads().counts().pending, "pending after")

    val report = app.uploads().upload(UploadOptions())
    checkEq(Triple(1L, 1L, 0L), Triple(report.sent, report.accepted, report.remaining), "report")
    check(report.receipts[0].startsWith("rc-")) { "receipt ${report.receipts}" }
    checkEq(1L, app.uploads().counts().delivered, "delivered")

    val diary = app.diary().visits()
    checkEq(1, diary.size, "diary size")
    checkEq("Trường THPT Chu Văn An", diary[0].venueName, "diary venue")
    checkEq(null, diary[0].checkedOutAt, "still checked in")
    app.close()
}

suspend fun hostHttpClientInKotlin(f: Fixture) {
    KhaibaoLibrary.open(f.config, WRAPPER).use { app ->
        val scanned = app.trust().readVenue(f.code)
        app.diary().checkOut()
        app.diary().checkIn(scanned, form())
        val client = UrlConnectionClient()
        val report = app.uploads().upload(UploadOptions(client = client))
        checkEq(1L to 0L, report.accepted to report.remaining, "report")
        checkEq(1, client.calls.get(), "host calls")
    }
}

suspend fun hostCallbackThatThrowsLeavesItemsQueued(f: Fixture) {
    KhaibaoLibrary.open(f.config, WRAPPER).use { app ->
        app.diary().checkIn(app.trust().readVenue(f.code), form())
        val e = expectThrows<KhaibaoException.Network> { app.uploads().upload(UploadOptions(client = ExplodingClient())) }
        checkEq(ErrorCode.NETWORK_FAILURE, e.code, "code")
        checkEq(1L, app.uploads().counts().pending, "still pending")
        // Backing off after the failure, by a full-jitter delay of 0 to 5 s.
        val due = app.uploads().nextUploadAt() ?: error("no next upload time")
        check(due <= java.time.Instant.now().plusSeconds(6)) { "first backoff within 5 s: $due" }
        if (due > java.time.Instant.now().plusSeconds(1)) {
            // Not due yet: an upload straight away sends nothing.
            checkEq(0L to 1L, app.uploads().upload(UploadOptions()).let { it.sent to it.remaining }, "backing off")
        }
    }
}

suspend fun syncListenerThatThrowsDoesNotStopTheUpload(f: Fixture) {
    // A database of its own: the shared one may still hold the item the test before left
    // backing off for 0-5 s, which would make this upload's count depend on the timing.
    val dir = Files.createTempDirectory("listener").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "listener.db").path), WRAPPER).use { app ->
        app.diary().checkIn(app.trust().readVenue(f.code), form())
        val listener = RecordingListener(throwOnProgress = true)
        val report = app.uploads().upload(UploadOptions(client = UrlConnectionClient(), listener = listener))
        checkEq(1L, report.accepted, "accepted")
        checkEq(listOf(1L to 1L), listener.calls, "progress")
    }
    dir.deleteRecursively()
}

suspend fun forgedVenueIsATypedError(f: Fixture) {
    KhaibaoLibrary.open(f.config, WRAPPER).use { app ->
        val (prefix, payload) = f.code.split("#", limit = 2)
        val flipped = payload.dropLast(2) + (if (payload[payload.length - 2] != 'A') "A" else "B") + payload.last()
        val e = expectThrows<KhaibaoException> { app.trust().readVenue("$prefix#$flipped") }
        val (code, vi, en) = when (e) {
            is KhaibaoException.Venue -> Triple(e.code, e.messageVi, e.messageEn)
            is KhaibaoException.Format -> Triple(e.code, e.messageVi, e.messageEn)
            else -> error("not a venue or format error: $e")
        }
        check(code in setOf(ErrorCode.VENUE_SIGNATURE_INVALID, ErrorCode.FORMAT_MALFORMED)) { "code $code" }
        check(errorCodeString(code).startsWith(if (e is KhaibaoException.Venue) "venue." else "format.")) { "family" }
        check(vi.isNotEmpty() && en.isNotEmpty() && vi != en) { "messages" }
        val other = app.trust().readVenue("https://tokhaiyte.vn/?venue=42")
        checkEq("https://tokhaiyte.vn/?venue=42", (other as VenueScan.Unverified).text, "unverified text")
    }
}

suspend fun badFramesAreTypedErrors(@Suppress("UNUSED_PARAMETER") f: Fixture) {
    val e = expectThrows<KhaibaoException.Scan> { scanFrame(ByteArray(10), 100, 100, 100, null) }
    checkEq(ErrorCode.SCAN_INVALID_FRAME, e.code, "scan code")
    val r = expectThrows<KhaibaoException.Scan> { scanFrame(ByteArray(100), 10, 10, 10, Region(-1, 0, 5, 5)) }
    checkEq(ErrorCode.SCAN_INVALID_FRAME, r.code, "negative region")
}

suspend fun clockThatThrowsFailsOneCallOnly(f: Fixture) {
    val dir = Files.createTempDirectory("clock").toFile()
    val clock = FlakyClock(System.currentTimeMillis() / 1000)
    val config = f.config.copy(dbPath = File(dir, "c.db").path)
    // Opening reads the clock (retention purge); the broken first reading fails that call
    // with a typed error, and the library works on the next one.
    val e = expectThrows<KhaibaoException.Internal> { KhaibaoLibrary.open(config, WRAPPER, clock) }
    checkEq(ErrorCode.INTERNAL_PANIC, e.code, "internal code")
    KhaibaoLibrary.open(config, WRAPPER, clock).use { app ->
        (app.trust().readVenue(f.code) as? VenueScan.Verified)?.venue ?: error("the handle did not survive")
        // The host's clock decides validity: long after, the code has expired.
        clock.now += 5L * 365 * 86400
        val expired = expectThrows<KhaibaoException.Venue> { app.trust().readVenue(f.code) }
        checkEq(ErrorCode.VENUE_EXPIRED, expired.code, "expired code")
        val visit = app.diary().checkIn(VenueScan.Unverified("quán phở"), null)
        checkEq(Instant.ofEpochSecond(clock.now), visit.checkedInAt, "check-in time from the host clock")
    }
    dir.deleteRecursively()
}

suspend fun keysStayInsideAndALostHardwareKeyHasAResetPath(f: Fixture) {
    val dir = Files.createTempDirectory("keys").toFile()
    val config = f.config.copy(dbPath = File(dir, "k.db").path)
    check("masterKey" !in config.toString()) { "the configuration carries no key" }
    val clear = expectThrows<KhaibaoException.Keystore> { KhaibaoLibrary.open(config, ClearTextWrapper()) }
    checkEq(ErrorCode.KEYSTORE_NOT_WRAPPING, clear.code, "clear-text wrapper refused")
    val wrapper = AesKeyWrapper()
    KhaibaoLibrary.open(config, wrapper).use { app -> app.diary().checkIn(VenueScan.Unverified("quán phở"), null) }
    check(File(dir, "k.db.key").readBytes().size > 32) { "the wrapped key is stored beside the database" }
    // Still readable: the library refuses to discard it.
    expectThrows<KhaibaoException.Api> { discardUnrecoverableDiary(config, wrapper) }
    wrapper.lose() // restored onto a new phone
    val lost = expectThrows<KhaibaoException.Keystore> { KhaibaoLibrary.open(config, wrapper) }
    checkEq(ErrorCode.KEYSTORE_UNAVAILABLE, lost.code, "lost hardware key")
    check(lost.messageVi.isNotEmpty() && lost.messageEn.isNotEmpty()) { "messages for the user" }
    val fresh = AesKeyWrapper()
    discardUnrecoverableDiary(config, fresh)
    KhaibaoLibrary.open(config, fresh).use { app -> checkEq(emptyList(), app.diary().visits(), "a new, empty diary") }
    dir.deleteRecursively()
}

suspend fun retryAfterCancelAndOpaqueVenues(f: Fixture) {
    val dir = Files.createTempDirectory("upload").toFile()
    val t = System.currentTimeMillis() / 1000
    val clock = FlakyClock(t).apply { calls.set(1) }
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "u.db").path), WRAPPER, clock).use { app ->
        app.diary().checkIn(app.trust().readVenue(f.code), form())
        val busy = BusyClient(600)
        expectThrows<KhaibaoException.Network> { app.uploads().upload(UploadOptions(client = busy)) }
        val retryAt = app.uploads().nextUploadAt() ?: error("nothing queued")
        check(retryAt >= Instant.ofEpochSecond(t + 600)) { "Retry-After honoured: $retryAt" }
        val early = app.uploads().upload(UploadOptions(client = busy))
        checkEq(1 to 0L, busy.calls.get() to early.sent, "nothing sent before Retry-After")
        clock.now = retryAt.epochSecond
        val cancel = UploadCancel().apply { cancel() }
        val stopped = app.uploads().upload(UploadOptions(client = busy, cancel = cancel))
        check(stopped.cancelled && stopped.sent == 0L) { "cancelled: $stopped" }
        checkEq(1L, app.uploads().upload(UploadOptions(client = UrlConnectionClient())).accepted, "sent when due")
        // Text that looks like a venue code is only ever an unverified check-in.
        app.diary().checkOut()
        check(!app.diary().checkIn(VenueScan.Unverified(f.code), null).verified) { "verified by the host's word" }
    }
    // Cancelling the coroutine stops the upload after the batch in flight.
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "c.db").path), WRAPPER).use { app ->
        val scanned = app.trust().readVenue(f.code)
        repeat(3) { app.diary().checkIn(scanned, form()) }
        val slow = SlowClient()
        coroutineScope {
            val job = async { app.uploads().upload(UploadOptions(client = slow, batchSize = 1)) }
            while (slow.started.count > 0) delay(10)
            job.cancel()
            slow.released = true
            expectThrows<kotlinx.coroutines.CancellationException> { job.await() }
        }
        var counts = app.uploads().counts()
        repeat(100) { if (counts.inFlight > 0L) { delay(50); counts = app.uploads().counts() } }
        checkEq(2L, counts.pending, "the rest stays queued")
    }
    dir.deleteRecursively()
}

suspend fun diaryChangesReachAWatcher(f: Fixture) {
    val dir = Files.createTempDirectory("watch").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "w.db").path), WRAPPER).use { app ->
        val seen = AtomicInteger()
        val watch = app.diary().watch(object : DiaryListener {
            override fun onDiaryChanged() { seen.incrementAndGet() }
        })
        app.diary().checkIn(app.trust().readVenue(f.code), null)
        app.diary().checkOut()
        checkEq(2, seen.get(), "changes seen")
        watch.stop()
        app.diary().checkIn(app.trust().readVenue(f.code), null)
        checkEq(2, seen.get(), "stopped")
    }
    dir.deleteRecursively()
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
        ::keysStayInsideAndALostHardwareKeyHasAResetPath,
        ::retryAfterCancelAndOpaqueVenues,
        ::diaryChangesReachAWatcher,
        ::platformDiaryFlowFollowsChanges,
        ::personalPassCheckedByStaff,
        ::staffLogUploadedThroughTheUploads,
        ::ownHttpsClientWithTheTestCa,
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
                runBlocking { t(fixture) }
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
