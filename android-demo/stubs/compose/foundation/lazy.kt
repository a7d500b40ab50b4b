// Mirrors: androidx.compose.foundation 1.9 (androidx.compose.foundation.lazy).
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("LazyStubs")

package androidx.compose.foundation.lazy

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier

interface LazyItemScope
interface LazyListScope

@Composable
fun LazyColumn(modifier: Modifier = Modifier, content: LazyListScope.() -> Unit): Unit = throw NotImplementedError("stub")

inline fun <T> LazyListScope.items(
    items: List<T>,
    noinline key: ((item: T) -> Any)? = null,
    crossinline itemContent: @Composable LazyItemScope.(item: T) -> Unit,
): Unit = throw NotImplementedError("stub")
