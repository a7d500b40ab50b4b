//! The health-declaration form: a typed model of the electronic health declaration
//! (tokhaiyte.vn, NCOVI, PC-Covid), its validation ([`validate`]), the derived health status
//! ([`status`]) and the canonical CBOR that is signed and sealed ([`Submission`]).
//!
//! Field names match the table in `docs/declaration.md`. The bindings export a mirror of
//! [`Declaration`] with signed numbers and defaults for the optional fields, so a form can
//! fill in only what it asks.
//!
//! May import: `encoding` only.

use crate::error::FormatError;
mod rules;
pub mod status;
mod wire;

pub use rules::{normalise_phone, validate};
pub use wire::Submission;

use crate::{Error, Result};

/// Declaration payload format version.
pub const FORMAT_VERSION: u64 = 2;

/// A calendar date (Gregorian), as people write it on forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl CalendarDate {
    /// Whether the date exists.
    pub fn is_valid(self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day) && (1900..=9999).contains(&self.year)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The local (Vietnam) calendar date of a Unix time.
    pub fn of(t: crate::UnixTime) -> Self {
        let d = crate::encoding::time::to_local(t, crate::encoding::time::VIETNAM_OFFSET);
        Self {
            year: d.year as i32,
            month: d.month as u8,
            day: d.day as u8,
        }
    }

    pub(crate) fn to_wire(self) -> u64 {
        // yyyymmdd, readable in a hex dump and compact in CBOR.
        (self.year.max(0) as u64) * 10_000 + u64::from(self.month) * 100 + u64::from(self.day)
    }

    pub(crate) fn from_wire(v: u64, field: &'static str) -> Result<Self> {
        let date = Self {
            year: i32::try_from(v / 10_000).map_err(|_| FormatError::InvalidField(field))?,
            month: ((v / 100) % 100) as u8,
            day: (v % 100) as u8,
        };
        if date.is_valid() {
            Ok(date)
        } else {
            Err(Error::Format(FormatError::InvalidField(field)))
        }
    }
}

/// Sex, as the form asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Sex {
    Male,
    Female,
    Other,
}

/// An identity document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum IdDocument {
    /// Căn cước công dân: 12 digits.
    Cccd { number: String },
    /// Chứng minh nhân dân: 9 digits (the older card).
    Cmnd { number: String },
    /// A passport number (Vietnamese or foreign).
    Passport { number: String },
}

/// How someone travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TravelMode {
    Air,
    Train,
    Car,
    Ship,
    Other,
}

/// One journey in the last 14 days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Travel {
    pub mode: TravelMode,
    /// Flight, train, bus or ship number.
    pub vehicle_number: Option<String>,
    pub seat: Option<String>,
    pub departure: CalendarDate,
    pub arrival: CalendarDate,
    /// Provinces (Vietnamese names or codes) or countries (ISO 3166 alpha-2) visited.
    pub places: Vec<String>,
}

/// One vaccine dose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaccineDose {
    pub date: CalendarDate,
    /// The vaccine's name, when known.
    pub vaccine: Option<String>,
}

/// Symptoms asked about for the last 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Symptom {
    Fever,
    Cough,
    BreathingDifficulty,
    SoreThroat,
    NauseaVomiting,
    Diarrhoea,
    SkinBleeding,
    SkinRash,
    Fatigue,
    LossOfTasteOrSmell,
}

