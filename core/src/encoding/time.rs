//! Calendar arithmetic on Unix seconds, without a time-zone database.
//!
//! Vietnam keeps UTC+7 all year (no daylight saving), which is all the core needs to place
//! a time on a local calendar day.

use crate::UnixTime;

/// Vietnam's offset from UTC, in seconds.
pub const VIETNAM_OFFSET: i64 = 7 * 3600;

/// A civil date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// The civil date for a count of days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `t` on the calendar of a zone `offset` seconds east of UTC.
pub fn to_local(t: UnixTime, offset: i64) -> DateTime {
    let local = t.saturating_add(offset);
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    DateTime {
        year,
        month,
        day,
        hour: (secs / 3600) as u32,
        minute: (secs % 3600 / 60) as u32,
        second: (secs % 60) as u32,
    }
}

/// `YYYY-MM-DD HH:MM` in Vietnam time.
pub fn format_vietnam(t: UnixTime) -> String {
    let d = to_local(t, VIETNAM_OFFSET);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.year, d.month, d.day, d.hour, d.minute
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_vietnam(0), "1970-01-01 07:00");
        // 2021-07-19T17:00:00Z is midnight in Ho Chi Minh City.
        assert_eq!(format_vietnam(1_626_714_000), "2021-07-20 00:00");
        assert_eq!(
            to_local(951_782_400, 0),
            DateTime {
                year: 2000,
                month: 2,
                day: 29,
                hour: 0,
                minute: 0,
                second: 0
            }
        );
        assert_eq!(to_local(-1, 0).year, 1969);
    }
}
