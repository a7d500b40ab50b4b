//! The outbox's records, with signed counts.

use super::{int, long};
use khaibao_core::upload::outbox;

/// Counts of queued items by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct OutboxCounts {
    /// Waiting to be sent (including those backing off).
    pub pending: i64,
    /// Sent, answer not settled yet (or the sending process died; resent after the lease).
    pub in_flight: i64,
    /// Delivered receipts still kept (the items themselves are deleted).
    pub delivered: i64,
    /// Refused permanently by the authority.
    pub dead: i64,
}

impl From<outbox::OutboxCounts> for OutboxCounts {
    fn from(c: outbox::OutboxCounts) -> Self {
        Self {
            pending: long(c.pending),
            in_flight: long(c.in_flight),
            delivered: long(c.delivered),
            dead: long(c.dead),
        }
    }
}

/// One item the authority refused.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeadItem {
    pub idempotency_key: Vec<u8>,
    /// The server's reason (a short code), or the HTTP status.
    pub reason: String,
    pub attempts: i32,
}

impl From<outbox::DeadItem> for DeadItem {
    fn from(d: outbox::DeadItem) -> Self {
        Self {
            idempotency_key: d.idempotency_key,
            reason: d.reason,
            attempts: int(d.attempts),
        }
    }
}
