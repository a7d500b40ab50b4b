// The view models name texts by key (vn.khaibao.demo.Str); these are string resources of
// the same name, in Vietnamese (values/) and English (values-en/). The app's language is the
// one chosen at onboarding, applied to the resources here.

package vn.khaibao.demo.app

import android.content.Context
import android.content.res.Configuration
import java.util.Locale
import vn.khaibao.demo.Bilingual
import vn.khaibao.demo.Language
import vn.khaibao.demo.Message
import vn.khaibao.demo.OnboardingViewModel

class Texts(context: Context) {
    val language: Language =
        if (context.getSharedPreferences("khaibao", Context.MODE_PRIVATE).getString(OnboardingViewModel.LANGUAGE, null) == "en") {
            Language.EN
        } else {
            Language.VI
        }
    private val localized: Context = context.createConfigurationContext(
        Configuration(context.resources.configuration).apply { setLocale(Locale.forLanguageTag(if (language == Language.EN) "en" else "vi")) },
    )

    // Resources are looked up by the key's name; res/raw/keep.xml keeps them from shrinking.
    fun of(message: Message): String {
        val id = localized.resources.getIdentifier(message.key.name, "string", localized.packageName)
        return localized.getString(id, *message.args.map { if (it is vn.khaibao.demo.Str) of(Message(it)) else it }.toTypedArray())
    }

    fun of(id: Int): String = localized.getString(id)

    fun of(text: Bilingual): String = text.text(language)
}
