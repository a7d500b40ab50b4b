// Mirrors: Android SDK API level 36 (android.jar), only the declarations app/ uses.
@file:Suppress("unused", "UNUSED_PARAMETER")

package android

object Manifest {
    object permission {
        const val CAMERA = "android.permission.CAMERA"
        const val POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS"
    }
}

object R {
    object drawable {
        const val stat_sys_warning = 17301642
        const val stat_sys_upload = 17301640
    }
}
