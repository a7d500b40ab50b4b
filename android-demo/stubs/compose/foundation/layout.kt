// Mirrors: androidx.compose.foundation:foundation-layout 1.9.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("LayoutStubs")

package androidx.compose.foundation.layout

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.Dp

interface ColumnScope {
    fun Modifier.weight(weight: Float, fill: Boolean = true): Modifier
}

interface RowScope {
    fun Modifier.weight(weight: Float, fill: Boolean = true): Modifier
}

@Composable
fun Column(modifier: Modifier = Modifier, content: @Composable ColumnScope.() -> Unit): Unit = throw NotImplementedError("stub")

@Composable
fun Row(modifier: Modifier = Modifier, content: @Composable RowScope.() -> Unit): Unit = throw NotImplementedError("stub")

fun Modifier.padding(all: Dp): Modifier = throw NotImplementedError("stub")
fun Modifier.padding(horizontal: Dp = Dp(0f), vertical: Dp = Dp(0f)): Modifier = throw NotImplementedError("stub")
fun Modifier.fillMaxSize(fraction: Float = 1f): Modifier = throw NotImplementedError("stub")
fun Modifier.fillMaxWidth(fraction: Float = 1f): Modifier = throw NotImplementedError("stub")
fun Modifier.height(height: Dp): Modifier = throw NotImplementedError("stub")
