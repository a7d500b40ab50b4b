// The Kotlin platform layer (bindings/platform/kotlin): the diary Flow emits the visits on
// collection and after each change, and stops watching when its collector is cancelled.
// Called from FlowTest's runner.

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import vn.khaibao.*
import vn.khaibao.core.*
import vn.khaibao.platform.visitsFlow

suspend fun platformDiaryFlowFollowsChanges(f: Fixture) {
    val dir = Files.createTempDirectory("flow").toFile()
    KhaibaoLibrary.open(f.config.copy(dbPath = File(dir, "f.db").path), WRAPPER).use { app ->
        val seen = Channel<List<Visit>>(Channel.UNLIMITED)
        coroutineScope {
            val collector = launch { app.diary().visitsFlow().collect { seen.send(it) } }
            withTimeout(10_000) {
                checkEq(0, seen.receive().size, "the diary on collection")
                app.diary().checkIn(app.trust().readVenue(f.code), null)
                checkEq(1, seen.receive().size, "after the check-in")
                app.diary().checkOut()
                check(seen.receive().single().checkedOutAt != null) { "after the check-out" }
            }
            collector.cancel()
        }
        // Cancelled: the watch is stopped, so a change reaches no one.
        app.diary().checkIn(VenueScan.Unverified("quán phở"), null)
        check(seen.tryReceive().isFailure) { "a change after cancellation was emitted" }
    }
    dir.deleteRecursively()
}
