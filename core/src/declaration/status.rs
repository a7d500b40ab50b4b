//! The derived health status (green / yellow / red) shown on the personal pass.
//!
//! The rules are data, not code: [`StatusRules`] holds every threshold, has the published
//! defaults, and travels as a small CBOR map so a province can ship its own.

use super::{CalendarDate, Declaration};
use crate::encoding::codec::{self, MapBuilder, MapReader, from_cbor, to_cbor};
use crate::error::FormatError;
use crate::{Error, Result, UnixTime};

/// The colour on the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HealthStatus {
    Green,
    Yellow,
    Red,
}

impl HealthStatus {
    const ALL: [HealthStatus; 3] = [Self::Green, Self::Yellow, Self::Red];
    pub(crate) fn to_wire(self) -> u64 {
        match self {
            Self::Green => 1,
            Self::Yellow => 2,
            Self::Red => 3,
        }
    }
    pub(crate) fn from_wire(v: u64) -> Result<Self> {
        codec::from_wire(&Self::ALL, Self::to_wire, v, "health status")
    }
    /// Lowercase English name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }
}

/// Thresholds that decide the status. Red wins over green, green over yellow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRules {
    /// Any symptom in the last 14 days makes the status red.
    pub red_on_symptoms: bool,
    /// A close contact makes the status red.
    pub red_on_close_contact: bool,
    /// Green: at least this many doses …
    pub green_min_doses: u32,
    /// … the last one at least this many days ago.
    pub green_days_after_last_dose: u32,
    /// Green: recovered within this many days.
    pub green_recovered_within_days: u32,
    /// Yellow: at least this many doses, the last one `yellow_days_after_last_dose` ago.
    pub yellow_min_doses: u32,
    pub yellow_days_after_last_dose: u32,
    /// Yellow: a negative test within this many days.
    pub yellow_negative_test_within_days: u32,
    /// The status when no rule applies.
    pub otherwise: HealthStatus,
}

impl Default for StatusRules {
    /// The published national rules.
    fn default() -> Self {
        Self {
            red_on_symptoms: true,
            red_on_close_contact: true,
            green_min_doses: 2,
            green_days_after_last_dose: 14,
            green_recovered_within_days: 180,
            yellow_min_doses: 1,
            yellow_days_after_last_dose: 14,
            yellow_negative_test_within_days: 3,
            otherwise: HealthStatus::Yellow,
        }
    }
}

impl StatusRules {
    /// CBOR form, for shipping rules as data.
    pub fn to_cbor(&self) -> Result<Vec<u8>> {
        to_cbor(
            &MapBuilder::new()
                .put(1, self.red_on_symptoms)
                .put(2, self.red_on_close_contact)
                .put(3, u64::from(self.green_min_doses))
                .put(4, u64::from(self.green_days_after_last_dose))
                .put(5, u64::from(self.green_recovered_within_days))
                .put(6, u64::from(self.yellow_min_doses))
                .put(7, u64::from(self.yellow_days_after_last_dose))
                .put(8, u64::from(self.yellow_negative_test_within_days))
                .put(9, self.otherwise.to_wire())
                .build(),
        )
    }

    /// Parses rules; a missing key keeps the national default.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        let mut rules = Self::default();
        let mut r = MapReader::new(from_cbor(bytes)?, "status rules")?;
        for (key, field, slot) in [
            (1, "red on symptoms", &mut rules.red_on_symptoms),
            (2, "red on close contact", &mut rules.red_on_close_contact),
        ] {
            if let Some(v) = r.opt_bool(key, field)? {
                *slot = v;
            }
        }
        for (key, field, slot) in [
            (3, "green doses", &mut rules.green_min_doses),
            (4, "green days", &mut rules.green_days_after_last_dose),
            (5, "recovered days", &mut rules.green_recovered_within_days),
            (6, "yellow doses", &mut rules.yellow_min_doses),
            (7, "yellow days", &mut rules.yellow_days_after_last_dose),
            (8, "test days", &mut rules.yellow_negative_test_within_days),
        ] {
            if let Some(v) = r.opt_u64(key, field)? {
                *slot = days(v, field)?;
            }
        }
        if let Some(v) = r.opt_u64(9, "otherwise")? {
            rules.otherwise = HealthStatus::from_wire(v)?;
        }
        Ok(rules)
    }
}

/// A count of days (or doses): at most ten years.
fn days(v: u64, field: &'static str) -> Result<u32> {
    u32::try_from(v)
        .ok()
        .filter(|x| *x <= 3650)
        .ok_or(Error::Format(FormatError::InvalidField(field)))
}

