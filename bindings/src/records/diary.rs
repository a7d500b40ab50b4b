//! The diary's records: visits and their corrections, with times as points in time.

use super::time;
use khaibao_core::diary::{self, CheckoutKind};
use std::time::SystemTime;

/// One visit in the diary.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Visit {
    pub id: i64,
    /// Venue id for verified venues; `None` for unverified codes.
    pub venue_id: Option<String>,
    /// Venue name, or the scanned text for unverified codes.
    pub venue_name: String,
    /// Venue address (empty for unverified codes).
    pub address: String,
    /// Whether the venue code's signature verified.
    pub verified: bool,
    pub checked_in_at: SystemTime,
    /// When the visit ended; `None` while it is active.
    pub checked_out_at: Option<SystemTime>,
    /// When the visit ends by itself if nobody checks out.
    pub auto_checkout_at: SystemTime,
    /// How the visit ended, once it has.
    pub checkout: Option<CheckoutKind>,
    /// Whether the citizen edited the times.
    pub edited: bool,
}

impl From<diary::Visit> for Visit {
    fn from(v: diary::Visit) -> Self {
        Self {
            id: v.id,
            venue_id: v.venue_id,
            venue_name: v.venue_name,
            address: v.address,
            verified: v.verified,
            checked_in_at: time(v.checked_in_at),
            checked_out_at: v.checked_out_at.map(time),
            auto_checkout_at: time(v.auto_checkout_at),
            checkout: v.checkout,
            edited: v.edited,
        }
    }
}

/// One correction of a visit's times.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitEdit {
    pub visit_id: i64,
    pub edited_at: SystemTime,
    pub old_checked_in_at: SystemTime,
    pub old_checked_out_at: Option<SystemTime>,
    pub new_checked_in_at: SystemTime,
    pub new_checked_out_at: SystemTime,
}

impl From<diary::VisitEdit> for VisitEdit {
    fn from(e: diary::VisitEdit) -> Self {
        Self {
            visit_id: e.visit_id,
            edited_at: time(e.edited_at),
            old_checked_in_at: time(e.old_checked_in_at),
            old_checked_out_at: e.old_checked_out_at.map(time),
            new_checked_in_at: time(e.new_checked_in_at),
            new_checked_out_at: time(e.new_checked_out_at),
        }
    }
}
