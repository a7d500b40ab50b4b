//! What the authority publishes for phones to trust its keys: the root-signed keyset
//! update and the signed venue registry, kept as files in the keys folder next to the keys.
//!
//! * `root.pk8` (secret, mode 0600, offline) is the root Ed25519 key whose public half apps
//!   ship (`root_public=` in `public.txt`). [`ensure_root`] creates it (for `khaibao
//!   keygen`), also in a folder whose other keys already exist.
//! * `keyset.cose` is the keyset update (format in `docs/venue-code.md` §4), signed by the
//!   root: one entry per signing key with its usage — the venue key ([`USAGE_VENUE`]), the
//!   exposure-list key ([`USAGE_EXPOSURE`]) and the device-certificate key
//!   ([`USAGE_DEVICE`]) — each valid from the epoch with no end until a rotation
//!   ([`crate::rotation`]) closes its window and adds its successor under a higher serial.
//! * `venues.txt` lists every venue code issued, one code text per line, appended by
//!   `khaibao venue issue` and `venue issue-csv`; it is the registry's source.
//! * `registry.cose` is the signed registry (§8) of the venues in `venues.txt` that have not
//!   expired, re-signed with the venue key by the issuing command after each append, with
//!   serial `max(now, previous + 1)` so it always grows. Issuing is meant to run one
//!   command at a time.
//!
//! Only the CLI writes these files (it holds the offline keys); the server answers
//! `GET /v1/keyset-update` and `GET /v1/registry` with their current bytes
//! ([`crate::http::trust`]), read on each request, so a venue issued while it runs is
//! resolvable at once. Nothing of this is in the SQL database.

use crate::keys::{
    AuthorityKeys, KeyError, KeyPurpose, PublicKeys, listed_root, replace_file, write_secret,
};
use khaibao_core::encoding::cose::{self, Signed};
use khaibao_core::venue::keyset::{
    self, Keyset, KeysetEntry, USAGE_DEVICE, USAGE_EXPOSURE, USAGE_VENUE,
};
use khaibao_core::venue::registry::{self, Registry};
use khaibao_core::venue::{self, URL_PREFIX, Venue};
use khaibao_core::{UnixTime, encoding::decimal};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// The root key's file (secret).
pub const ROOT_FILE: &str = "root.pk8";
/// The root-signed keyset update.
pub const KEYSET_FILE: &str = "keyset.cose";
/// Every venue code issued, one per line.
pub const VENUES_FILE: &str = "venues.txt";
/// The signed venue registry.
pub const REGISTRY_FILE: &str = "registry.cose";

/// Errors keeping the trust files.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("{0}")]
    Core(#[from] khaibao_core::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{VENUES_FILE} line {0} is not a venue code signed by this authority")]
    ForeignLine(usize),
    #[error("not a venue code signed by this authority")]
    ForeignCode,
}

/// Creates `root.pk8`, `keyset.cose` (listing `public`'s signing keys) and the
/// `root_public=` line of `public.txt` when the root key is missing; `false` when it
/// already exists.
pub fn ensure_root(dir: &Path, public: &PublicKeys, now: UnixTime) -> Result<bool, TrustError> {
    let path = dir.join(ROOT_FILE);
    if path.exists() {
        return Ok(false);
    }
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| KeyError::Invalid("root"))?;
    let update = keyset_update(public, pkcs8.as_ref(), now)?;
    write_secret(&path, pkcs8.as_ref()).map_err(|e| KeyError::Io(ROOT_FILE, e))?;
    replace_file(&dir.join(KEYSET_FILE), &update)?;
    write_public(dir, public)?;
    Ok(true)
}

/// Rewrites `public.txt` in `dir` with `public` and the root public key (of `root.pk8`
/// where the folder holds it, else the one `public.txt` already names).
pub fn write_public(dir: &Path, public: &PublicKeys) -> Result<(), TrustError> {
    let root = root_public(dir).ok().or_else(|| listed_root(dir));
    let text = public.text(root.as_deref());
    replace_file(&dir.join(crate::keys::PUBLIC_FILE), text.as_bytes())?;
    Ok(())
}

fn root_public_of(pkcs8: &[u8]) -> Result<Vec<u8>, KeyError> {
    Ed25519KeyPair::from_pkcs8(pkcs8)
        .map(|p| p.public_key().as_ref().to_vec())
        .map_err(|_| KeyError::Invalid(ROOT_FILE))
}

/// The root key's PKCS#8 bytes (offline: the CLI only).
pub fn root_pkcs8(dir: &Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(dir.join(ROOT_FILE)).map_err(|e| KeyError::Io(ROOT_FILE, e))
}

/// The root public key of the folder `dir` (what apps ship).
pub fn root_public(dir: &Path) -> Result<Vec<u8>, KeyError> {
    root_public_of(&root_pkcs8(dir)?)
}

