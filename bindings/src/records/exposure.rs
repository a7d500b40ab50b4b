//! The exposures' record: an alert, with the visit's times as points in time.

use super::{long, time};
use khaibao_core::exposure::{self, Recommendation};
use std::time::SystemTime;

/// A visit in the diary that overlaps an exposure window.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ExposureAlert {
    pub visit_id: i64,
    pub venue_id: String,
    pub venue_name: String,
    pub visit_start: SystemTime,
    pub visit_end: SystemTime,
    /// The strongest recommendation among the entries this visit overlaps.
    pub recommendation: Recommendation,
    /// The longest overlap with one of those entries, in seconds.
    pub overlap_seconds: i64,
    /// The list version that raised the alert.
    pub list_version: i64,
}

impl From<exposure::ExposureAlert> for ExposureAlert {
    fn from(a: exposure::ExposureAlert) -> Self {
        Self {
            visit_id: a.visit_id,
            venue_id: a.venue_id,
            venue_name: a.venue_name,
            visit_start: time(a.visit_start),
            visit_end: time(a.visit_end),
            recommendation: a.recommendation,
            overlap_seconds: a.overlap_seconds,
            list_version: long(a.list_version),
        }
    }
}
