//! The phone's trust material: the newest keyset update and venue registry it has verified,
//! kept in the store, and what they are used for — the effective keyset that venue codes
//! are verified with, and the resolution of typed manual-entry codes.
//!
//! Both are the authority's signed bytes, stored as they arrived (they are public, so they
//! are not sealed) in the `trust_updates` table, one row per kind, and verified again each
//! time they are read: a row that no longer verifies (another root shipped, a damaged file)
//! is ignored rather than trusted.
//!
//! * A keyset update ([`crate::venue::keyset`]) is verified with the root public key the app ships
//!   and must have a serial above the one held ([`VenueError::StaleUpdate`]).
//! * The effective keyset is the update's keys plus the keys the app ships whose kid the
//!   update does not name, so an update can both add a rotated-in key and close the window
//!   of a shipped one.
//! * A registry ([`crate::venue::registry`]) is verified with the effective keyset and must also
//!   have a growing serial; resolving a typed code verifies the venue code it leads to.

use crate::error::{FormatError, VenueError};
use crate::storage::store::Store;
use crate::venue::keyset::{self, Keyset};
use crate::venue::registry::{self, Registry};
use crate::venue::{TrustedKey, Venue};
use crate::{Result, UnixTime};
use rusqlite::{OptionalExtension, params};

/// The two kinds of signed update the phone keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    Keyset,
    Registry,
}

impl TrustKind {
    fn column(self) -> &'static str {
        match self {
            Self::Keyset => "keyset",
            Self::Registry => "registry",
        }
    }
}

/// What the phone holds of the venue registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryInfo {
    pub serial: u64,
    pub issued_at: UnixTime,
    /// Province code of the registry (0 when it spans several).
    pub province: u32,
    /// How many venues it lists.
    pub entries: u64,
}

impl RegistryInfo {
    fn of(r: &Registry) -> Self {
        Self {
            serial: r.serial,
            issued_at: r.issued_at,
            province: r.province,
            entries: r.len() as u64,
        }
    }
}

/// The stored bytes of one kind, if any.
pub fn stored_bytes(store: &Store, kind: TrustKind) -> Result<Option<Vec<u8>>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT bytes FROM trust_updates WHERE kind = ?1",
            [kind.column()],
            |r| r.get(0),
        )
        .optional()?)
}

fn put(store: &Store, kind: TrustKind, serial: u64, bytes: &[u8], now: UnixTime) -> Result<()> {
    let serial = i64::try_from(serial).map_err(|_| FormatError::InvalidField("serial"))?;
    store.conn().execute(
        "INSERT INTO trust_updates (kind, serial, bytes, stored_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind) DO UPDATE SET serial = ?2, bytes = ?3, stored_at = ?4",
        params![kind.column(), serial, bytes, now],
    )?;
    Ok(())
}

/// The stored keyset update, verified with `root_public_key`; `None` when none is stored
/// or the stored one does not verify under this root.
pub fn stored_keyset(store: &Store, root_public_key: &[u8]) -> Result<Option<Keyset>> {
    Ok(stored_bytes(store, TrustKind::Keyset)?
        .and_then(|bytes| keyset::verify_update(&bytes, root_public_key, None).ok()))
}

/// Verifies a keyset update with the shipped root key and stores it, refusing one whose
/// serial is not above the stored one's ([`VenueError::StaleUpdate`]). Nothing is stored when
/// any check fails.
pub fn apply_keyset_update(
    store: &Store,
    bytes: &[u8],
    root_public_key: &[u8],
    now: UnixTime,
) -> Result<Keyset> {
    let current = stored_keyset(store, root_public_key)?.map(|k| k.serial);
    let keyset = keyset::verify_update(bytes, root_public_key, current)?;
    put(store, TrustKind::Keyset, keyset.serial, bytes, now)?;
    Ok(keyset)
}

/// The keys venue codes and registries are verified with: the stored update's (when a root
/// is configured and the update verifies) plus the shipped keys whose kid it does not name.
pub fn effective_keyset(
    store: &Store,
    shipped: &[TrustedKey],
    root_public_key: Option<&[u8]>,
) -> Result<Keyset> {
    let base = Keyset::from_trusted(shipped);
    let Some(root) = root_public_key else {
        return Ok(base);
    };
    let Some(mut update) = stored_keyset(store, root)? else {
        return Ok(base);
    };
    let extra: Vec<_> = base
        .keys
        .into_iter()
        .filter(|k| !update.keys.iter().any(|u| u.kid == k.kid))
        .collect();
    update.keys.extend(extra);
    Ok(update)
}

/// The stored registry, verified with `keyset` at `now`; `None` when none is stored or the
/// stored one does not verify.
pub fn stored_registry(store: &Store, keyset: &Keyset, now: UnixTime) -> Result<Option<Registry>> {
    Ok(stored_bytes(store, TrustKind::Registry)?
        .and_then(|bytes| Registry::verify(&bytes, keyset, now, None).ok()))
}

/// What the stored registry is, if one verifies.
pub fn registry_info(
    store: &Store,
    keyset: &Keyset,
    now: UnixTime,
) -> Result<Option<RegistryInfo>> {
    Ok(stored_registry(store, keyset, now)?.map(|r| RegistryInfo::of(&r)))
}

/// Verifies a venue registry with `keyset` (the effective one) and stores it, refusing one
/// whose serial is not above the stored one's ([`VenueError::StaleUpdate`]).
pub fn apply_registry(
    store: &Store,
    bytes: &[u8],
    keyset: &Keyset,
    now: UnixTime,
) -> Result<RegistryInfo> {
    let current = stored_registry(store, keyset, now)?.map(|r| r.serial);
    let registry = Registry::verify(bytes, keyset, now, current)?;
    put(store, TrustKind::Registry, registry.serial, bytes, now)?;
    Ok(RegistryInfo::of(&registry))
}

/// Resolves what a person typed to a verified venue through the stored registry.
///
/// [`VenueError::ManualCodeInvalid`] for a wrong length or check digit (checked first, so a typo
/// is reported as one even before a registry is downloaded), [`VenueError::RegistryMissing`]
/// when no registry verifies, [`VenueError::ManualCodeUnknown`] when it does not list the code,
/// and the venue-code errors when the code it lists does not verify at `now`.
pub fn resolve_manual_code(
    store: &Store,
    typed: &str,
    keyset: &Keyset,
    now: UnixTime,
) -> Result<Venue> {
    registry::parse_manual_code(typed)?;
    let registry = stored_registry(store, keyset, now)?.ok_or(VenueError::RegistryMissing)?;
    registry.resolve_venue(typed, keyset, now)
}

#[cfg(test)]
mod tests;
