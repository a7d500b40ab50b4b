// Mirrors: com.google.zxing:core 3.5.3 (QRCodeWriter, BitMatrix, BarcodeFormat).
@file:Suppress("unused", "UNUSED_PARAMETER")

package com.google.zxing

enum class BarcodeFormat { QR_CODE }

class WriterException : Exception()