/// The entries of a first keyset: each signing key of `public` with its one usage, valid
/// from the epoch with no end.
pub fn first_entries(public: &PublicKeys) -> Vec<KeysetEntry> {
    [
        (&public.venue_key, USAGE_VENUE),
        (&public.exposure_key, USAGE_EXPOSURE),
        (&public.device_key, USAGE_DEVICE),
    ]
    .into_iter()
    .map(|(key, usage)| KeysetEntry {
        kid: key.kid.clone(),
        public_key: key.public_key.clone(),
        valid_from: 0,
        valid_until: UnixTime::MAX,
        usage,
    })
    .collect()
}

/// A keyset update listing `public`'s signing keys ([`first_entries`]), signed with the
/// root key, with serial and issue time `now`.
pub fn keyset_update(
    public: &PublicKeys,
    root_pkcs8: &[u8],
    now: UnixTime,
) -> Result<Vec<u8>, TrustError> {
    let keyset = Keyset {
        serial: u64::try_from(now).unwrap_or(0),
        issued_at: now,
        keys: first_entries(public),
    };
    Ok(keyset.sign(root_pkcs8)?)
}

/// The keyset update of the folder `dir`, verified with its root (`root.pk8` where the
/// folder holds it, else `public.txt`'s `root_public=`); `None` when the folder has no
/// root or no update.
pub fn folder_keyset(dir: &Path) -> Result<Option<Keyset>, TrustError> {
    let root = match root_public(dir) {
        Ok(root) => root,
        Err(KeyError::Io(..)) => match listed_root(dir) {
            Some(root) => root,
            None => return Ok(None),
        },
        Err(e) => return Err(e.into()),
    };
    let bytes = match std::fs::read(dir.join(KEYSET_FILE)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(keyset::verify_update(&bytes, &root, None)?))
}

/// Re-signs the folder's keyset so that it lists each signing key of `public` with its one
/// usage: a key it lacks is added (valid from the epoch with no end), a key it lists for
/// more (the one key of a first-format folder, listed for every usage) is narrowed to its
/// purpose. For `khaibao keygen` after it created keys in a folder whose root already
/// existed. `false` when the folder has no root, or nothing changed.
pub fn publish_new_keys(
    dir: &Path,
    public: &PublicKeys,
    now: UnixTime,
) -> Result<bool, TrustError> {
    let Ok(root) = root_pkcs8(dir) else {
        return Ok(false);
    };
    let mut keyset = folder_keyset(dir)?.unwrap_or_default();
    let mut changed = false;
    for entry in first_entries(public) {
        let mut listed = false;
        for k in keyset
            .keys
            .iter_mut()
            .filter(|k| k.public_key == entry.public_key)
        {
            listed = true;
            if k.usage != entry.usage {
                k.usage = entry.usage;
                changed = true;
            }
        }
        if !listed {
            keyset.keys.push(entry);
            changed = true;
        }
    }
    if !changed {
        return Ok(false);
    }
    write_keyset(dir, &mut keyset, &root, now)?;
    Ok(true)
}

/// Signs `keyset` with `root` under serial `max(now, previous + 1)` and issue time `now`,
/// and writes it as the folder's `keyset.cose`.
pub fn write_keyset(
    dir: &Path,
    keyset: &mut Keyset,
    root: &[u8],
    now: UnixTime,
) -> Result<(), TrustError> {
    keyset.serial = u64::try_from(now)
        .unwrap_or(0)
        .max(keyset.serial.saturating_add(1));
    keyset.issued_at = now;
    replace_file(&dir.join(KEYSET_FILE), &keyset.sign(root)?)?;
    Ok(())
}

/// Every venue public key of the folder `dir`: `current`, then each venue key its keyset
/// lists (a rotated-out key signed codes that are still in `venues.txt`).
fn venue_publics(dir: &Path, current: &[u8]) -> Result<Vec<Vec<u8>>, TrustError> {
    let mut keys = vec![current.to_vec()];
    for entry in folder_keyset(dir)?.map(|k| k.keys).unwrap_or_default() {
        if entry.usage & USAGE_VENUE != 0 && !keys.contains(&entry.public_key) {
            keys.push(entry.public_key);
        }
    }
    Ok(keys)
}

/// The venue a line of `venues.txt` holds, checked against the venue keys `publics` (at
/// any time: expiry is the caller's choice).
fn own_venue(line: &str, publics: &[Vec<u8>]) -> Option<Venue> {
    let fragment = line
        .get(URL_PREFIX.len()..)
        .filter(|_| venue::is_khaibao_code(line))?;
    let bytes = decimal::decode(fragment).ok()?;
    let signed = Signed::parse(&bytes).ok()?;
    let payload = publics
        .iter()
        .filter(|k| signed.kid() == cose::key_id(k).as_slice())
        .find_map(|k| signed.verify(k, cose::Purpose::VenueCode).ok())?;
    venue::parse_payload(&payload).ok()
}

