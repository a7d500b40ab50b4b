// Background work in WorkManager: right after a check-in an expedited upload (so the
// declaration reaches the authority while the person is still at the door), and a periodic
// run that uploads, refreshes trust and fetches exposure lists. Both need a network; the
// periodic run also waits for a battery that is not low. Retries use WorkManager's backoff.

package vn.khaibao.demo.app

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.ForegroundInfo
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import java.util.concurrent.TimeUnit
import vn.khaibao.demo.SyncOutcome
import vn.khaibao.demo.runBackgroundSync

object Background {
    private const val PERIODIC = "khaibao-sync"
    private const val AFTER_CHECK_IN = "khaibao-upload-now"

    private val network = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

    fun schedulePeriodic(context: Context) {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(1, TimeUnit.HOURS)
            .setConstraints(
                Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).setRequiresBatteryNotLow(true).build(),
            )
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(PERIODIC, ExistingPeriodicWorkPolicy.KEEP, request)
    }

    /** Called after each check-in: upload now (expedited when the app's quota allows). */
    fun uploadNow(context: Context) {
        val request = OneTimeWorkRequestBuilder<SyncWorker>()
            .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
            .setConstraints(network)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context).enqueueUniqueWork(AFTER_CHECK_IN, ExistingWorkPolicy.REPLACE, request)
    }
}

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as KhaibaoApplication
        val outcome = runBackgroundSync(app.ports) { alerts -> Notifications.postExposureAlerts(app, alerts) }
        return if (outcome == SyncOutcome.DONE) Result.success() else Result.retry()
    }

    /** Expedited work runs as a foreground service before Android 12; this is its notice. */
    override suspend fun getForegroundInfo(): ForegroundInfo =
        ForegroundInfo(Notifications.SYNC_ID, Notifications.syncNotice(applicationContext))
}
