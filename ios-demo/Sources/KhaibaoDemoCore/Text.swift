// The keys of every text the view models ask the screens to show: keys of the String Catalog
// (App/Resources/Localizable.xcstrings, Vietnamese and English), the same names as the
// Android demo's string resources. tests/demo/check_strings.py checks both.

import Foundation

/// A text to show: a catalog key and its format arguments.
public struct Message: Equatable {
    public let key: Str
    public let args: [String]
    public init(_ key: Str, _ args: [String] = []) { self.key = key; self.args = args }
}

public enum Str: String, CaseIterable {
    case scan_hint, camera_permission_needed, camera_permission_denied, enter_code_manually
    case announce_venue_read, announce_same_venue, announce_checked_in, announce_checked_out
    case venue_unverified_subtitle, venue_unverified_warning, auto_checkout_at, checked_in_since
    case checked_out_at, still_here
    case category_hospital, category_school, category_office, category_market, category_lodging
    case category_restaurant, category_transport, category_event, category_other
    case outbox_pending, outbox_all_sent, edit_times_invalid, delete_visit_question, announce_visit_deleted
    case exposure_title, exposure_body, recommendation_monitor_symptoms, recommendation_get_tested
    case recommendation_isolate
    case pass_expires_in, pass_registering, pass_status_green, pass_status_yellow, pass_status_red
    case door_entry, door_exit, door_refused, door_report, door_offline, door_status_self_declared
    case door_status_attested
    case onboarding_language, onboarding_stored, onboarding_camera
}

public func categoryKey(_ category: String?) -> Str {
    switch category {
    case "hospital": return .category_hospital
    case "school": return .category_school
    case "office": return .category_office
    case "market": return .category_market
    case "lodging": return .category_lodging
    case "restaurant": return .category_restaurant
    case "transport": return .category_transport
    case "event": return .category_event
    default: return .category_other
    }
}

private let timeFormat: DateFormatter = {
    let f = DateFormatter()
    f.dateFormat = "HH:mm dd/MM/yyyy"
    f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    f.locale = Locale(identifier: "en_US_POSIX")
    return f
}()

/// A Unix time as the screens show it, in Vietnam's time zone.
public func formatTime(_ unixSeconds: Int64) -> String {
    timeFormat.string(from: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
}

/// A time typed as HH:mm dd/MM/yyyy (Vietnam) → Unix seconds.
public func parseTime(_ text: String) -> Int64? {
    timeFormat.date(from: text.trimmingCharacters(in: .whitespaces)).map { Int64($0.timeIntervalSince1970) }
}
