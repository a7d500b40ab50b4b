// Mirrors: androidx.activity:activity-compose 1.12.0.
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("ActivityComposeStubs")

package androidx.activity.compose

import androidx.activity.ComponentActivity
import androidx.activity.result.ActivityResultLauncher
import androidx.activity.result.contract.ActivityResultContract
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionContext

fun ComponentActivity.setContent(parent: CompositionContext? = null, content: @Composable () -> Unit): Unit =
    throw NotImplementedError("stub")

class ManagedActivityResultLauncher<I, O> : ActivityResultLauncher<I>() {
    override fun launch(input: I): Unit = throw NotImplementedError("stub")
}

@Composable
fun <I, O> rememberLauncherForActivityResult(
    contract: ActivityResultContract<I, O>,
    onResult: (O) -> Unit,
): ManagedActivityResultLauncher<I, O> = throw NotImplementedError("stub")
