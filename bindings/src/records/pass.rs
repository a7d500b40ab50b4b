//! The door log's records: what staff learn from a pass, the day's figures and a passage
//! upload, with signed counts and times as points in time.

use super::{int, time};
use khaibao_core::declaration::status::HealthStatus;
use khaibao_core::pass::{
    self,
    stafflog::{self, Direction},
};
use std::time::SystemTime;

/// What staff learn from a valid pass.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PassCheck {
    /// The day's pseudonymous id, hex.
    pub pseudonym: String,
    /// The status colour. Self-declared (derived by the person's own app from their own
    /// answers) unless `status_attested`: staff screens must say which.
    pub status: HealthStatus,
    /// Whether the authority vouches for `status`; otherwise the colour is self-declared.
    pub status_attested: bool,
    pub declared_at: SystemTime,
    /// When the pass stops being accepted.
    pub expires_at: SystemTime,
    /// The visitor's name, if they chose to show it.
    pub name: Option<String>,
    /// The pass's nonce, hex: the same pass shown twice has the same nonce.
    pub nonce: String,
    /// Personal data sealed to the authority (opaque to staff).
    pub sealed_personal_data: Vec<u8>,
}

impl From<pass::PassCheck> for PassCheck {
    fn from(c: pass::PassCheck) -> Self {
        Self {
            pseudonym: c.pseudonym,
            status: c.status,
            status_attested: c.status_attested,
            declared_at: time(c.declared_at),
            expires_at: time(c.expires_at),
            name: c.name,
            nonce: c.nonce,
            sealed_personal_data: c.sealed_personal_data,
        }
    }
}

/// The outcome of scanning a pass at the door.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Admission {
    pub check: PassCheck,
    pub direction: Direction,
    pub at: SystemTime,
}

impl From<stafflog::Admission> for Admission {
    fn from(a: stafflog::Admission) -> Self {
        Self {
            check: a.check.into(),
            direction: a.direction,
            at: time(a.at),
        }
    }
}

/// One day's figures.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DailyReport {
    /// Entries in each local hour, 0–23.
    pub entries_per_hour: Vec<i32>,
    /// Different visitors (pseudonyms) that day.
    pub visitors: i32,
    /// People who entered and have not left.
    pub still_inside: i32,
    /// Entries by status colour: green, yellow, red.
    pub by_status: Vec<i32>,
}

impl From<stafflog::DailyReport> for DailyReport {
    fn from(r: stafflog::DailyReport) -> Self {
        Self {
            entries_per_hour: r.entries_per_hour.into_iter().map(int).collect(),
            visitors: int(r.visitors),
            still_inside: int(r.still_inside),
            by_status: r.by_status.into_iter().map(int).collect(),
        }
    }
}
