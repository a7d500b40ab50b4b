// The declaration form: every field core's Declaration has, kept as the text the person
// typed, turned into a typed DeclarationInput and validated by core. Core is the only judge:
// a number or date that does not parse is passed on as an impossible value (0, or the date
// 0000-00-00) so core rejects it with its own field error, in Vietnamese and English.

package vn.khaibao.demo

data class Day(val year: Int, val month: Int, val day: Int)

enum class Sex { MALE, FEMALE, OTHER }
enum class IdKind { CCCD, CMND, PASSPORT }
enum class TravelMode { AIR, TRAIN, CAR, SHIP, OTHER }

/** Core's symptoms, in the order the form lists them. */
enum class Symptom {
    FEVER, COUGH, BREATHING_DIFFICULTY, SORE_THROAT, NAUSEA_VOMITING, DIARRHOEA, SKIN_BLEEDING,
    SKIN_RASH, FATIGUE, LOSS_OF_TASTE_OR_SMELL,
}

data class TravelInput(
    val mode: TravelMode,
    val vehicleNumber: String?,
    val seat: String?,
    val departure: Day,
    val arrival: Day,
    val places: List<String>,
)

data class DoseInput(val date: Day, val vaccine: String?)

/** Core's Declaration in the demo's own types (the adapter maps it field by field). */
data class DeclarationInput(
    val fullName: String,
    val birthYear: Int,
    val dateOfBirth: Day?,
    val sex: Sex?,
    val nationality: String,
    val idKind: IdKind?,
    val idNumber: String,
    val phone: String,
    val email: String?,
    val province: Int,
    val district: Int?,
    val ward: Int?,
    val street: String,
    val healthInsurance: String?,
    val travel: List<TravelInput>,
    val symptoms: Set<Symptom>,
    val closeContact: Boolean,
    val visitedPlaceWithCases: Boolean,
    val visitedAnimalMarket: Boolean,
    val vaccination: List<DoseInput>,
    val recoveredOn: Day?,
    val negativeTestOn: Day?,
    val onBehalf: Boolean,
)

data class TravelForm(
    val mode: TravelMode = TravelMode.CAR,
    val vehicleNumber: String = "",
    val seat: String = "",
    val departure: String = "",
    val arrival: String = "",
    /** Places separated by commas. */
    val places: String = "",
)

data class DoseForm(val date: String = "", val vaccine: String = "")

/** What the form holds while the person types. Dates are typed as dd/mm/yyyy. */
data class DeclarationForm(
    val fullName: String = "",
    val birthYear: String = "",
    val dateOfBirth: String = "",
    val sex: Sex? = null,
    val nationality: String = "",
    val idKind: IdKind? = null,
    val idNumber: String = "",
    val phone: String = "",
    val email: String = "",
    val province: String = "",
    val district: String = "",
    /** The commune's code (core's field is still called `ward`). */
    val ward: String = "",
    val street: String = "",
    val healthInsurance: String = "",
    val travel: List<TravelForm> = emptyList(),
    val symptoms: Set<Symptom> = emptySet(),
    val closeContact: Boolean = false,
    val visitedPlaceWithCases: Boolean = false,
    val visitedAnimalMarket: Boolean = false,
    val vaccination: List<DoseForm> = emptyList(),
    val recoveredOn: String = "",
    val negativeTestOn: String = "",
    val onBehalf: Boolean = false,
) {
    fun toInput() = DeclarationInput(
        fullName = fullName,
        birthYear = birthYear.trim().toIntOrNull() ?: 0,
        dateOfBirth = optionalDay(dateOfBirth),
        sex = sex,
        nationality = nationality.trim().uppercase(),
        idKind = idKind.takeIf { idNumber.isNotBlank() },
        idNumber = idNumber,
        phone = phone,
        email = email.takeIf { it.isNotBlank() },
        province = province.trim().toIntOrNull() ?: 0,
        district = optionalNumber(district),
        ward = optionalNumber(ward),
        street = street,
        healthInsurance = healthInsurance.takeIf { it.isNotBlank() },
        travel = travel.map {
            TravelInput(
                it.mode, it.vehicleNumber.takeIf(String::isNotBlank), it.seat.takeIf(String::isNotBlank),
                parseDay(it.departure), parseDay(it.arrival),
                it.places.split(',').map(String::trim).filter(String::isNotEmpty),
            )
        },
        symptoms = symptoms,
        closeContact = closeContact,
        visitedPlaceWithCases = visitedPlaceWithCases,
        visitedAnimalMarket = visitedAnimalMarket,
        vaccination = vaccination.map { DoseInput(parseDay(it.date), it.vaccine.takeIf(String::isNotBlank)) },
        recoveredOn = optionalDay(recoveredOn),
        negativeTestOn = optionalDay(negativeTestOn),
        onBehalf = onBehalf,
    )
}

