//! The citizen's own check-in history and its state machine.
//!
//! A check-in is one row in `visits`; the venue's id, name and address are sealed under the
//! key of the check-in's local day (see [`crate::storage::vault`]), with the row id and day in the
//! AAD. Only times and flags are in the clear. Every call takes `now` from the caller, so
//! the clock is injected.
//!
//! Transitions (each one applied inside one IMMEDIATE transaction):
//! * **settle** — before anything else, an active visit whose automatic check-out time has
//!   passed is closed at that time ([`CheckoutKind::Auto`]).
//! * **check in, nothing active** — a new visit, with its automatic check-out time
//!   ([`auto_checkout_at`]).
//! * **rescan of the same venue while inside** — the active visit is extended (its automatic
//!   check-out is recomputed from the rescan), never duplicated.
//! * **scan of another venue** — the previous visit is closed at the scan time
//!   ([`CheckoutKind::NextScan`]) and a new one starts.
//! * **clock went backwards** — a scan earlier than the active visit's check-in (the phone's
//!   clock was wrong, ahead or corrected back) closes that visit at its own check-in time
//!   ([`CheckoutKind::ClockCorrected`]), so the diary never holds a negative interval, and
//!   the scan starts a new visit.
//! * **check out** — closes the active visit at `now` (never before its check-in).
//! * **edit** — a visit's times may be corrected afterwards within its local day; each edit
//!   is kept in `visit_edits` ([`edits`]).
//! * **delete** — the citizen removes a visit, its edits and its declaration copy
//!   ([`delete_visit`]).
//!
//! When the check-in comes with a sealed declaration, its outbox row (and, with
//! [`check_in_declared`], the citizen's own sealed copy of the declaration) is written in
//! the same transaction, so either all are stored or none is.
//!
//! The use case that puts a check-in and its declaration together is [`checkin`]; the
//! citizen's own export of the diary is in [`export`].
//!
//! May import: `encoding`, `declaration`, `seal`, `storage`, `upload` (the outbox row
//! written with a check-in) and `venue`.

use crate::error::StorageError;
pub(crate) mod error;
pub use error::DiaryError;

pub mod checkin;
pub mod export;

use crate::encoding::codec::{MapBuilder, MapReader, from_cbor, to_cbor};
use crate::storage::store::{DayCiphers, Store, query_all};
use crate::storage::vault::{self, Cipher, day_start, field_aad, local_day};
use crate::upload::outbox::{self, NewItem};
use crate::venue::ScannedVenue;
use crate::{Error, Result, UnixTime};
use rusqlite::{Connection, OptionalExtension, params};

/// Automatic check-out times are multiples of this (15 minutes).
pub const CHECKOUT_STEP: i64 = 15 * 60;
/// Latest automatic check-out, as seconds after local midnight (23:45).
pub const LATEST_CHECKOUT: i64 = 23 * 3600 + 45 * 60;
/// Stay assumed for unverified codes, which carry no default stay.
pub const UNVERIFIED_STAY_MINUTES: u32 = 60;

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CheckoutKind {
    /// The citizen checked out.
    Explicit,
    /// The automatic check-out time passed.
    Auto,
    /// Another venue was scanned.
    NextScan,
    /// A later scan carried an earlier time: the phone's clock had been wrong.
    ClockCorrected,
    /// The citizen set the end time by editing the visit.
    Edited,
}

impl CheckoutKind {
    const ALL: [Self; 5] = [
        Self::Explicit,
        Self::Auto,
        Self::NextScan,
        Self::ClockCorrected,
        Self::Edited,
    ];
    /// The stable name stored in the database and used in exports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Explicit => "explicit",
            Self::Auto => "auto",
            Self::NextScan => "next_scan",
            Self::ClockCorrected => "clock_corrected",
            Self::Edited => "edited",
        }
    }
    fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// One visit in the diary.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub checked_in_at: UnixTime,
    /// When the visit ended; `None` while it is active.
    pub checked_out_at: Option<UnixTime>,
    /// When the visit ends by itself if nobody checks out.
    pub auto_checkout_at: UnixTime,
    /// How the visit ended, once it has.
    pub checkout: Option<CheckoutKind>,
    /// Whether the citizen edited the times.
    pub edited: bool,
}

