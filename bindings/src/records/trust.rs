//! The trust area's records: the keyset, the venue registry and what a sync did, with
//! signed numbers and times as points in time.

use super::{int, long, time};
use khaibao_core::venue::{fetch, keyset, trust};
use std::time::SystemTime;

/// One trusted venue-signing key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeysetEntry {
    /// Key id, as found in the COSE header.
    pub kid: Vec<u8>,
    /// Raw 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
    /// First moment (inclusive) codes signed with this key are accepted.
    pub valid_from: SystemTime,
    /// Last moment (inclusive) codes signed with this key are accepted.
    pub valid_until: SystemTime,
    /// What the key may sign: a set of bits (1 venue codes and the registry, 2 exposure
    /// lists, 4 device certificates).
    pub usage: i32,
}

/// The set of keys venue codes may be signed with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Keyset {
    /// Grows with every update; 0 for a keyset built locally.
    pub serial: i64,
    /// When the authority issued this keyset.
    pub issued_at: SystemTime,
    pub keys: Vec<KeysetEntry>,
}

impl From<keyset::Keyset> for Keyset {
    fn from(k: keyset::Keyset) -> Self {
        Self {
            serial: long(k.serial),
            issued_at: time(k.issued_at),
            keys: k
                .keys
                .into_iter()
                .map(|e| KeysetEntry {
                    kid: e.kid,
                    public_key: e.public_key,
                    valid_from: time(e.valid_from),
                    valid_until: time(e.valid_until),
                    usage: int(e.usage),
                })
                .collect(),
        }
    }
}

/// What the phone holds of the venue registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct RegistryInfo {
    pub serial: i64,
    pub issued_at: SystemTime,
    /// Province code of the registry (0 when it spans several).
    pub province: i32,
    /// How many venues it lists.
    pub entries: i64,
}

impl From<trust::RegistryInfo> for RegistryInfo {
    fn from(r: trust::RegistryInfo) -> Self {
        Self {
            serial: long(r.serial),
            issued_at: time(r.issued_at),
            province: int(r.province),
            entries: long(r.entries),
        }
    }
}

/// What one trust sync did and what the phone holds afterwards.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustSync {
    /// A new keyset update was verified and stored.
    pub keyset_updated: bool,
    /// Serial of the keyset update held (`None`: none, or no root key configured).
    pub keyset_serial: Option<i64>,
    /// A new registry was verified and stored.
    pub registry_updated: bool,
    /// The registry held, if one verifies.
    pub registry: Option<RegistryInfo>,
    /// Requests made.
    pub requests: i32,
}

impl From<fetch::TrustSync> for TrustSync {
    fn from(s: fetch::TrustSync) -> Self {
        Self {
            keyset_updated: s.keyset_updated,
            keyset_serial: s.keyset_serial.map(long),
            registry_updated: s.registry_updated,
            registry: s.registry.map(RegistryInfo::from),
            requests: int(s.requests),
        }
    }
}
