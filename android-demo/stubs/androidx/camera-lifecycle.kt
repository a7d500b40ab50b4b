// Mirrors: androidx.camera:camera-lifecycle and camera-view 1.5.1.
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.camera.lifecycle

import android.content.Context
import androidx.camera.core.Camera
import androidx.camera.core.CameraSelector
import androidx.camera.core.UseCase
import androidx.lifecycle.LifecycleOwner
import com.google.common.util.concurrent.ListenableFuture

class ProcessCameraProvider {
    fun bindToLifecycle(lifecycleOwner: LifecycleOwner, cameraSelector: CameraSelector, vararg useCases: UseCase?): Camera =
        throw NotImplementedError("stub")
    fun unbind(vararg useCases: UseCase?): Unit = throw NotImplementedError("stub")
    companion object {
        @JvmStatic fun getInstance(context: Context): ListenableFuture<ProcessCameraProvider> = throw NotImplementedError("stub")
    }
}