impl Visit {
    /// The end of the visit as known at `now`: its check-out, or for an active visit the
    /// earlier of `now` and its automatic check-out (never before its check-in).
    pub fn end_at(&self, now: UnixTime) -> UnixTime {
        self.checked_out_at
            .unwrap_or_else(|| now.min(self.auto_checkout_at))
            .max(self.checked_in_at)
    }
}

/// One correction of a visit's times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitEdit {
    pub visit_id: i64,
    pub edited_at: UnixTime,
    pub old_checked_in_at: UnixTime,
    pub old_checked_out_at: Option<UnixTime>,
    pub new_checked_in_at: UnixTime,
    pub new_checked_out_at: UnixTime,
}

/// When a visit that starts at `now` ends by itself: at the event's end for an event that
/// has not ended; otherwise after the venue's default stay, rounded up to 15 minutes and
/// capped at 23:45 local time of that day, but never less than 15 minutes after `now`.
pub fn auto_checkout_at(venue: &ScannedVenue, now: UnixTime) -> UnixTime {
    let (stay_minutes, event_end) = match venue {
        ScannedVenue::Verified { venue } => (venue.default_stay_minutes, venue.event_end),
        ScannedVenue::Unverified { .. } => (UNVERIFIED_STAY_MINUTES, None),
    };
    if let Some(end) = event_end.filter(|&end| end > now) {
        return end;
    }
    let stay = (i64::from(stay_minutes) * 60).max(CHECKOUT_STEP);
    let latest = day_start(local_day(now)) + LATEST_CHECKOUT;
    round_up(now.saturating_add(stay))
        .min(latest)
        .max(round_up(now.saturating_add(CHECKOUT_STEP)))
}

fn round_up(t: UnixTime) -> UnixTime {
    t.saturating_add(CHECKOUT_STEP - 1)
        .div_euclid(CHECKOUT_STEP)
        .saturating_mul(CHECKOUT_STEP)
}

/// The sealed part of a visit.
struct Details {
    venue_id: Option<String>,
    name: String,
    address: String,
}

impl Details {
    fn of(venue: &ScannedVenue) -> Self {
        match venue {
            ScannedVenue::Verified { venue } => Self {
                venue_id: Some(venue.id.clone()),
                name: venue.name.clone(),
                address: venue.address.clone(),
            },
            ScannedVenue::Unverified { text } => Self {
                venue_id: None,
                name: text.chars().take(200).collect(),
                address: String::new(),
            },
        }
    }
    fn same_venue(&self, other: &Self) -> bool {
        match (&self.venue_id, &other.venue_id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.name == other.name,
            _ => false,
        }
    }
    fn seal(&self, cipher: &Cipher, id: i64, day: i64) -> Result<Vec<u8>> {
        let map = MapBuilder::new()
            .put_opt(1, self.venue_id.as_deref())
            .put(2, self.name.as_str())
            .put(3, self.address.as_str())
            .build();
        cipher.seal(&field_aad("visits", "details", id, day), &to_cbor(&map)?)
    }
    fn open(cipher: &Cipher, id: i64, day: i64, sealed: &[u8]) -> Result<Self> {
        let plain = cipher.open(&field_aad("visits", "details", id, day), sealed)?;
        let mut r = MapReader::new(from_cbor(&plain)?, "visit details")?;
        Ok(Self {
            venue_id: r.opt_text(1, "venue_id", 200)?,
            name: r.text(2, "venue_name", 1000)?,
            address: r.text(3, "address", 1000)?,
        })
    }
}

/// A visit row before its details are opened.
struct Row {
    id: i64,
    day: i64,
    verified: bool,
    details: Vec<u8>,
    checked_in_at: UnixTime,
    checked_out_at: Option<UnixTime>,
    auto_out_at: UnixTime,
    out_kind: Option<String>,
    edited: bool,
}

macro_rules! row_columns {
    () => {
        "id, day, verified, details, checked_in_at, checked_out_at, auto_out_at, out_kind, edited"
    };
}
const ROW_COLUMNS: &str = row_columns!();

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        day: r.get(1)?,
        verified: r.get(2)?,
        details: r.get(3)?,
        checked_in_at: r.get(4)?,
        checked_out_at: r.get(5)?,
        auto_out_at: r.get(6)?,
        out_kind: r.get(7)?,
        edited: r.get(8)?,
    })
}

