//! What the authority publishes for phones to trust its venue codes: the root-signed keyset
//! update and the signed venue registry, kept as files in the keys folder next to the keys.
//!
//! * `root.pk8` (secret, mode 0600) is the root Ed25519 key whose public half apps ship
//!   (`root_public=` in `public.txt`). [`ensure_root`] creates it (for `khaibao keygen`),
//!   also in a folder whose other keys already exist.
//! * `keyset.cose` is the keyset update (format in `docs/venue-code.md` §4), signed by the
//!   root when the root is created: the venue-signing key, valid from the epoch with no
//!   end (a later rotation closes its window with a higher serial).
//! * `venues.txt` lists every venue code issued, one code text per line, appended by
//!   `khaibao venue issue` and `venue issue-csv`; it is the registry's source.
//! * `registry.cose` is the signed registry (§8) of the venues in `venues.txt` that have not
//!   expired, re-signed by the issuing command after each append, with serial
//!   `max(now, previous + 1)` so it always grows. Issuing is meant to run one command at a
//!   time.
//!
//! The server answers `GET /v1/keyset-update` and `GET /v1/registry` with the current
//! bytes of these files ([`crate::http::trust`]), read on each request, so a venue issued
//! while it runs is resolvable at once. Nothing of this is in the SQL database.

use crate::keys::{AuthorityKeys, KeyError, write_secret};
use khaibao_core::encoding::codec::hex;
use khaibao_core::encoding::cose::{self, Signed};
use khaibao_core::venue::keyset::{Keyset, KeysetEntry, USAGE_ALL};
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

/// Creates `root.pk8`, `keyset.cose` and the `root_public=` line of `public.txt` when the
/// root key is missing; `false` when it already exists.
pub fn ensure_root(dir: &Path, keys: &AuthorityKeys, now: UnixTime) -> Result<bool, TrustError> {
    let path = dir.join(ROOT_FILE);
    if path.exists() {
        return Ok(false);
    }
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| KeyError::Invalid("root"))?;
    let public = root_public_of(pkcs8.as_ref())?;
    let update = keyset_update(keys, pkcs8.as_ref(), now)?;
    write_secret(&path, pkcs8.as_ref()).map_err(|e| KeyError::Io("root.pk8", e))?;
    replace_file(&dir.join(KEYSET_FILE), &update)?;
    let mut public_txt = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join("public.txt"))?;
    writeln!(public_txt, "root_public={}", hex(&public))?;
    Ok(true)
}

fn root_public_of(pkcs8: &[u8]) -> Result<Vec<u8>, KeyError> {
    Ed25519KeyPair::from_pkcs8(pkcs8)
        .map(|p| p.public_key().as_ref().to_vec())
        .map_err(|_| KeyError::Invalid("root.pk8"))
}

/// The root public key of the folder `dir` (what apps ship).
pub fn root_public(dir: &Path) -> Result<Vec<u8>, KeyError> {
    let pkcs8 = std::fs::read(dir.join(ROOT_FILE)).map_err(|e| KeyError::Io("root.pk8", e))?;
    root_public_of(&pkcs8)
}

/// A keyset update holding the authority's venue-signing key, signed with the root key,
/// with serial and issue time `now`.
pub fn keyset_update(
    keys: &AuthorityKeys,
    root_pkcs8: &[u8],
    now: UnixTime,
) -> Result<Vec<u8>, TrustError> {
    let venue_key = keys.public().venue_key;
    let keyset = Keyset {
        serial: u64::try_from(now).unwrap_or(0),
        issued_at: now,
        keys: vec![KeysetEntry {
            kid: venue_key.kid,
            public_key: venue_key.public_key,
            valid_from: 0,
            valid_until: UnixTime::MAX,
            // One online key still signs venue codes, exposure lists and device
            // certificates (each under its own COSE purpose); a split key folder would list
            // one key per usage.
            usage: USAGE_ALL,
        }],
    };
    Ok(keyset.sign(root_pkcs8)?)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader never sees
/// half a file.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The venue a line of `venues.txt` holds, checked against this authority's key (at any
/// time: expiry is the caller's choice).
fn own_venue(line: &str, public_key: &[u8]) -> Option<Venue> {
    let fragment = line
        .get(URL_PREFIX.len()..)
        .filter(|_| venue::is_khaibao_code(line))?;
    let bytes = decimal::decode(fragment).ok()?;
    let signed = Signed::parse(&bytes).ok()?;
    if signed.kid() != cose::key_id(public_key).as_slice() {
        return None;
    }
    venue::parse_payload(&signed.verify(public_key, cose::Purpose::VenueCode).ok()?).ok()
}

/// Every venue listed in `venues.txt` with its code text.
pub fn issued_venues(dir: &Path, keys: &AuthorityKeys) -> Result<Vec<(Venue, String)>, TrustError> {
    let text = match std::fs::read_to_string(dir.join(VENUES_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let public = keys.public().venue_key.public_key;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v = own_venue(line, &public).ok_or(TrustError::ForeignLine(i + 1))?;
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

/// Appends newly issued codes to `venues.txt` and re-signs `registry.cose` over every
/// issued venue not expired at `now`. Returns the registry's serial and size.
pub fn record_issued(
    dir: &Path,
    keys: &AuthorityKeys,
    codes: &[String],
    now: UnixTime,
) -> Result<(u64, usize), TrustError> {
    let public = keys.public().venue_key.public_key;
    if codes.iter().any(|c| own_venue(c, &public).is_none()) {
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
    let own = Keyset::from_trusted(std::slice::from_ref(&keys.public().venue_key));
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
    replace_file(&dir.join(REGISTRY_FILE), &reg.sign(keys.signing_pkcs8())?)?;
    Ok((serial, reg.len()))
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
        assert!(ensure_root(dir.path(), &keys, now).unwrap());
        assert_eq!(AuthorityKeys::load(dir.path()).unwrap().public(), before);
        let root = root_public(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join("public.txt")).unwrap();
        assert!(text.contains(&format!("root_public={}", hex(&root))));
        assert_eq!(crate::keys::PublicKeys::parse(&text).unwrap(), before);
        let update = std::fs::read(dir.path().join(KEYSET_FILE)).unwrap();
        let ks = verify_update(&update, &root, None).unwrap();
        assert_eq!(ks.serial, now as u64);
        assert!(ks.key_for(&before.venue_key.kid, now).is_ok());
        assert!(!ensure_root(dir.path(), &keys, now + 5).unwrap());
        assert_eq!(root_public(dir.path()).unwrap(), root);
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
            let code = venue::issue(&v, keys.signing_pkcs8()).unwrap();
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
        let foreign = venue::issue(&issued[0], other.signing_pkcs8()).unwrap();
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
