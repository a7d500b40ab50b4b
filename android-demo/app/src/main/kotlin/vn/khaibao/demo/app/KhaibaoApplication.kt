// Owns the library handle and the demo's ports for the process, and schedules background
// work: an expedited upload after each check-in, and a periodic run (upload, trust and
// exposure sync) whenever the phone has a network.

package vn.khaibao.demo.app

import android.app.Application
import android.content.Context
import kotlinx.coroutines.runBlocking
import vn.khaibao.KhaibaoConfig
import vn.khaibao.KhaibaoException
import vn.khaibao.KhaibaoLibrary
import vn.khaibao.core.ErrorCode
import vn.khaibao.core.TrustedKey
import vn.khaibao.demo.AdministrativeUnits
import vn.khaibao.demo.LibraryPorts
import vn.khaibao.demo.Settings
import vn.khaibao.discardUnrecoverableDiary

class KhaibaoApplication : Application() {
    lateinit var khaibao: KhaibaoLibrary
        private set
    lateinit var ports: LibraryPorts
        private set
    val settings: Settings by lazy { PrefsSettings(getSharedPreferences("khaibao", Context.MODE_PRIVATE)) }

    /** Today's provinces and communes for the form's pickers (res/raw/units.tsv), read once. */
    val units: AdministrativeUnits by lazy {
        AdministrativeUnits.parse(resources.openRawResource(R.raw.units).bufferedReader().use { it.readText() })
    }

    override fun onCreate() {
        super.onCreate()
        val config = KhaibaoConfig(
            dbPath = getDatabasePath("khaibao.db").apply { parentFile?.mkdirs() }.path,
            venueKeys = listOf(TrustedKey(hex(BuildConfigKeys.VENUE_KID), hex(BuildConfigKeys.VENUE_SIGNING))),
            authoritySealingKey = hex(BuildConfigKeys.AUTHORITY_SEALING),
            authorityUrl = BuildConfigKeys.AUTHORITY_URL,
            // The keyset signed by the root brings the online keys (exposure lists, device
            // certificates) and their rotations (Trust.sync).
            rootPublicKey = hex(BuildConfigKeys.ROOT_PUBLIC),
        )
        // Every screen needs the handle, so the process waits for the open (one key unwrap
        // and the SQLite open, done on the library's own thread).
        khaibao = runBlocking { open(config, AndroidKeystoreKeyWrapper()) }
        ports = LibraryPorts(khaibao, OkHttpHostClient(), trustConfigured = false)
        Notifications.createChannel(this)
        Background.schedulePeriodic(this)
    }

    /**
     * Opens the library; the database key is made by the library and kept wrapped by the
     * Android Keystore. A backup restored onto another phone has no such key: its diary
     * cannot be read, so it is discarded and an empty one is opened (typed
     * KhaibaoException.Keystore for any other key trouble).
     */
    private suspend fun open(config: KhaibaoConfig, wrapper: AndroidKeystoreKeyWrapper): KhaibaoLibrary = try {
        KhaibaoLibrary.open(config, wrapper)
    } catch (e: KhaibaoException.Keystore) {
        if (e.code != ErrorCode.KEYSTORE_UNAVAILABLE) throw e
        discardUnrecoverableDiary(config, wrapper)
        KhaibaoLibrary.open(config, wrapper)
    }
}

/** The authority's public keys and URL, from the provisioning of the deployment. */
object BuildConfigKeys {
    /** The venue signing key's id: 4 bytes, as `khaibao keygen` prints it (`kid=`). */
    const val VENUE_KID = "00000000"
    const val VENUE_SIGNING = "0000000000000000000000000000000000000000000000000000000000000000"
    /** The device-certificate key (`device_public` in public.txt): what the staff door trusts. */
    const val DEVICE_KID = "00000000"
    const val DEVICE_PUBLIC = "0000000000000000000000000000000000000000000000000000000000000000"
    /** The root key that signs the keyset (`root_public` in public.txt). */
    const val ROOT_PUBLIC = "0000000000000000000000000000000000000000000000000000000000000000"
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
