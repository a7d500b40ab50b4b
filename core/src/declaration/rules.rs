//! Validation of the declaration form: every rule, every field, all errors at once.
//!
//! Each error names its field path and a stable code, with messages in Vietnamese and
//! English that describe the rule — never the value the person typed.

use super::{CalendarDate, Declaration, FieldError, IdDocument};
use crate::UnixTime;
use unicode_normalization::UnicodeNormalization;

const MAX_NAME: usize = 100;
const MAX_STREET: usize = 200;
const MAX_TRAVEL: usize = 20;
const MAX_DOSES: usize = 10;
const MAX_PLACES: usize = 20;
/// The travel window the form asks about.
const TRAVEL_WINDOW_DAYS: i64 = 14;

/// Province codes of Vietnam's 63 provinces and centrally governed cities (the national
/// administrative unit codes in use for the health declaration).
const PROVINCES: [u32; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// ISO 3166-1 alpha-2 country codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK \
DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU \
GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY \
MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU \
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code.
pub(crate) fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code)
}

/// Whether `code` is a province code.
pub(crate) fn is_province(code: u32) -> bool {
    PROVINCES.contains(&code)
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, code: &str, vi: &str, en: &str) {
        self.0.push(FieldError {
            field: field.into(),
            code: code.into(),
            message_vi: vi.into(),
            message_en: en.into(),
        });
    }
}

fn clean(text: &str) -> String {
    text.trim().nfc().collect()
}

fn clean_opt(text: Option<&String>) -> Option<String> {
    text.map(|t| clean(t)).filter(|t| !t.is_empty())
}

/// Normalises a Vietnamese mobile number to `+84` and nine digits, or `None`.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+84") {
        rest
    } else if let Some(rest) = digits.strip_prefix("84").filter(|r| r.len() == 9) {
        rest
    } else {
        digits.strip_prefix('0')?
    };
    let valid = national.len() == 9
        && national.bytes().all(|b| b.is_ascii_digit())
        && matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
    valid.then(|| format!("+84{national}"))
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.chars().all(|c| c.is_ascii_graphic())
}

/// BHYT card: two letters, then 13 digits (the 15-character card), or the 10-digit
/// social-insurance code printed on newer cards.
fn valid_health_insurance(number: &str) -> bool {
    let b = number.as_bytes();
    (b.len() == 15
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_digit))
        || (b.len() == 10 && b.iter().all(u8::is_ascii_digit))
}

fn check_id(doc: &IdDocument, errors: &mut Errors) -> IdDocument {
    let digits_only = |n: &str| n.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let all_digits = |n: &str| n.bytes().all(|b| b.is_ascii_digit());
    // The normalised number, whether it is well formed, and the error when it is not.
    let (number, ok, code, vi, en) = match doc {
        IdDocument::Cccd { number } => {
            let n = digits_only(number);
            let ok = n.len() == 12 && all_digits(&n);
            let (vi, en) = (
                "Số CCCD phải gồm 12 chữ số.",
                "A CCCD number has 12 digits.",
            );
            (n, ok, "id_document.cccd_format", vi, en)
        }
        IdDocument::Cmnd { number } => {
            let n = digits_only(number);
            let ok = n.len() == 9 && all_digits(&n);
            let (vi, en) = ("Số CMND phải gồm 9 chữ số.", "A CMND number has 9 digits.");
            (n, ok, "id_document.cmnd_format", vi, en)
        }
        IdDocument::Passport { number } => {
            let n = digits_only(number).to_ascii_uppercase();
            let ok = (6..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric());
            let (vi, en) = (
                "Số hộ chiếu phải gồm 6 đến 20 chữ cái hoặc chữ số.",
                "A passport number has 6 to 20 letters or digits.",
            );
            (n, ok, "id_document.passport_format", vi, en)
        }
    };
    if !ok {
        errors.push("id_document", code, vi, en);
    }
    match doc {
        IdDocument::Cccd { .. } => IdDocument::Cccd { number },
        IdDocument::Cmnd { .. } => IdDocument::Cmnd { number },
        IdDocument::Passport { .. } => IdDocument::Passport { number },
    }
}

