// Mirrors: androidx.activity:activity 1.12.0 (androidx.activity.result).
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.activity.result

abstract class ActivityResultLauncher<I> {
    abstract fun launch(input: I)
}
