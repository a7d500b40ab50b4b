//! `khaibao keys rotate`: replacing one signing key (venue, exposure or device) with a new
//! one while phones keep accepting what the old one signed for an overlap window.
//!
//! Offline, in the folder that holds the root key:
//! 1. a new key is made for the purpose;
//! 2. the keyset's entries of that purpose close their window at `now + overlap` (an
//!    overlap of 0 withdraws the old key at once: the compromise case), and the new key is
//!    added, valid from `now` with no end;
//! 3. the keyset is re-signed by the root under a higher serial (`keyset.cose`);
//! 4. the new key replaces the old one's file (the old secret is gone) and `public.txt` is
//!    rewritten; for the venue key the registry is re-signed with the new key.
//!
//! Entries are never removed from the keyset, only closed: a phone adds back a shipped key
//! whose id the update does not name ([`khaibao_core::venue::trust::effective_keyset`]),
//! so dropping a withdrawn key's entry would make it trusted again. A keyset holds at most
//! [`MAX_KEYS`] entries.
//!
//! Phones accept the new key once they have the new keyset (`Trust.sync`); the server signs
//! with a new online key from its next start (copy the new key file, `public.txt` and
//! `keyset.cose` to the server's folder and restart it).

use crate::keys::{AuthorityKeys, KeyError, KeyPurpose, SigningKey, write_secret};
use crate::trust::{self, TrustError};
use khaibao_core::UnixTime;
use khaibao_core::venue::keyset::{KeysetEntry, MAX_KEYS};
use std::path::Path;

/// Errors rotating a key.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("{0}")]
    Trust(#[from] TrustError),
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the folder has no root-signed keyset (run khaibao keygen in the offline folder)")]
    NoKeyset,
    #[error("the keyset already holds {MAX_KEYS} keys")]
    KeysetFull,
    #[error("the overlap must not be negative")]
    NegativeOverlap,
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub purpose: KeyPurpose,
    pub old_kid: Vec<u8>,
    pub new_kid: Vec<u8>,
    /// The last moment the old key is accepted.
    pub old_valid_until: UnixTime,
    /// The new keyset's serial.
    pub serial: u64,
}

/// The overlap a rotation gives when none is asked for, in seconds: what the old key
/// signed stays valid for its natural life — a poster for a venue code's default validity,
/// a device certificate for its validity; an exposure list is fetched fresh, so two days.
pub const fn default_overlap(purpose: KeyPurpose) -> i64 {
    match purpose {
        KeyPurpose::Venue => crate::issuance::DEFAULT_VALID_DAYS * 86_400,
        KeyPurpose::Exposure => 2 * 86_400,
        KeyPurpose::Device => khaibao_core::pass::CERTIFICATE_SECONDS,
    }
}