fn check_date(date: CalendarDate, field: &str, today: i64, errors: &mut Errors) -> bool {
    if !date.is_valid() {
        errors.push(
            field,
            "date.invalid",
            "Ngày không hợp lệ.",
            "The date does not exist.",
        );
        false
    } else if date.days_since_epoch() > today {
        errors.push(
            field,
            "date.in_future",
            "Ngày không được ở tương lai.",
            "The date cannot be in the future.",
        );
        false
    } else {
        true
    }
}

/// Checks every field and returns the normalised declaration, or all field errors.
/// `now` decides which dates are in the future and what "the last 14 days" means.
pub fn validate(input: &Declaration, now: UnixTime) -> Result<Declaration, Vec<FieldError>> {
    let mut e = Errors(Vec::new());
    let mut out = input.clone();
    let today = CalendarDate::of(now);
    let today_days = today.days_since_epoch();

    out.full_name = clean(&input.full_name);
    if out.full_name.is_empty() {
        e.push(
            "full_name",
            "full_name.required",
            "Vui lòng nhập họ và tên.",
            "Please enter the full name.",
        );
    } else if out.full_name.chars().count() > MAX_NAME
        || out
            .full_name
            .chars()
            .any(|c| c.is_control() || c.is_ascii_digit())
    {
        e.push(
            "full_name",
            "full_name.invalid",
            "Họ và tên không hợp lệ (tối đa 100 ký tự, không chứa chữ số).",
            "The full name is not valid (at most 100 characters, no digits).",
        );
    }

    if !(1900..=today.year).contains(&i32::from(input.birth_year)) {
        e.push(
            "birth_year",
            "birth_year.out_of_range",
            "Năm sinh không hợp lệ.",
            "The year of birth is not valid.",
        );
    }
    if let Some(dob) = input.date_of_birth
        && check_date(dob, "date_of_birth", today_days, &mut e)
        && dob.year != i32::from(input.birth_year)
    {
        e.push(
            "date_of_birth",
            "date_of_birth.year_mismatch",
            "Ngày sinh không khớp với năm sinh.",
            "The date of birth does not match the year of birth.",
        );
    }

    out.nationality = match clean(&input.nationality).to_ascii_uppercase() {
        n if n.is_empty() => "VN".into(),
        n => n,
    };
    if !is_country(&out.nationality) {
        e.push(
            "nationality",
            "nationality.unknown",
            "Quốc tịch không hợp lệ.",
            "The nationality is not a known country code.",
        );
    }

    out.id_document = input.id_document.as_ref().map(|d| check_id(d, &mut e));

    match normalise_phone(&input.phone) {
        Some(p) => out.phone = p,
        None => e.push(
            "phone",
            "phone.not_vietnamese_mobile",
            "Số điện thoại phải là số di động Việt Nam (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
            "The phone must be a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09).",
        ),
    }

    out.email = clean_opt(input.email.as_ref()).map(|m| m.to_lowercase());
    if out.email.as_deref().is_some_and(|m| !valid_email(m)) {
        e.push(
            "email",
            "email.invalid",
            "Địa chỉ email không hợp lệ.",
            "The email address is not valid.",
        );
    }

    if !is_province(input.province) {
        e.push(
            "province",
            "province.unknown",
            "Mã tỉnh/thành phố không hợp lệ.",
            "The province code is not valid.",
        );
    }
    if input.district.is_some_and(|d| !(1..=999).contains(&d)) {
        e.push(
            "district",
            "district.unknown",
            "Mã quận/huyện không hợp lệ.",
            "The district code is not valid.",
        );
    }
    if input.ward.is_some_and(|w| !(1..=99_999).contains(&w)) {
        e.push(
            "ward",
            "ward.unknown",
            "Mã phường/xã không hợp lệ.",
            "The ward code is not valid.",
        );
    }
    out.street = clean(&input.street);
    if out.street.chars().count() > MAX_STREET {
        e.push(
            "street",
            "street.too_long",
            "Địa chỉ quá dài (tối đa 200 ký tự).",
            "The street address is too long (at most 200 characters).",
        );
    }

    out.health_insurance =
        clean_opt(input.health_insurance.as_ref()).map(|h| h.to_ascii_uppercase());
    if out
        .health_insurance
        .as_deref()
        .is_some_and(|h| !valid_health_insurance(h))
    {
        e.push(
            "health_insurance",
            "health_insurance.format",
            "Số thẻ BHYT phải gồm 15 ký tự (2 chữ cái và 13 chữ số) hoặc mã số BHXH 10 chữ số.",
            "A health-insurance number has 15 characters (2 letters, 13 digits) or is a 10-digit social-insurance code.",
        );
    }

    if input.travel.len() > MAX_TRAVEL {
        e.push(
            "travel",
            "travel.too_many",
            "Quá nhiều chuyến đi.",
            "Too many journeys.",
        );
    }
    for (i, (t, o)) in input.travel.iter().zip(out.travel.iter_mut()).enumerate() {
        let dep_ok = check_date(
            t.departure,
            &format!("travel[{i}].departure"),
            today_days,
            &mut e,
        );
        let arr_ok = check_date(
            t.arrival,
            &format!("travel[{i}].arrival"),
            today_days,
            &mut e,
        );
        if dep_ok && arr_ok && t.arrival < t.departure {
            e.push(
                format!("travel[{i}].arrival"),
                "travel.arrival_before_departure",
                "Ngày đến phải sau ngày đi.",
                "Arrival must not be before departure.",
            );
        }
        if arr_ok && t.arrival.days_since_epoch() < today_days - TRAVEL_WINDOW_DAYS {
            e.push(
                format!("travel[{i}].arrival"),
                "travel.outside_window",
                "Chỉ khai các chuyến đi trong 14 ngày qua.",
                "Only journeys in the last 14 days are declared.",
            );
        }
        o.vehicle_number = clean_opt(t.vehicle_number.as_ref()).map(|v| v.to_uppercase());
        o.seat = clean_opt(t.seat.as_ref()).map(|v| v.to_uppercase());
        if o.vehicle_number
            .as_ref()
            .is_some_and(|v| v.chars().count() > 20)
            || o.seat.as_ref().is_some_and(|s| s.chars().count() > 10)
        {
            e.push(
                format!("travel[{i}]"),
                "travel.vehicle_too_long",
                "Số hiệu phương tiện hoặc số ghế quá dài.",
                "The vehicle number or seat is too long.",
            );
        }
        o.places = t
            .places
            .iter()
            .map(|p| clean(p))
            .filter(|p| !p.is_empty())
            .collect();
        if o.places.len() > MAX_PLACES || o.places.iter().any(|p| p.chars().count() > 100) {
            e.push(
                format!("travel[{i}].places"),
                "travel.places_invalid",
                "Danh sách nơi đã đến không hợp lệ.",
                "The list of places is not valid.",
            );
        }
    }

    out.symptoms.sort_by_key(|s| s.to_wire());
    out.symptoms.dedup();

    if input.vaccination.len() > MAX_DOSES {
        e.push(
            "vaccination",
            "vaccination.too_many",
            "Quá nhiều mũi tiêm.",
            "Too many doses.",
        );
    }
    for (i, dose) in input.vaccination.iter().enumerate() {
        check_date(
            dose.date,
            &format!("vaccination[{i}].date"),
            today_days,
            &mut e,
        );
    }
    for dose in &mut out.vaccination {
        dose.vaccine = clean_opt(dose.vaccine.as_ref());
    }
    out.vaccination.sort_by_key(|d| d.date);
    if let Some(d) = input.recovered_on {
        check_date(d, "recovered_on", today_days, &mut e);
    }
    if let Some(d) = input.negative_test_on {
        check_date(d, "negative_test_on", today_days, &mut e);
    }

    if e.0.is_empty() { Ok(out) } else { Err(e.0) }
}

#[cfg(test)]
mod tests;
