//! The exported records whose core counterparts hold unsigned numbers or Unix seconds: the
//! platforms get signed numbers (Kotlin `Int`/`Long`, Swift `Int32`/`Int64`) and points in
//! time as uniffi's time type (Kotlin `java.time.Instant`, Swift `Date`, Python
//! `datetime`), while core keeps its own idiomatic types. One file per area, each record
//! with its conversion to or from core's; nothing here decides anything.
//!
//! Output conversions cannot fail: counts saturate (none comes near the limits) and times
//! are clamped to what every platform holds (see [`crate::clock::from_unix_seconds`]).
//! Input that does not fit core's type is refused with a typed error (see each `TryFrom`).

mod declaration;
mod diary;
mod exposure;
mod pass;
mod scan;
mod trust;
mod upload;

pub use declaration::{CalendarDate, Declaration, Travel, VaccineDose};
pub use diary::{Visit, VisitEdit};
pub use exposure::ExposureAlert;
pub use pass::{Admission, DailyReport, PassCheck};
pub(crate) use scan::region;
pub use scan::{Region, ScannerStats};
pub use trust::{Keyset, KeysetEntry, RegistryInfo, TrustSync};
pub use upload::{DeadItem, OutboxCounts};

use std::time::SystemTime;

/// A count as the platforms' signed 64-bit integer.
pub(crate) fn long(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A small count or code as the platforms' signed 32-bit integer.
pub(crate) fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Core's Unix seconds as a point in time.
fn time(t: khaibao_core::UnixTime) -> SystemTime {
    crate::clock::from_unix_seconds(t)
}