impl Row {
    fn open(self, cipher: &Cipher) -> Result<Visit> {
        let d = Details::open(cipher, self.id, self.day, &self.details)?;
        Ok(Visit {
            id: self.id,
            venue_id: d.venue_id,
            venue_name: d.name,
            address: d.address,
            verified: self.verified,
            checked_in_at: self.checked_in_at,
            checked_out_at: self.checked_out_at,
            auto_checkout_at: self.auto_out_at,
            checkout: self.out_kind.as_deref().and_then(CheckoutKind::from_name),
            edited: self.edited,
        })
    }
}

// The statements below run on every check-in, so they are prepared once per connection
// (`prepare_cached`).

/// Closes an active visit whose automatic check-out time is at or before `now`.
fn settle_in(conn: &Connection, now: UnixTime) -> Result<()> {
    conn.prepare_cached(
        "UPDATE visits SET checked_out_at = auto_out_at, out_kind = 'auto'
         WHERE checked_out_at IS NULL AND auto_out_at <= ?1",
    )?
    .execute([now])?;
    Ok(())
}

fn close(conn: &Connection, id: i64, at: UnixTime, kind: CheckoutKind) -> Result<()> {
    conn.prepare_cached("UPDATE visits SET checked_out_at = ?1, out_kind = ?2 WHERE id = ?3")?
        .execute(params![at, kind.name(), id])?;
    Ok(())
}

fn active_row(conn: &Connection) -> Result<Option<Row>> {
    Ok(conn
        .prepare_cached(concat!(
            "SELECT ",
            row_columns!(),
            " FROM visits WHERE checked_out_at IS NULL ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([], read_row)
        .optional()?)
}

/// The next id of `table`: above every id it holds and every id it ever gave out, so an id
/// is never reused after a deletion or a purge. Called inside the inserting transaction.
fn next_id(conn: &Connection, table: &str) -> Result<i64> {
    let id: i64 = conn
        .prepare_cached(&format!(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0),
                        COALESCE((SELECT last FROM id_high_water WHERE tbl = ?1), 0)) + 1"
        ))?
        .query_row([table], |r| r.get(0))?;
    conn.prepare_cached(
        "INSERT INTO id_high_water (tbl, last) VALUES (?1, ?2)
         ON CONFLICT (tbl) DO UPDATE SET last = excluded.last",
    )?
    .execute(params![table, id])?;
    Ok(id)
}

/// Applies automatic check-outs that are due at `now`.
pub fn settle(store: &mut Store, now: UnixTime) -> Result<()> {
    settle_in(store.conn(), now)
}

/// Checks in to `venue` at `now`, queuing `item` in the same transaction when given.
pub fn check_in(
    store: &mut Store,
    venue: &ScannedVenue,
    now: UnixTime,
    item: Option<&NewItem>,
) -> Result<Visit> {
    check_in_inner(store, venue, now, item, None)
}

/// Checks in with a declaration: queues the sealed `item` for the authority and keeps the
/// citizen's own copy of the declaration `payload` (a [`crate::declaration::Submission`] in
/// CBOR) sealed under the day key, all in one transaction.
pub fn check_in_declared(
    store: &mut Store,
    venue: &ScannedVenue,
    now: UnixTime,
    item: &NewItem,
    payload: &[u8],
) -> Result<Visit> {
    check_in_inner(store, venue, now, Some(item), Some(payload))
}

