//! Exposure publishing: the risky venue windows the authority announces, stored by
//! publication version, and the signed incremental list phones download with
//! `GET /v1/exposures?since=N`.
//!
//! Each [`publish`] call is one publication and gets the next version (1, 2, …). A request
//! for the lists since version `N` is answered with one list signed by the authority's
//! signing key (the key venue codes are issued under): version = the newest publication,
//! base version = `N`, and the entries of every publication after `N`. A phone that is
//! already up to date gets an empty list with the version it has, which it does not match
//! again. Nothing in the request identifies the phone beyond the version it asks from.

use crate::db::Backend;
use khaibao_core::error::FormatError;
use khaibao_core::exposure::{self, ExposureEntry, Recommendation};
use rusqlite::{Connection, TransactionBehavior, params};

/// Most entries one answer carries; a phone far behind catches up in several requests.
pub const MAX_ENTRIES_PER_ANSWER: usize = 500_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS exposure_entries (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    venue_id TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    recommendation INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS exposure_entries_version ON exposure_entries(version, id);
CREATE TABLE IF NOT EXISTS exposure_versions (
    version INTEGER PRIMARY KEY,
    published_at INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
";

/// Errors publishing or answering.
#[derive(Debug, thiserror::Error)]
pub enum ExposureError {
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("storage: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("exposure list: {0}")]
    List(#[from] khaibao_core::Error),
}

impl crate::db::AuthorityDb {
    /// Publishes `entries` as the next exposure-list version ([`publish`]).
    pub fn publish_exposures(
        &mut self,
        entries: &[ExposureEntry],
        now: i64,
    ) -> Result<u64, ExposureError> {
        match self.backend_mut() {
            Backend::Sqlite(conn) => publish(conn, entries, now),
            Backend::Postgres(pg) => pg.publish_exposures(entries, now),
        }
    }

    /// The signed list of everything published after `since` ([`list_since`]).
    pub fn exposures_since(
        &self,
        signing_pkcs8: &[u8],
        since: u64,
        now: i64,
    ) -> Result<Vec<u8>, ExposureError> {
        match self.backend() {
            Backend::Sqlite(conn) => list_since(conn, signing_pkcs8, since, now),
            Backend::Postgres(pg) => list_from(pg, signing_pkcs8, since, now),
        }
    }
}

/// Creates the exposure tables if they are missing.
pub(crate) fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)
}

pub(crate) fn rec_to_int(r: Recommendation) -> i64 {
    match r {
        Recommendation::MonitorSymptoms => 1,
        Recommendation::GetTested => 2,
        Recommendation::Isolate => 3,
    }
}

pub(crate) fn rec_from_int(v: i64) -> Recommendation {
    match v {
        3 => Recommendation::Isolate,
        2 => Recommendation::GetTested,
        _ => Recommendation::MonitorSymptoms,
    }
}

/// Checks entries before anything is stored: a 16-byte hex venue id, end not before start.
pub(crate) fn check_entries(entries: &[ExposureEntry]) -> Result<(), ExposureError> {
    for e in entries {
        khaibao_core::encoding::codec::unhex(&e.venue_id, 16)?;
        if e.end < e.start {
            return Err(
                khaibao_core::Error::Format(FormatError::InvalidField("exposure window")).into(),
            );
        }
    }
    Ok(())
}

/// Publishes `entries` as the next version and returns that version. Entries are checked
/// (16-byte hex venue id, end not before start) before anything is stored.
pub fn publish(
    conn: &mut Connection,
    entries: &[ExposureEntry],
    now: i64,
) -> Result<u64, ExposureError> {
    check_entries(entries)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM exposure_versions",
        [],
        |r| r.get(0),
    )?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO exposure_entries (version, venue_id, start_at, end_at, recommendation)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for e in entries {
            insert.execute(params![
                version,
                e.venue_id.to_ascii_lowercase(),
                e.start,
                e.end,
                rec_to_int(e.recommendation)
            ])?;
        }
    }
    tx.execute(
        "INSERT INTO exposure_versions (version, published_at, entries) VALUES (?1, ?2, ?3)",
        params![version, now, entries.len() as i64],
    )?;
    tx.commit()?;
    Ok(version.max(0) as u64)
}

/// The newest published version (0 before the first publication).
pub fn latest_version(conn: &Connection) -> rusqlite::Result<u64> {
    let v: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM exposure_versions",
        [],
        |r| r.get(0),
    )?;
    Ok(v.max(0).unsigned_abs())
}

/// What [`list_from`] reads from a store.
pub(crate) trait ExposureSource {
    /// The newest published version (0 before the first publication).
    fn latest_version(&self) -> Result<u64, ExposureError>;
    /// (version, entry count) of every publication after `since`, oldest first.
    fn versions_after(&self, since: i64) -> Result<Vec<(i64, i64)>, ExposureError>;
    /// The entries of the publications in `since < version <= upto`, in publication order.
    fn entries_between(&self, since: i64, upto: i64) -> Result<Vec<ExposureEntry>, ExposureError>;
}

impl ExposureSource for Connection {
    fn latest_version(&self) -> Result<u64, ExposureError> {
        Ok(latest_version(self)?)
    }

