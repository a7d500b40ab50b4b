// System notifications: exposure alerts (tapping one opens the matching visit in the diary)
// and the short notice an expedited upload shows on older Android versions.

package vn.khaibao.demo.app

import android.Manifest
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import vn.khaibao.demo.AlertNotification

object Notifications {
    const val CHANNEL = "exposure"
    const val SYNC_ID = 1
    const val EXTRA_VISIT = "vn.khaibao.demo.visit"

    fun createChannel(context: Context) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            val channel = NotificationChannel(CHANNEL, context.getString(R.string.channel_exposure), NotificationManager.IMPORTANCE_HIGH)
            context.getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
        }
    }

    fun postExposureAlerts(context: Context, alerts: List<AlertNotification>) {
        if (Build.VERSION.SDK_INT >= 33 &&
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            return // The diary still shows the alert; the person refused notifications.
        }
        val manager = NotificationManagerCompat.from(context)
        val text = Texts(context)
        for (alert in alerts) {
            val open = Intent(context, MainActivity::class.java).putExtra(EXTRA_VISIT, alert.visitId)
                .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP)
            val pending = PendingIntent.getActivity(
                context, alert.visitId.toInt(), open, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
            val notification = NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(android.R.drawable.stat_sys_warning)
                .setContentTitle(text.of(alert.title))
                .setContentText(text.of(alert.body))
                .setStyle(NotificationCompat.BigTextStyle().bigText(text.of(alert.body) + "\n" + text.of(alert.advice)))
                .setContentIntent(pending)
                .setAutoCancel(true)
                .build()
            manager.notify(alert.visitId.toInt() + 100, notification)
        }
    }

    fun syncNotice(context: Context): Notification = NotificationCompat.Builder(context, CHANNEL)
        .setSmallIcon(android.R.drawable.stat_sys_upload)
        .setContentTitle(context.getString(R.string.uploading))
        .build()
}
