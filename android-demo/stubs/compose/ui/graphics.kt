// Mirrors: androidx.compose.ui:ui-graphics 1.9.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("GraphicsStubs")

package androidx.compose.ui.graphics

import android.graphics.Bitmap

@JvmInline
value class Color(val value: ULong) {
    companion object {
        val Unspecified = Color(16UL)
    }
}

interface ImageBitmap

fun Bitmap.asImageBitmap(): ImageBitmap = throw NotImplementedError("stub")