/// The status of a (validated) declaration at time `now` under `rules`.
pub fn derive_status(d: &Declaration, rules: &StatusRules, now: UnixTime) -> HealthStatus {
    let today = CalendarDate::of(now).days_since_epoch();
    let days_since = |date: CalendarDate| today - date.days_since_epoch();
    if (rules.red_on_symptoms && !d.symptoms.is_empty())
        || (rules.red_on_close_contact && d.close_contact)
    {
        return HealthStatus::Red;
    }
    let doses = d.vaccination.len() as u32;
    let last_dose = d.vaccination.iter().map(|v| v.date).max().map(days_since);
    let doses_ok = |min: u32, after: u32| {
        min > 0 && doses >= min && last_dose.is_some_and(|s| s >= i64::from(after))
    };
    let within = |date: Option<CalendarDate>, days: u32| {
        date.map(days_since)
            .is_some_and(|s| (0..=i64::from(days)).contains(&s))
    };
    let recovered = within(d.recovered_on, rules.green_recovered_within_days);
    if doses_ok(rules.green_min_doses, rules.green_days_after_last_dose) || recovered {
        return HealthStatus::Green;
    }
    let tested = within(d.negative_test_on, rules.yellow_negative_test_within_days);
    if doses_ok(rules.yellow_min_doses, rules.yellow_days_after_last_dose) || tested {
        return HealthStatus::Yellow;
    }
    rules.otherwise
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declaration::{Symptom, VaccineDose};

    /// 2021-10-01, noon in Vietnam.
    const NOW: UnixTime = 1_633_064_400;

    fn date(month: u8, day: u8) -> CalendarDate {
        CalendarDate {
            year: 2021,
            month,
            day,
        }
    }

    fn with_doses(dates: &[CalendarDate]) -> Declaration {
        Declaration {
            vaccination: dates
                .iter()
                .map(|&date| VaccineDose {
                    date,
                    vaccine: None,
                })
                .collect(),
            ..Declaration::default()
        }
    }

    #[test]
    fn published_rules() {
        let r = StatusRules::default();
        let st = |d: &Declaration| derive_status(d, &r, NOW);
        assert_eq!(
            st(&with_doses(&[date(7, 1), date(9, 17)])),
            HealthStatus::Green,
            "two doses, 14 days"
        );
        assert_eq!(
            st(&with_doses(&[date(7, 1), date(9, 18)])),
            HealthStatus::Yellow,
            "second dose 13 days ago: one dose counts"
        );
        assert_eq!(
            st(&with_doses(&[date(9, 17)])),
            HealthStatus::Yellow,
            "one dose plus 14 days"
        );
        assert_eq!(
            st(&with_doses(&[date(9, 25)])),
            r.otherwise,
            "one fresh dose"
        );
        let recovered = Declaration {
            recovered_on: Some(date(5, 1)),
            ..Declaration::default()
        };
        assert_eq!(
            st(&recovered),
            HealthStatus::Green,
            "recovered 153 days ago"
        );
        let long_ago = Declaration {
            recovered_on: Some(CalendarDate {
                year: 2021,
                month: 3,
                day: 1,
            }),
            ..Declaration::default()
        };
        assert_eq!(st(&long_ago), r.otherwise, "recovered 214 days ago");
        let tested = Declaration {
            negative_test_on: Some(date(9, 29)),
            ..Declaration::default()
        };
        assert_eq!(st(&tested), HealthStatus::Yellow);
        let old_test = Declaration {
            negative_test_on: Some(date(9, 20)),
            ..Declaration::default()
        };
        assert_eq!(st(&old_test), r.otherwise);
        let mut sick = with_doses(&[date(1, 1), date(2, 1)]);
        sick.symptoms = vec![Symptom::Fever];
        assert_eq!(st(&sick), HealthStatus::Red, "symptoms beat vaccination");
        let contact = Declaration {
            close_contact: true,
            ..with_doses(&[date(1, 1), date(2, 1)])
        };
        assert_eq!(st(&contact), HealthStatus::Red);
    }

    #[test]
    fn a_province_can_change_the_rules_as_data() {
        let strict = StatusRules {
            green_min_doses: 3,
            otherwise: HealthStatus::Red,
            ..StatusRules::default()
        };
        let parsed = StatusRules::from_cbor(&strict.to_cbor().unwrap()).unwrap();
        assert_eq!(parsed, strict);
        let two = with_doses(&[date(7, 1), date(8, 1)]);
        assert_eq!(derive_status(&two, &parsed, NOW), HealthStatus::Yellow);
        assert_eq!(
            derive_status(&Declaration::default(), &parsed, NOW),
            HealthStatus::Red
        );
        let lenient = StatusRules {
            red_on_symptoms: false,
            ..StatusRules::default()
        };
        let sick = Declaration {
            symptoms: vec![Symptom::Cough],
            ..with_doses(&[date(1, 1), date(2, 1)])
        };
        assert_eq!(derive_status(&sick, &lenient, NOW), HealthStatus::Green);
        assert!(
            StatusRules::from_cbor(&[0xa1, 0x03, 0x1a, 0xff, 0xff, 0xff, 0xff]).is_err(),
            "absurd threshold"
        );
    }
}
