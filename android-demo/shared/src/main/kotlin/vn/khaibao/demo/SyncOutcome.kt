// What a background sync (WorkManager on Android) does with core's answer: done, retry
// later, or give up. Platform-free so the decision is tested on the JVM; the Android worker
// maps it to Result.success() / retry() / failure().

package vn.khaibao.demo

import vn.khaibao.HostHttpClient
import vn.khaibao.Khaibao
import vn.khaibao.KhaibaoException
import vn.khaibao.SyncListener
import vn.khaibao.core.DrainReport

enum class SyncOutcome { DONE, RETRY, FAILED }

fun syncOutcome(report: DrainReport): SyncOutcome =
    if (report.remaining > 0uL) SyncOutcome.RETRY else SyncOutcome.DONE

fun syncOutcome(error: KhaibaoException): SyncOutcome = when (error) {
    // Network trouble and server errors, or a host callback that failed: the items stay
    // queued, try again with backoff.
    is KhaibaoException.Network, is KhaibaoException.Host -> SyncOutcome.RETRY
    else -> SyncOutcome.FAILED
}

/** Runs one sync through the host's HTTP client and maps the result. */
suspend fun runSync(app: Khaibao, client: HostHttpClient, listener: SyncListener): SyncOutcome =
    try {
        syncOutcome(app.syncReporting(client, listener))
    } catch (e: KhaibaoException) {
        syncOutcome(e)
    }
