// The declaration form's state as typed text, its mapping to core's Declaration, and core's
// field errors keyed by field for the form to show. Core validates; this only parses numbers.

import Foundation
#if !KHAIBAO_ONE_MODULE  // the test script compiles everything into one module
import Khaibao
#endif

public enum FormLanguage { case vi, en }

public struct DeclarationFormState: Equatable {
    public var fullName = ""
    public var birthYear = ""
    public var phone = ""
    public var province = ""
    public var symptoms: Set<Symptom> = []
    public var closeContact = false
    public var onBehalf = false

    public init() {}

    /// A number that does not parse becomes 0, which core rejects with its own field error.
    public var declaration: Declaration {
        Declaration(fullName: fullName,
                    birthYear: UInt16(birthYear.trimmingCharacters(in: .whitespaces)) ?? 0,
                    phone: phone,
                    province: UInt32(province.trimmingCharacters(in: .whitespaces)) ?? 0,
                    symptoms: allSymptoms.filter { symptoms.contains($0) },
                    closeContact: closeContact,
                    onBehalf: onBehalf)
    }
}

/// Every symptom in the order the form lists them.
public let allSymptoms: [Symptom] = [.fever, .cough, .breathingDifficulty, .soreThroat,
                                     .nauseaVomiting, .diarrhoea, .skinBleeding, .skinRash,
                                     .fatigue, .lossOfTasteOrSmell]

public final class DeclarationFormModel {
    public var state = DeclarationFormState()
    public private(set) var errors: [String: String] = [:]
    private let language: FormLanguage

    public init(language: FormLanguage = .vi) { self.language = language }

    /// Validates with core: the declaration when valid, else nil with `errors` set.
    public func submit() -> Declaration? {
        let declaration = state.declaration
        show(validateDeclaration(declaration: declaration))
        return errors.isEmpty ? declaration : nil
    }

    /// Shows errors core raised (also later ones, e.g. from check-in).
    public func show(_ fieldErrors: [FieldError]) {
        errors = Dictionary(grouping: fieldErrors, by: \.field).mapValues { es in
            es.map { language == .vi ? $0.messageVi : $0.messageEn }.joined(separator: "\n")
        }
    }
}
