// Mirrors: Android SDK API level 36 (android.content.pm.PackageManager).
@file:Suppress("unused")

package android.content.pm

abstract class PackageManager {
    companion object {
        const val PERMISSION_GRANTED = 0
    }
}
