// Mirrors: com.google.zxing:core 3.5.3 (com.google.zxing.common.BitMatrix).
@file:Suppress("unused", "UNUSED_PARAMETER")

package com.google.zxing.common

class BitMatrix {
    operator fun get(x: Int, y: Int): Boolean = throw NotImplementedError("stub")
}
