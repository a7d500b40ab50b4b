//! The clock as a foreign trait, so hosts and tests can pin "now" (venue codes' validity
//! windows, declaration ages, check-in times all depend on it).
//!
//! Apps normally open the library without a clock and it reads the system clock. Tests use
//! [`crate::KhaibaoLibrary::open`] with a clock they control. A foreign clock that
//! throws is a bug in the host; the call that asked for the time fails with
//! `KhaibaoError::Internal` (code `internal.panic`) and the handle stays usable.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Implemented by the host or a test: the current time (Kotlin `Instant`, Swift `Date`).
#[uniffi::export(with_foreign)]
pub trait KhaibaoClock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// Unix seconds of `t` (negative before 1970).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// The earliest time every platform's time type holds: 0001-01-01T00:00:00Z (Python's
/// `datetime` starts there; Kotlin's `Instant` and Swift's `Date` reach further).
const EARLIEST: i64 = -62_135_596_800;
/// The latest: 9999-12-31T23:59:59Z (Python's `datetime` ends there).
const LATEST: i64 = 253_402_300_799;

/// The time `secs` Unix seconds stand for, clamped to years 1–9999 so that every platform
/// can hold it (a key "valid forever" shows as the end of year 9999).
pub(crate) fn from_unix_seconds(secs: i64) -> SystemTime {
    let secs = secs.clamp(EARLIEST, LATEST);
    let d = std::time::Duration::from_secs(secs.unsigned_abs());
    let t = if secs >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    };
    // Only a platform whose own time type is narrower than years 1-9999 ends up here.
    t.unwrap_or(UNIX_EPOCH)
}

/// The system clock.
pub(crate) fn system_now() -> i64 {
    unix_seconds(SystemTime::now())
}

/// The time source of one handle: the system clock or a foreign one.
#[derive(Clone, Default)]
pub(crate) enum TimeSource {
    #[default]
    System,
    Foreign(Arc<dyn KhaibaoClock>),
}

impl TimeSource {
    pub(crate) fn now(&self) -> i64 {
        match self {
            Self::System => system_now(),
            Self::Foreign(clock) => unix_seconds(clock.now()),
        }
    }
}
