// Mirrors: Android SDK API level 36 (android.graphics.Bitmap, Color).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.graphics

class Bitmap {
    enum class Config { ARGB_8888 }
    fun setPixel(x: Int, y: Int, color: Int): Unit = throw NotImplementedError("stub")
    companion object {
        @JvmStatic fun createBitmap(width: Int, height: Int, config: Config): Bitmap = throw NotImplementedError("stub")
    }
}

object Color {
    const val BLACK = -0x1000000
    const val WHITE = -0x1
}
