//! The declaration form as the platforms fill it in: the same fields as core's
//! [`declaration::Declaration`], with signed numbers (Kotlin `Int`, Swift `Int32`).
//!
//! A number that core's narrower type cannot hold (a negative or huge year of birth,
//! province, district, ward, month or day) becomes 0, which core's validation refuses for
//! each of these fields (years of birth from 1900, unit codes and months and days from 1):
//! the call then fails with `declaration.invalid` naming the field, with its Vietnamese and
//! English message, like any other wrong answer on the form. Nothing is cut to fit.

use khaibao_core::declaration::{self, IdDocument, Sex, Symptom, TravelMode};

/// `v` in core's unsigned type, or 0 (refused by validation) when it does not fit.
fn narrow<T: TryFrom<i32> + Default>(v: i32) -> T {
    T::try_from(v).unwrap_or_default()
}

/// A calendar date (Gregorian), as people write it on forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CalendarDate {
    pub year: i32,
    /// 1–12.
    pub month: i32,
    /// 1–31.
    pub day: i32,
}

impl From<CalendarDate> for declaration::CalendarDate {
    fn from(d: CalendarDate) -> Self {
        Self {
            year: d.year,
            month: narrow(d.month),
            day: narrow(d.day),
        }
    }
}

/// One journey in the last 14 days.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Travel {
    pub mode: TravelMode,
    /// Flight, train, bus or ship number.
    #[uniffi(default = None)]
    pub vehicle_number: Option<String>,
    #[uniffi(default = None)]
    pub seat: Option<String>,
    pub departure: CalendarDate,
    pub arrival: CalendarDate,
    /// Provinces (Vietnamese names or codes) or countries (ISO 3166 alpha-2) visited.
    #[uniffi(default = [])]
    pub places: Vec<String>,
}

impl From<Travel> for declaration::Travel {
    fn from(t: Travel) -> Self {
        Self {
            mode: t.mode,
            vehicle_number: t.vehicle_number,
            seat: t.seat,
            departure: t.departure.into(),
            arrival: t.arrival.into(),
            places: t.places,
        }
    }
}

/// One vaccine dose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VaccineDose {
    pub date: CalendarDate,
    /// The vaccine's name, when known.
    #[uniffi(default = None)]
    pub vaccine: Option<String>,
}

impl From<VaccineDose> for declaration::VaccineDose {
    fn from(v: VaccineDose) -> Self {
        Self {
            date: v.date.into(),
            vaccine: v.vaccine,
        }
    }
}

/// A health declaration as the person fills it in (the fields of `docs/declaration.md`).
/// Optional fields have defaults, so a form fills in only what it asks.
// The form asks yes/no questions; each is its own field, named as on the form.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Declaration {
    // --- Personal ---
    pub full_name: String,
    pub birth_year: i32,
    /// The full date of birth, when the person gives it; its year must match `birth_year`.
    #[uniffi(default = None)]
    pub date_of_birth: Option<CalendarDate>,
    #[uniffi(default = None)]
    pub sex: Option<Sex>,
    /// ISO 3166-1 alpha-2; empty means Vietnam (`VN`).
    #[uniffi(default = "")]
    pub nationality: String,
    #[uniffi(default = None)]
    pub id_document: Option<IdDocument>,
    /// Vietnamese mobile number.
    pub phone: String,
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// Home address: province code (required), district and ward codes, street.
    pub province: i32,
    #[uniffi(default = None)]
    pub district: Option<i32>,
    #[uniffi(default = None)]
    pub ward: Option<i32>,
    #[uniffi(default = "")]
    pub street: String,
    /// Health-insurance card number (BHYT).
    #[uniffi(default = None)]
    pub health_insurance: Option<String>,
    // --- Travel in the last 14 days ---
    #[uniffi(default = [])]
    pub travel: Vec<Travel>,
    // --- Symptoms in the last 14 days ---
    #[uniffi(default = [])]
    pub symptoms: Vec<Symptom>,
    // --- Exposure ---
    /// Close contact (< 2 m) with a confirmed or suspected case.
    #[uniffi(default = false)]
    pub close_contact: bool,
    /// Visited a place with confirmed cases.
    #[uniffi(default = false)]
    pub visited_place_with_cases: bool,
    /// Visited a live-animal market or a farm.
    #[uniffi(default = false)]
    pub visited_animal_market: bool,
    // --- Vaccination and tests ---
    #[uniffi(default = [])]
    pub vaccination: Vec<VaccineDose>,
    /// When the person recovered from a confirmed infection.
    #[uniffi(default = None)]
    pub recovered_on: Option<CalendarDate>,
    /// The date of the latest negative test.
    #[uniffi(default = None)]
    pub negative_test_on: Option<CalendarDate>,
    // --- Who declares ---
    /// Declared by someone else (a parent, a carer) on this person's behalf.
    #[uniffi(default = false)]
    pub on_behalf: bool,
}

