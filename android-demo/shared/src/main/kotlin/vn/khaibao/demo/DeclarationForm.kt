// The declaration form's state, kept as the text the user typed, and its mapping to core's
// Declaration and back from core's field errors. Core validates; this only parses numbers
// and shows core's messages next to the right fields, in the app's language.

package vn.khaibao.demo

import vn.khaibao.core.Declaration
import vn.khaibao.core.FieldError
import vn.khaibao.core.Symptom
import vn.khaibao.validateDeclaration

/** What the form holds while the user types. */
data class DeclarationForm(
    val fullName: String = "",
    val birthYear: String = "",
    val phone: String = "",
    val province: String = "",
    val symptoms: Set<Symptom> = emptySet(),
    val closeContact: Boolean = false,
    val onBehalf: Boolean = false,
) {
    /**
     * The form as core's record. A number field that does not parse becomes 0, which core
     * rejects with its own field error, so every error message comes from one place.
     */
    fun toDeclaration() = Declaration(
        fullName = fullName,
        birthYear = birthYear.trim().toUShortOrNull() ?: 0u,
        phone = phone,
        province = province.trim().toUIntOrNull() ?: 0u,
        symptoms = Symptom.entries.filter { it in symptoms },
        closeContact = closeContact,
        onBehalf = onBehalf,
    )
}

enum class Language { VI, EN }

/** Field errors keyed by field path (`phone`, `full_name`, …), as the form shows them. */
data class FormErrors(val byField: Map<String, String>) {
    val isEmpty get() = byField.isEmpty()
    fun of(field: String): String? = byField[field]

    companion object {
        fun from(errors: List<FieldError>, language: Language) = FormErrors(
            errors.groupBy { it.field }.mapValues { (_, es) ->
                es.joinToString("\n") { if (language == Language.VI) it.messageVi else it.messageEn }
            },
        )
    }
}

/**
 * The form screen's state holder (an Android ViewModel wraps it; the logic lives here so it
 * runs on the JVM too).
 */
class DeclarationFormModel(private val language: Language = Language.VI) {
    var form = DeclarationForm()
        private set
    var errors = FormErrors(emptyMap())
        private set

    fun update(change: (DeclarationForm) -> DeclarationForm) {
        form = change(form)
    }

    /** Validates with core; returns the declaration when valid, else shows the errors. */
    fun submit(): Declaration? {
        val declaration = form.toDeclaration()
        errors = FormErrors.from(validateDeclaration(declaration), language)
        return if (errors.isEmpty) declaration else null
    }

    /** Shows errors core raised later (for example on check-in). */
    fun show(fieldErrors: List<FieldError>) {
        errors = FormErrors.from(fieldErrors, language)
    }
}
