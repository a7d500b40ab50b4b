// The declaration form: every field core's Declaration has, kept as the text the person
// typed, turned into a typed DeclarationInput and validated by core. A number or date that
// does not parse goes to core as an impossible value (0, or the date 0000-00-00), so core
// rejects it with its own field error in Vietnamese and English. Mirrors DeclarationForm.kt.

import Foundation

public struct Day: Equatable { public let year: Int; public let month: Int; public let day: Int
    public init(_ year: Int, _ month: Int, _ day: Int) { self.year = year; self.month = month; self.day = day } }
public enum SexChoice: CaseIterable { case male, female, other }
public enum IdKind: CaseIterable { case cccd, cmnd, passport }
public enum TravelChoice: CaseIterable { case air, train, car, ship, other }
/// Core's symptoms, in the order the form lists them.
public enum SymptomChoice: CaseIterable { case fever, cough, breathingDifficulty, soreThroat, nauseaVomiting, diarrhoea,
                                     skinBleeding, skinRash, fatigue, lossOfTasteOrSmell }

public struct TravelInput: Equatable {
    public var mode: TravelChoice; public var vehicleNumber: String?; public var seat: String?
    public var departure: Day; public var arrival: Day; public var places: [String]
}
public struct DoseInput: Equatable { public var date: Day; public var vaccine: String? }

/// Core's Declaration in the demo's own types (the adapter maps it field by field).
public struct DeclarationInput: Equatable {
    public var fullName: String, birthYear: Int, dateOfBirth: Day?, sex: SexChoice?, nationality: String
    public var idKind: IdKind?, idNumber: String, phone: String, email: String?
    public var province: Int, district: Int?, ward: Int?, street: String, healthInsurance: String?
    public var travel: [TravelInput], symptoms: Set<SymptomChoice>
    public var closeContact: Bool, visitedPlaceWithCases: Bool, visitedAnimalMarket: Bool
    public var vaccination: [DoseInput], recoveredOn: Day?, negativeTestOn: Day?, onBehalf: Bool
}

public struct TravelForm: Equatable {
    public var mode = TravelChoice.car, vehicleNumber = "", seat = "", departure = "", arrival = ""
    /// Places separated by commas.
    public var places = ""
    public init() {}
}
public struct DoseForm: Equatable { public var date = "", vaccine = ""; public init() {} }

/// What the form holds while the person types. Dates are typed as dd/mm/yyyy.
public struct DeclarationForm: Equatable {
    public var fullName = "", birthYear = "", dateOfBirth = "", sex: SexChoice? = nil, nationality = ""
    public var idKind: IdKind? = nil, idNumber = "", phone = "", email = ""
    public var province = "", district = "", ward = "", street = "", healthInsurance = ""
    public var travel: [TravelForm] = [], symptoms: Set<SymptomChoice> = []
    public var closeContact = false, visitedPlaceWithCases = false, visitedAnimalMarket = false
    public var vaccination: [DoseForm] = [], recoveredOn = "", negativeTestOn = "", onBehalf = false
    public init() {}

    public var input: DeclarationInput {
        DeclarationInput(
            fullName: fullName, birthYear: Int(trim(birthYear)) ?? 0, dateOfBirth: optionalDay(dateOfBirth), sex: sex,
            nationality: trim(nationality).uppercased(), idKind: trim(idNumber).isEmpty ? nil : idKind, idNumber: idNumber,
            phone: phone, email: nonBlank(email), province: Int(trim(province)) ?? 0,
            district: optionalNumber(district), ward: optionalNumber(ward), street: street,
            healthInsurance: nonBlank(healthInsurance),
            travel: travel.map { TravelInput(mode: $0.mode, vehicleNumber: nonBlank($0.vehicleNumber), seat: nonBlank($0.seat),
                                             departure: parseDay($0.departure), arrival: parseDay($0.arrival),
                                             places: $0.places.split(separator: ",").map { trim(String($0)) }.filter { !$0.isEmpty }) },
            symptoms: symptoms, closeContact: closeContact, visitedPlaceWithCases: visitedPlaceWithCases,
            visitedAnimalMarket: visitedAnimalMarket,
            vaccination: vaccination.map { DoseInput(date: parseDay($0.date), vaccine: nonBlank($0.vaccine)) },
            recoveredOn: optionalDay(recoveredOn), negativeTestOn: optionalDay(negativeTestOn), onBehalf: onBehalf)
    }
}

