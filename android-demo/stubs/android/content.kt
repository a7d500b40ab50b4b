// Mirrors: Android SDK API level 36 (android.app, android.content, android.content.res,
// android.content.pm): Context, Application, Activity, Intent, PendingIntent, notifications.
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.content

import android.content.res.Configuration
import android.content.res.Resources
import java.io.File

abstract class Context {
    abstract val resources: Resources
    abstract val packageName: String
    abstract val applicationContext: Context
    abstract val filesDir: File
    abstract fun getSharedPreferences(name: String, mode: Int): SharedPreferences
    abstract fun getDatabasePath(name: String): File
    abstract fun createConfigurationContext(overrideConfiguration: Configuration): Context
    abstract fun startActivity(intent: Intent)
    fun getString(resId: Int): String = throw NotImplementedError("stub")
    fun getString(resId: Int, vararg formatArgs: Any?): String = throw NotImplementedError("stub")
    fun <T : Any> getSystemService(serviceClass: Class<T>): T = throw NotImplementedError("stub")

    companion object {
        const val MODE_PRIVATE = 0
    }
}

open class ContextWrapper : Context() {
    override val resources: Resources get() = throw NotImplementedError("stub")
    override val packageName: String get() = throw NotImplementedError("stub")
    override val applicationContext: Context get() = throw NotImplementedError("stub")
    override val filesDir: File get() = throw NotImplementedError("stub")
    override fun getSharedPreferences(name: String, mode: Int): SharedPreferences = throw NotImplementedError("stub")
    override fun getDatabasePath(name: String): File = throw NotImplementedError("stub")
    override fun createConfigurationContext(overrideConfiguration: Configuration): Context = throw NotImplementedError("stub")
    override fun startActivity(intent: Intent): Unit = throw NotImplementedError("stub")
}

interface SharedPreferences {
    fun getString(key: String, defValue: String?): String?
    fun edit(): Editor
    interface Editor {
        fun putString(key: String, value: String?): Editor
        fun apply()
    }
}

class Intent {
    constructor(packageContext: Context, cls: Class<*>)
    constructor(action: String)
    fun putExtra(name: String, value: Long): Intent = throw NotImplementedError("stub")
    fun putExtra(name: String, value: String?): Intent = throw NotImplementedError("stub")
    fun addFlags(flags: Int): Intent = throw NotImplementedError("stub")
    fun setType(type: String?): Intent = throw NotImplementedError("stub")
    fun getLongExtra(name: String, defaultValue: Long): Long = throw NotImplementedError("stub")

    companion object {
        const val ACTION_SEND = "android.intent.action.SEND"
        const val EXTRA_TEXT = "android.intent.extra.TEXT"
        const val FLAG_ACTIVITY_NEW_TASK = 0x10000000
        const val FLAG_ACTIVITY_CLEAR_TOP = 0x04000000
        @JvmStatic fun createChooser(target: Intent, title: CharSequence?): Intent = throw NotImplementedError("stub")
    }
}
