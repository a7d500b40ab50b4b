// Mirrors: androidx.core:core-ktx 1.17.0 (ContextCompat, NotificationCompat,
// NotificationManagerCompat).
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.core.content

import android.content.Context
import java.util.concurrent.Executor

object ContextCompat {
    @JvmStatic fun checkSelfPermission(context: Context, permission: String): Int = throw NotImplementedError("stub")
    @JvmStatic fun getMainExecutor(context: Context): Executor = throw NotImplementedError("stub")
}
