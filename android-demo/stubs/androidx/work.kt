// Mirrors: androidx.work:work-runtime-ktx 2.10.5.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("WorkStubs")

package androidx.work

import android.app.Notification
import android.content.Context
import java.util.concurrent.TimeUnit

enum class BackoffPolicy { EXPONENTIAL, LINEAR }
enum class NetworkType { NOT_REQUIRED, CONNECTED, UNMETERED }
enum class ExistingPeriodicWorkPolicy { KEEP, UPDATE, CANCEL_AND_REENQUEUE }
enum class ExistingWorkPolicy { REPLACE, KEEP, APPEND, APPEND_OR_REPLACE }
enum class OutOfQuotaPolicy { RUN_AS_NON_EXPEDITED_WORK_REQUEST, DROP_WORK_REQUEST }

class Constraints {
    class Builder {
        fun setRequiredNetworkType(networkType: NetworkType): Builder = throw NotImplementedError("stub")
        fun setRequiresBatteryNotLow(requiresBatteryNotLow: Boolean): Builder = throw NotImplementedError("stub")
        fun build(): Constraints = throw NotImplementedError("stub")
    }
}

class WorkerParameters
class ForegroundInfo(notificationId: Int, notification: Notification)
interface Operation

abstract class ListenableWorker(appContext: Context, workerParams: WorkerParameters) {
    val applicationContext: Context get() = throw NotImplementedError("stub")
    abstract class Result {
        companion object {
            @JvmStatic fun success(): Result = throw NotImplementedError("stub")
            @JvmStatic fun retry(): Result = throw NotImplementedError("stub")
            @JvmStatic fun failure(): Result = throw NotImplementedError("stub")
        }
    }
}

abstract class CoroutineWorker(appContext: Context, params: WorkerParameters) : ListenableWorker(appContext, params) {
    abstract suspend fun doWork(): Result
    open suspend fun getForegroundInfo(): ForegroundInfo = throw NotImplementedError("stub")
}

abstract class WorkRequest
class OneTimeWorkRequest : WorkRequest() {
    class Builder {
        fun setExpedited(policy: OutOfQuotaPolicy): Builder = throw NotImplementedError("stub")
        fun setConstraints(constraints: Constraints): Builder = throw NotImplementedError("stub")
        fun setBackoffCriteria(backoffPolicy: BackoffPolicy, backoffDelay: Long, timeUnit: TimeUnit): Builder =
            throw NotImplementedError("stub")
        fun build(): OneTimeWorkRequest = throw NotImplementedError("stub")
    }
}
class PeriodicWorkRequest : WorkRequest() {
    class Builder {
        fun setConstraints(constraints: Constraints): Builder = throw NotImplementedError("stub")
        fun setBackoffCriteria(backoffPolicy: BackoffPolicy, backoffDelay: Long, timeUnit: TimeUnit): Builder =
            throw NotImplementedError("stub")
        fun build(): PeriodicWorkRequest = throw NotImplementedError("stub")
    }
}

inline fun <reified W : ListenableWorker> OneTimeWorkRequestBuilder(): OneTimeWorkRequest.Builder = throw NotImplementedError("stub")
inline fun <reified W : ListenableWorker> PeriodicWorkRequestBuilder(repeatInterval: Long, repeatIntervalTimeUnit: TimeUnit): PeriodicWorkRequest.Builder =
    throw NotImplementedError("stub")

abstract class WorkManager {
    abstract fun enqueueUniquePeriodicWork(uniqueWorkName: String, policy: ExistingPeriodicWorkPolicy, request: PeriodicWorkRequest): Operation
    abstract fun enqueueUniqueWork(uniqueWorkName: String, policy: ExistingWorkPolicy, request: OneTimeWorkRequest): Operation
    companion object {
        @JvmStatic fun getInstance(context: Context): WorkManager = throw NotImplementedError("stub")
    }
}
