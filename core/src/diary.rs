//! The citizen's own check-in history.
//!
//! A check-in is one row in `visits`. At most one visit is active (not checked out): a
//! rescan of the same venue while inside returns the active visit instead of adding a
//! duplicate, and a scan of another venue checks the previous one out at the scan time.
//! When the check-in comes with a sealed declaration, its outbox row is written in the same
//! transaction, so either both are stored or neither is.

use crate::outbox::{self, NewItem};
use crate::store::Store;
use crate::venue::ScannedVenue;
use crate::{Error, Result, UnixTime};
use rusqlite::{OptionalExtension, params};

/// One visit in the diary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Visit {
    pub id: i64,
    /// Venue id for verified venues; `None` for unverified codes.
    pub venue_id: Option<String>,
    /// Venue name, or the scanned text for unverified codes.
    pub venue_name: String,
    /// Whether the venue code's signature verified.
    pub verified: bool,
    pub checked_in_at: UnixTime,
    pub checked_out_at: Option<UnixTime>,
}

fn row_to_visit(r: &rusqlite::Row<'_>) -> rusqlite::Result<Visit> {
    Ok(Visit {
        id: r.get(0)?,
        venue_id: r.get(1)?,
        venue_name: r.get(2)?,
        verified: r.get(3)?,
        checked_in_at: r.get(4)?,
        checked_out_at: r.get(5)?,
    })
}

const VISIT_COLUMNS: &str = "id, venue_id, venue_name, verified, checked_in_at, checked_out_at";

/// Checks in to `venue` at `now`, queuing `item` in the same transaction when given.
pub fn check_in(
    store: &mut Store,
    venue: &ScannedVenue,
    now: UnixTime,
    item: Option<&NewItem>,
) -> Result<Visit> {
    let (venue_id, name, verified) = match venue {
        ScannedVenue::Verified { venue } => (Some(venue.id.clone()), venue.name.clone(), true),
        ScannedVenue::Unverified { text } => (None, text.chars().take(200).collect(), false),
    };
    let tx = store
        .conn_mut()
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let active = tx
        .query_row(
            &format!("SELECT {VISIT_COLUMNS} FROM visits WHERE checked_out_at IS NULL ORDER BY id DESC LIMIT 1"),
            [],
            row_to_visit,
        )
        .optional()?;
    let visit = match active {
        Some(v) if v.venue_id == venue_id && v.venue_name == name && now >= v.checked_in_at => v,
        other => {
            if let Some(prev) = other {
                let out = now.max(prev.checked_in_at);
                tx.execute(
                    "UPDATE visits SET checked_out_at = ?1 WHERE id = ?2",
                    params![out, prev.id],
                )?;
            }
            tx.execute(
                "INSERT INTO visits (venue_id, venue_name, verified, checked_in_at) VALUES (?1, ?2, ?3, ?4)",
                params![venue_id, name, verified, now],
            )?;
            Visit {
                id: tx.last_insert_rowid(),
                venue_id,
                venue_name: name,
                verified,
                checked_in_at: now,
                checked_out_at: None,
            }
        }
    };
    if let Some(item) = item {
        outbox::insert(&tx, item, now)?;
    }
    tx.commit()?;
    Ok(visit)
}

/// Checks out of the active visit at `now`.
pub fn check_out(store: &mut Store, now: UnixTime) -> Result<Visit> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut visit = tx
        .query_row(
            &format!("SELECT {VISIT_COLUMNS} FROM visits WHERE checked_out_at IS NULL ORDER BY id DESC LIMIT 1"),
            [],
            row_to_visit,
        )
        .optional()?
        .ok_or(Error::InvalidState("no active check-in"))?;
    let out = now.max(visit.checked_in_at);
    tx.execute(
        "UPDATE visits SET checked_out_at = ?1 WHERE id = ?2",
        params![out, visit.id],
    )?;
    tx.commit()?;
    visit.checked_out_at = Some(out);
    Ok(visit)
}

/// Every visit, newest first.
pub fn visits(store: &Store) -> Result<Vec<Visit>> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {VISIT_COLUMNS} FROM visits ORDER BY checked_in_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], row_to_visit)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue::{Venue, VenueCategory};

    fn venue(id: &str) -> ScannedVenue {
        ScannedVenue::Verified {
            venue: Venue {
                id: id.into(),
                name: format!("Quán {id}"),
                address: String::new(),
                province: 79,
                district: None,
                ward: None,
                vehicle_plate: None,
                route: None,
                event_start: None,
                event_end: None,
                category: VenueCategory::Restaurant,
                default_stay_minutes: 60,
                not_before: 0,
                not_after: i64::MAX,
                issuer: "t".into(),
            },
        }
    }

    #[test]
    fn rescan_extends_and_other_venue_checks_out() {
        let mut s = Store::open_in_memory().unwrap();
        let a = check_in(&mut s, &venue("a"), 100, None).unwrap();
        let again = check_in(&mut s, &venue("a"), 200, None).unwrap();
        assert_eq!(a.id, again.id, "rescan does not duplicate");
        let b = check_in(&mut s, &venue("b"), 300, None).unwrap();
        let all = visits(&s).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, b.id);
        assert_eq!(all[1].checked_out_at, Some(300));
        let out = check_out(&mut s, 400).unwrap();
        assert_eq!(out.checked_out_at, Some(400));
        assert!(matches!(
            check_out(&mut s, 500),
            Err(Error::InvalidState(_))
        ));
    }

    #[test]
    fn unverified_codes_are_recorded_as_such() {
        let mut s = Store::open_in_memory().unwrap();
        let v = check_in(
            &mut s,
            &ScannedVenue::Unverified {
                text: "hello".into(),
            },
            5,
            None,
        )
        .unwrap();
        assert!(!v.verified);
        assert_eq!(v.venue_id, None);
    }
}
