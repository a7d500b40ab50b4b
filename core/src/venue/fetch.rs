//! Downloading the authority's keyset update and venue registry through any [`HttpClient`]
//! (the library's reqwest client or the host app's own) and applying them with
//! [`crate::venue::trust`].
//!
//! The phone asks `GET <base>/v1/keyset-update` (only when it ships a root key) and then
//! `GET <base>/v1/registry`; the requests carry nothing about the person. An answer equal
//! to the bytes already held changes nothing; `404` means the authority publishes no such
//! update (nothing changes either); any other non-200 answer is [`NetError::Server`]. A new
//! answer is verified and stored, or refused with the check that failed (for example
//! [`VenueError::StaleUpdate`] for an older one replayed). The keyset is applied first, so a
//! registry signed by a key that was just rotated in verifies.

use crate::error::NetError;
use crate::net::transport::{HttpClient, HttpRequest, endpoint, send_limited};
use crate::storage::lock::StoreAccess;
use crate::venue::keyset::TrustedKey;
use crate::venue::trust::{self, RegistryInfo, TrustKind};
use crate::{Error, Result, UnixTime};

/// Path of the root-signed keyset update.
pub const KEYSET_UPDATE_PATH: &str = "/v1/keyset-update";
/// Path of the signed venue registry.
pub const REGISTRY_PATH: &str = "/v1/registry";

/// What one trust sync did and what the phone holds afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustSync {
    /// A new keyset update was verified and stored.
    pub keyset_updated: bool,
    /// Serial of the keyset update held (`None`: none, or no root key configured).
    pub keyset_serial: Option<u64>,
    /// A new registry was verified and stored.
    pub registry_updated: bool,
    /// The registry held, if one verifies.
    pub registry: Option<RegistryInfo>,
    /// Requests made.
    pub requests: u32,
}

/// Largest keyset update the phone downloads (at most 64 keys of about 100 bytes each).
pub const MAX_KEYSET_BYTES: usize = 64 << 10;
/// Largest venue registry the phone downloads (32 MiB).
pub const MAX_REGISTRY_BYTES: usize = 32 << 20;

/// The body at `path` (at most `max_body` bytes), `None` for 404.
fn download(
    client: &dyn HttpClient,
    base_url: &str,
    path: &str,
    max_body: usize,
) -> Result<Option<Vec<u8>>> {
    let response = send_limited(client, HttpRequest::get(endpoint(base_url, path)), max_body)?;
    match response.status {
        200 => Ok(Some(response.body)),
        404 => Ok(None),
        status => Err(Error::Net(NetError::Server { status })),
    }
}

/// Downloads and applies the keyset update (when `root_public_key` is given) and then the
/// venue registry. The store is released while a request is out ([`crate::storage::lock`]).
pub fn sync_trust(
    mut store: impl StoreAccess,
    client: &dyn HttpClient,
    base_url: &str,
    shipped: &[TrustedKey],
    root_public_key: Option<&[u8]>,
    now: UnixTime,
) -> Result<TrustSync> {
    let mut out = TrustSync::default();
    if let Some(root) = root_public_key {
        out.requests += 1;
        let downloaded = download(client, base_url, KEYSET_UPDATE_PATH, MAX_KEYSET_BYTES)?;
        store.with_store(|s| {
            if let Some(bytes) = downloaded
                && trust::stored_bytes(s, TrustKind::Keyset)?.as_deref() != Some(&bytes[..])
            {
                trust::apply_keyset_update(s, &bytes, root, now)?;
                out.keyset_updated = true;
            }
            out.keyset_serial = trust::stored_keyset(s, root)?.map(|k| k.serial);
            Ok(())
        })?;
    }
    out.requests += 1;
    let downloaded = download(client, base_url, REGISTRY_PATH, MAX_REGISTRY_BYTES)?;
    store.with_store(|s| {
        // Read after the download, so a keyset stored meanwhile is the one applied.
        let keyset = trust::effective_keyset(s, shipped, root_public_key)?;
        if let Some(bytes) = downloaded
            && trust::stored_bytes(s, TrustKind::Registry)?.as_deref() != Some(&bytes[..])
        {
            trust::apply_registry(s, &bytes, &keyset, now)?;
            out.registry_updated = true;
        }
        out.registry = trust::registry_info(s, &keyset, now)?;
        Ok(())
    })?;
    Ok(out)
}
