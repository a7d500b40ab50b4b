// Mirrors: Android SDK API level 36 (android.content.res, android.content.pm).
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.content.res

import java.io.InputStream
import java.util.Locale

class Resources {
    val configuration: Configuration get() = throw NotImplementedError("stub")
    fun getIdentifier(name: String, defType: String?, defPackage: String?): Int = throw NotImplementedError("stub")
    fun openRawResource(id: Int): InputStream = throw NotImplementedError("stub")
}

class Configuration(o: Configuration) {
    fun setLocale(loc: Locale?): Unit = throw NotImplementedError("stub")
}