    fn versions_after(&self, since: i64) -> Result<Vec<(i64, i64)>, ExposureError> {
        let mut stmt = self.prepare_cached(
            "SELECT version, entries FROM exposure_versions WHERE version > ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn entries_between(&self, since: i64, upto: i64) -> Result<Vec<ExposureEntry>, ExposureError> {
        let mut stmt = self.prepare_cached(
            "SELECT venue_id, start_at, end_at, recommendation FROM exposure_entries
             WHERE version > ?1 AND version <= ?2 ORDER BY version, id",
        )?;
        let rows = stmt.query_map([since, upto], |r| {
            Ok(ExposureEntry {
                venue_id: r.get(0)?,
                start: r.get(1)?,
                end: r.get(2)?,
                recommendation: rec_from_int(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The signed list of everything published after version `since`, as a phone downloads it.
///
/// When more than [`MAX_ENTRIES_PER_ANSWER`] entries are waiting, the answer stops at the
/// last whole publication that fits (always at least one), so its version tells the phone
/// where to continue.
pub fn list_since(
    conn: &Connection,
    signing_pkcs8: &[u8],
    since: u64,
    now: i64,
) -> Result<Vec<u8>, ExposureError> {
    list_from(conn, signing_pkcs8, since, now)
}

/// [`list_since`] over any store.
pub(crate) fn list_from(
    source: &dyn ExposureSource,
    signing_pkcs8: &[u8],
    since: u64,
    now: i64,
) -> Result<Vec<u8>, ExposureError> {
    let since_i = i64::try_from(since).unwrap_or(i64::MAX);
    let latest = source.latest_version()?;
    if since >= latest {
        // Up to date (or ahead, after an authority reset): nothing new, same version.
        return Ok(exposure::build_list(signing_pkcs8, since, since, now, &[])?);
    }
    // The last version that fits in one answer.
    let mut upto = since_i;
    let mut total = 0usize;
    for (version, n) in source.versions_after(since_i)? {
        let n = usize::try_from(n).unwrap_or(0);
        if upto > since_i && total + n > MAX_ENTRIES_PER_ANSWER {
            break;
        }
        upto = version;
        total += n;
    }
    let entries = source.entries_between(since_i, upto)?;
    Ok(exposure::build_list(
        signing_pkcs8,
        upto.max(0).unsigned_abs(),
        since,
        now,
        &entries,
    )?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use khaibao_core::venue::{TrustedKey, key_id};
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn entry(i: u64, rec: Recommendation) -> ExposureEntry {
        ExposureEntry {
            venue_id: format!("{i:032x}"),
            start: 1000 + i as i64,
            end: 2000 + i as i64,
            recommendation: rec,
        }
    }

    fn setup() -> (Connection, Vec<u8>, TrustedKey) {
        let conn = Connection::open_in_memory().unwrap();
        create_schema(&conn).unwrap();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
        let public = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec();
        let key = TrustedKey {
            kid: key_id(&public),
            public_key: public,
        };
        (conn, pkcs8.as_ref().to_vec(), key)
    }

    #[test]
    fn lists_are_incremental_by_version() {
        let (mut conn, pkcs8, key) = setup();
        let first = [
            entry(1, Recommendation::Isolate),
            entry(2, Recommendation::GetTested),
        ];
        assert_eq!(publish(&mut conn, &first, 10).unwrap(), 1);
        assert_eq!(
            publish(&mut conn, &[entry(3, Recommendation::MonitorSymptoms)], 20).unwrap(),
            2
        );
        let all = exposure::verify_list(
            &list_since(&conn, &pkcs8, 0, 30).unwrap(),
            std::slice::from_ref(&key),
        )
        .unwrap();
        assert_eq!((all.version, all.base_version), (2, 0));
        assert_eq!(
            all.entries,
            vec![
                first[0].clone(),
                first[1].clone(),
                entry(3, Recommendation::MonitorSymptoms)
            ]
        );
        let newer = exposure::verify_list(
            &list_since(&conn, &pkcs8, 1, 30).unwrap(),
            std::slice::from_ref(&key),
        )
        .unwrap();
        assert_eq!((newer.version, newer.base_version), (2, 1));
        assert_eq!(
            newer.entries,
            vec![entry(3, Recommendation::MonitorSymptoms)]
        );
        let none =
            exposure::verify_list(&list_since(&conn, &pkcs8, 2, 30).unwrap(), &[key]).unwrap();
        assert_eq!((none.version, none.base_version), (2, 2));
        assert!(none.entries.is_empty());
    }

    #[test]
    fn bad_entries_are_refused_and_nothing_is_stored() {
        let (mut conn, _, _) = setup();
        let mut bad = entry(1, Recommendation::Isolate);
        bad.end = bad.start - 1;
        assert!(publish(&mut conn, &[entry(2, Recommendation::Isolate), bad], 1).is_err());
        let mut short = entry(1, Recommendation::Isolate);
        short.venue_id = "abc".into();
        assert!(publish(&mut conn, &[short], 1).is_err());
        assert_eq!(latest_version(&conn).unwrap(), 0);
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM exposure_entries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
