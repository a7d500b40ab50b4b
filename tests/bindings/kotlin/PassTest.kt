// The personal pass through the generated Kotlin binding: the citizen's phone registers its
// device key with the authority, renders a pass, and a venue's staff app verifies it offline,
// refuses the same pass twice and records the exit. Called from FlowTest's runner.

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import vn.khaibao.*
import vn.khaibao.core.*

suspend fun personalPassCheckedByStaff(f: Fixture) {
    val dir = Files.createTempDirectory("pass").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "citizen.db").path), WRAPPER).use { app ->
        val certificate = app.passes().registerDevice(null)
        check(certificate.size > 64) { "certificate of ${certificate.size} bytes" }
        checkEq(HealthStatus.RED, app.passes().healthStatus(form()), "a fever makes the status red")
        val text = app.passes().makePass(form(), certificate, false)
        check(text.startsWith("KBP1:")) { "pass prefix" }
        check(!text.contains("Trần") && !text.contains("0912345678")) { "identity in the clear" }

        VenueStaff.open(File(dir, "staff.db").path, f.deviceKeys).use { staff ->
            val entry = staff.scan(text)
            checkEq(Direction.ENTRY, entry.direction, "first scan")
            checkEq(HealthStatus.RED, entry.check.status, "status shown to staff")
            checkEq(null, entry.check.name, "name hidden unless the citizen shows it")
            val replay = expectThrows<KhaibaoException.Pass> { staff.scan(text) }
            checkEq(ErrorCode.PASS_REPLAYED, replay.code, "the same pass twice")
            val named = staff.scan(app.passes().makePass(form(), certificate, true))
            checkEq(Direction.EXIT, named.direction, "second pass of the day")
            checkEq("Trần Thị Bích Ngọc", named.check.name, "name shown by choice, trimmed")
            val report = staff.report()
            checkEq(1, report.visitors, "visitors")
            checkEq(0, report.stillInside, "still inside")
            checkEq("pseudonym,status,entered_at,exited_at,nonce,sealed", staff.exportCsv().lines().first(), "CSV header")
        }
        val forged = expectThrows<KhaibaoException> {
            VenueStaff.open(File(dir, "other.db").path, listOf()).use { it.scan(text) }
        }
        check(forged !is KhaibaoException.Internal) { "an untrusted device key is a typed refusal: $forged" }
    }
    dir.deleteRecursively()
}

/** A staff phone's door log reaches the authority through its handle's one upload call. */
suspend fun staffLogUploadedThroughTheUploads(f: Fixture) {
    val dir = Files.createTempDirectory("door").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "citizen.db").path), WRAPPER).use { citizen ->
        KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "staff-phone.db").path), WRAPPER).use { phone ->
            val certificate = citizen.passes().registerDevice(null)
            val venueId = (citizen.trust().readVenue(f.code) as VenueScan.Verified).venue.id()
            VenueStaff.open(File(dir, "door.db").path, f.deviceKeys).use { staff ->
                staff.scan(citizen.passes().makePass(form(), certificate, false))
                checkEq(0L, staff.queueUploads(phone.uploads(), venueId), "still inside")
                staff.scan(citizen.passes().makePass(form(), certificate, false))
                checkEq(1L, staff.queueUploads(phone.uploads(), venueId), "queued once complete")
                checkEq(0L, staff.queueUploads(phone.uploads(), venueId), "queued once")
                val progress = mutableListOf<Pair<Long, Long>>()
                val listener = object : UploadListener {
                    override fun onProgress(done: Long, total: Long) { progress += done to total }
                }
                val report = phone.uploads().upload(UploadOptions(client = UrlConnectionClient(), listener = listener))
                checkEq(1L to 0L, report.accepted to report.remaining, "delivered through the host's client")
                checkEq(listOf(1L to 1L), progress, "progress")
                checkEq(0L, phone.uploads().upload(UploadOptions()).sent, "sent once")
            }
        }
    }
    dir.deleteRecursively()
}
