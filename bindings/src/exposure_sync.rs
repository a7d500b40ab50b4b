//! The exposures area: download the authority's signed exposure lists published since the
//! last one processed (or take a list the host downloaded), verify them, match them against
//! the diary on the phone, record the new version and tell the host's [`ExposureListener`]
//! about new alerts.
//!
//! Exposure lists are verified against the effective keyset (the configured `venue_keys`
//! and any root-signed keyset update, see `Trust.sync`): the authority signs venue codes
//! and exposure lists with the same Ed25519 key. The request carries nothing but the list
//! version the phone has.

use crate::diary_calls::{ExposureListener, Listener};
use crate::records::{ExposureAlert, int, long};
use crate::{HostHttpClient, Inner, Result, off_thread};
use khaibao_core::exposure::fetch;
use khaibao_core::exposure::{self, AlertSink, MatchOptions};
use khaibao_core::venue::TrustedKey;
use std::sync::Arc;

/// What one exposure sync did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ExposureSync {
    /// The newest list version processed (unchanged when nothing was new).
    pub version: i64,
    /// HTTP requests made.
    pub requests: i32,
    /// The new alerts (already recorded; a list is never matched twice).
    pub alerts: Vec<ExposureAlert>,
}

/// What matching an exposure list against the diary takes.
struct Matching {
    options: MatchOptions,
    keys: Vec<TrustedKey>,
    now: i64,
    listener: Option<Listener>,
}

impl Matching {
    fn sink(&self) -> Option<&dyn AlertSink> {
        self.listener.as_ref().map(|l| l as &dyn AlertSink)
    }
}

impl Inner {
    /// The options (`min_overlap_seconds`, when given, over the default), the keys valid
    /// now and the host's listener for matching exposure lists.
    fn matching(
        &self,
        min_overlap_seconds: Option<i64>,
        listener: Option<Arc<dyn ExposureListener>>,
    ) -> Result<Matching> {
        let mut options = MatchOptions::default();
        if let Some(s) = min_overlap_seconds {
            options.min_overlap_seconds = s;
        }
        let now = self.now();
        Ok(Matching {
            options,
            keys: self
                .keyset(&self.store())?
                .valid_keys_for(khaibao_core::venue::keyset::USAGE_EXPOSURE, now),
            now,
            listener: listener.map(Listener),
        })
    }
}

/// Exposure lists and the alerts they raise.
#[derive(uniffi::Object)]
pub struct Exposures(pub(crate) Arc<Inner>);

#[uniffi::export]
impl Exposures {
    /// Downloads and matches the exposure lists published since the last one processed,
    /// through `client` (the host's HTTP client) or, when it is `None`, the library's own.
    ///
    /// A visit counts when it overlaps a published window by at least
    /// `min_overlap_seconds` (default 15 minutes). New alerts are returned and handed to
    /// `listener`; a list already processed never raises them again. A list that does not
    /// verify under the effective keyset is refused (nothing recorded) with the code of the
    /// failed check (for example `venue.signature_invalid`, `venue.unknown_key`); an answer
    /// other than 200 is `network.server_error`.
    pub async fn sync(
        self: Arc<Self>,
        client: Option<Arc<dyn HostHttpClient>>,
        min_overlap_seconds: Option<i64>,
        listener: Option<Arc<dyn ExposureListener>>,
    ) -> Result<ExposureSync> {
        self.0
            .clone()
            .with_transport("Exposures.sync", client, move |inner, transport| {
                let m = inner.matching(min_overlap_seconds, listener)?;
                let f = fetch::fetch_and_match(
                    &inner.store,
                    transport,
                    &inner.config.authority_url,
                    &m.keys,
                    m.options,
                    m.now,
                    m.sink(),
                )?;
                Ok(ExposureSync {
                    version: long(f.version),
                    requests: int(f.requests),
                    alerts: f.alerts.into_iter().map(ExposureAlert::from).collect(),
                })
            })
            .await
    }

    /// Verifies an exposure list the host downloaded itself and matches it against the
    /// diary. A list already processed yields nothing. The listener hears about new alerts.
    pub async fn process_list(
        self: Arc<Self>,
        list: Vec<u8>,
        min_overlap_seconds: Option<i64>,
        listener: Option<Arc<dyn ExposureListener>>,
    ) -> Result<Vec<ExposureAlert>> {
        let inner = self.0.clone();
        off_thread("Exposures.process_list", move || {
            let m = inner.matching(min_overlap_seconds, listener)?;
            Ok(
                exposure::process_list(&inner.store, &list, &m.keys, m.options, m.now, m.sink())?
                    .into_iter()
                    .map(ExposureAlert::from)
                    .collect(),
            )
        })
        .await
    }

    /// The newest exposure list version processed: download lists since it.
    pub async fn since(self: Arc<Self>) -> Result<i64> {
        let inner = self.0.clone();
        off_thread("Exposures.since", move || {
            Ok(exposure::last_version(&inner.store())? as i64)
        })
        .await
    }
}
