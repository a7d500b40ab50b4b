//! The venue's entry/exit log: what a staff app keeps when it scans personal passes at the
//! door ("kiểm soát vào và ra hằng ngày").
//!
//! Each scan verifies the pass offline ([`crate::pass::verify_pass`]), refuses a pass shown
//! a second time (its nonce is remembered until it expires), and records an entry — or an
//! exit, when that day's pseudonym is already inside. The log holds pseudonyms, status
//! colours and, for each entry, the pass's personal data **sealed to the authority** with
//! the nonce it is bound to: staff can read none of it (it never sees a name unless the
//! visitor chose to show it, and it does not store that), but the authority can open it
//! when it traces contacts. Rows are kept for [`RETENTION_DAYS`].
//!
//! A daily report counts entries per hour and people still inside; the log exports as CSV
//! (sealed data included) and hands its complete passages to the staff device's outbox
//! ([`StaffLog::queue_uploads`], items of kind [`ItemKind::StaffPassage`], body
//! [`PassageUpload`]), which sends them to the ingest endpoint every phone uploads
//! declarations to, where only the authority's sealing key opens them.

use crate::declaration::status::HealthStatus;
use crate::encoding::codec::{
    MapBuilder, MapReader, base64url_encode, from_cbor, hex, to_cbor, unhex,
};
use crate::encoding::time::{VIETNAM_OFFSET, to_local};
use crate::error::{FormatError, PassError};
use crate::pass::{PassCheck, verify_pass};
use crate::storage::store::Store;
use crate::upload::outbox::{self, NewItem, new_idempotency_key};
use crate::upload::protocol::{self, ItemKind};
use crate::venue::keyset::TrustedKey;
use crate::{Result, UnixTime};
use ciborium::Value;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::fmt::Write as _;
use std::path::Path;

const SCHEMA: &[&str] = &[
    "CREATE TABLE passages (
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
    );",
    // v2: the entry pass's sealed personal data and nonce (its AAD), and the upload state.
    "ALTER TABLE passages ADD COLUMN nonce TEXT;
    ALTER TABLE passages ADD COLUMN sealed BLOB;
    ALTER TABLE passages ADD COLUMN upload_key BLOB;
    ALTER TABLE passages ADD COLUMN uploaded_at INTEGER;
    ALTER TABLE passages ADD COLUMN upload_error TEXT;",
    // v3: when a passage was handed to the device's outbox (which sends it from there).
    "ALTER TABLE passages ADD COLUMN queued_at INTEGER;",
];

/// Days of door log kept: the diary's retention (14 days of tracing plus a week).
pub const RETENTION_DAYS: i64 = 21;

/// A door-log passage as uploaded to the authority: the body of an ingest item of kind
/// [`ItemKind::StaffPassage`], CBOR `{1: venue id (16 bytes), 2: pseudonym (16 bytes),
/// 3: nonce (8 bytes), 4: sealed personal data, 5: status, 6: entered at, 7: exited at}`.
/// The sealed data opens with the authority's sealing key under
/// [`crate::pass::PASS_INFO`] and [`PassageUpload::aad`], as the pass's did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageUpload {
    /// The venue whose door the log keeps, lowercase hex.
    pub venue_id: String,
    /// The day's pseudonym, hex.
    pub pseudonym: String,
    /// The entry pass's nonce, hex.
    pub nonce: String,
    pub sealed_personal_data: Vec<u8>,
    pub status: HealthStatus,
    pub entered_at: UnixTime,
    pub exited_at: Option<UnixTime>,
}

impl PassageUpload {
    /// The AAD the personal data was sealed with: pseudonym then nonce.
    pub fn aad(&self) -> Result<Vec<u8>> {
        let mut aad = unhex(&self.pseudonym, 16)?;
        aad.extend(unhex(&self.nonce, 8)?);
        Ok(aad)
    }

    /// The ingest item body.
    pub fn to_cbor(&self) -> Result<Vec<u8>> {
        to_cbor(
            &MapBuilder::new()
                .put(1, Value::Bytes(unhex(&self.venue_id, 16)?))
                .put(2, Value::Bytes(unhex(&self.pseudonym, 16)?))
                .put(3, Value::Bytes(unhex(&self.nonce, 8)?))
                .put(4, Value::Bytes(self.sealed_personal_data.clone()))
                .put(5, self.status.to_wire())
                .put(6, self.entered_at)
                .put_opt(7, self.exited_at)
                .build(),
        )
    }

