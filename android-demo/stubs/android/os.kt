// Mirrors: Android SDK API level 36 (android.os, android.util, android.view, android.graphics).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.os

class Bundle

object Build {
    object VERSION {
        val SDK_INT: Int get() = throw NotImplementedError("stub")
    }
    object VERSION_CODES {
        const val O = 26
    }
}
