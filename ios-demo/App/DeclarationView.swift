// The declaration form: every field core asks (identity, contact, address, travel, symptoms,
// exposure, vaccination and tests), each with core's own error under it in the chosen
// language. A Form scrolls, so it stays usable at the largest Dynamic Type sizes.

import Foundation
import KhaibaoDemoCore
import SwiftUI

struct DeclarationView: View {
    let vm: DeclarationFormViewModel
    let onCancel: () -> Void
    let onSubmit: () -> Void
    @State private var tick = 0

    private func binding(_ path: WritableKeyPath<DeclarationForm, String>) -> Binding<String> {
        Binding(get: { vm.form[keyPath: path] }, set: { vm.form[keyPath: path] = $0; tick += 1 })
    }

    private func flag(_ path: WritableKeyPath<DeclarationForm, Bool>) -> Binding<Bool> {
        Binding(get: { vm.form[keyPath: path] }, set: { vm.form[keyPath: path] = $0; tick += 1 })
    }

    @ViewBuilder
    private func field(_ label: String, _ path: WritableKeyPath<DeclarationForm, String>, _ key: String, hint: String? = nil) -> some View {
        TextField(hint ?? Texts.text(label), text: binding(path)).accessibilityLabel(Texts.text(label))
        if let e = vm.errorFor(key) { Text(e).foregroundColor(.red).font(.caption) }
    }

    var body: some View {
        let _ = tick  // re-render after each change to the (plain class) view model
        Form {
            Section(Texts.text("section_personal")) {
                field("full_name", \.fullName, "full_name")
                field("birth_year", \.birthYear, "birth_year")
                field("date_of_birth", \.dateOfBirth, "date_of_birth", hint: "dd/mm/yyyy")
                Picker(Texts.text("sex"), selection: Binding(get: { vm.form.sex }, set: { vm.form.sex = $0; tick += 1 })) {
                    Text("—").tag(SexChoice?.none)
                    Text(Texts.text("sex_male")).tag(SexChoice?.some(.male))
                    Text(Texts.text("sex_female")).tag(SexChoice?.some(.female))
                    Text(Texts.text("sex_other")).tag(SexChoice?.some(.other))
                }
                field("nationality", \.nationality, "nationality", hint: "VN")
                Picker(Texts.text("id_kind"), selection: Binding(get: { vm.form.idKind }, set: { vm.form.idKind = $0; tick += 1 })) {
                    Text("CCCD").tag(IdKind?.some(.cccd))
                    Text("CMND").tag(IdKind?.some(.cmnd))
                    Text(Texts.text("passport")).tag(IdKind?.some(.passport))
                }
                field("id_number", \.idNumber, "id_document")
                field("health_insurance", \.healthInsurance, "health_insurance")
            }
            Section(Texts.text("section_contact")) {
                field("phone", \.phone, "phone")
                field("email", \.email, "email")
                SearchPicker(label: "province", chosen: vm.province?.name, error: vm.errorFor("province"), enabled: true,
                             search: vm.units.searchProvinces, name: \.name) { vm.chooseProvince($0); tick += 1 }
                SearchPicker(label: "commune", chosen: vm.commune?.name, error: vm.errorFor("ward"), enabled: vm.province != nil,
                             search: { [province = vm.province] in vm.units.searchCommunes(province: province?.code, $0) },
                             name: \.name) { vm.chooseCommune($0); tick += 1 }
                field("street", \.street, "street")
            }
            Section(Texts.text("section_travel")) {
                if let e = vm.errorFor("travel") { Text(e).foregroundColor(.red) }
                ForEach(Array(vm.form.travel.indices), id: \.self) { i in
                    Picker(Texts.text("travel_mode"), selection: Binding(get: { vm.form.travel[i].mode }, set: { vm.form.travel[i].mode = $0; tick += 1 })) {
                        Text(Texts.text("travel_air")).tag(TravelChoice.air)
                        Text(Texts.text("travel_train")).tag(TravelChoice.train)
                        Text(Texts.text("travel_car")).tag(TravelChoice.car)
                        Text(Texts.text("travel_ship")).tag(TravelChoice.ship)
                        Text(Texts.text("travel_other")).tag(TravelChoice.other)
                    }
                    field("vehicle_number", \.travel[i].vehicleNumber, "travel[\(i)]")
                    field("seat", \.travel[i].seat, "travel[\(i)].seat")
                    field("departure", \.travel[i].departure, "travel[\(i)].departure", hint: "dd/mm/yyyy")
                    field("arrival", \.travel[i].arrival, "travel[\(i)].arrival", hint: "dd/mm/yyyy")
                    field("places", \.travel[i].places, "travel[\(i)].places")
                    Button(Texts.text("remove_journey")) { vm.removeJourney(i); tick += 1 }
                }
                Button(Texts.text("add_journey")) { vm.addJourney(); tick += 1 }
            }
            Section(Texts.text("section_symptoms")) {
                ForEach(SymptomChoice.allCases, id: \.self) { s in
                    Toggle(Texts.text(symptomKey(s)), isOn: Binding(get: { vm.form.symptoms.contains(s) }, set: { _ in vm.toggle(s); tick += 1 }))
                }
            }
            Section(Texts.text("section_exposure")) {
                Toggle(Texts.text("close_contact"), isOn: flag(\.closeContact))
                Toggle(Texts.text("visited_place_with_cases"), isOn: flag(\.visitedPlaceWithCases))
                Toggle(Texts.text("visited_animal_market"), isOn: flag(\.visitedAnimalMarket))
            }
            Section(Texts.text("section_vaccination")) {
                if let e = vm.errorFor("vaccination") { Text(e).foregroundColor(.red) }
                ForEach(Array(vm.form.vaccination.indices), id: \.self) { i in
                    field("dose_date", \.vaccination[i].date, "vaccination[\(i)].date", hint: "dd/mm/yyyy")
                    field("vaccine", \.vaccination[i].vaccine, "vaccination[\(i)].vaccine")
                    Button(Texts.text("remove_dose")) { vm.removeDose(i); tick += 1 }
                }
                Button(Texts.text("add_dose")) { vm.addDose(); tick += 1 }
                field("recovered_on", \.recoveredOn, "recovered_on", hint: "dd/mm/yyyy")
                field("negative_test_on", \.negativeTestOn, "negative_test_on", hint: "dd/mm/yyyy")
                Toggle(Texts.text("on_behalf"), isOn: flag(\.onBehalf))
            }
            Button(Texts.text("submit_declaration")) { onSubmit(); tick += 1 }
            Button(Texts.text("cancel"), action: onCancel)
        }
    }
}

func symptomKey(_ s: SymptomChoice) -> String {
    switch s {
    case .fever: return "symptom_fever"
    case .cough: return "symptom_cough"
    case .breathingDifficulty: return "symptom_breathing_difficulty"
    case .soreThroat: return "symptom_sore_throat"
    case .nauseaVomiting: return "symptom_nausea_vomiting"
    case .diarrhoea: return "symptom_diarrhoea"
    case .skinBleeding: return "symptom_skin_bleeding"
    case .skinRash: return "symptom_skin_rash"
    case .fatigue: return "symptom_fatigue"
    case .lossOfTasteOrSmell: return "symptom_loss_of_taste_or_smell"
    }
}