    /// Reads an ingest item body.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        let mut r = MapReader::new(from_cbor(bytes)?, "passage")?;
        let fixed = |r: &mut MapReader, key, field, len| -> Result<String> {
            let b = r.bytes(key, field, len)?;
            if b.len() != len {
                return Err(FormatError::InvalidField(field).into());
            }
            Ok(hex(&b))
        };
        let p = Self {
            venue_id: fixed(&mut r, 1, "venue id", 16)?,
            pseudonym: fixed(&mut r, 2, "pseudonym", 16)?,
            nonce: fixed(&mut r, 3, "nonce", 8)?,
            sealed_personal_data: r.bytes(4, "sealed data", 8192)?,
            status: HealthStatus::from_wire(r.u64(5, "status")?)?,
            entered_at: r.i64(6, "entered at")?,
            exited_at: r.opt_i64(7, "exited at")?,
        };
        if !r.is_empty() {
            return Err(FormatError::Malformed("passage").into());
        }
        Ok(p)
    }
}

/// Whether a scan let someone in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Direction {
    Entry,
    Exit,
}

/// The outcome of scanning a pass at the door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub check: PassCheck,
    pub direction: Direction,
    pub at: UnixTime,
}

/// One day's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// Verifies a scanned pass and records an entry or exit at `now`. Passages older than
    /// [`RETENTION_DAYS`] are deleted on the way.
    pub fn scan(&mut self, text: &str, now: UnixTime) -> Result<Admission> {
        let pass = verify_pass(text, &self.authority_keys, now)?;
        let day = local_day(now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM seen_passes WHERE expires_at < ?1", [now])?;
        tx.execute(
            "DELETE FROM passages WHERE day < ?1",
            [day - RETENTION_DAYS],
        )?;
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
                "INSERT INTO passages (pseudonym, status, day, entered_at, nonce, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    pass.pseudonym,
                    pass.status.to_wire() as i64,
                    day,
                    now,
                    pass.nonce,
                    pass.sealed_personal_data
                ],
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
    /// (Vietnam local time), the entry pass's nonce and its personal data sealed to the
    /// authority (base64url; opaque to the venue).
    pub fn export_csv(&self, t: UnixTime) -> Result<String> {
        let mut out = String::from("pseudonym,status,entered_at,exited_at,nonce,sealed\n");
        let mut stmt = self.conn.prepare(
            "SELECT pseudonym, status, entered_at, exited_at, nonce, sealed FROM passages WHERE day = ?1 ORDER BY entered_at, id",
        )?;
        let rows = stmt.query_map([local_day(t)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<Vec<u8>>>(5)?,
            ))
        })?;
        for row in rows {
            let (pseudonym, status, entered, exited, nonce, sealed) = row?;
            let status =
                HealthStatus::from_wire(status as u64).map_or("unknown", HealthStatus::name);
            let exited = exited
                .map(crate::encoding::time::format_vietnam)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{pseudonym},{status},{},{exited},{},{}",
                crate::encoding::time::format_vietnam(entered),
                nonce.unwrap_or_default(),
                sealed.map(|s| base64url_encode(&s)).unwrap_or_default()
            );
        }
        Ok(out)
    }

    /// The passages not yet handed to the outbox that are complete: the visitor has left, or their
    /// day is over (before the local day of `now`).
    fn pending_uploads(&self, venue_id: &str, now: UnixTime) -> Result<Vec<(i64, PassageUpload)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, pseudonym, nonce, sealed, status, entered_at, exited_at FROM passages
             WHERE queued_at IS NULL AND uploaded_at IS NULL AND upload_error IS NULL
               AND sealed IS NOT NULL
               AND (exited_at IS NOT NULL OR day < ?1)
             ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![local_day(now), protocol::MAX_BATCH as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, pseudonym, nonce, sealed, status, entered_at, exited_at) = row?;
            out.push((
                id,
                PassageUpload {
                    venue_id: venue_id.to_owned(),
                    pseudonym,
                    nonce,
                    sealed_personal_data: sealed,
                    status: HealthStatus::from_wire(status as u64)?,
                    entered_at,
                    exited_at,
                },
            ));
        }
        Ok(out)
    }

    /// Hands the complete passages not yet handed over (see `pending_uploads`) to the
    /// outbox of `store` (the staff device's own database), as ingest items of kind
    /// [`ItemKind::StaffPassage`] for the venue `venue_id` (hex), and returns how many were
    /// queued. From there the outbox sends them with the device's declarations: same
    /// endpoint, backoff, `Retry-After`, receipts and dead items.
    ///
    /// Exactly once: each passage's idempotency key is made and kept here before it is
    /// queued, and marked handed over only after the outbox has it. A crash in between
    /// queues the same key again, which the outbox ignores (still queued, or delivered
    /// recently) and the authority answers as a duplicate otherwise.
    pub fn queue_uploads(
        &mut self,
        store: &mut Store,
        venue_id: &str,
        now: UnixTime,
    ) -> Result<u64> {
        unhex(venue_id, 16)?;
        let mut queued = 0u64;
        loop {
            let pending = self.pending_uploads(venue_id, now)?;
            if pending.is_empty() {
                return Ok(queued);
            }
            let mut items = Vec::with_capacity(pending.len());
            let tx = self.conn.transaction()?;
            for (id, passage) in &pending {
                let existing: Option<Vec<u8>> =
                    tx.query_row("SELECT upload_key FROM passages WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })?;
                let key = if let Some(Ok(k)) = existing.as_deref().map(<[u8; 16]>::try_from) {
                    k
                } else {
                    let k = new_idempotency_key()?;
                    tx.execute(
                        "UPDATE passages SET upload_key = ?1 WHERE id = ?2",
                        params![k.as_slice(), id],
                    )?;
                    k
                };
                items.push(NewItem {
                    idempotency_key: key,
                    kind: ItemKind::StaffPassage,
                    body: passage.to_cbor()?,
                });
            }
            tx.commit()?;
            queued += outbox::enqueue(store, &items, now)?;
            let tx = self.conn.transaction()?;
            for (id, _) in &pending {
                tx.execute(
                    "UPDATE passages SET queued_at = ?1 WHERE id = ?2",
                    params![now, id],
                )?;
            }
            tx.commit()?;
        }
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
        assert_eq!(
            lines[0],
            "pseudonym,status,entered_at,exited_at,nonce,sealed"
        );
        assert!(
            lines[1].contains(",green,2021-09-15 08:00,2021-09-15 09:00,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].contains(",green,2021-09-15 10:00,,"),
            "{}",
            lines[2]
        );
        // Each entry carries its pass's nonce and sealed data, which the authority opens.
        let cells: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(cells[4], a.check.nonce);
        let sealed = crate::encoding::codec::base64url_decode(cells[5]).unwrap();
        assert_eq!(sealed, a.check.sealed_personal_data);
        let mut aad = crate::encoding::codec::unhex(cells[0], 16).unwrap();
        aad.extend(crate::encoding::codec::unhex(cells[4], 8).unwrap());
        assert_eq!(
            f.sealing
                .open(crate::pass::PASS_INFO, &aad, &sealed)
                .unwrap(),
            "Nguyễn Văn An, 001090012345".as_bytes()
        );
        // A new day is a new log page.
        assert_eq!(log.report(MORNING + 86_400).unwrap().visitors, 0);
    }

    #[test]
    fn complete_passages_are_queued_once_even_after_a_crash() {
        let f = fixture();
        let mut log = StaffLog::open_in_memory(vec![f.trusted.clone()]).unwrap();
        let mut device = crate::test_support::store_in_memory(MORNING);
        let venue = "00112233445566778899aabbccddeeff";
        log.scan(&pass(&f, MORNING, None), MORNING).unwrap();
        let other = fixture();
        let mut log2 = StaffLog::open_in_memory(vec![other.trusted.clone()]).unwrap();
        log2.scan(&pass(&other, MORNING, None), MORNING).unwrap();
        // Still inside: nothing to send yet.
        assert_eq!(log.queue_uploads(&mut device, venue, MORNING).unwrap(), 0);
        assert!(log.queue_uploads(&mut device, "not hex", MORNING).is_err());
        log.scan(&pass(&f, MORNING + 60, None), MORNING + 60)
            .unwrap();
        assert_eq!(
            log.queue_uploads(&mut device, venue, MORNING + 60).unwrap(),
            1
        );
        assert_eq!(crate::upload::outbox::counts(&device).unwrap().pending, 1);
        // A crash after the outbox took it, before the log marked it: queued again under
        // the same key, the outbox keeps one.
        log.conn
            .execute("UPDATE passages SET queued_at = NULL", [])
            .unwrap();
        assert_eq!(
            log.queue_uploads(&mut device, venue, MORNING + 120)
                .unwrap(),
            0
        );
        assert_eq!(crate::upload::outbox::counts(&device).unwrap().pending, 1);
        // A visitor who never scanned out is sent once their day is over.
        assert_eq!(
            log2.queue_uploads(&mut device, venue, MORNING + 86_400)
                .unwrap(),
            1
        );
        assert_eq!(crate::upload::outbox::counts(&device).unwrap().pending, 2);
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
