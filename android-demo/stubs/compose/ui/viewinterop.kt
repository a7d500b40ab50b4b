// Mirrors: androidx.compose.ui 1.9 (androidx.compose.ui.viewinterop.AndroidView).
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("ViewInteropStubs")

package androidx.compose.ui.viewinterop

import android.content.Context
import android.view.View
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier

@Composable
fun <T : View> AndroidView(factory: (Context) -> T, modifier: Modifier = Modifier, update: (T) -> Unit = {}): Unit =
    throw NotImplementedError("stub")