fn check_in_inner(
    store: &mut Store,
    venue: &ScannedVenue,
    now: UnixTime,
    item: Option<&NewItem>,
    payload: Option<&[u8]>,
) -> Result<Visit> {
    let details = Details::of(venue);
    let verified = matches!(venue, ScannedVenue::Verified { .. });
    let (conn, master, keys) = store.parts();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    settle_in(&tx, now)?;
    let mut current = None;
    if let Some(row) = active_row(&tx)? {
        let cipher = keys.get(&tx, master, row.day, false)?;
        let visit = row.open(&cipher)?;
        let old = Details {
            venue_id: visit.venue_id.clone(),
            name: visit.venue_name.clone(),
            address: String::new(),
        };
        if now < visit.checked_in_at {
            close(
                &tx,
                visit.id,
                visit.checked_in_at,
                CheckoutKind::ClockCorrected,
            )?;
        } else if old.same_venue(&details) {
            current = Some(visit);
        } else {
            close(&tx, visit.id, now, CheckoutKind::NextScan)?;
        }
    }
    // Today's key is looked up at most once per transaction: one this transaction creates
    // must not be read back (and cached) before the commit.
    let day = local_day(now);
    let mut today = None;
    let mut today_key = || -> Result<std::sync::Arc<Cipher>> {
        if today.is_none() {
            today = Some(keys.get(&tx, master, day, true)?);
        }
        today
            .clone()
            .ok_or(Error::Storage(StorageError::DayKeyMissing))
    };
    let visit = if let Some(mut visit) = current {
        let extended = auto_checkout_at(venue, now).max(visit.auto_checkout_at);
        tx.prepare_cached("UPDATE visits SET auto_out_at = ?1 WHERE id = ?2")?
            .execute(params![extended, visit.id])?;
        visit.auto_checkout_at = extended;
        visit
    } else {
        let cipher = today_key()?;
        let id = next_id(&tx, "visits")?;
        let auto = auto_checkout_at(venue, now);
        tx.prepare_cached(
            "INSERT INTO visits (id, day, verified, details, checked_in_at, auto_out_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![id, day, verified, details.seal(&cipher, id, day)?, now, auto])?;
        Visit {
            id,
            venue_id: details.venue_id,
            venue_name: details.name,
            address: details.address,
            verified,
            checked_in_at: now,
            checked_out_at: None,
            auto_checkout_at: auto,
            checkout: None,
            edited: false,
        }
    };
    if let Some(item) = item {
        outbox::insert(&tx, item, now)?;
    }
    if let Some(payload) = payload {
        let cipher = today_key()?;
        let id = next_id(&tx, "declarations")?;
        let sealed = cipher.seal(&field_aad("declarations", "payload", id, day), payload)?;
        tx.prepare_cached(
            "INSERT INTO declarations (id, day, visit_id, declared_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, day, visit.id, now, sealed])?;
    }
    tx.commit()?;
    Ok(visit)
}

/// Checks out of the active visit at `now` (never before its check-in).
pub fn check_out(store: &mut Store, now: UnixTime) -> Result<Visit> {
    let (conn, master, keys) = store.parts();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    settle_in(&tx, now)?;
    let row = active_row(&tx)?.ok_or(Error::InvalidState("no active check-in"))?;
    let cipher = keys.get(&tx, master, row.day, false)?;
    let mut visit = row.open(&cipher)?;
    let out = now.max(visit.checked_in_at);
    close(&tx, visit.id, out, CheckoutKind::Explicit)?;
    tx.commit()?;
    visit.checked_out_at = Some(out);
    visit.checkout = Some(CheckoutKind::Explicit);
    Ok(visit)
}

/// The active visit at `now`, after due automatic check-outs.
pub fn active(store: &mut Store, now: UnixTime) -> Result<Option<Visit>> {
    settle(store, now)?;
    let (conn, master, keys) = store.parts();
    match active_row(conn)? {
        Some(row) => {
            let cipher = keys.get(conn, master, row.day, false)?;
            Ok(Some(row.open(&cipher)?))
        }
        None => Ok(None),
    }
}

/// Corrects a visit's times. The new check-in must stay on the visit's local day and the
/// check-out may not precede it; an active visit is closed by the edit. The previous times
/// are kept in the visit's edit history.
pub fn edit_visit(
    store: &mut Store,
    id: i64,
    checked_in_at: UnixTime,
    checked_out_at: UnixTime,
    now: UnixTime,
) -> Result<Visit> {
    let (conn, master, keys) = store.parts();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    settle_in(&tx, now)?;
    let row = tx
        .query_row(
            &format!("SELECT {ROW_COLUMNS} FROM visits WHERE id = ?1"),
            [id],
            read_row,
        )
        .optional()?
        .ok_or(Error::InvalidState("no such visit"))?;
    if local_day(checked_in_at) != row.day {
        return Err(DiaryError::InvalidEdit("checked_in_at").into());
    }
    if checked_out_at < checked_in_at {
        return Err(DiaryError::InvalidEdit("checked_out_at").into());
    }
    let cipher = keys.get(&tx, master, row.day, false)?;
    let mut visit = row.open(&cipher)?;
    tx.execute(
        "INSERT INTO visit_edits (visit_id, day, edited_at, old_in, old_out, new_in, new_out) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, local_day(checked_in_at), now, visit.checked_in_at, visit.checked_out_at, checked_in_at, checked_out_at],
    )?;
    let kind = visit.checkout.unwrap_or(CheckoutKind::Edited);
    tx.execute(
        "UPDATE visits SET checked_in_at = ?1, checked_out_at = ?2, out_kind = ?3, edited = 1 WHERE id = ?4",
        params![checked_in_at, checked_out_at, kind.name(), id],
    )?;
    tx.commit()?;
    visit.checked_in_at = checked_in_at;
    visit.checked_out_at = Some(checked_out_at);
    visit.checkout = Some(kind);
    visit.edited = true;
    Ok(visit)
}

/// Deletes visit `id` at the citizen's request, with its edit history and the citizen's own
/// copy of the declaration made with it, then empties the write-ahead log so the rows do not
/// survive there (the database deletes securely). An active visit may be deleted too. A
/// declaration already queued for the authority stays queued: deleting the diary entry
/// does not recall what the citizen declared.
pub fn delete_visit(store: &mut Store, id: i64, now: UnixTime) -> Result<()> {
    let (conn, _, _) = store.parts();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    settle_in(&tx, now)?;
    if tx.execute("DELETE FROM visits WHERE id = ?1", [id])? == 0 {
        return Err(Error::InvalidState("no such visit"));
    }
    tx.execute("DELETE FROM visit_edits WHERE visit_id = ?1", [id])?;
    tx.execute("DELETE FROM declarations WHERE visit_id = ?1", [id])?;
    tx.commit()?;
    store.empty_log()?;
    Ok(())
}

/// The edit history of visit `id`, oldest first.
pub fn edits(store: &Store, id: i64) -> Result<Vec<VisitEdit>> {
    query_all(
        store.conn(),
        "SELECT visit_id, edited_at, old_in, old_out, new_in, new_out FROM visit_edits WHERE visit_id = ?1 ORDER BY id",
        [id],
        |r| {
            let (visit_id, edited_at, old_in, old_out, new_in, new_out) = r.try_into()?;
            Ok(VisitEdit {
                visit_id,
                edited_at,
                old_checked_in_at: old_in,
                old_checked_out_at: old_out,
                new_checked_in_at: new_in,
                new_checked_out_at: new_out,
            })
        },
    )
}

/// Every visit, newest first. A row whose day key is gone is [`StorageError::DayKeyMissing`].
pub fn visits(store: &Store) -> Result<Vec<Visit>> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {ROW_COLUMNS} FROM visits ORDER BY checked_in_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], read_row)?;
    let mut keys = DayCiphers::new(store.conn(), store.master());
    let mut out = Vec::new();
    for row in rows {
        let row = row?;
        let cipher = keys.get(row.day)?;
        out.push(row.open(cipher)?);
    }
    Ok(out)
}

/// The citizen's own copy of a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeclaration {
    pub id: i64,
    pub visit_id: Option<i64>,
    pub declared_at: UnixTime,
    /// The [`crate::declaration::Submission`] CBOR.
    pub payload: Vec<u8>,
}

/// Every stored declaration copy, oldest first.
pub fn declarations(store: &Store) -> Result<Vec<StoredDeclaration>> {
    let mut stmt = store.conn().prepare(
        "SELECT id, day, visit_id, declared_at, payload FROM declarations ORDER BY declared_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Vec<u8>>(4)?,
        ))
    })?;
    let mut keys = DayCiphers::new(store.conn(), store.master());
    let mut out = Vec::new();
    for row in rows {
        let (id, day, visit_id, declared_at, sealed) = row?;
        let payload = keys
            .get(day)?
            .open(&field_aad("declarations", "payload", id, day), &sealed)?;
        out.push(StoredDeclaration {
            id,
            visit_id,
            declared_at,
            payload,
        });
    }
    Ok(out)
}

/// The first second of the local day of `t` (re-exported for callers placing times).
pub fn local_midnight(t: UnixTime) -> UnixTime {
    vault::day_start(local_day(t))
}

#[cfg(test)]
mod tests;
