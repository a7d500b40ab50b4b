// CameraX bound to the screen's lifecycle: preview and analysis are bound while the scanner
// is on screen and unbound (with the analyzer's thread shut down) when it leaves, so nothing
// scans under the form. Frames are throttled by the view model's ScanGate (the others are
// closed at once), only the viewfinder's square is decoded, and the torch can be switched.

package vn.khaibao.demo.app

import androidx.camera.core.Camera
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.LocalLifecycleOwner
import java.util.concurrent.Executors
import vn.khaibao.demo.CoreFrameDecoder
import vn.khaibao.demo.LumaPlane
import vn.khaibao.demo.ScanGate
import vn.khaibao.demo.centreSquare

/** Decodes the Y plane of throttled YUV_420_888 frames with core's scanner. */
class QrAnalyzer(private val gate: ScanGate, private val onText: (String) -> Unit) : ImageAnalysis.Analyzer {
    override fun analyze(image: ImageProxy) {
        image.use {
            if (!gate.analyse(System.currentTimeMillis())) return
            val y = it.planes[0]
            val plane = LumaPlane.fromYPlane(y.buffer, it.width, it.height, y.rowStride, y.pixelStride)
            CoreFrameDecoder.decode(plane, centreSquare(it.width, it.height))?.let(onText)
        }
    }
}

@Composable
fun CameraScanner(gate: ScanGate, torchOn: Boolean, description: String, modifier: Modifier, onText: (String) -> Unit) {
    val context = LocalContext.current
    val owner = LocalLifecycleOwner.current
    val previewView = remember { PreviewView(context) }
    var camera by remember { mutableStateOf<Camera?>(null) }
    DisposableEffect(owner) {
        val executor = Executors.newSingleThreadExecutor()
        val main = ContextCompat.getMainExecutor(context)
        val preview = Preview.Builder().build().also { it.setSurfaceProvider(previewView.surfaceProvider) }
        val analysis = ImageAnalysis.Builder().setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST).build()
        analysis.setAnalyzer(executor, QrAnalyzer(gate) { text -> main.execute { onText(text) } })
        val future = ProcessCameraProvider.getInstance(context)
        var provider: ProcessCameraProvider? = null
        var disposed = false
        future.addListener({
            if (!disposed) {
                provider = future.get()
                camera = provider?.bindToLifecycle(owner, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
            }
        }, main)
        onDispose {
            disposed = true
            analysis.clearAnalyzer()
            provider?.unbind(preview, analysis)
            camera = null
            executor.shutdown()
        }
    }
    LaunchedEffect(torchOn, camera) {
        camera?.let { if (it.cameraInfo.hasFlashUnit()) it.cameraControl.enableTorch(torchOn) }
    }
    AndroidView(factory = { previewView }, modifier = modifier.semantics { contentDescription = description })
}
