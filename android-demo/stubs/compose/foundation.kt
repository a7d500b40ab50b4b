// Mirrors: androidx.compose.foundation 1.9 (Compose BOM 2025.10.01): layouts, scrolling,
// lazy lists, Image.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("FoundationStubs")

package androidx.compose.foundation

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap

class ScrollState

@Composable
fun rememberScrollState(initial: Int = 0): ScrollState = throw NotImplementedError("stub")

fun Modifier.verticalScroll(state: ScrollState, enabled: Boolean = true): Modifier = throw NotImplementedError("stub")

@Composable
fun Image(bitmap: ImageBitmap, contentDescription: String?, modifier: Modifier = Modifier): Unit =
    throw NotImplementedError("stub")
