//! Data extraction ("khai thác dữ liệu") as the health system runs it: a unit or a
//! department requests the declarations of a scope (a venue, or a province) over a date
//! range, giving a reason; an operator entitled to that scope, other than the requester,
//! approves or refuses; the requester then downloads the CSV within
//! [`DOWNLOAD_SECONDS`] of the approval. Every step is written to the audit log
//! ([`crate::audit`]) before it takes effect, and the declarations are opened from their
//! seals only while an approved download runs ([`crate::export`]).
//!
//! Who may do what:
//! * request: any operator whose role covers the scope ([`crate::ops::Role::covers`]);
//! * approve or refuse: the ministry for any scope, a department for its provinces and for
//!   the venues registered on the web portal in them ([`may_decide`]); never the requester;
//! * download: the requester only, while its role still covers the scope.
//!
//! Imports: [`crate::db`], [`crate::ops`], [`crate::audit`], [`crate::export`], and the
//! record kind of [`crate::portal::venue`] (a portal venue's province).

mod workflow;

pub use workflow::{
    ExtractionError, decide, download, extraction, may_decide, request, visible_to,
};

use crate::ops::Scope;
use crate::store::ExtractionRecord;

/// How long after the approval the requester may download the CSV.
pub const DOWNLOAD_SECONDS: i64 = 24 * 3600;

/// The longest date range one request may cover.
pub const MAX_RANGE_SECONDS: i64 = 31 * 86_400;

/// The longest reason accepted.
pub const MAX_REASON: usize = 1000;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Approved,
    Refused,
}

impl State {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "refused" => Some(Self::Refused),
            _ => None,
        }
    }
}

/// One extraction request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extraction {
    pub id: i64,
    pub requester_id: i64,
    pub scope: Scope,
    /// Declared at or after.
    pub since: i64,
    /// Declared before.
    pub until: i64,
    pub reason: String,
    pub requested_at: i64,
    pub state: State,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    /// When approved: the end of the download window.
    pub download_until: Option<i64>,
    pub downloads: i64,
}

impl Extraction {
    fn from_record(r: ExtractionRecord) -> Option<Self> {
        Some(Self {
            id: r.id,
            requester_id: r.requester_id,
            scope: Scope::parse(&r.scope).ok()?,
            since: r.since,
            until: r.until,
            reason: r.reason,
            requested_at: r.requested_at,
            state: State::parse(&r.state)?,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            download_until: r.download_until,
            downloads: r.downloads,
        })
    }
}