/// An impossible date, which core rejects as `date.invalid` on the right field.
public let notADay = Day(0, 0, 0)

private func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }
private func nonBlank(_ s: String) -> String? { trim(s).isEmpty ? nil : s }
private func optionalDay(_ s: String) -> Day? { trim(s).isEmpty ? nil : parseDay(s) }
private func optionalNumber(_ s: String) -> Int? { trim(s).isEmpty ? nil : Int(trim(s)) ?? 0 }

/// dd/mm/yyyy (also with - or .) → Day; anything else → notADay.
public func parseDay(_ text: String) -> Day {
    let n = trim(text).split(whereSeparator: { "/-.".contains($0) }).map { Int(trim(String($0))) }
    guard n.count == 3, let d = n[0], let m = n[1], let y = n[2] else { return notADay }
    return Day(y, m, d)
}

/// The form screen's state holder: the typed form, the chosen language and core's errors.
/// The address's province and commune are chosen from `units` (Units.swift); the form keeps
/// their codes, and no district (there are none since 1 July 2025).
public final class DeclarationFormViewModel {
    public var form = DeclarationForm()
    public private(set) var language: AppLanguage
    public let units: AdministrativeUnits
    private var problems: [FieldProblem] = []
    private let validator: DeclarationValidator

    public init(validator: DeclarationValidator, language: AppLanguage, units: AdministrativeUnits = .none) {
        self.validator = validator; self.language = language; self.units = units
    }

    /// Picks the province; a commune of another province is cleared.
    public func chooseProvince(_ province: Province) {
        if commune?.province != province.code { form.ward = "" }
        form.province = String(province.code)
        form.district = ""
    }

    /// Picks the commune (and so its province).
    public func chooseCommune(_ commune: Commune) {
        form.province = String(commune.province)
        form.district = ""
        form.ward = String(commune.code)
    }

    /// The chosen province, as the picker shows it.
    public var province: Province? { Int(form.province.trimmingCharacters(in: .whitespaces)).flatMap(units.province) }

    /// The chosen commune, as the picker shows it.
    public var commune: Commune? { Int(form.ward.trimmingCharacters(in: .whitespaces)).flatMap(units.commune) }

    public func addJourney() { form.travel.append(TravelForm()) }
    public func removeJourney(_ i: Int) { form.travel.remove(at: i) }
    public func addDose() { form.vaccination.append(DoseForm()) }
    public func removeDose(_ i: Int) { form.vaccination.remove(at: i) }
    public func toggle(_ s: SymptomChoice) { if form.symptoms.contains(s) { form.symptoms.remove(s) } else { form.symptoms.insert(s) } }

    /// Switches language; the errors already shown switch with it (core gave both).
    public func switchLanguage(_ to: AppLanguage) { language = to }

    /// Core's message(s) for a field path, in the chosen language, or nil.
    public func errorFor(_ field: String) -> String? {
        let es = problems.filter { $0.field == field }
        return es.isEmpty ? nil : es.map { $0.message.text(language) }.joined(separator: "\n")
    }

    public var errorFields: [String] { problems.map(\.field).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    /// Validates with core: the declaration when valid, else nil with the errors shown.
    public func submit() -> DeclarationInput? {
        let input = form.input
        problems = validator.validate(input)
        return problems.isEmpty ? input : nil
    }

    /// Shows errors core raised later (for example on check-in).
    public func show(_ fieldErrors: [FieldProblem]) { problems = fieldErrors }
}