/// Every venue listed in `venues.txt` with its code text.
pub fn issued_venues(dir: &Path, keys: &AuthorityKeys) -> Result<Vec<(Venue, String)>, TrustError> {
    let text = match std::fs::read_to_string(dir.join(VENUES_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let publics = venue_publics(dir, &keys.public().venue_key.public_key)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v = own_venue(line, &publics).ok_or(TrustError::ForeignLine(i + 1))?;
        out.push((v, line.to_owned()));
    }
    Ok(out)
}

/// The manual codes already taken by issued venues (a new venue must not reuse one).
pub fn taken_manual_codes(dir: &Path, keys: &AuthorityKeys) -> Result<HashSet<u64>, TrustError> {
    issued_venues(dir, keys)?
        .iter()
        .map(|(v, _)| Ok(registry::manual_code_number(v)?))
        .collect()
}

/// Appends newly issued codes (signed with the current venue key) to `venues.txt` and
/// re-signs `registry.cose` with the venue key over every issued venue not expired at
/// `now`. Returns the registry's serial and size.
pub fn record_issued(
    dir: &Path,
    keys: &AuthorityKeys,
    codes: &[String],
    now: UnixTime,
) -> Result<(u64, usize), TrustError> {
    let current = keys.public().venue_key;
    let only_current = [current.public_key.clone()];
    if codes.iter().any(|c| own_venue(c, &only_current).is_none()) {
        return Err(TrustError::ForeignCode);
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join(VENUES_FILE))?;
    let mut text = String::new();
    for code in codes {
        text.push_str(code);
        text.push('\n');
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    let live: Vec<(Venue, String)> = issued_venues(dir, keys)?
        .into_iter()
        .filter(|(v, _)| v.not_after >= now)
        .collect();
    // The previous registry may be signed by a rotated-out venue key.
    let own = Keyset {
        keys: venue_publics(dir, &current.public_key)?
            .into_iter()
            .map(|public_key| KeysetEntry {
                kid: cose::key_id(&public_key),
                public_key,
                valid_from: UnixTime::MIN,
                valid_until: UnixTime::MAX,
                usage: USAGE_VENUE,
            })
            .collect(),
        ..Keyset::default()
    };
    let previous = std::fs::read(dir.join(REGISTRY_FILE))
        .ok()
        .and_then(|b| Registry::verify(&b, &own, now, None).ok())
        .map_or(0, |r| r.serial);
    let serial = u64::try_from(now).unwrap_or(0).max(previous + 1);
    let mut provinces = live.iter().map(|(v, _)| v.province);
    let first = provinces.next().unwrap_or(0);
    let province = if provinces.all(|p| p == first) {
        first
    } else {
        0
    };
    let reg = Registry::build(serial, now, province, &live)?;
    replace_file(&dir.join(REGISTRY_FILE), &reg.sign(keys.venue_pkcs8())?)?;
    Ok((serial, reg.len()))
}

/// What `khaibao keygen` did in a folder: each flag one thing it did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[allow(clippy::struct_excessive_bools)]
pub struct Keygen {
    /// The signing keys created (they did not exist).
    pub created: Vec<KeyPurpose>,
    /// The sealing key was created.
    pub sealing_created: bool,
    /// A first-format `signing.pk8` became the venue key.
    pub migrated: bool,
    /// The root key and the keyset update were created.
    pub root_created: bool,
    /// The existing keyset was re-signed to list the new keys.
    pub keyset_updated: bool,
}

impl Keygen {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        !self.created.is_empty()
            || self.sealing_created
            || self.migrated
            || self.root_created
            || self.keyset_updated
    }
}

/// `khaibao keygen`: creates whatever keys `dir` lacks (a signing key per purpose and the
/// sealing key, [`crate::keys::fill`], after keeping a first-format key as the venue key,
/// [`crate::keys::migrate_legacy`]), then the root key with its keyset update, or re-signs
/// the keyset to list keys created in a folder whose root existed. Existing keys are never
/// overwritten.
pub fn keygen(dir: &Path, now: UnixTime) -> Result<Keygen, TrustError> {
    let migrated = crate::keys::migrate_legacy(dir)?;
    let (created, sealing_created) = crate::keys::fill(dir)?;
    let public = AuthorityKeys::load(dir)?.public();
    let root_created = ensure_root(dir, &public, now)?;
    let keyset_updated = !root_created && publish_new_keys(dir, &public, now)?;
    write_public(dir, &public)?;
    Ok(Keygen {
        created,
        sealing_created,
        migrated,
        root_created,
        keyset_updated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuance::VenueSpec;
    use crate::keys::saved_keys;
    use khaibao_core::venue::VenueCategory;
    use khaibao_core::venue::keyset::verify_update;

    fn spec(province: u32) -> VenueSpec {
        let name = "Nhà văn hóa phường";
        VenueSpec {
            valid_days: 30,
            ..VenueSpec::new(name, "5 Hùng Vương", province, VenueCategory::Other)
        }
    }

    #[test]
    fn ensure_root_adds_a_root_to_an_old_folder_and_never_overwrites() {
        // A folder from before the root key existed.
        let (dir, keys) = saved_keys();
        let now = 1_767_225_600;
        let before = keys.public();
        assert!(ensure_root(dir.path(), &before, now).unwrap());
        assert_eq!(AuthorityKeys::load(dir.path()).unwrap().public(), before);
        let root = root_public(dir.path()).unwrap();
        assert_eq!(crate::keys::listed_root(dir.path()), Some(root.clone()));
        let text = std::fs::read_to_string(dir.path().join("public.txt")).unwrap();
        assert_eq!(crate::keys::PublicKeys::parse(&text).unwrap(), before);
        let update = std::fs::read(dir.path().join(KEYSET_FILE)).unwrap();
        let ks = verify_update(&update, &root, None).unwrap();
        assert_eq!(ks.serial, now as u64);
        // One entry per signing key, each for its one usage.
        let usages: Vec<(Vec<u8>, u32)> =
            ks.keys.iter().map(|k| (k.kid.clone(), k.usage)).collect();
        assert_eq!(
            usages,
            vec![
                (before.venue_key.kid.clone(), USAGE_VENUE),
                (before.exposure_key.kid.clone(), USAGE_EXPOSURE),
                (before.device_key.kid.clone(), USAGE_DEVICE),
            ]
        );
        assert!(ks.keys_for(&before.venue_key.kid, now).is_ok());
        assert!(ks.keys_for(&before.exposure_key.kid, now).is_err());
        assert_eq!(folder_keyset(dir.path()).unwrap(), Some(ks));
        assert!(!ensure_root(dir.path(), &before, now + 5).unwrap());
        assert_eq!(root_public(dir.path()).unwrap(), root);
        assert!(!publish_new_keys(dir.path(), &before, now + 5).unwrap());
    }

    #[test]
    fn issued_codes_accumulate_into_a_registry_whose_serial_grows() {
        let (dir, keys) = saved_keys();
        let own = Keyset::from_trusted(std::slice::from_ref(&keys.public().venue_key));
        let now = 1_767_225_600;
        let mut issued = Vec::new();
        let mut serials = Vec::new();
        for (i, province) in [79, 79, 1].into_iter().enumerate() {
            let v = crate::issuance::new_venue(&spec(province), now, "khaibao").unwrap();
            let code = venue::issue(&v, keys.venue_pkcs8()).unwrap();
            // Same second each time: the serial still grows.
            let (serial, n) = record_issued(dir.path(), &keys, &[code], now).unwrap();
            assert_eq!(n, i + 1);
            serials.push(serial);
            issued.push(v);
        }
        assert!(serials.windows(2).all(|w| w[0] < w[1]), "{serials:?}");
        let bytes = std::fs::read(dir.path().join(REGISTRY_FILE)).unwrap();
        let reg = Registry::verify(&bytes, &own, now, None).unwrap();
        assert_eq!(reg.province, 0, "two provinces");
        for v in &issued {
            let typed = registry::manual_code(v).unwrap();
            assert_eq!(&reg.resolve_venue(&typed, &own, now).unwrap(), v);
        }
        assert_eq!(taken_manual_codes(dir.path(), &keys).unwrap().len(), 3);
        // Once expired, venues leave the registry at the next issue.
        let later = now + 40 * 86_400;
        let (_, n) = record_issued(dir.path(), &keys, &[], later).unwrap();
        assert_eq!(n, 0);
        // A code another key signed is refused before anything is written.
        let other = AuthorityKeys::generate().unwrap();
        let foreign = venue::issue(&issued[0], other.venue_pkcs8()).unwrap();
        let listed = std::fs::read(dir.path().join(VENUES_FILE)).unwrap();
        assert!(matches!(
            record_issued(dir.path(), &keys, std::slice::from_ref(&foreign), now),
            Err(TrustError::ForeignCode)
        ));
        assert_eq!(std::fs::read(dir.path().join(VENUES_FILE)).unwrap(), listed);
        // A line written by other means makes the file refused, naming the line.
        std::fs::write(dir.path().join(VENUES_FILE), format!("{foreign}\n")).unwrap();
        assert!(matches!(
            issued_venues(dir.path(), &keys),
            Err(TrustError::ForeignLine(1))
        ));
    }
}
