// Mirrors: com.google.zxing:core 3.5.3 (com.google.zxing.qrcode, com.google.zxing.common).
@file:Suppress("unused", "UNUSED_PARAMETER")

package com.google.zxing.qrcode

import com.google.zxing.BarcodeFormat
import com.google.zxing.common.BitMatrix

class QRCodeWriter {
    fun encode(contents: String, format: BarcodeFormat, width: Int, height: Int): BitMatrix = throw NotImplementedError("stub")
}
