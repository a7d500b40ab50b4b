// Owns the library handle for the process and schedules background sync.

package vn.khaibao.demo.app

import android.app.Application
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit
import vn.khaibao.Khaibao
import vn.khaibao.KhaibaoConfig
import vn.khaibao.core.TrustedKey
import vn.khaibao.verifyKeyStore

class KhaibaoApplication : Application() {
    lateinit var khaibao: Khaibao
        private set
    val keyStore by lazy { AndroidKeystoreKeyStore() }

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
        WorkManager.getInstance(this).enqueueUniquePeriodicWork(
            "khaibao-sync",
            ExistingPeriodicWorkPolicy.KEEP,
            PeriodicWorkRequestBuilder<SyncWorker>(1, TimeUnit.HOURS)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build(),
        )
    }
}

/** The authority's public keys and URL, from the provisioning of the deployment. */
object BuildConfigKeys {
    const val VENUE_KID = "00000000000000000000000000000000"
    const val VENUE_SIGNING = "0000000000000000000000000000000000000000000000000000000000000000"
    const val AUTHORITY_SEALING = "0000000000000000000000000000000000000000000000000000000000000000"
    const val AUTHORITY_URL = "http://10.0.2.2:8080"
}

fun hex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() 
    /** The database master key: random on first start, kept wrapped by the Android Keystore. */
    private fun masterKey(): ByteArray {
        val prefs = getSharedPreferences("khaibao", MODE_PRIVATE)
        prefs.getString("master_key", null)?.let {
            return keyStore.unwrap(android.util.Base64.decode(it, android.util.Base64.NO_WRAP))
        }
        val key = ByteArray(32).also { java.security.SecureRandom().nextBytes(it) }
        val wrapped = android.util.Base64.encodeToString(keyStore.wrap(key), android.util.Base64.NO_WRAP)
        prefs.edit().putString("master_key", wrapped).apply()
        return key
    }
}
