// Mirrors: androidx.compose.ui:ui-unit 1.9.
@file:Suppress("unused")
@file:JvmName("UnitStubs")

package androidx.compose.ui.unit

@JvmInline
value class Dp(val value: Float)

val Int.dp: Dp get() = Dp(toFloat())
