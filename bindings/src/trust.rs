//! Trust updates from the authority: the root-signed keyset update (key rotation) and the
//! signed venue registry that resolves the short codes typed from a poster.
//!
//! The work is core's [`khaibao_core::venue::trust`] and [`khaibao_core::venue::fetch`]; this file
//! picks the transport (the host's [`HostHttpClient`] or the library's own), lends core
//! the store to lock per step and maps errors. Venue codes read with `read_venue` are
//! verified under the effective keyset: the stored update's keys plus the configured
//! `venue_keys` it does not name.

use crate::{HostHttpClient, Khaibao, KhaibaoError, Result, guard};
use khaibao_core::ErrorCode;
use khaibao_core::storage::store::Store;
use khaibao_core::venue::Venue;
use khaibao_core::venue::fetch::{self, TrustSync};
use khaibao_core::venue::keyset::Keyset;
use khaibao_core::venue::trust::{self, RegistryInfo};
use std::sync::Arc;

impl Khaibao {
    /// The effective keyset, read through an already held store.
    pub(crate) fn keyset(&self, store: &Store) -> Result<Keyset> {
        Ok(trust::effective_keyset(
            store,
            &self.config.venue_keys,
            self.config.root_public_key.as_deref(),
        )?)
    }

    fn root_key(&self) -> Result<&[u8]> {
        self.config.root_public_key.as_deref().ok_or_else(|| {
            KhaibaoError::new(ErrorCode::ConfigRootKey, "no root public key is configured")
        })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Khaibao {
    /// Downloads the authority's keyset update (when a root key is configured) and venue
    /// registry through `client` (the host's HTTP client) or, when it is `None`, the
    /// library's own, verifies and stores what is new. An answer equal to what is held
    /// changes nothing; one that does not verify is refused with the failed check's code
    /// (`venue.update_stale`, `venue.unknown_key`, `venue.signature_invalid`, ...).
    pub async fn sync_trust(
        self: Arc<Self>,
        client: Option<Arc<dyn HostHttpClient>>,
    ) -> Result<TrustSync> {
        self.with_transport("sync_trust", client, |this, transport| {
            Ok(fetch::sync_trust(
                &this.store,
                transport,
                &this.config.authority_url,
                &this.config.venue_keys,
                this.config.root_public_key.as_deref(),
                this.now(),
            )?)
        })
        .await
    }

    /// Verifies a keyset update with the configured root key and stores it; one not newer
    /// than the stored one is `venue.update_stale`.
    pub fn apply_keyset_update(&self, bytes: Vec<u8>) -> Result<Keyset> {
        guard("apply_keyset_update", || {
            let root = self.root_key()?;
            let now = self.now();
            Ok(trust::apply_keyset_update(
                &self.store(),
                &bytes,
                root,
                now,
            )?)
        })
    }

    /// Verifies a venue registry with the effective keyset and stores it; one not newer
    /// than the stored one is `venue.update_stale`.
    pub fn apply_registry(&self, bytes: Vec<u8>) -> Result<RegistryInfo> {
        guard("apply_registry", || {
            let now = self.now();
            let store = self.store();
            let keyset = self.keyset(&store)?;
            Ok(trust::apply_registry(&store, &bytes, &keyset, now)?)
        })
    }

    /// The venue registry held, if one verifies.
    pub fn registry_info(&self) -> Result<Option<RegistryInfo>> {
        guard("registry_info", || {
            let now = self.now();
            let store = self.store();
            let keyset = self.keyset(&store)?;
            Ok(trust::registry_info(&store, &keyset, now)?)
        })
    }

    /// The venue a typed manual-entry code (`PPNN NNNN NC`, spaces and dashes ignored)
    /// stands for, verified like a scanned code; check in with it as
    /// `ScannedVenue.Verified`. Errors: `venue.manual_code_invalid` (a typo),
    /// `venue.registry_missing` (call `sync_trust` first), `venue.manual_code_unknown`.
    pub fn resolve_manual_code(&self, typed: String) -> Result<Venue> {
        guard("resolve_manual_code", || {
            let now = self.now();
            let store = self.store();
            let keyset = self.keyset(&store)?;
            Ok(trust::resolve_manual_code(&store, &typed, &keyset, now)?)
        })
    }
}
