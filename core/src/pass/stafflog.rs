//! The venue's entry/exit log: what a staff app keeps when it scans personal passes at the
//! door ("kiểm soát vào và ra hằng ngày").
//!
//! Each scan verifies the pass offline ([`crate::pass::verify_pass`]), refuses a pass shown
//! a second time (its nonce is remembered until it expires), and records an entry — or an
//! exit, when that day's pseudonym is already inside. The log holds pseudonyms and status
//! colours only; it never sees a name unless the visitor chose to show it, and it does not
//! store that. A daily report counts entries per hour and people still inside, and the log
//! exports as CSV for the authority.

use crate::declaration::status::HealthStatus;
use crate::encoding::time::{VIETNAM_OFFSET, to_local};
use crate::error::PassError;
use crate::pass::{PassCheck, verify_pass};
use crate::venue::keyset::TrustedKey;
use crate::{Result, UnixTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::fmt::Write as _;
use std::path::Path;

const SCHEMA: &[&str] = &["CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        pseudonym TEXT NOT NULL,
        status INTEGER NOT NULL,
        day INTEGER NOT NULL,
        entered_at INTEGER NOT NULL,
        exited_at INTEGER
    );
    CREATE INDEX passages_inside ON passages(pseudonym, day) WHERE exited_at IS NULL;
    CREATE INDEX passages_day ON passages(day);
    CREATE TABLE seen_passes (
        nonce TEXT NOT NULL,
        pseudonym TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (pseudonym, nonce)
    );"];

/// Whether a scan let someone in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Direction {
    Entry,
    Exit,
}

/// The outcome of scanning a pass at the door.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Admission {
    pub check: PassCheck,
    pub direction: Direction,
    pub at: UnixTime,
}

/// One day's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DailyReport {
    /// Entries in each local hour, 0–23.
    pub entries_per_hour: Vec<u32>,
    /// Different visitors (pseudonyms) that day.
    pub visitors: u32,
    /// People who entered and have not left.
    pub still_inside: u32,
    /// Entries by status colour: green, yellow, red.
    pub by_status: Vec<u32>,
}

fn local_day(t: UnixTime) -> i64 {
    (t + VIETNAM_OFFSET).div_euclid(86_400)
}

/// A venue's log.
pub struct StaffLog {
    conn: Connection,
    authority_keys: Vec<TrustedKey>,
}

impl StaffLog {
    /// Opens (creating) the log at `path`, trusting `authority_keys` for device certificates.
    pub fn open(path: &Path, authority_keys: Vec<TrustedKey>) -> Result<Self> {
        Self::init(Connection::open(path)?, authority_keys)
    }

    /// A log in memory.
    pub fn open_in_memory(authority_keys: Vec<TrustedKey>) -> Result<Self> {
        Self::init(Connection::open_in_memory()?, authority_keys)
    }

