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
/// where to continue. A `since` at or past the newest version gets the empty list of the
/// newest version: no list is ever signed with a version that was not published.
pub fn list_since(
    store: &dyn Store,
    signing_pkcs8: &[u8],
    since: u64,
    now: i64,
) -> Result<Vec<u8>, ExposureError> {
    list_since_cached(store, signing_pkcs8, since, now, None)
}

/// [`list_since`], answering from `cache` when it holds a fresh list for the same versions.
pub fn list_since_cached(
    store: &dyn Store,
    signing_pkcs8: &[u8],
    since: u64,
    now: i64,
    cache: Option<&ListCache>,
) -> Result<Vec<u8>, ExposureError> {
    let latest = store.latest_exposure_version()?;
    let since = since.min(latest);
    let since_i = i64::try_from(since).unwrap_or(i64::MAX);
    // The last version that fits in one answer.
    let mut upto = since_i;
    if since < latest {
        let mut total = 0usize;
        for (version, n) in store.exposure_versions_after(since_i)? {
            let n = usize::try_from(n).unwrap_or(0);
            if upto > since_i && total + n > MAX_ENTRIES_PER_ANSWER {
                break;
            }
            upto = version;
            total += n;
        }
    }
    let upto_u = upto.max(0).unsigned_abs();
    if let Some(bytes) = cache.and_then(|c| c.get(since, upto_u, now)) {
        return Ok(bytes);
    }
    let entries = if upto > since_i {
        store.exposure_entries_between(since_i, upto)?
    } else {
        Vec::new()
    };
    let bytes = exposure::build_list(signing_pkcs8, upto_u, since, now, &entries)?;
    if let Some(c) = cache {
        c.put(since, upto_u, now, bytes.clone());
    }
    Ok(bytes)
}

/// Signed lists by (base version, version), so that a crowd asking for the same versions
/// costs one signature, not one each. A list is reused for [`ListCache::FRESH_SECONDS`]
/// (its issue time stays recent for phones that refuse old lists); at most
/// [`ListCache::MAX_LISTS`] are kept, the oldest dropped first.
#[derive(Default)]
pub struct ListCache {
    lists: std::sync::Mutex<std::collections::HashMap<(u64, u64), SignedAt>>,
}

/// A signed list and when it was signed.
type SignedAt = (i64, Vec<u8>);

impl ListCache {
    /// How long a signed list is reused.
    pub const FRESH_SECONDS: i64 = 300;
    /// Most lists kept.
    pub const MAX_LISTS: usize = 64;

    fn get(&self, since: u64, upto: u64, now: i64) -> Option<Vec<u8>> {
        let lists = self
            .lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lists
            .get(&(since, upto))
            .filter(|(signed_at, _)| (0..Self::FRESH_SECONDS).contains(&(now - signed_at)))
            .map(|(_, bytes)| bytes.clone())
    }

    fn put(&self, since: u64, upto: u64, now: i64, bytes: Vec<u8>) {
        let mut lists = self
            .lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lists.retain(|_, (signed_at, _)| (0..Self::FRESH_SECONDS).contains(&(now - *signed_at)));
        while lists.len() >= Self::MAX_LISTS {
            let Some(oldest) = lists.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| *k) else {
                break;
            };
            lists.remove(&oldest);
        }
        lists.insert((since, upto), (now, bytes));
    }
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
    fn a_since_past_the_latest_never_signs_a_higher_version_and_lists_are_cached() {
        let (mut conn, pkcs8, key) = setup();
        publish(&mut conn, &[entry(1, Recommendation::Isolate)], 10).unwrap();
        publish(&mut conn, &[entry(2, Recommendation::Isolate)], 20).unwrap();
        for since in [2, 3, 1_000, u64::MAX, i64::MAX as u64] {
            let list = fetch(&conn, &pkcs8, since, &key);
            assert_eq!((list.version, list.base_version), (2, 2), "since {since}");
            assert!(list.entries.is_empty());
        }
        let cache = ListCache::default();
        let first = list_since_cached(&conn, &pkcs8, 0, 100, Some(&cache)).unwrap();
        // Ed25519 is deterministic, but the issue time differs: a cached answer keeps the
        // first one's.
        let again = list_since_cached(&conn, &pkcs8, 0, 150, Some(&cache)).unwrap();
        assert_eq!(first, again);
        let stale = list_since_cached(
            &conn,
            &pkcs8,
            0,
            100 + ListCache::FRESH_SECONDS,
            Some(&cache),
        )
        .unwrap();
        assert_ne!(first, stale);
        // A new publication is a new version: never served from the old entry.
        publish(&mut conn, &[entry(3, Recommendation::Isolate)], 30).unwrap();
        let newer = list_since_cached(&conn, &pkcs8, 0, 101, Some(&cache)).unwrap();
        let newer = exposure::verify_list(&newer, std::slice::from_ref(&key)).unwrap();
        assert_eq!((newer.version, newer.entries.len()), (3, 3));
        // Past the newest, through the cache too.
        let past = list_since_cached(&conn, &pkcs8, u64::MAX, 101, Some(&cache)).unwrap();
        let past = exposure::verify_list(&past, std::slice::from_ref(&key)).unwrap();
        assert_eq!((past.version, past.base_version), (3, 3));
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
