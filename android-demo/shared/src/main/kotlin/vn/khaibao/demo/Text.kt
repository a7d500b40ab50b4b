// The keys of every text the view models ask the screens to show. Each key is a string
// resource name on Android (res/values/strings.xml in Vietnamese, res/values-en/strings.xml
// in English) and a key of the iOS String Catalog; tests/demo/check_strings.py checks that
// every key exists in both languages on both platforms.

package vn.khaibao.demo

enum class Language { VI, EN }

/** A text to show: a resource key and its format arguments. */
data class Message(val key: Str, val args: List<Any> = emptyList())

@Suppress("EnumEntryName", "ktlint:standard:enum-entry-name-case")
enum class Str {
    // Check-in flow
    scan_hint, camera_permission_needed, camera_permission_denied, enter_code_manually,
    announce_venue_read, announce_same_venue, announce_checked_in, announce_checked_out,
    venue_unverified_subtitle, venue_unverified_warning, auto_checkout_at, checked_in_since,
    checked_out_at, still_here,
    // Venue categories
    category_hospital, category_school, category_office, category_market, category_lodging,
    category_restaurant, category_transport, category_event, category_other,
    // Diary
    outbox_pending, outbox_all_sent, edit_times_invalid, delete_visit_question, announce_visit_deleted,
    // Exposure alerts
    exposure_title, exposure_body, recommendation_monitor_symptoms, recommendation_get_tested,
    recommendation_isolate,
    // Personal pass
    pass_expires_in, pass_registering, pass_status_green, pass_status_yellow, pass_status_red,
    // Staff door log
    door_entry, door_exit, door_refused, door_report, door_offline, door_status_self_declared,
    door_status_attested,
    // Onboarding
    onboarding_language, onboarding_stored, onboarding_camera,
}

fun categoryKey(category: String?): Str = when (category) {
    "hospital" -> Str.category_hospital
    "school" -> Str.category_school
    "office" -> Str.category_office
    "market" -> Str.category_market
    "lodging" -> Str.category_lodging
    "restaurant" -> Str.category_restaurant
    "transport" -> Str.category_transport
    "event" -> Str.category_event
    else -> Str.category_other
}
