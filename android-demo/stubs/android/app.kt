// Mirrors: Android SDK API level 36 (android.app).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.app

import android.content.Context
import android.content.ContextWrapper
import android.content.Intent
import android.os.Bundle

open class Application : ContextWrapper() {
    open fun onCreate(): Unit = throw NotImplementedError("stub")
}

open class Activity : ContextWrapper() {
    val application: Application get() = throw NotImplementedError("stub")
    val intent: Intent get() = throw NotImplementedError("stub")
    protected open fun onCreate(savedInstanceState: Bundle?): Unit = throw NotImplementedError("stub")
}

class Notification

class NotificationChannel(id: String, name: CharSequence, importance: Int)

class NotificationManager {
    fun createNotificationChannel(channel: NotificationChannel): Unit = throw NotImplementedError("stub")
    companion object {
        const val IMPORTANCE_HIGH = 4
    }
}

class PendingIntent {
    companion object {
        const val FLAG_IMMUTABLE = 1 shl 26
        const val FLAG_UPDATE_CURRENT = 1 shl 27
        @JvmStatic fun getActivity(context: Context, requestCode: Int, intent: Intent, flags: Int): PendingIntent =
            throw NotImplementedError("stub")
    }
}
