// The declaration form: every field core asks (identity, contact, address, travel, symptoms,
// exposure, vaccination and tests), each with core's own error under it in the chosen
// language. The form scrolls, so it stays usable at 200 % text size.

package vn.khaibao.demo.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import vn.khaibao.demo.DeclarationFormViewModel
import vn.khaibao.demo.IdKind
import vn.khaibao.demo.Sex
import vn.khaibao.demo.Symptom
import vn.khaibao.demo.TravelMode

private const val DATE_HINT = "dd/mm/yyyy"

@Composable
fun <T> Choice(options: List<Pair<T, String>>, selected: T?, onSelect: (T) -> Unit) {
    Column {
        for ((value, label) in options) {
            Row {
                RadioButton(selected = value == selected, onClick = { onSelect(value) }, modifier = Modifier.semantics { contentDescription = label })
                Text(label)
            }
        }
    }
}

@Composable
fun DeclarationScreen(vm: DeclarationFormViewModel, onCancel: () -> Unit, onSubmit: () -> Unit) {
    var tick by rememberTick()
    val f = if (tick >= 0) vm.form else vm.form
    val edit: ((vn.khaibao.demo.DeclarationForm) -> vn.khaibao.demo.DeclarationForm) -> Unit = { vm.update(it); tick++ }
    val err = vm::errorFor
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        Text(stringRes(R.string.section_personal), style = MaterialTheme.typography.titleMedium)
        LabelledField(R.string.full_name, f.fullName, err("full_name")) { v -> edit { it.copy(fullName = v) } }
        LabelledField(R.string.birth_year, f.birthYear, err("birth_year")) { v -> edit { it.copy(birthYear = v) } }
        LabelledField(R.string.date_of_birth, f.dateOfBirth, err("date_of_birth"), DATE_HINT) { v -> edit { it.copy(dateOfBirth = v) } }
        Choice(listOf(Sex.MALE to stringRes(R.string.sex_male), Sex.FEMALE to stringRes(R.string.sex_female), Sex.OTHER to stringRes(R.string.sex_other)), f.sex) { v -> edit { it.copy(sex = v) } }
        LabelledField(R.string.nationality, f.nationality, err("nationality"), "VN") { v -> edit { it.copy(nationality = v) } }
        Choice(listOf(IdKind.CCCD to "CCCD", IdKind.CMND to "CMND", IdKind.PASSPORT to stringRes(R.string.passport)), f.idKind) { v -> edit { it.copy(idKind = v) } }
        LabelledField(R.string.id_number, f.idNumber, err("id_document")) { v -> edit { it.copy(idNumber = v) } }
        LabelledField(R.string.health_insurance, f.healthInsurance, err("health_insurance")) { v -> edit { it.copy(healthInsurance = v) } }

        Text(stringRes(R.string.section_contact), style = MaterialTheme.typography.titleMedium)
        LabelledField(R.string.phone, f.phone, err("phone")) { v -> edit { it.copy(phone = v) } }
        LabelledField(R.string.email, f.email, err("email")) { v -> edit { it.copy(email = v) } }
        val province = vm.province
        SearchPicker(R.string.province, province?.name, err("province"), true, vm.units::searchProvinces, { it.name }) {
            vm.chooseProvince(it)
            tick++
        }
        SearchPicker(R.string.commune, vm.commune?.name, err("ward"), province != null, { q -> vm.units.searchCommunes(province?.code, q) }, { it.name }) {
            vm.chooseCommune(it)
            tick++
        }
        LabelledField(R.string.street, f.street, err("street")) { v -> edit { it.copy(street = v) } }

        Text(stringRes(R.string.section_travel), style = MaterialTheme.typography.titleMedium)
        err("travel")?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        f.travel.forEachIndexed { i, j ->
            val set: ((vn.khaibao.demo.TravelForm) -> vn.khaibao.demo.TravelForm) -> Unit = { change ->
                edit { form -> form.copy(travel = form.travel.mapIndexed { k, x -> if (k == i) change(x) else x }) }
            }
            Choice(
                listOf(TravelMode.AIR to stringRes(R.string.travel_air), TravelMode.TRAIN to stringRes(R.string.travel_train), TravelMode.CAR to stringRes(R.string.travel_car), TravelMode.SHIP to stringRes(R.string.travel_ship), TravelMode.OTHER to stringRes(R.string.travel_other)),
                j.mode,
            ) { v -> set { it.copy(mode = v) } }
            LabelledField(R.string.vehicle_number, j.vehicleNumber, err("travel[$i]")) { v -> set { it.copy(vehicleNumber = v) } }
            LabelledField(R.string.seat, j.seat, null) { v -> set { it.copy(seat = v) } }
            LabelledField(R.string.departure, j.departure, err("travel[$i].departure"), DATE_HINT) { v -> set { it.copy(departure = v) } }
            LabelledField(R.string.arrival, j.arrival, err("travel[$i].arrival"), DATE_HINT) { v -> set { it.copy(arrival = v) } }
            LabelledField(R.string.places, j.places, err("travel[$i].places")) { v -> set { it.copy(places = v) } }
            OutlinedButton(onClick = { vm.removeJourney(i); tick++ }) { Text(stringRes(R.string.remove_journey)) }
        }
        OutlinedButton(onClick = { vm.addJourney(); tick++ }) { Text(stringRes(R.string.add_journey)) }

        Text(stringRes(R.string.section_symptoms), style = MaterialTheme.typography.titleMedium)
        for (s in Symptom.entries) {
            LabelledCheck(stringRes(symptomLabel(s)), s in f.symptoms) { vm.toggle(s); tick++ }
        }

        Text(stringRes(R.string.section_exposure), style = MaterialTheme.typography.titleMedium)
        LabelledCheck(stringRes(R.string.close_contact), f.closeContact) { v -> edit { it.copy(closeContact = v) } }
        LabelledCheck(stringRes(R.string.visited_place_with_cases), f.visitedPlaceWithCases) { v -> edit { it.copy(visitedPlaceWithCases = v) } }
        LabelledCheck(stringRes(R.string.visited_animal_market), f.visitedAnimalMarket) { v -> edit { it.copy(visitedAnimalMarket = v) } }

        Text(stringRes(R.string.section_vaccination), style = MaterialTheme.typography.titleMedium)
        err("vaccination")?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        f.vaccination.forEachIndexed { i, d ->
            val set: ((vn.khaibao.demo.DoseForm) -> vn.khaibao.demo.DoseForm) -> Unit = { change ->
                edit { form -> form.copy(vaccination = form.vaccination.mapIndexed { k, x -> if (k == i) change(x) else x }) }
            }
            LabelledField(R.string.dose_date, d.date, err("vaccination[$i].date"), DATE_HINT) { v -> set { it.copy(date = v) } }
            LabelledField(R.string.vaccine, d.vaccine, null) { v -> set { it.copy(vaccine = v) } }
            OutlinedButton(onClick = { vm.removeDose(i); tick++ }) { Text(stringRes(R.string.remove_dose)) }
        }
        OutlinedButton(onClick = { vm.addDose(); tick++ }) { Text(stringRes(R.string.add_dose)) }
        LabelledField(R.string.recovered_on, f.recoveredOn, err("recovered_on"), DATE_HINT) { v -> edit { it.copy(recoveredOn = v) } }
        LabelledField(R.string.negative_test_on, f.negativeTestOn, err("negative_test_on"), DATE_HINT) { v -> edit { it.copy(negativeTestOn = v) } }
        LabelledCheck(stringRes(R.string.on_behalf), f.onBehalf) { v -> edit { it.copy(onBehalf = v) } }

        Button(onClick = { onSubmit(); tick++ }) { Text(stringRes(R.string.submit_declaration)) }
        OutlinedButton(onClick = onCancel) { Text(stringRes(R.string.cancel)) }
    }
}

fun symptomLabel(s: Symptom): Int = when (s) {
    Symptom.FEVER -> R.string.symptom_fever
    Symptom.COUGH -> R.string.symptom_cough
    Symptom.BREATHING_DIFFICULTY -> R.string.symptom_breathing_difficulty
    Symptom.SORE_THROAT -> R.string.symptom_sore_throat
    Symptom.NAUSEA_VOMITING -> R.string.symptom_nausea_vomiting
    Symptom.DIARRHOEA -> R.string.symptom_diarrhoea
    Symptom.SKIN_BLEEDING -> R.string.symptom_skin_bleeding
    Symptom.SKIN_RASH -> R.string.symptom_skin_rash
    Symptom.FATIGUE -> R.string.symptom_fatigue
    Symptom.LOSS_OF_TASTE_OR_SMELL -> R.string.symptom_loss_of_taste_or_smell
}
