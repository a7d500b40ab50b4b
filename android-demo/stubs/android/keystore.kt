// Mirrors: Android SDK API level 36 (android.security.keystore).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.security.keystore

import java.security.spec.AlgorithmParameterSpec

class KeyGenParameterSpec : AlgorithmParameterSpec {
    class Builder(keystoreAlias: String, purposes: Int) {
        fun setBlockModes(vararg blockModes: String): Builder = throw NotImplementedError("stub")
        fun setEncryptionPaddings(vararg paddings: String): Builder = throw NotImplementedError("stub")
        fun setKeySize(keySize: Int): Builder = throw NotImplementedError("stub")
        fun build(): KeyGenParameterSpec = throw NotImplementedError("stub")
    }
}

object KeyProperties {
    const val KEY_ALGORITHM_AES = "AES"
    const val PURPOSE_ENCRYPT = 1
    const val PURPOSE_DECRYPT = 2
    const val BLOCK_MODE_GCM = "GCM"
    const val ENCRYPTION_PADDING_NONE = "NoPadding"
}
