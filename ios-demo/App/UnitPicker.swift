// The declaration form's province and commune pickers: the chosen name with a button to
// change it, then a search field (with or without diacritics) and the best matches, each a
// row of the form. The search itself is the view models' (KhaibaoDemoCore's
// AdministrativeUnits); the table is the app's resource Resources/units.tsv.

import Foundation
import KhaibaoDemoCore
import SwiftUI

/// Today's provinces and communes, bundled with the app, read once.
enum AppUnits {
    static let shared: AdministrativeUnits = {
        guard let url = Bundle.main.url(forResource: "units", withExtension: "tsv"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return .none }
        return AdministrativeUnits.parse(text)
    }()
}

/// How many matches the picker lists at once: type more to narrow them.
private let shownMatches = 8

/// A choice from a long list inside a Form; every button is a row of its own.
struct SearchPicker<Item>: View {
    /// The catalog key of the field's label.
    let label: String
    let chosen: String?
    let error: String?
    let enabled: Bool
    let search: (String) -> [Item]
    let name: (Item) -> String
    let onChoose: (Item) -> Void
    @State private var open = false
    @State private var query = ""

    init(label: String, chosen: String?, error: String?, enabled: Bool, search: @escaping (String) -> [Item],
         name: @escaping (Item) -> String, onChoose: @escaping (Item) -> Void) {
        self.label = label; self.chosen = chosen; self.error = error; self.enabled = enabled
        self.search = search; self.name = name; self.onChoose = onChoose
    }

    var body: some View {
        Text(Texts.text(label) + ": " + (chosen ?? Texts.text("not_chosen")))
        if let error { Text(error).foregroundColor(.red).font(.caption) }
        if open {
            TextField(Texts.text("search_units"), text: $query).accessibilityLabel(Texts.text("search_units"))
            ForEach(Array(search(query).prefix(shownMatches).enumerated()), id: \.offset) { _, item in
                Button(name(item)) { onChoose(item); open = false }
            }
            Button(Texts.text("cancel")) { open = false }
        } else if enabled {
            Button(Texts.text("change_choice")) { query = ""; open = true }
                .accessibilityLabel(Texts.text("change_choice") + ", " + Texts.text(label))
        } else {
            Text(Texts.text("choose_province_first")).font(.caption)
        }
    }
}
