//! Trusted venue-signing keys and their signed updates.
//!
//! A [`Keyset`] maps key ids to Ed25519 public keys, each with its own validity window, so
//! several keys can be valid at once while one is rotated in and another out. The app ships
//! one root public key; a keyset update is a COSE_Sign1 (see [`crate::encoding::cose`]) signed by that
//! root, carrying a serial number that must grow, so an old keyset cannot be replayed.
//!
//! Update payload, a deterministic CBOR map:
//! `{1: version (1), 2: serial, 3: issued_at, 4: [{1: kid, 2: public key, 3: valid_from,
//! 4: valid_until, 5: usage}, ...]}` with times in Unix seconds.
//!
//! Each entry says what its key may sign ([`KeysetEntry::usage`], a bit set: venue codes and
//! registries, exposure lists, device certificates). Venue codes and registries are only
//! verified with [`USAGE_VENUE`] keys ([`Keyset::keys_for`]), exposure lists with the keys
//! of [`Keyset::valid_keys_for`]`(`[`USAGE_EXPOSURE`]`)`. An entry without a usage (an
//! update of the first format, or a key the app is configured with) may sign all three.

use crate::encoding::codec::{MapBuilder, MapReader, from_cbor, to_cbor};
use crate::encoding::cose::{self, Signed};
use crate::error::{FormatError, VenueError};
use crate::{Error, Result, UnixTime};
use ciborium::Value;

/// A key that venue codes may be signed with, valid at all times (see [`Keyset`] for keys
/// with validity windows).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TrustedKey {
    /// Key id, as found in the COSE header.
    pub kid: Vec<u8>,
    /// Raw 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
}

/// Usage bit: venue codes and the venue registry.
pub const USAGE_VENUE: u32 = 1;
/// Usage bit: exposure lists.
pub const USAGE_EXPOSURE: u32 = 2;
/// Usage bit: device certificates.
pub const USAGE_DEVICE: u32 = 4;
/// Every usage (what an entry without a usage field may sign).
pub const USAGE_ALL: u32 = USAGE_VENUE | USAGE_EXPOSURE | USAGE_DEVICE;

/// The keyset update format version.
pub const KEYSET_VERSION: u64 = 1;
/// Most keys one keyset may hold.
pub const MAX_KEYS: usize = 64;
const MAX_KID: usize = 16;

/// One trusted venue-signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysetEntry {
    /// Key id, as found in the COSE header.
    pub kid: Vec<u8>,
    /// Raw 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
    /// First moment (inclusive) codes signed with this key are accepted.
    pub valid_from: UnixTime,
    /// Last moment (inclusive) codes signed with this key are accepted.
    pub valid_until: UnixTime,
    /// What the key may sign: a set of `USAGE_*` bits.
    pub usage: u32,
}

/// The set of keys venue codes may be signed with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keyset {
    /// Grows with every update; 0 for a keyset built locally.
    pub serial: u64,
    /// When the authority issued this keyset.
    pub issued_at: UnixTime,
    pub keys: Vec<KeysetEntry>,
}

impl Keyset {
    /// A local keyset of keys valid forever (for configuration that has no windows).
    pub fn from_trusted(keys: &[TrustedKey]) -> Self {
        Self {
            serial: 0,
            issued_at: 0,
            keys: keys
                .iter()
                .map(|k| KeysetEntry {
                    kid: k.kid.clone(),
                    public_key: k.public_key.clone(),
                    valid_from: UnixTime::MIN,
                    valid_until: UnixTime::MAX,
                    usage: USAGE_ALL,
                })
                .collect(),
        }
    }

    /// The keys inside their window at `now`, for checks that take plain trusted keys,
    /// whatever their usage.
    pub fn valid_keys(&self, now: UnixTime) -> Vec<TrustedKey> {
        self.valid_keys_for(USAGE_ALL, now)
    }

    /// The keys inside their window at `now` that may sign something of `usage` (for
    /// exposure lists: [`USAGE_EXPOSURE`]).
    pub fn valid_keys_for(&self, usage: u32, now: UnixTime) -> Vec<TrustedKey> {
        self.keys
            .iter()
            .filter(|k| k.usage & usage != 0 && k.valid_from <= now && now <= k.valid_until)
            .map(|k| TrustedKey {
                kid: k.kid.clone(),
                public_key: k.public_key.clone(),
            })
            .collect()
    }

