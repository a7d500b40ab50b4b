// Mirrors: androidx.camera:camera-core, camera-lifecycle and camera-view 1.5.1.
@file:Suppress("unused", "UNUSED_PARAMETER")

package androidx.camera.core

import com.google.common.util.concurrent.ListenableFuture
import java.nio.ByteBuffer
import java.util.concurrent.Executor

abstract class UseCase

interface CameraControl {
    fun enableTorch(torch: Boolean): ListenableFuture<Void>
}

interface CameraInfo {
    fun hasFlashUnit(): Boolean
}

interface Camera {
    val cameraControl: CameraControl
    val cameraInfo: CameraInfo
}

class CameraSelector {
    companion object {
        @JvmField val DEFAULT_BACK_CAMERA: CameraSelector = CameraSelector()
    }
}

interface ImageProxy : AutoCloseable {
    val planes: Array<PlaneProxy>
    val width: Int
    val height: Int
    interface PlaneProxy {
        val buffer: ByteBuffer
        val rowStride: Int
        val pixelStride: Int
    }
}

class ImageAnalysis : UseCase() {
    fun interface Analyzer {
        fun analyze(image: ImageProxy)
    }
    fun setAnalyzer(executor: Executor, analyzer: Analyzer): Unit = throw NotImplementedError("stub")
    fun clearAnalyzer(): Unit = throw NotImplementedError("stub")
    class Builder {
        fun setBackpressureStrategy(strategy: Int): Builder = throw NotImplementedError("stub")
        fun build(): ImageAnalysis = throw NotImplementedError("stub")
    }
    companion object {
        const val STRATEGY_KEEP_ONLY_LATEST = 0
    }
}

class Preview : UseCase() {
    interface SurfaceProvider
    fun setSurfaceProvider(surfaceProvider: SurfaceProvider?): Unit = throw NotImplementedError("stub")
    class Builder {
        fun build(): Preview = throw NotImplementedError("stub")
    }
}
