// Background upload in WorkManager: the library drains the outbox through OkHttp and the
// worker reports progress; network failures become a retry with WorkManager's backoff.

package vn.khaibao.demo.app

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import kotlinx.coroutines.runBlocking
import vn.khaibao.SyncListener
import vn.khaibao.core.DrainReport
import vn.khaibao.demo.SyncOutcome
import vn.khaibao.demo.runSync

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = (applicationContext as KhaibaoApplication).khaibao
        val listener = object : SyncListener {
            override fun onBatch(batch: UInt, httpStatus: UShort) {
                runBlocking { setProgress(workDataOf("batch" to batch.toInt())) }
            }
            override fun onFinished(report: DrainReport?) {}
        }
        return when (runSync(app, OkHttpHostClient(), listener)) {
            SyncOutcome.DONE -> Result.success()
            SyncOutcome.RETRY -> Result.retry()
            SyncOutcome.FAILED -> Result.failure()
        }
    }
}
