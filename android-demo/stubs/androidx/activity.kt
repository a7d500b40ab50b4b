// Mirrors: androidx.activity:activity-compose 1.12.0 (ComponentActivity, setContent,
// rememberLauncherForActivityResult, ActivityResultContracts.RequestPermission).
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("ActivityStubs")

package androidx.activity

import android.app.Activity
import android.content.Intent
import androidx.lifecycle.LifecycleOwner

open class ComponentActivity : Activity(), LifecycleOwner {
    open fun onNewIntent(intent: Intent): Unit = throw NotImplementedError("stub")
}
