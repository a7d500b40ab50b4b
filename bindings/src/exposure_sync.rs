//! Exposure sync in one call: download the authority's signed exposure lists published since
//! the last one processed, verify them, match them against the diary on the phone, record
//! the new version and tell the host's [`ExposureListener`] about new alerts.
//!
//! The work is core's [`fetch::fetch_and_match`]; this file only picks the
//! transport (the host's [`HostHttpClient`] or the library's own) and runs it off the
//! caller's thread. The request carries nothing but the list version the phone has.

use crate::diary_calls::ExposureListener;
use crate::{HostHttpClient, Khaibao, Result};
use khaibao_core::exposure::fetch::{self, ExposureFetch};
use std::sync::Arc;

#[uniffi::export(async_runtime = "tokio")]
impl Khaibao {
    /// Downloads and matches the exposure lists published since the last one processed,
    /// through `client` (the host's HTTP client) or, when it is `None`, the library's own.
    ///
    /// A visit counts when it overlaps a published window by at least
    /// `min_overlap_seconds` (default 15 minutes). New alerts are returned and handed to
    /// `listener`; a list already processed never raises them again. A list that does not
    /// verify under the effective keyset (configured `venue_keys` plus a root-signed update
    /// from `sync_trust`) is refused (nothing recorded) with the
    /// code of the failed check (for example `venue.signature_invalid`, `venue.unknown_key`);
    /// an answer other than 200 is `network.server_error`.
    pub async fn sync_exposures(
        self: Arc<Self>,
        client: Option<Arc<dyn HostHttpClient>>,
        min_overlap_seconds: Option<i64>,
        listener: Option<Arc<dyn ExposureListener>>,
    ) -> Result<ExposureFetch> {
        self.with_transport("sync_exposures", client, move |this, transport| {
            let m = this.matching(min_overlap_seconds, listener)?;
            Ok(fetch::fetch_and_match(
                &this.store,
                transport,
                &this.config.authority_url,
                &m.keys,
                m.options,
                m.now,
                m.sink(),
            )?)
        })
        .await
    }
}
