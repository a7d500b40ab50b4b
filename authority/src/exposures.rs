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
//!
//! Imports: the [`Store`] trait, `khaibao_core`.

use crate::store::{DbError, Store};
use khaibao_core::error::FormatError;
use khaibao_core::exposure::{self, ExposureEntry};

/// Most entries one answer carries; a phone far behind catches up in several requests.
pub const MAX_ENTRIES_PER_ANSWER: usize = 500_000;

/// Errors publishing or answering.
#[derive(Debug, thiserror::Error)]
pub enum ExposureError {
    #[error("storage: {0}")]
    Storage(#[from] DbError),
    #[error("exposure list: {0}")]
    List(#[from] khaibao_core::Error),
}

/// Checks entries before anything is stored: a 16-byte hex venue id, end not before start.
fn check_entries(entries: &[ExposureEntry]) -> Result<(), ExposureError> {
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
    store: &mut dyn Store,
    entries: &[ExposureEntry],
    now: i64,
) -> Result<u64, ExposureError> {
    check_entries(entries)?;
    Ok(store.publish_exposures(entries, now)?)
}

/// The signed list of everything published after version `since`, as a phone downloads it.
///
/// When more than [`MAX_ENTRIES_PER_ANSWER`] entries are waiting, the answer stops at the
/// last whole publication that fits (always at least one), so its version tells the phone
/// where to continue.
pub fn list_since(
    store: &dyn Store,
    signing_pkcs8: &[u8],
    since: u64,
    now: i64,
) -> Result<Vec<u8>, ExposureError> {
    let since_i = i64::try_from(since).unwrap_or(i64::MAX);
    let latest = store.latest_exposure_version()?;
    if since >= latest {
        // Up to date (or ahead, after an authority reset): nothing new, same version.
        return Ok(exposure::build_list(signing_pkcs8, since, since, now, &[])?);
    }
    // The last version that fits in one answer.
    let mut upto = since_i;
    let mut total = 0usize;
    for (version, n) in store.exposure_versions_after(since_i)? {
        let n = usize::try_from(n).unwrap_or(0);
        if upto > since_i && total + n > MAX_ENTRIES_PER_ANSWER {
            break;
        }
        upto = version;
        total += n;
    }
    let entries = store.exposure_entries_between(since_i, upto)?;
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
    use crate::store::sqlite::SqliteStore;
    use khaibao_core::exposure::{ExposureList, Recommendation};
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

    fn setup() -> (SqliteStore, Vec<u8>, TrustedKey) {
        let conn = SqliteStore::open_in_memory().unwrap();
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

    /// The list since `since`, verified under `key`.
    fn fetch(conn: &SqliteStore, pkcs8: &[u8], since: u64, key: &TrustedKey) -> ExposureList {
        let list = list_since(conn, pkcs8, since, 30).unwrap();
        exposure::verify_list(&list, std::slice::from_ref(key)).unwrap()
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
        let all = fetch(&conn, &pkcs8, 0, &key);
        assert_eq!((all.version, all.base_version), (2, 0));
        assert_eq!(
            all.entries,
            vec![
                first[0].clone(),
                first[1].clone(),
                entry(3, Recommendation::MonitorSymptoms)
            ]
        );
        let newer = fetch(&conn, &pkcs8, 1, &key);
        assert_eq!((newer.version, newer.base_version), (2, 1));
        assert_eq!(
            newer.entries,
            vec![entry(3, Recommendation::MonitorSymptoms)]
        );
        let none = fetch(&conn, &pkcs8, 2, &key);
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
        assert_eq!(conn.latest_exposure_version().unwrap(), 0);
        assert!(
            conn.exposure_entries_between(0, i64::MAX)
                .unwrap()
                .is_empty()
        );
    }
}
