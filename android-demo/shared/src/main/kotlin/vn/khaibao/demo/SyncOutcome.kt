// What a background sync (WorkManager on Android) does with core's answer: done, retry
// later, or give up. Platform-free so the decision is tested on the JVM; the Android worker
// maps it to Result.success() / retry() / failure().

package vn.khaibao.demo

import vn.khaibao.HostHttpClient
import vn.khaibao.KhaibaoException
import vn.khaibao.KhaibaoLibrary
import vn.khaibao.UploadListener
import vn.khaibao.UploadOptions
import vn.khaibao.UploadReport

enum class SyncOutcome { DONE, RETRY, FAILED }

fun syncOutcome(report: UploadReport): SyncOutcome =
    if (report.remaining > 0L) SyncOutcome.RETRY else SyncOutcome.DONE

fun syncOutcome(error: KhaibaoException): SyncOutcome = when (error) {
    // Network trouble and server errors, or a host callback that failed: the items stay
    // queued, try again with backoff.
    is KhaibaoException.Network, is KhaibaoException.Host -> SyncOutcome.RETRY
    else -> SyncOutcome.FAILED
}

/** Runs one sync through the host's HTTP client and maps the result. */
suspend fun runSync(app: KhaibaoLibrary, client: HostHttpClient, listener: UploadListener): SyncOutcome =
    try {
        syncOutcome(app.uploads().upload(UploadOptions(client = client, listener = listener)))
    } catch (e: KhaibaoException) {
        syncOutcome(e)
    }
