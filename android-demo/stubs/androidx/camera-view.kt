// Mirrors: androidx.camera:camera-view 1.5.1 (PreviewView).
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.camera.view

import android.content.Context
import android.view.View
import androidx.camera.core.Preview

class PreviewView(context: Context) : View() {
    val surfaceProvider: Preview.SurfaceProvider get() = throw NotImplementedError("stub")
}
