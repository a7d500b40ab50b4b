// Mirrors: androidx.lifecycle:lifecycle-runtime-compose 2.9.4 (LocalLifecycleOwner).
@file:Suppress("unused")
@file:JvmName("LifecycleComposeStubs")

package androidx.lifecycle.compose

import androidx.compose.runtime.ProvidableCompositionLocal
import androidx.lifecycle.LifecycleOwner

val LocalLifecycleOwner: ProvidableCompositionLocal<LifecycleOwner> = ProvidableCompositionLocal()
