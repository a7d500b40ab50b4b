// Mirrors: Android SDK API level 36 (android.util.Base64).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.util

object Base64 {
    const val NO_WRAP = 2
    fun decode(str: String, flags: Int): ByteArray = throw NotImplementedError("stub")
    fun encodeToString(input: ByteArray, flags: Int): String = throw NotImplementedError("stub")
}
