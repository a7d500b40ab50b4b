// The view models name texts by key (KhaibaoDemoCore.Str); these are keys of the String
// Catalog (Resources/Localizable.xcstrings, Vietnamese and English). The app's language is
// the one chosen at onboarding; VoiceOver announcements go through here too.

import Foundation
import KhaibaoDemoCore
import UIKit

enum Texts {
    static var language: AppLanguage {
        UserDefaults.standard.string(forKey: OnboardingViewModel.languageKey) == "en" ? .en : .vi
    }

    private static var bundle: Bundle {
        Bundle.main.path(forResource: language.rawValue, ofType: "lproj").flatMap { Bundle(path: $0) } ?? .main
    }

    /// A catalog key (screen labels use these directly).
    static func text(_ key: String) -> String { bundle.localizedString(forKey: key, value: nil, table: nil) }

    static func text(_ message: Message) -> String {
        let args: [CVarArg] = message.args.map { Str(rawValue: $0).map { text($0.rawValue) } ?? $0 }
        return String(format: text(message.key.rawValue), arguments: args)
    }

    static func text(_ b: Bilingual) -> String { b.text(language) }

    /// Speaks `message` with VoiceOver (e.g. "code read: …").
    static func announce(_ message: Message?) {
        guard let message else { return }
        UIAccessibility.post(notification: .announcement, argument: text(message))
    }
}
