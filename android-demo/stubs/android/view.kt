// Mirrors: Android SDK API level 36 (android.view.View).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.view

open class View {
    open fun announceForAccessibility(text: CharSequence?): Unit = throw NotImplementedError("stub")
}
