// Trust updates through the generated Kotlin binding: an app that ships only the authority's
// root key syncs the keyset update and the venue registry over the host HTTP client written
// in Kotlin, then resolves the manual code `khaibao venue issue` printed for a poster to the
// same verified venue its QR gives. Called from FlowTest's runner.

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import vn.khaibao.*
import vn.khaibao.core.*

suspend fun trustSyncAndManualCodeThroughKotlinHttp(f: Fixture) {
    val dir = Files.createTempDirectory("trust").toFile()
    val issue = ProcessBuilder(
        f.bin, "venue", "issue", "--keys", f.keys.path, "--name", "Bến xe Miền Đông",
        "--province", "79", "--category", "transport", "--out", File(dir, "poster.svg").path,
    ).redirectErrorStream(true).start()
    val said = issue.inputStream.bufferedReader().readText()
    check(issue.waitFor() == 0) { "venue issue failed: $said" }
    val manual = Regex("manual code (\\d{4} \\d{4} \\d{2})").find(said)?.groupValues?.get(1) ?: error(said)
    val code = said.lines().first { it.startsWith("HTTPS://") }
    val root = File(f.keys, "public.txt").readLines().first { it.startsWith("root_public=") }
        .substringAfter("=").let(::hex)
    val config = f.config.copy(dbPath = File(dir, "citizen.db").path, venueKeys = emptyList(), rootPublicKey = root)
    KhaibaoLibrary.open(config, WRAPPER).use { app ->
        val missing = expectThrows<KhaibaoException.Venue> { app.trust().resolveManualCode(manual) }
        checkEq(ErrorCode.VENUE_REGISTRY_MISSING, missing.code, "before any sync")
        val client = UrlConnectionClient()
        val synced = app.trust().sync(client)
        checkEq(2, client.calls.get(), "requests through the Kotlin client")
        check(synced.keysetUpdated && synced.registryUpdated) { "first sync: $synced" }
        check((synced.registry?.entries ?: 0L) >= 2L) { "registry: ${synced.registry}" }
        val venue = app.trust().resolveManualCode(manual)
        checkEq("Bến xe Miền Đông", venue.name(), "venue name")
        val scanned = app.trust().readVenue(code) as? VenueScan.Verified ?: error("code not verified under the synced keyset")
        checkEq(venue.id(), scanned.venue.id(), "typed and scanned venue")
        val typo = manual.dropLast(1) + ((manual.last() - '0' + 1) % 10)
        val e = expectThrows<KhaibaoException.Venue> { app.trust().resolveManualCode(typo) }
        checkEq(ErrorCode.VENUE_MANUAL_CODE_INVALID, e.code, "typo")
        val again = app.trust().sync(client)
        check(!again.keysetUpdated && !again.registryUpdated) { "second sync: $again" }
    }
}
