// Mirrors: androidx.compose.runtime 1.9 (Compose BOM 2025.10.01). The Compose compiler
// plugin is not run here: @Composable is a plain annotation and composable lambdas are
// ordinary function types, so only the Kotlin types of the calls are checked.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("RuntimeStubs")

package androidx.compose.runtime

import kotlin.reflect.KProperty
import kotlinx.coroutines.CoroutineScope

@Target(AnnotationTarget.FUNCTION, AnnotationTarget.TYPE, AnnotationTarget.PROPERTY_GETTER, AnnotationTarget.TYPE_PARAMETER)
annotation class Composable

interface State<out T> {
    val value: T
}

interface MutableState<T> : State<T> {
    override var value: T
}

operator fun <T> State<T>.getValue(thisObj: Any?, property: KProperty<*>): T = value
operator fun <T> MutableState<T>.setValue(thisObj: Any?, property: KProperty<*>, value: T) {
    this.value = value
}

fun <T> mutableStateOf(value: T): MutableState<T> = throw NotImplementedError("stub")

@Composable
inline fun <T> remember(crossinline calculation: () -> T): T = throw NotImplementedError("stub")

@Composable
inline fun <T> remember(key1: Any?, crossinline calculation: () -> T): T = throw NotImplementedError("stub")

@Composable
fun LaunchedEffect(key1: Any?, block: suspend CoroutineScope.() -> Unit): Unit = throw NotImplementedError("stub")

@Composable
fun LaunchedEffect(key1: Any?, key2: Any?, block: suspend CoroutineScope.() -> Unit): Unit = throw NotImplementedError("stub")

class DisposableEffectResult

class DisposableEffectScope {
    inline fun onDispose(crossinline onDisposeEffect: () -> Unit): DisposableEffectResult = throw NotImplementedError("stub")
}

@Composable
fun DisposableEffect(key1: Any?, effect: DisposableEffectScope.() -> DisposableEffectResult): Unit = throw NotImplementedError("stub")

@Composable
fun rememberCoroutineScope(): CoroutineScope = throw NotImplementedError("stub")

abstract class CompositionContext

open class ProvidableCompositionLocal<T> {
    val current: T
        @Composable get() = throw NotImplementedError("stub")
}
