//! The clock as a foreign trait, so hosts and tests can pin "now" (venue codes' validity
//! windows, declaration ages, check-in times all depend on it).
//!
//! Apps normally use [`crate::Khaibao::open`], which reads the system clock. Tests use
//! [`crate::Khaibao::open_with_clock`] with a clock they control. A foreign clock that throws
//! is a bug in the host; the call that asked for the time fails with
//! `KhaibaoError::Internal` (code `internal.panic`) and the handle stays usable.

use std::sync::Arc;

/// Implemented by the host or a test: the current time in Unix seconds (UTC).
#[uniffi::export(with_foreign)]
pub trait Clock: Send + Sync {
    fn now_unix_seconds(&self) -> i64;
}

/// The system clock.
pub(crate) fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The time source of one handle: the system clock or a foreign one.
#[derive(Clone, Default)]
pub(crate) enum TimeSource {
    #[default]
    System,
    Foreign(Arc<dyn Clock>),
}

impl TimeSource {
    pub(crate) fn now(&self) -> i64 {
        match self {
            Self::System => system_now(),
            Self::Foreign(clock) => clock.now_unix_seconds(),
        }
    }
}
