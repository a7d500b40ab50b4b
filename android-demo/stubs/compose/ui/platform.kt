// Mirrors: androidx.compose.ui 1.9 (androidx.compose.ui.platform, ui.viewinterop).
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("PlatformStubs")

package androidx.compose.ui.platform

import android.content.Context
import android.view.View
import androidx.compose.runtime.ProvidableCompositionLocal

val LocalContext: ProvidableCompositionLocal<Context> = ProvidableCompositionLocal()
val LocalView: ProvidableCompositionLocal<View> = ProvidableCompositionLocal()
