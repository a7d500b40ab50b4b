//! Downloading exposure lists from the authority, incrementally, through any
//! [`HttpClient`] (the library's reqwest client or the host app's own).
//!
//! The phone asks `GET <base>/v1/exposures?since=N`, where `N` is the newest list version it
//! has processed ([`exposure::last_version`]), and hands the answer to
//! [`exposure::process_list`], which verifies the signature, matches it against the diary
//! and records the version. The request carries nothing but that version number: the
//! authority never learns who was where. An authority that holds back part of a long
//! backlog answers with an older version, and the phone asks again from there.

use crate::error::NetError;
use crate::exposure::{self, AlertSink, EXPOSURES_PATH, ExposureAlert, MatchOptions};
use crate::net::transport::{HttpClient, HttpRequest, endpoint, send_limited};
use crate::storage::lock::StoreAccess;
use crate::venue::keyset::TrustedKey;
use crate::{Result, UnixTime};

/// Largest exposure list the phone downloads (32 MiB). The authority answers at most
/// 500,000 entries at a time (about 18 MB; a phone further behind catches up over several
/// requests), and a list over this cap is refused before it is read to the end.
pub const MAX_LIST_BYTES: usize = 32 << 20;
/// Most requests one [`fetch_and_match`] makes while catching up on a backlog.
pub const MAX_ROUNDS: usize = 16;

/// What one fetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExposureFetch {
    /// The newest list version processed after the fetch.
    pub version: u64,
    /// Requests made.
    pub requests: u32,
    /// New alerts raised by the lists downloaded (already reported to the sink).
    pub alerts: Vec<ExposureAlert>,
}

/// The URL of the lists published after `since`.
pub fn exposures_url(base_url: &str, since: u64) -> String {
    endpoint(base_url, &format!("{EXPOSURES_PATH}?since={since}"))
}

/// Downloads the lists published since the last one processed and matches them against the
/// diary, until the authority has nothing newer (at most [`MAX_ROUNDS`] requests).
///
/// A non-200 answer is [`NetError::Server`] (lists already processed in this call stay
/// processed); a list that does not verify is refused as [`exposure::verify_list`] says,
/// and one that fails [`exposure::check_list`] as that says.
/// The store is released while a request is out and while `sink` runs
/// ([`crate::storage::lock`]); a list processed meanwhile by another call raises no alert twice.
pub fn fetch_and_match(
    mut store: impl StoreAccess,
    client: &dyn HttpClient,
    base_url: &str,
    keys: &[TrustedKey],
    options: MatchOptions,
    now: UnixTime,
    sink: Option<&dyn AlertSink>,
) -> Result<ExposureFetch> {
    let mut out = ExposureFetch::default();
    for _ in 0..MAX_ROUNDS {
        let since = store.with_store(|s| exposure::last_version(s))?;
        let request = HttpRequest::get(exposures_url(base_url, since));
        let response = send_limited(client, request, MAX_LIST_BYTES)?;
        out.requests += 1;
        if response.status != 200 {
            return Err(NetError::Server {
                status: response.status,
            }
            .into());
        }
        let list = exposure::verify_list(&response.body, keys)?;
        // The gate every list passes (base version, version jump, age), here for the loop:
        // nothing new ends it. `process_verified` checks again in its own store step.
        if !exposure::check_list(&list, since, now)? {
            break;
        }
        let alerts = store.with_store(|s| exposure::process_verified(s, &list, options, now))?;
        exposure::tell(sink, &alerts);
        out.alerts.extend(alerts);
    }
    out.version = store.with_store(|s| exposure::last_version(s))?;
    Ok(out)
}