    fn init(mut conn: Connection, authority_keys: Vec<TrustedKey>) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        crate::storage::store::migrate(&mut conn, SCHEMA)?;
        Ok(Self {
            conn,
            authority_keys,
        })
    }

    /// Verifies a scanned pass and records an entry or exit at `now`.
    pub fn scan(&mut self, text: &str, now: UnixTime) -> Result<Admission> {
        let pass = verify_pass(text, &self.authority_keys, now)?;
        let day = local_day(now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM seen_passes WHERE expires_at < ?1", [now])?;
        let fresh = tx.execute(
            "INSERT OR IGNORE INTO seen_passes (nonce, pseudonym, expires_at) VALUES (?1, ?2, ?3)",
            params![pass.nonce, pass.pseudonym, pass.expires_at],
        )?;
        if fresh == 0 {
            return Err(PassError::Replayed.into());
        }
        let inside: Option<i64> = tx
            .query_row(
                "SELECT id FROM passages WHERE pseudonym = ?1 AND day = ?2 AND exited_at IS NULL",
                params![pass.pseudonym, day],
                |r| r.get(0),
            )
            .optional()?;
        let direction = if let Some(id) = inside {
            tx.execute(
                "UPDATE passages SET exited_at = ?1 WHERE id = ?2",
                params![now, id],
            )?;
            Direction::Exit
        } else {
            tx.execute(
                "INSERT INTO passages (pseudonym, status, day, entered_at) VALUES (?1, ?2, ?3, ?4)",
                params![pass.pseudonym, pass.status.to_wire() as i64, day, now],
            )?;
            Direction::Entry
        };
        tx.commit()?;
        Ok(Admission {
            check: pass,
            direction,
            at: now,
        })
    }

    /// The report for the local day containing `t`.
    pub fn report(&self, t: UnixTime) -> Result<DailyReport> {
        let day = local_day(t);
        let mut report = DailyReport {
            entries_per_hour: vec![0; 24],
            visitors: 0,
            still_inside: 0,
            by_status: vec![0; 3],
        };
        let mut stmt = self
            .conn
            .prepare("SELECT entered_at, status, exited_at FROM passages WHERE day = ?1")?;
        let rows = stmt.query_map([day], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })?;
        for row in rows {
            let (entered, status, exited) = row?;
            report.entries_per_hour[to_local(entered, VIETNAM_OFFSET).hour as usize] += 1;
            if let Some(slot) = usize::try_from(status - 1)
                .ok()
                .and_then(|i| report.by_status.get_mut(i))
            {
                *slot += 1;
            }
            report.still_inside += u32::from(exited.is_none());
        }
        report.visitors = self.conn.query_row(
            "SELECT COUNT(DISTINCT pseudonym) FROM passages WHERE day = ?1",
            [day],
            |r| r.get(0),
        )?;
        Ok(report)
    }

    /// The day's passages as CSV for the authority: pseudonym, status, entry and exit
    /// (Vietnam local time).
    pub fn export_csv(&self, t: UnixTime) -> Result<String> {
        let mut out = String::from("pseudonym,status,entered_at,exited_at\n");
        let mut stmt = self.conn.prepare(
            "SELECT pseudonym, status, entered_at, exited_at FROM passages WHERE day = ?1 ORDER BY entered_at, id",
        )?;
        let rows = stmt.query_map([local_day(t)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?;
        for row in rows {
            let (pseudonym, status, entered, exited) = row?;
            let status =
                HealthStatus::from_wire(status as u64).map_or("unknown", HealthStatus::name);
            let exited = exited
                .map(crate::encoding::time::format_vietnam)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{pseudonym},{status},{},{exited}",
                crate::encoding::time::format_vietnam(entered)
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::pass::tests::{fixture, pass};

    /// 2021-09-15 08:00 in Vietnam.
    const MORNING: UnixTime = 1_631_667_600;

    #[test]
    fn entry_exit_replay_report_and_export() {
        let f = fixture();
        let mut log = StaffLog::open_in_memory(vec![f.trusted.clone()]).unwrap();
        let first = pass(&f, MORNING, None);
        let a = log.scan(&first, MORNING + 5).unwrap();
        assert_eq!(a.direction, Direction::Entry);
        assert!(
            matches!(
                log.scan(&first, MORNING + 10),
                Err(Error::Pass(PassError::Replayed))
            ),
            "same pass twice"
        );
        let second = pass(&f, MORNING + 3600, None);
        assert_eq!(
            log.scan(&second, MORNING + 3605).unwrap().direction,
            Direction::Exit
        );
        let third = pass(&f, MORNING + 7200, None);
        assert_eq!(
            log.scan(&third, MORNING + 7205).unwrap().direction,
            Direction::Entry
        );

        let other = fixture();
        let mut log2 =
            StaffLog::open_in_memory(vec![f.trusted.clone(), other.trusted.clone()]).unwrap();
        log2.scan(&pass(&f, MORNING, None), MORNING).unwrap();
        log2.scan(&pass(&other, MORNING + 60, None), MORNING + 60)
            .unwrap();
        let r = log2.report(MORNING).unwrap();
        assert_eq!((r.visitors, r.still_inside), (2, 2));
        assert_eq!(r.entries_per_hour[8], 2);
        assert_eq!(r.by_status, vec![2, 0, 0]);

        let r = log.report(MORNING).unwrap();
        assert_eq!((r.visitors, r.still_inside), (1, 1));
        assert_eq!(r.entries_per_hour[8], 1);
        assert_eq!(r.entries_per_hour[10], 1);
        let csv = log.export_csv(MORNING).unwrap();
        let lines: Vec<_> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].ends_with(",green,2021-09-15 08:00,2021-09-15 09:00"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].ends_with(",green,2021-09-15 10:00,"),
            "{}",
            lines[2]
        );
        // A new day is a new log page.
        assert_eq!(log.report(MORNING + 86_400).unwrap().visitors, 0);
    }

    #[test]
    fn unknown_authority_is_refused_and_nothing_is_logged() {
        let f = fixture();
        let stranger = fixture();
        let mut log = StaffLog::open_in_memory(vec![stranger.trusted]).unwrap();
        assert!(matches!(
            log.scan(&pass(&f, MORNING, None), MORNING),
            Err(Error::Pass(PassError::DeviceUncertified))
        ));
        assert_eq!(log.report(MORNING).unwrap().visitors, 0);
    }
}
