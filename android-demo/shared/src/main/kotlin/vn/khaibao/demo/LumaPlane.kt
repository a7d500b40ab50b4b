// The camera frame → scan_frame mapper. CameraX's ImageAnalysis gives YUV_420_888 images
// whose Y plane has a row stride (rows padded) and a pixel stride (1 for every real camera,
// but the API allows more). Core wants 8-bit luma with a row stride; this copies the plane
// once into that shape and keeps the row stride when it can, so no per-row repacking happens
// in the usual case. Platform-free: the Android analyzer passes the plane's ByteBuffer, and a
// FrameDecoder (core's scanner, through the adapter) reads it.

package vn.khaibao.demo

import java.nio.ByteBuffer

/** A luma plane ready for core's `scanFrame`. */
class LumaPlane(val bytes: ByteArray, val width: Int, val height: Int, val rowStride: Int) {
    companion object {
        /**
         * Copies a Y plane. `buffer` starts at pixel (0, 0); the last row may be shorter than
         * `rowStride` (Android does not pad the last row).
         */
        fun fromYPlane(buffer: ByteBuffer, width: Int, height: Int, rowStride: Int, pixelStride: Int): LumaPlane {
            require(width > 0 && height > 0 && pixelStride >= 1 && rowStride >= width * pixelStride) { "bad plane geometry" }
            val src = buffer.duplicate()
            if (pixelStride == 1) {
                // Keep the stride; pad the short last row with zeros.
                val out = ByteArray(rowStride * height)
                src.get(out, 0, minOf(src.remaining(), out.size))
                return LumaPlane(out, width, height, rowStride)
            }
            val out = ByteArray(width * height)
            val base = src.position()
            for (y in 0 until height) {
                for (x in 0 until width) {
                    out[y * width + x] = src.get(base + y * rowStride + x * pixelStride)
                }
            }
            return LumaPlane(out, width, height, width)
        }
    }
}

/** A region of a frame, in plane pixels. */
data class Roi(val x: Int, val y: Int, val width: Int, val height: Int)

/** The centred square region the viewfinder shows, `fraction` of the shorter side. */
fun centreSquare(width: Int, height: Int, fraction: Double = 0.8): Roi {
    val side = (minOf(width, height) * fraction).toInt()
    return Roi((width - side) / 2, (height - side) / 2, side, side)
}
