// Receiving an exposure alert through the generated Kotlin binding: the phone checks in at a
// venue, the authority publishes a risky window there (`khaibao exposure publish`), and the
// phone's exposure sync, over the host HTTP client implemented in Kotlin, raises exactly one
// alert, once. Called from FlowTest's runner.

import java.io.File
import java.nio.file.Files
import java.time.Instant
import kotlinx.coroutines.runBlocking
import vn.khaibao.*
import vn.khaibao.core.*

/** A clock the test sets. */
class TestClock(@Volatile var now: Long) : KhaibaoClock {
    override fun now(): Instant = Instant.ofEpochSecond(now)
}

/** The app's notification hook: records every call. */
class AlertRecorder : ExposureListener {
    val calls = mutableListOf<List<ExposureAlert>>()
    override fun onAlerts(alerts: List<ExposureAlert>) {
        synchronized(this) { calls += alerts }
    }
}

class ThrowingAlertListener : ExposureListener {
    override fun onAlerts(alerts: List<ExposureAlert>) = throw IllegalStateException("the notification service blew up")
}

/** 10:00 tomorrow in Vietnam (UTC+7): inside the venue code's validity, and far enough from
 * midnight that the visit's automatic check-out is not capped. */
fun tomorrowAtTenVietnam(): Long {
    val offset = 7 * 3600L
    val day = (System.currentTimeMillis() / 1000 + offset) / 86400 + 1
    return day * 86400 - offset + 10 * 3600
}

/** Publishes one exposure window on the authority, as a health officer would. */
fun publishExposure(f: Fixture, venueId: String, start: Long, end: Long, recommendation: String): Long =
    f.run(
        f.bin, "exposure", "publish", "--db", File(f.dir, "authority.db").path, "--venue-id", venueId,
        "--from", start.toString(), "--until", end.toString(), "--recommendation", recommendation,
    ).trim().toLong()

suspend fun exposureAlertThroughKotlinHttp(f: Fixture) {
    val dir = Files.createTempDirectory("exposure").toFile()
    val t = tomorrowAtTenVietnam()
    val clock = TestClock(t)
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "citizen.db").path), WRAPPER, clock).use { app ->
        val scanned = app.trust().readVenue(f.code) as? VenueScan.Verified ?: error("venue not verified")
        val visit = app.diary().checkIn(scanned, null)
        clock.now = t + 40 * 60
        app.diary().checkOut()
        val venueId = scanned.venue.id()

        // An infected person was there from 09:50 to 10:30: 30 minutes with the visit.
        val version = publishExposure(f, venueId, t - 10 * 60, t + 30 * 60, "get_tested")
        val client = UrlConnectionClient()
        val listener = AlertRecorder()
        val fetched = app.exposures().sync(client, 15 * 60L, listener)
        checkEq(version, fetched.version, "list version")
        checkEq(fetched.requests, client.calls.get(), "requests through the Kotlin client")
        checkEq(version, app.exposures().since(), "version stored")
        checkEq(1, listener.calls.size, "listener calls")
        checkEq(1, listener.calls[0].size, "alerts in the call")
        val alert = listener.calls[0][0]
        checkEq(visit.id, alert.visitId, "visit")
        checkEq(venueId, alert.venueId, "venue id")
        checkEq("Trường THPT Chu Văn An", alert.venueName, "venue name")
        checkEq(Recommendation.GET_TESTED, alert.recommendation, "recommendation")
        checkEq(30 * 60L, alert.overlapSeconds, "overlap")
        checkEq(Instant.ofEpochSecond(t) to Instant.ofEpochSecond(t + 40 * 60), alert.visitStart to alert.visitEnd, "visit window")
        checkEq(version, alert.listVersion, "alert's list version")
        checkEq(listOf(alert), fetched.alerts, "returned alerts")

        // Synced again: nothing new, no second alert.
        val again = app.exposures().sync(client, 15 * 60L, listener)
        checkEq(Triple(version, 1, emptyList<ExposureAlert>()), Triple(again.version, again.requests, again.alerts), "second sync")
        checkEq(1, listener.calls.size, "listener calls after the second sync")

        // A window that only touches the end of the visit: a new list, still no alert.
        val later = publishExposure(f, venueId, t + 40 * 60, t + 2 * 3600, "isolate")
        check(later > version) { "version $later after $version" }
        val third = app.exposures().sync(client, 15 * 60L, listener)
        checkEq(later to emptyList<ExposureAlert>(), third.version to third.alerts, "third sync")
        checkEq(1, listener.calls.size, "listener calls after the third sync")

        // A listener that throws loses nothing: the call still returns the alert, recorded.
        val clock2 = TestClock(t)
        KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "citizen2.db").path), WRAPPER, clock2).use { phone ->
            phone.diary().checkIn(scanned, null)
            clock2.now = t + 40 * 60
            phone.diary().checkOut()
            val thrown = phone.exposures().sync(client, 15 * 60L, ThrowingAlertListener())
            checkEq(listOf(venueId to 30 * 60L), thrown.alerts.map { it.venueId to it.overlapSeconds }, "alerts despite the throw")
            checkEq(later, phone.exposures().since(), "recorded despite the throw")
            checkEq(emptyList<ExposureAlert>(), phone.exposures().sync(client, 15 * 60L, null).alerts, "not again")
        }

        // Lists signed by another authority are refused with a typed error, and not recorded.
        val stranger = f.config.copy(
            dbPath = File(dir, "stranger.db").path,
            venueKeys = listOf(TrustedKey(ByteArray(8) { 1 }, ByteArray(32) { 2 })),
        )
        KhaibaoLibrary.open(stranger, WRAPPER, clock).use { other ->
            val e = expectThrows<KhaibaoException.Venue> { other.exposures().sync(client, null, null) }
            checkEq(ErrorCode.VENUE_UNKNOWN_KEY, e.code, "stranger's list")
            checkEq(0L, other.exposures().since(), "nothing recorded")
        }
    }
    dir.deleteRecursively()
}