/** An impossible date, which core rejects as `date.invalid` on the right field. */
val NOT_A_DAY = Day(0, 0, 0)

/** dd/mm/yyyy (also with - or .) → Day; anything else → NOT_A_DAY. */
fun parseDay(text: String): Day {
    val parts = text.trim().split('/', '-', '.')
    val n = parts.map { it.trim().toIntOrNull() }
    if (n.size != 3 || n.any { it == null }) return NOT_A_DAY
    return Day(year = n[2]!!, month = n[1]!!, day = n[0]!!)
}

private fun optionalDay(text: String) = if (text.isBlank()) null else parseDay(text)
private fun optionalNumber(text: String) = if (text.isBlank()) null else text.trim().toIntOrNull() ?: 0

/**
 * The form screen's state holder: the typed form, the chosen language and core's errors.
 * The address's province and commune are chosen from `units` (Units.kt); the form keeps
 * their codes, and no district (there are none since 1 July 2025).
 */
class DeclarationFormViewModel(
    private val validator: DeclarationValidator,
    language: Language,
    val units: AdministrativeUnits = AdministrativeUnits.NONE,
) {
    var form = DeclarationForm()
        private set
    var language = language
        private set
    private var problems: List<FieldProblem> = emptyList()

    fun update(change: (DeclarationForm) -> DeclarationForm) {
        form = change(form)
    }

    fun addJourney() = update { it.copy(travel = it.travel + TravelForm()) }
    fun removeJourney(index: Int) = update { it.copy(travel = it.travel.filterIndexed { i, _ -> i != index }) }
    fun addDose() = update { it.copy(vaccination = it.vaccination + DoseForm()) }
    fun removeDose(index: Int) = update { it.copy(vaccination = it.vaccination.filterIndexed { i, _ -> i != index }) }
    fun toggle(symptom: Symptom) = update { f ->
        f.copy(symptoms = if (symptom in f.symptoms) f.symptoms - symptom else f.symptoms + symptom)
    }

    /** Picks the province; a commune of another province is cleared. */
    fun chooseProvince(province: Province) = update {
        val keep = it.ward.trim().toIntOrNull()?.let(units::commune)?.province == province.code
        it.copy(province = province.code.toString(), district = "", ward = if (keep) it.ward else "")
    }

    /** Picks the commune (and so its province). */
    fun chooseCommune(commune: Commune) =
        update { it.copy(province = commune.province.toString(), district = "", ward = commune.code.toString()) }

    /** The chosen province, as the picker shows it. */
    val province: Province? get() = form.province.trim().toIntOrNull()?.let(units::province)

    /** The chosen commune, as the picker shows it. */
    val commune: Commune? get() = form.ward.trim().toIntOrNull()?.let(units::commune)

    /** Switches language; the errors already shown switch with it (core gave both). */
    fun switchLanguage(to: Language) {
        language = to
    }

    /** Core's message(s) for a field path, in the chosen language, or null. */
    fun errorFor(field: String): String? =
        problems.filter { it.field == field }.takeIf { it.isNotEmpty() }
            ?.joinToString("\n") { it.message.text(language) }

    /** Every field path with an error (e.g. to scroll to the first one). */
    val errorFields: List<String> get() = problems.map { it.field }.distinct()

    /** Validates with core: the declaration when valid, else null with the errors shown. */
    fun submit(): DeclarationInput? {
        val input = form.toInput()
        problems = validator.validate(input)
        return if (problems.isEmpty()) input else null
    }

    /** Shows errors core raised later (for example on check-in). */
    fun show(fieldErrors: List<FieldProblem>) {
        problems = fieldErrors
    }
}
