// Mirrors: androidx.compose.ui 1.9 (Compose BOM 2025.10.01): Modifier, Dp, Color, semantics,
// LocalContext, LocalView, AndroidView, ImageBitmap.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("UiStubs")

package androidx.compose.ui

interface Modifier {
    companion object : Modifier
}