    /// The public key for `kid` at time `now`.
    ///
    /// [`VenueError::UnknownKey`] when no entry has that id; [`VenueError::KeyNotValid`] when every
    /// entry with that id is outside its window at `now`.
    pub fn key_for(&self, kid: &[u8], now: UnixTime) -> Result<&[u8]> {
        let mut known = false;
        for k in self.keys.iter().filter(|k| k.kid == kid) {
            known = true;
            if k.valid_from <= now && now <= k.valid_until {
                return Ok(&k.public_key);
            }
        }
        Err(if known {
            Error::Venue(VenueError::KeyNotValid)
        } else {
            Error::Venue(VenueError::UnknownKey)
        })
    }

    /// Every public key with id `kid` that is valid at `now` and may sign venue codes and
    /// registries (a 4-byte id may, rarely, name two keys; the caller tries each).
    ///
    /// [`VenueError::UnknownKey`] / [`VenueError::KeyNotValid`] as for [`Keyset::key_for`];
    /// a key with that id kept for other usages only is [`VenueError::UnknownKey`].
    pub fn keys_for(&self, kid: &[u8], now: UnixTime) -> Result<Vec<&[u8]>> {
        let named: Vec<&KeysetEntry> = self
            .keys
            .iter()
            .filter(|k| k.kid == kid && k.usage & USAGE_VENUE != 0)
            .collect();
        if named.is_empty() {
            return Err(VenueError::UnknownKey.into());
        }
        let valid: Vec<&[u8]> = named
            .into_iter()
            .filter(|k| k.valid_from <= now && now <= k.valid_until)
            .map(|k| k.public_key.as_slice())
            .collect();
        if valid.is_empty() {
            return Err(VenueError::KeyNotValid.into());
        }
        Ok(valid)
    }

    fn payload(&self) -> Result<Vec<u8>> {
        if self.keys.len() > MAX_KEYS {
            return Err(FormatError::FieldTooLong("keys").into());
        }
        let keys = self
            .keys
            .iter()
            .map(|k| {
                MapBuilder::new()
                    .put(1, Value::Bytes(k.kid.clone()))
                    .put(2, Value::Bytes(k.public_key.clone()))
                    .put(3, k.valid_from)
                    .put(4, k.valid_until)
                    .put(5, u64::from(k.usage))
                    .build()
            })
            .collect();
        to_cbor(
            &MapBuilder::new()
                .put(1, KEYSET_VERSION)
                .put(2, self.serial)
                .put(3, self.issued_at)
                .put(4, Value::Array(keys))
                .build(),
        )
    }

    /// Signs this keyset with the root key (PKCS#8), giving the update bytes apps fetch.
    pub fn sign(&self, root_pkcs8: &[u8]) -> Result<Vec<u8>> {
        cose::sign(self.payload()?, root_pkcs8, cose::Purpose::KeysetUpdate)
    }
}

/// Verifies a keyset update against the root public key the app ships, and refuses one
/// whose serial is not above `current_serial` (the keyset already held, if any).
pub fn verify_update(
    bytes: &[u8],
    root_public_key: &[u8],
    current_serial: Option<u64>,
) -> Result<Keyset> {
    let signed = Signed::parse(bytes)?;
    if signed.kid() != cose::key_id(root_public_key).as_slice() {
        return Err(VenueError::UnknownKey.into());
    }
    let payload = signed.verify(root_public_key, cose::Purpose::KeysetUpdate)?;
    let keyset = parse_payload(&payload)?;
    if current_serial.is_some_and(|cur| keyset.serial <= cur) {
        return Err(VenueError::StaleUpdate.into());
    }
    Ok(keyset)
}

