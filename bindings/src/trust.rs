//! The trust area: reading venue codes into verified venues, manual codes, and the
//! authority's root-signed keyset update (key rotation) and signed venue registry.
//!
//! The work is core's [`khaibao_core::venue::trust`] and [`khaibao_core::venue::fetch`];
//! this file picks the transport (the host's [`HostHttpClient`] or the library's own), lends
//! core the store to lock per step and maps errors. Venue codes are verified under the
//! effective keyset: the stored update's keys plus the configured `venue_keys` it does not
//! name.
//!
//! A [`VerifiedVenue`] is an object only the library makes (it has no constructor): a host
//! cannot declare a venue verified that it never scanned.

use crate::records::{Keyset, RegistryInfo, TrustSync};
use crate::{HostHttpClient, Inner, KhaibaoError, Result, off_thread};
use khaibao_core::ErrorCode;
use khaibao_core::storage::store::Store;
use khaibao_core::venue::fetch;
use khaibao_core::venue::keyset;
use khaibao_core::venue::trust;
use khaibao_core::venue::{self, ScannedVenue, Venue, VenueCategory};
use std::sync::Arc;

/// A venue whose signed code the library verified (scanned, or a manual code resolved in the
/// signed registry). Only the library creates one.
#[derive(uniffi::Object)]
pub struct VerifiedVenue(Venue);

impl VerifiedVenue {
    pub(crate) fn venue(&self) -> &Venue {
        &self.0
    }
}

#[uniffi::export]
impl VerifiedVenue {
    /// The venue's stable identifier (what exposure lists name).
    pub fn id(&self) -> String {
        self.0.id.clone()
    }

    pub fn name(&self) -> String {
        self.0.name.clone()
    }

    pub fn address(&self) -> String {
        self.0.address.clone()
    }

    pub fn category(&self) -> VenueCategory {
        self.0.category
    }

    /// The province code (1–96).
    pub fn province(&self) -> i32 {
        self.0.province as i32
    }

    /// The vehicle's plate, for buses, trains and flights.
    pub fn vehicle_plate(&self) -> Option<String> {
        self.0.vehicle_plate.clone()
    }

    /// The route, for transport.
    pub fn route(&self) -> Option<String> {
        self.0.route.clone()
    }
}

/// What a scanned or typed text is: a verified venue, or other text kept as written (an
/// unverified check-in).
#[derive(uniffi::Enum)]
pub enum VenueScan {
    Verified { venue: Arc<VerifiedVenue> },
    Unverified { text: String },
}

impl Inner {
    /// The effective keyset, read through an already held store.
    pub(crate) fn keyset(&self, store: &Store) -> Result<keyset::Keyset> {
        Ok(trust::effective_keyset(
            store,
            &self.config.venue_keys,
            self.config.root_public_key.as_deref(),
        )?)
    }
}

/// Venue codes, manual codes and the authority's keyset and registry.
#[derive(uniffi::Object)]
pub struct Trust(pub(crate) Arc<Inner>);

#[uniffi::export]
impl Trust {
    /// Reads a scanned text as a venue: a verified khaibao code, or unverified other text.
    /// A khaibao code that does not verify is refused with the failed check's code.
    pub async fn read_venue(self: Arc<Self>, text: String) -> Result<VenueScan> {
        let inner = self.0.clone();
        off_thread("Trust.read_venue", move || {
            let keyset = inner.keyset(&inner.store())?;
            Ok(match venue::read_with(&text, &keyset, inner.now())? {
                ScannedVenue::Verified { venue } => VenueScan::Verified {
                    venue: Arc::new(VerifiedVenue(venue)),
                },
                ScannedVenue::Unverified { text } => VenueScan::Unverified { text },
            })
        })
        .await
    }

    /// The venue a typed manual-entry code (`PPNN NNNN NC`, spaces and dashes ignored)
    /// stands for, verified like a scanned code. Errors: `venue.manual_code_invalid` (a
    /// typo), `venue.registry_missing` (call `sync` first), `venue.manual_code_unknown`.
    pub async fn resolve_manual_code(self: Arc<Self>, typed: String) -> Result<Arc<VerifiedVenue>> {
        let inner = self.0.clone();
        off_thread("Trust.resolve_manual_code", move || {
            let now = inner.now();
            let store = inner.store();
            let keyset = inner.keyset(&store)?;
            let venue = trust::resolve_manual_code(&store, &typed, &keyset, now)?;
            Ok(Arc::new(VerifiedVenue(venue)))
        })
        .await
    }

    /// Downloads the authority's keyset update (when a root key is configured) and venue
    /// registry through `client` (the host's HTTP client) or, when it is `None`, the
    /// library's own, verifies and stores what is new. An answer equal to what is held
    /// changes nothing; one that does not verify is refused with the failed check's code
    /// (`venue.update_stale`, `venue.unknown_key`, `venue.signature_invalid`, ...).
    pub async fn sync(
        self: Arc<Self>,
        client: Option<Arc<dyn HostHttpClient>>,
    ) -> Result<TrustSync> {
        self.0
            .clone()
            .with_transport("Trust.sync", client, |inner, transport| {
                Ok(fetch::sync_trust(
                    &inner.store,
                    transport,
                    &inner.config.authority_url,
                    &inner.config.venue_keys,
                    inner.config.root_public_key.as_deref(),
                    inner.now(),
                )?
                .into())
            })
            .await
    }

    /// Verifies a keyset update with the configured root key and stores it; one not newer
    /// than the stored one is `venue.update_stale`.
    pub async fn apply_keyset_update(self: Arc<Self>, bytes: Vec<u8>) -> Result<Keyset> {
        let inner = self.0.clone();
        off_thread("Trust.apply_keyset_update", move || {
            let root = inner.config.root_public_key.as_deref().ok_or_else(|| {
                KhaibaoError::new(ErrorCode::ConfigRootKey, "no root public key is configured")
            })?;
            let now = inner.now();
            Ok(trust::apply_keyset_update(&inner.store(), &bytes, root, now)?.into())
        })
        .await
    }

    /// Verifies a venue registry with the effective keyset and stores it; one not newer
    /// than the stored one is `venue.update_stale`.
    pub async fn apply_registry(self: Arc<Self>, bytes: Vec<u8>) -> Result<RegistryInfo> {
        let inner = self.0.clone();
        off_thread("Trust.apply_registry", move || {
            let now = inner.now();
            let store = inner.store();
            let keyset = inner.keyset(&store)?;
            Ok(trust::apply_registry(&store, &bytes, &keyset, now)?.into())
        })
        .await
    }

    /// The venue registry held, if one verifies.
    pub async fn registry_info(self: Arc<Self>) -> Result<Option<RegistryInfo>> {
        let inner = self.0.clone();
        off_thread("Trust.registry_info", move || {
            let now = inner.now();
            let store = inner.store();
            let keyset = inner.keyset(&store)?;
            Ok(trust::registry_info(&store, &keyset, now)?.map(RegistryInfo::from))
        })
        .await
    }
}