/// Rotates the `purpose` key of the folder `dir` with an overlap of `overlap` seconds.
pub fn rotate(
    dir: &Path,
    purpose: KeyPurpose,
    overlap: i64,
    now: UnixTime,
) -> Result<Rotation, RotateError> {
    if overlap < 0 {
        return Err(RotateError::NegativeOverlap);
    }
    let root = trust::root_pkcs8(dir)?;
    let mut keyset = trust::folder_keyset(dir)?.ok_or(RotateError::NoKeyset)?;
    let old = SigningKey::load(dir, purpose)?;
    let new = SigningKey::generate()?;
    let usage = purpose.usage();
    let until = now.saturating_add(overlap);
    for entry in keyset.keys.iter_mut().filter(|e| e.usage & usage != 0) {
        if entry.usage == usage {
            entry.valid_until = entry.valid_until.min(until);
            entry.valid_from = entry.valid_from.min(entry.valid_until);
        } else {
            // A key listed for several usages keeps the others only.
            entry.usage &= !usage;
        }
    }
    if keyset.keys.len() >= MAX_KEYS {
        return Err(RotateError::KeysetFull);
    }
    let trusted = new.trusted();
    keyset.keys.push(KeysetEntry {
        kid: trusted.kid.clone(),
        public_key: trusted.public_key,
        valid_from: now,
        valid_until: UnixTime::MAX,
        usage,
    });
    // The new secret is on disk before the keyset names it, and replaces the old one only
    // once the keyset is written.
    let pending = dir.join(format!("{}.new", purpose.file()));
    write_secret(&pending, new.pkcs8()).map_err(|e| KeyError::Io(purpose.file(), e))?;
    trust::write_keyset(dir, &mut keyset, &root, now)?;
    std::fs::rename(&pending, dir.join(purpose.file()))?;
    let keys = AuthorityKeys::load(dir)?;
    trust::write_public(dir, &keys.public())?;
    if purpose == KeyPurpose::Venue {
        trust::record_issued(dir, &keys, &[], now)?;
    }
    Ok(Rotation {
        purpose,
        old_kid: old.trusted().kid,
        new_kid: trusted.kid,
        old_valid_until: until,
        serial: keyset.serial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuance::{VenueSpec, new_venue};
    use khaibao_core::exposure;
    use khaibao_core::pass;
    use khaibao_core::venue::keyset::{
        Keyset, USAGE_DEVICE, USAGE_EXPOSURE, USAGE_VENUE, verify_update,
    };
    use khaibao_core::venue::{self, VenueCategory};

    const NOW: UnixTime = 1_767_225_600;
    const DAY: i64 = 86_400;

    /// A keys folder with its root, as `khaibao keygen` makes it.
    fn folder() -> (tempfile::TempDir, AuthorityKeys) {
        let (dir, keys) = crate::keys::saved_keys();
        assert!(trust::ensure_root(dir.path(), &keys.public(), NOW - 10 * DAY).unwrap());
        (dir, keys)
    }

    /// The keyset a phone holds after syncing the folder's update.
    fn phone_keyset(dir: &Path, held: Option<u64>) -> Keyset {
        let root = trust::root_public(dir).unwrap();
        let bytes = std::fs::read(dir.join(trust::KEYSET_FILE)).unwrap();
        verify_update(&bytes, &root, held).unwrap()
    }

    #[test]
    fn venue_codes_of_both_keys_verify_inside_the_overlap_and_the_old_one_not_after() {
        let (dir, old) = folder();
        let before = phone_keyset(dir.path(), None);
        let venue = new_venue(
            &VenueSpec {
                valid_days: 400,
                ..VenueSpec::new("Chợ Đông Ba", "", 46, VenueCategory::Market)
            },
            NOW,
            "khaibao",
        )
        .unwrap();
        let old_code = venue::issue(&venue, old.venue_pkcs8()).unwrap();
        trust::record_issued(dir.path(), &old, std::slice::from_ref(&old_code), NOW).unwrap();

        let r = rotate(dir.path(), KeyPurpose::Venue, 30 * DAY, NOW).unwrap();
        assert_eq!(r.old_kid, old.public().venue_key.kid);
        assert_eq!(r.old_valid_until, NOW + 30 * DAY);
        let new = AuthorityKeys::load(dir.path()).unwrap();
        assert_eq!(new.public().venue_key.kid, r.new_kid);
        assert_ne!(r.new_kid, r.old_kid);
        // The other keys did not change.
        assert_eq!(new.public().exposure_key, old.public().exposure_key);
        let new_code = venue::issue(&venue, new.venue_pkcs8()).unwrap();

        // The phone takes the update (its serial grew) and accepts both inside the overlap.
        let ks = phone_keyset(dir.path(), Some(before.serial));
        assert_eq!(ks.serial, r.serial);
        let verify = |code: &str, at| venue::verify_with(code, &ks, at);
        for at in [NOW, NOW + 30 * DAY] {
            assert!(verify(&old_code, at).is_ok(), "old key at {at}");
            assert!(verify(&new_code, at).is_ok(), "new key at {at}");
        }
        // After the overlap only the new key's code verifies.
        assert!(verify(&old_code, NOW + 30 * DAY + 1).is_err());
        assert!(verify(&new_code, NOW + 30 * DAY + 1).is_ok());
        // The registry is re-signed with the new key and still lists the old code.
        let listed = trust::issued_venues(dir.path(), &new).unwrap();
        assert_eq!(listed.len(), 1);
        let reg = std::fs::read(dir.path().join(trust::REGISTRY_FILE)).unwrap();
        let only_new = Keyset::from_trusted(&[new.public().venue_key]);
        assert!(
            khaibao_core::venue::registry::Registry::verify(&reg, &only_new, NOW, None).is_ok()
        );
    }

    #[test]
    fn exposure_lists_of_both_keys_verify_inside_the_overlap_and_the_old_one_not_after() {
        let (dir, old) = folder();
        let list = |keys: &AuthorityKeys| {
            exposure::build_list(keys.exposure_pkcs8(), 1, 0, NOW, &[]).unwrap()
        };
        let old_list = list(&old);
        rotate(dir.path(), KeyPurpose::Exposure, DAY, NOW).unwrap();
        let new = AuthorityKeys::load(dir.path()).unwrap();
        assert_eq!(new.public().venue_key, old.public().venue_key);
        let new_list = list(&new);
        let ks = phone_keyset(dir.path(), None);
        let accepts = |bytes: &[u8], at| {
            exposure::verify_list(bytes, &ks.valid_keys_for(USAGE_EXPOSURE, at)).is_ok()
        };
        assert!(accepts(&old_list, NOW + DAY) && accepts(&new_list, NOW + DAY));
        assert!(!accepts(&old_list, NOW + DAY + 1) && accepts(&new_list, NOW + DAY + 1));
        // Neither exposure key ever verifies a venue code or a device certificate.
        assert!(
            ks.valid_keys_for(USAGE_VENUE | USAGE_DEVICE, NOW)
                .iter()
                .all(|k| {
                    k.kid != old.public().exposure_key.kid && k.kid != new.public().exposure_key.kid
                })
        );
    }

    #[test]
    fn device_certificates_of_both_keys_verify_inside_the_overlap_and_the_old_one_not_after() {
        let (dir, old) = folder();
        let device = [7u8; 32];
        let cert = |keys: &AuthorityKeys| {
            pass::certify_device(keys.device_pkcs8(), &device, NOW, NOW + 90 * DAY).unwrap()
        };
        let old_cert = cert(&old);
        // No overlap: the compromise case, the old key is refused from now on.
        let r = rotate(dir.path(), KeyPurpose::Device, 0, NOW).unwrap();
        assert_eq!(r.old_valid_until, NOW);
        let new = AuthorityKeys::load(dir.path()).unwrap();
        let new_cert = cert(&new);
        let ks = phone_keyset(dir.path(), None);
        let accepts = |bytes: &[u8], at| {
            pass::verify_certificate(bytes, &ks.valid_keys_for(USAGE_DEVICE, at), at).is_ok()
        };
        assert!(accepts(&old_cert, NOW) && accepts(&new_cert, NOW));
        assert!(!accepts(&old_cert, NOW + 1) && accepts(&new_cert, NOW + 1));
    }

    #[test]
    fn rotations_only_close_windows_and_refuse_a_bad_folder() {
        let (dir, _) = folder();
        let first = rotate(dir.path(), KeyPurpose::Exposure, DAY, NOW).unwrap();
        let second = rotate(dir.path(), KeyPurpose::Exposure, DAY, NOW + 5 * DAY).unwrap();
        assert!(second.serial > first.serial);
        let ks = phone_keyset(dir.path(), Some(first.serial));
        // Every key ever used stays listed, its window closed: none comes back.
        assert_eq!(ks.keys.len(), 5);
        let of = |kid: &[u8]| ks.keys.iter().find(|k| k.kid == kid).unwrap().clone();
        assert_eq!(of(&first.old_kid).valid_until, NOW + DAY);
        assert_eq!(of(&second.old_kid).valid_until, NOW + 6 * DAY);
        assert_eq!(of(&second.new_kid).valid_until, UnixTime::MAX);
        assert!(matches!(
            rotate(dir.path(), KeyPurpose::Device, -1, NOW),
            Err(RotateError::NegativeOverlap)
        ));
        // A server folder (no root) cannot rotate.
        std::fs::remove_file(dir.path().join(trust::ROOT_FILE)).unwrap();
        assert!(rotate(dir.path(), KeyPurpose::Device, DAY, NOW).is_err());
    }
}