impl Symptom {
    pub(crate) const ALL: [Symptom; 10] = [
        Self::Fever,
        Self::Cough,
        Self::BreathingDifficulty,
        Self::SoreThroat,
        Self::NauseaVomiting,
        Self::Diarrhoea,
        Self::SkinBleeding,
        Self::SkinRash,
        Self::Fatigue,
        Self::LossOfTasteOrSmell,
    ];
    pub(crate) fn to_wire(self) -> u64 {
        Self::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |p| p as u64 + 1)
    }
    pub(crate) fn from_wire(v: u64) -> Result<Self> {
        crate::encoding::codec::from_wire(&Self::ALL, Self::to_wire, v, "symptom")
    }
    /// Parses a name made by [`Symptom::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
    /// The English name, as used in exports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fever => "fever",
            Self::Cough => "cough",
            Self::BreathingDifficulty => "breathing difficulty",
            Self::SoreThroat => "sore throat",
            Self::NauseaVomiting => "nausea or vomiting",
            Self::Diarrhoea => "diarrhoea",
            Self::SkinBleeding => "skin bleeding",
            Self::SkinRash => "skin rash",
            Self::Fatigue => "fatigue",
            Self::LossOfTasteOrSmell => "loss of taste or smell",
        }
    }
    /// The Vietnamese name, as on the form.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Fever => "sốt",
            Self::Cough => "ho",
            Self::BreathingDifficulty => "khó thở",
            Self::SoreThroat => "đau họng",
            Self::NauseaVomiting => "buồn nôn, nôn",
            Self::Diarrhoea => "tiêu chảy",
            Self::SkinBleeding => "xuất huyết ngoài da",
            Self::SkinRash => "nổi ban ngoài da",
            Self::Fatigue => "mệt mỏi",
            Self::LossOfTasteOrSmell => "mất vị giác hoặc khứu giác",
        }
    }
}

/// A health declaration as the person fills it in.
// The form asks yes/no questions; each is its own field, named as on the form.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declaration {
    // --- Personal ---
    pub full_name: String,
    pub birth_year: u16,
    /// The full date of birth, when the person gives it; its year must match `birth_year`.
    pub date_of_birth: Option<CalendarDate>,
    pub sex: Option<Sex>,
    /// ISO 3166-1 alpha-2; empty means Vietnam (`VN`).
    pub nationality: String,
    pub id_document: Option<IdDocument>,
    /// Vietnamese mobile number; normalised to `+84…` by [`validate`].
    pub phone: String,
    pub email: Option<String>,
    /// Home address: province code (required), district and ward codes, street.
    pub province: u32,
    pub district: Option<u32>,
    pub ward: Option<u32>,
    pub street: String,
    /// Health-insurance card number (BHYT).
    pub health_insurance: Option<String>,
    // --- Travel in the last 14 days ---
    pub travel: Vec<Travel>,
    // --- Symptoms in the last 14 days ---
    pub symptoms: Vec<Symptom>,
    // --- Exposure ---
    /// Close contact (< 2 m) with a confirmed or suspected case.
    pub close_contact: bool,
    /// Visited a place with confirmed cases.
    pub visited_place_with_cases: bool,
    /// Visited a live-animal market or a farm.
    pub visited_animal_market: bool,
    // --- Vaccination and tests ---
    pub vaccination: Vec<VaccineDose>,
    /// When the person recovered from a confirmed infection.
    pub recovered_on: Option<CalendarDate>,
    /// The date of the latest negative test.
    pub negative_test_on: Option<CalendarDate>,
    // --- Who declares ---
    /// Declared by someone else (a parent, a carer) on this person's behalf.
    pub on_behalf: bool,
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldError {
    /// Field path, e.g. `phone` or `travel[0].arrival`.
    pub field: String,
    /// Stable code, e.g. `phone.not_vietnamese_mobile`.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        assert_eq!(
            CalendarDate {
                year: 1970,
                month: 1,
                day: 1
            }
            .days_since_epoch(),
            0
        );
        assert_eq!(
            CalendarDate {
                year: 2000,
                month: 3,
                day: 1
            }
            .days_since_epoch(),
            11_017
        );
        assert!(
            CalendarDate {
                year: 2024,
                month: 2,
                day: 29
            }
            .is_valid()
        );
        assert!(
            !CalendarDate {
                year: 2023,
                month: 2,
                day: 29
            }
            .is_valid()
        );
        assert!(
            !CalendarDate {
                year: 1900,
                month: 2,
                day: 29
            }
            .is_valid()
        );
        assert!(
            !CalendarDate {
                year: 2021,
                month: 13,
                day: 1
            }
            .is_valid()
        );
        // 2021-07-19T17:00:00Z is already 20 July in Vietnam.
        assert_eq!(
            CalendarDate::of(1_626_714_000),
            CalendarDate {
                year: 2021,
                month: 7,
                day: 20
            }
        );
        let d = CalendarDate {
            year: 2021,
            month: 9,
            day: 2,
        };
        assert_eq!(CalendarDate::from_wire(d.to_wire(), "d").unwrap(), d);
        assert!(CalendarDate::from_wire(20_210_231, "d").is_err());
    }
}