impl From<Declaration> for declaration::Declaration {
    fn from(d: Declaration) -> Self {
        Self {
            full_name: d.full_name,
            birth_year: narrow(d.birth_year),
            date_of_birth: d.date_of_birth.map(Into::into),
            sex: d.sex,
            nationality: d.nationality,
            id_document: d.id_document,
            phone: d.phone,
            email: d.email,
            province: narrow(d.province),
            district: d.district.map(narrow),
            ward: d.ward.map(narrow),
            street: d.street,
            health_insurance: d.health_insurance,
            travel: d.travel.into_iter().map(Into::into).collect(),
            symptoms: d.symptoms,
            close_contact: d.close_contact,
            visited_place_with_cases: d.visited_place_with_cases,
            visited_animal_market: d.visited_animal_market,
            vaccination: d.vaccination.into_iter().map(Into::into).collect(),
            recovered_on: d.recovered_on.map(Into::into),
            negative_test_on: d.negative_test_on.map(Into::into),
            on_behalf: d.on_behalf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(birth_year: i32, province: i32, month: i32) -> Declaration {
        Declaration {
            full_name: "Nguyễn Văn An".into(),
            birth_year,
            date_of_birth: None,
            sex: None,
            nationality: String::new(),
            id_document: None,
            phone: "0912345678".into(),
            email: None,
            province,
            district: Some(-3),
            ward: None,
            street: String::new(),
            health_insurance: None,
            travel: vec![],
            symptoms: vec![],
            close_contact: false,
            visited_place_with_cases: false,
            visited_animal_market: false,
            vaccination: vec![VaccineDose {
                date: CalendarDate {
                    year: 2021,
                    month,
                    day: 1,
                },
                vaccine: None,
            }],
            recovered_on: None,
            negative_test_on: None,
            on_behalf: false,
        }
    }

    /// Numbers core's types cannot hold come back as validation errors naming the field.
    #[test]
    fn numbers_that_do_not_fit_are_refused_by_validation() {
        let now = 1_700_000_000;
        for (birth_year, province, month) in [(-1990, -1, -1), (70_000, i32::MAX, 300)] {
            let errors = declaration::validate(&form(birth_year, province, month).into(), now)
                .expect_err("out-of-range numbers must be refused");
            let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
            for code in [
                "birth_year.out_of_range",
                "province.unknown",
                "district.unknown",
            ] {
                assert!(codes.contains(&code), "{code} missing from {codes:?}");
            }
            assert!(
                errors.iter().any(|e| e.field.starts_with("vaccination[0]")),
                "{codes:?}"
            );
            assert!(
                errors
                    .iter()
                    .all(|e| !e.message_vi.is_empty() && !e.message_en.is_empty())
            );
        }
        // In range, the same numbers pass through unchanged.
        let d: declaration::Declaration = form(1990, 1, 5).into();
        assert_eq!((d.birth_year, d.province), (1990, 1));
        assert_eq!(d.vaccination[0].date.month, 5);
    }
}