fn parse_payload(bytes: &[u8]) -> Result<Keyset> {
    let mut r = MapReader::new(from_cbor(bytes)?, "keyset")?;
    let version = r.u64(1, "keyset version")?;
    if version != KEYSET_VERSION {
        return Err(FormatError::UnsupportedVersion(version).into());
    }
    let serial = r.u64(2, "keyset serial")?;
    let issued_at = r.i64(3, "keyset issued at")?;
    let raw = r
        .opt_array(4, "keys", MAX_KEYS)?
        .ok_or(FormatError::InvalidField("keys"))?;
    let mut keys = Vec::with_capacity(raw.len());
    for item in raw {
        let mut k = MapReader::new(item, "keyset entry")?;
        let kid = k.bytes(1, "kid", MAX_KID)?;
        let public_key = k.bytes(2, "public key", 32)?;
        if kid.is_empty() || public_key.len() != 32 {
            return Err(FormatError::InvalidField("keyset entry").into());
        }
        let entry = KeysetEntry {
            kid,
            public_key,
            valid_from: k.i64(3, "valid from")?,
            valid_until: k.i64(4, "valid until")?,
            usage: match k.opt_u64(5, "key usage")? {
                None => USAGE_ALL,
                Some(u) => u32::try_from(u)
                    .ok()
                    .filter(|u| *u != 0 && u & !USAGE_ALL == 0)
                    .ok_or(FormatError::InvalidField("key usage"))?,
            },
        };
        if entry.valid_until < entry.valid_from {
            return Err(FormatError::InvalidField("key validity").into());
        }
        keys.push(entry);
    }
    Ok(Keyset {
        serial,
        issued_at,
        keys,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh Ed25519 key: its PKCS#8 document and raw public key (also used by the trust
    /// store's tests).
    pub(crate) fn pair() -> (Vec<u8>, Vec<u8>) {
        let (pkcs8, key) = crate::test_support::signing_key();
        (pkcs8, key.public_key)
    }

    /// The entry of `public`, valid from `from` to `until` (also used by the trust store's
    /// tests).
    pub(crate) fn entry(public: &[u8], from: i64, until: i64) -> KeysetEntry {
        KeysetEntry {
            kid: cose::key_id(public),
            public_key: public.to_vec(),
            valid_from: from,
            valid_until: until,
            usage: USAGE_ALL,
        }
    }

    /// A keyset of `keys` (also used by the trust store's tests).
    pub(crate) fn keyset(serial: u64, issued_at: i64, keys: Vec<KeysetEntry>) -> Keyset {
        Keyset {
            serial,
            issued_at,
            keys,
        }
    }

    #[test]
    fn valid_keys_are_the_entries_inside_their_window() {
        let (_, old) = pair();
        let (_, new) = pair();
        let set = keyset(2, 0, vec![entry(&old, 0, 100), entry(&new, 50, i64::MAX)]);
        let kids =
            |now| -> Vec<Vec<u8>> { set.valid_keys(now).into_iter().map(|k| k.kid).collect() };
        assert_eq!(kids(10), vec![cose::key_id(&old)]);
        assert_eq!(kids(100), vec![cose::key_id(&old), cose::key_id(&new)]);
        assert_eq!(kids(101), vec![cose::key_id(&new)]);
        assert_eq!(set.valid_keys(101)[0].public_key, new);
        assert!(set.valid_keys(-1).is_empty());
    }

    #[test]
    fn usages_are_signed_round_trip_and_restrict_what_a_key_verifies() {
        let (root_sk, root_pk) = pair();
        let (_, venue) = pair();
        let (_, lists) = pair();
        let (_, devices) = pair();
        let mut keys = vec![
            entry(&venue, 0, 100),
            entry(&lists, 0, 100),
            entry(&devices, 0, 100),
        ];
        keys[0].usage = USAGE_VENUE;
        keys[1].usage = USAGE_EXPOSURE;
        keys[2].usage = USAGE_DEVICE | USAGE_EXPOSURE;
        let got =
            verify_update(&keyset(1, 0, keys).sign(&root_sk).unwrap(), &root_pk, None).unwrap();
        assert_eq!(
            (got.keys[0].usage, got.keys[1].usage, got.keys[2].usage),
            (USAGE_VENUE, USAGE_EXPOSURE, USAGE_DEVICE | USAGE_EXPOSURE)
        );
        // Venue codes and registries: only the venue key; an exposure-list key with the
        // code's kid is unknown to them.
        assert!(got.keys_for(&cose::key_id(&venue), 50).is_ok());
        assert!(matches!(
            got.keys_for(&cose::key_id(&lists), 50),
            Err(Error::Venue(VenueError::UnknownKey))
        ));
        let kids = |usage| -> Vec<Vec<u8>> {
            got.valid_keys_for(usage, 50)
                .into_iter()
                .map(|k| k.kid)
                .collect()
        };
        assert_eq!(
            kids(USAGE_EXPOSURE),
            vec![cose::key_id(&lists), cose::key_id(&devices)]
        );
        assert_eq!(kids(USAGE_DEVICE), vec![cose::key_id(&devices)]);
        assert_eq!(kids(USAGE_VENUE), vec![cose::key_id(&venue)]);
        // An entry without a usage (the first format) may sign everything; an unknown or
        // empty usage is refused.
        let unsigned_usage = |usage: Option<u64>| {
            let mut e = MapBuilder::new()
                .put(1, Value::Bytes(cose::key_id(&venue)))
                .put(2, Value::Bytes(venue.clone()))
                .put(3, 0)
                .put(4, 100);
            if let Some(u) = usage {
                e = e.put(5, u);
            }
            let payload = to_cbor(
                &MapBuilder::new()
                    .put(1, KEYSET_VERSION)
                    .put(2, 9u64)
                    .put(3, 0)
                    .put(4, Value::Array(vec![e.build()]))
                    .build(),
            )
            .unwrap();
            let bytes = cose::sign(payload, &root_sk, cose::Purpose::KeysetUpdate).unwrap();
            verify_update(&bytes, &root_pk, None)
        };
        assert_eq!(unsigned_usage(None).unwrap().keys[0].usage, USAGE_ALL);
        assert!(unsigned_usage(Some(0)).is_err());
        assert!(unsigned_usage(Some(8)).is_err());
    }

    #[test]
    fn rotation_keeps_two_keys_valid_and_update_round_trips() {
        let (root_sk, root_pk) = pair();
        let (_, old) = pair();
        let (_, new) = pair();
        let ks = keyset(
            7,
            1_000,
            vec![entry(&old, 0, 2_000), entry(&new, 1_500, 9_000)],
        );
        let bytes = ks.sign(&root_sk).unwrap();
        let got = verify_update(&bytes, &root_pk, Some(6)).unwrap();
        assert_eq!(got, ks);
        // During the overlap both keys verify; afterwards only the new one.
        assert!(got.key_for(&cose::key_id(&old), 1_800).is_ok());
        assert!(got.key_for(&cose::key_id(&new), 1_800).is_ok());
        assert!(matches!(
            got.key_for(&cose::key_id(&old), 2_001),
            Err(Error::Venue(VenueError::KeyNotValid))
        ));
        assert!(matches!(
            got.key_for(&cose::key_id(&new), 1_499),
            Err(Error::Venue(VenueError::KeyNotValid))
        ));
        assert!(matches!(
            got.key_for(&[1, 2, 3], 1_800),
            Err(Error::Venue(VenueError::UnknownKey))
        ));
    }

    #[test]
    fn update_is_refused_when_replayed_forged_or_from_another_root() {
        let (root_sk, root_pk) = pair();
        let (other_sk, _) = pair();
        let ks = keyset(3, 1, vec![]);
        let bytes = ks.sign(&root_sk).unwrap();
        assert!(matches!(
            verify_update(&bytes, &root_pk, Some(3)),
            Err(Error::Venue(VenueError::StaleUpdate))
        ));
        assert!(matches!(
            verify_update(&ks.sign(&other_sk).unwrap(), &root_pk, None),
            Err(Error::Venue(VenueError::UnknownKey))
        ));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x80;
        assert!(matches!(
            verify_update(&flipped, &root_pk, None),
            Err(Error::Venue(VenueError::BadSignature))
        ));
        assert!(matches!(
            verify_update(&bytes[..bytes.len() - 5], &root_pk, None),
            Err(Error::Format(FormatError::Malformed(_)))
        ));
    }
}
