// The master key's wrapping key lives in Android Keystore (hardware-backed where the device
// has it); the library gets wrap/unwrap only and never sees it.

package vn.khaibao.demo.app

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.security.GeneralSecurityException
import java.security.KeyStore as JcaKeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import vn.khaibao.KeyStore
import vn.khaibao.KeyStoreException

class AndroidKeystoreKeyStore(private val alias: String = "khaibao-master") : KeyStore {
    private fun key(): SecretKey {
        val ks = JcaKeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (ks.getKey(alias, null) as? SecretKey)?.let { return it }
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
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, key()) }
        cipher.iv + cipher.doFinal(secret)
    } catch (e: GeneralSecurityException) {
        throw KeyStoreException.Failed(e.javaClass.simpleName)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray = try {
        if (wrapped.size < 13) throw KeyStoreException.Failed("short")
        val ks = JcaKeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        val key = ks.getKey(alias, null) as? SecretKey ?: throw KeyStoreException.KeyUnavailable()
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
        cipher.doFinal(wrapped.copyOfRange(12, wrapped.size))
    } catch (e: GeneralSecurityException) {
        throw KeyStoreException.Failed(e.javaClass.simpleName)
    }
}
