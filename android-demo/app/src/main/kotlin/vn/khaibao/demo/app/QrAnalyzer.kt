// CameraX ImageAnalysis → core's scanner: the Y plane of each YUV_420_888 frame, with its
// row and pixel strides, goes to scanFrame through the shared LumaPlane mapper. Frames are
// dropped while one is being scanned (STRATEGY_KEEP_ONLY_LATEST in the use case).

package vn.khaibao.demo.app

import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import vn.khaibao.demo.LumaPlane
import vn.khaibao.demo.centreSquare

class QrAnalyzer(private val onText: (String) -> Unit) : ImageAnalysis.Analyzer {
    override fun analyze(image: ImageProxy) {
        image.use {
            val y = it.planes[0]
            val plane = LumaPlane.fromYPlane(y.buffer, it.width, it.height, y.rowStride, y.pixelStride)
            plane.scanFirstText(centreSquare(it.width, it.height))?.let(onText)
        }
    }
}
