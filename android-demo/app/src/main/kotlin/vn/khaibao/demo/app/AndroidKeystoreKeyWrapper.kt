// The library's database key is wrapped by an AES key that lives in Android Keystore
// (hardware-backed where the device has it); the library gets wrap/unwrap only and never
// sees the wrapping key.

package vn.khaibao.demo.app

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.security.GeneralSecurityException
import java.security.KeyStore as JcaKeyStore
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import vn.khaibao.HardwareKeyWrapper
import vn.khaibao.KeyWrapException

class AndroidKeystoreKeyWrapper(private val alias: String = "khaibao-master") : HardwareKeyWrapper {
    private fun existing(): SecretKey? {
        val ks = JcaKeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        return ks.getKey(alias, null) as? SecretKey
    }

    private fun keyForWrapping(): SecretKey {
        existing()?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        generator.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    override fun wrap(secret: ByteArray): ByteArray = try {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, keyForWrapping()) }
        cipher.iv + cipher.doFinal(secret)
    } catch (e: GeneralSecurityException) {
        throw KeyWrapException.Failed(e.javaClass.simpleName)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (wrapped.size < 13) throw KeyWrapException.Failed("short")
        // No key under the alias (a backup restored onto another phone): the diary is lost.
        val key = existing() ?: throw KeyWrapException.KeyUnavailable()
        return try {
            val cipher = Cipher.getInstance("AES/GCM/NoPadding")
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped, 0, 12))
            cipher.doFinal(wrapped, 12, wrapped.size - 12)
        } catch (e: AEADBadTagException) {
            throw KeyWrapException.KeyUnavailable() // wrapped under a key this phone no longer has
        } catch (e: GeneralSecurityException) {
            throw KeyWrapException.Failed(e.javaClass.simpleName)
        }
    }
}
