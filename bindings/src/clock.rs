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
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// The time `secs` Unix seconds stand for.
pub(crate) fn from_unix_seconds(secs: i64) -> SystemTime {
    let d = std::time::Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
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
