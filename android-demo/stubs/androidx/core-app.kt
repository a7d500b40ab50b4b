// Mirrors: androidx.core:core-ktx 1.17.0 (androidx.core.app).
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.core.app

import android.app.Notification
import android.app.PendingIntent
import android.content.Context

class NotificationCompat {
    abstract class Style
    class BigTextStyle : Style() {
        fun bigText(cs: CharSequence?): BigTextStyle = throw NotImplementedError("stub")
    }
    class Builder(context: Context, channelId: String) {
        fun setSmallIcon(icon: Int): Builder = throw NotImplementedError("stub")
        fun setContentTitle(title: CharSequence?): Builder = throw NotImplementedError("stub")
        fun setContentText(text: CharSequence?): Builder = throw NotImplementedError("stub")
        fun setStyle(style: Style?): Builder = throw NotImplementedError("stub")
        fun setContentIntent(intent: PendingIntent?): Builder = throw NotImplementedError("stub")
        fun setAutoCancel(autoCancel: Boolean): Builder = throw NotImplementedError("stub")
        fun build(): Notification = throw NotImplementedError("stub")
    }
}

class NotificationManagerCompat {
    fun notify(id: Int, notification: Notification): Unit = throw NotImplementedError("stub")
    companion object {
        @JvmStatic fun from(context: Context): NotificationManagerCompat = throw NotImplementedError("stub")
    }
}
