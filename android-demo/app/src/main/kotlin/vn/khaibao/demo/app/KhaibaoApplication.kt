// Owns the library handle and the demo's ports for the process, and schedules background
// work: an expedited upload after each check-in, and a periodic run (upload, trust and
// exposure sync) whenever the phone has a network.

package vn.khaibao.demo.app

import android.app.Application
import android.content.Context
import android.util.Base64
import java.security.SecureRandom
import vn.khaibao.Khaibao
import vn.khaibao.KhaibaoConfig
import vn.khaibao.core.TrustedKey
import vn.khaibao.demo.LibraryPorts
import vn.khaibao.demo.Settings
import vn.khaibao.verifyKeyStore

class KhaibaoApplication : Application() {
    lateinit var khaibao: Khaibao
        private set
    lateinit var ports: LibraryPorts
        private set
    val settings: Settings by lazy { PrefsSettings(getSharedPreferences("khaibao", Context.MODE_PRIVATE)) }
    private val keyStore by lazy { AndroidKeystoreKeyStore() }

    override fun onCreate() {
        super.onCreate()
        // Fails early (typed KhaibaoException.Keystore) when the device's keystore is unusable.
        verifyKeyStore(keyStore)
        khaibao = Khaibao.open(
            KhaibaoConfig(
                dbPath = getDatabasePath("khaibao.db").apply { parentFile?.mkdirs() }.path,
                venueKeys = listOf(TrustedKey(hex(BuildConfigKeys.VENUE_KID), hex(BuildConfigKeys.VENUE_SIGNING))),
                authoritySealingKey = hex(BuildConfigKeys.AUTHORITY_SEALING),
                authorityUrl = BuildConfigKeys.AUTHORITY_URL,
                masterKey = masterKey(),
            ),
        )
        ports = LibraryPorts(khaibao, OkHttpHostClient(), trustConfigured = false)
        Notifications.createChannel(this)
        Background.schedulePeriodic(this)
    }

    /** The database master key: random on first start, kept wrapped by the Android Keystore. */
    private fun masterKey(): ByteArray {
        settings.get("master_key")?.let {
            return keyStore.unwrap(Base64.decode(it, Base64.NO_WRAP))
        }
        val key = ByteArray(32).also { SecureRandom().nextBytes(it) }
        settings.put("master_key", Base64.encodeToString(keyStore.wrap(key), Base64.NO_WRAP))
        return key
    }
}

/** The authority's public keys and URL, from the provisioning of the deployment. */
object BuildConfigKeys {
    /** The venue signing key's id: 4 bytes, as `khaibao keygen` prints it (`kid=`). */
    const val VENUE_KID = "00000000"
    const val VENUE_SIGNING = "0000000000000000000000000000000000000000000000000000000000000000"
    const val AUTHORITY_SEALING = "0000000000000000000000000000000000000000000000000000000000000000"
    const val AUTHORITY_URL = "http://10.0.2.2:8080"
}

fun hex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

/** The demo's small settings in SharedPreferences (no personal data is kept there). */
class PrefsSettings(private val prefs: android.content.SharedPreferences) : Settings {
    override fun get(key: String): String? = prefs.getString(key, null)
    override fun put(key: String, value: String) {
        prefs.edit().putString(key, value).apply()
    }
}
