//! `khaibao keygen` and `khaibao keys rotate`: filling a keys folder with whatever it lacks
//! ([`keygen`], in the library's `trust` module), never overwriting a key that is there;
//! and rotating one signing key under the root ([`rotation::rotate`]).

use khaibao_authority::keys::KeyPurpose;
use khaibao_authority::rotation::{self, RotateError, Rotation};
pub use khaibao_authority::trust::keygen;
use khaibao_core::UnixTime;
use std::path::Path;

/// `khaibao keys rotate`: rotates the `purpose` key of `dir` with an overlap of
/// `overlap_days` (the purpose's default when `None`).
pub fn rotate(
    dir: &Path,
    purpose: KeyPurpose,
    overlap_days: Option<i64>,
    now: UnixTime,
) -> Result<Rotation, RotateError> {
    let overlap = overlap_days.map_or(rotation::default_overlap(purpose), |d| {
        d.saturating_mul(86_400)
    });
    rotation::rotate(dir, purpose, overlap, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use khaibao_authority::keys::{self, AuthorityKeys};
    use khaibao_authority::trust;
    use khaibao_core::venue::keyset::USAGE_VENUE;

    #[test]
    fn keygen_fills_an_empty_folder_then_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_767_225_600;
        let made = keygen(dir.path(), now).unwrap();
        assert_eq!(made.created, KeyPurpose::ALL.to_vec());
        assert!(made.sealing_created && made.root_created && !made.keyset_updated);
        let public = AuthorityKeys::load(dir.path()).unwrap().public();
        let root = trust::root_public(dir.path()).unwrap();
        let again = keygen(dir.path(), now + 5).unwrap();
        assert!(!again.changed());
        assert_eq!(AuthorityKeys::load(dir.path()).unwrap().public(), public);
        assert_eq!(trust::root_public(dir.path()).unwrap(), root);
    }

    #[test]
    fn keygen_adds_only_the_root_to_a_folder_without_one() {
        let dir = tempfile::tempdir().unwrap();
        AuthorityKeys::generate().unwrap().save(dir.path()).unwrap();
        let made = keygen(dir.path(), 1_767_225_600).unwrap();
        assert!(made.created.is_empty() && !made.sealing_created && made.root_created);
    }

    #[test]
    fn keygen_splits_a_first_format_folder_and_narrows_its_key_to_venues() {
        // A first-format folder: one signing key, listed for every usage by its root.
        let dir = tempfile::tempdir().unwrap();
        let now = 1_767_225_600;
        let old = keys::SigningKey::generate().unwrap();
        std::fs::write(dir.path().join(keys::LEGACY_SIGNING_FILE), old.pkcs8()).unwrap();
        let root = keys::SigningKey::generate().unwrap();
        std::fs::write(dir.path().join(trust::ROOT_FILE), root.pkcs8()).unwrap();
        let legacy = khaibao_core::venue::keyset::Keyset {
            serial: 5,
            issued_at: now - 10,
            keys: vec![khaibao_core::venue::keyset::KeysetEntry {
                kid: old.trusted().kid,
                public_key: old.trusted().public_key,
                valid_from: 0,
                valid_until: i64::MAX,
                usage: khaibao_core::venue::keyset::USAGE_ALL,
            }],
        };
        std::fs::write(
            dir.path().join(trust::KEYSET_FILE),
            legacy.sign(root.pkcs8()).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(keys::SEALING_FILE),
            khaibao_core::seal::SealingKey::generate()
                .unwrap()
                .to_bytes(),
        )
        .unwrap();

        let made = keygen(dir.path(), now).unwrap();
        assert!(made.migrated && made.keyset_updated && !made.root_created);
        assert_eq!(made.created, vec![KeyPurpose::Exposure, KeyPurpose::Device]);
        let keys = AuthorityKeys::load(dir.path()).unwrap();
        assert_eq!(keys.public().venue_key, old.trusted());
        let ks = trust::folder_keyset(dir.path()).unwrap().unwrap();
        assert!(ks.serial > 5);
        assert_eq!(ks.keys.len(), 3);
        assert_eq!(
            ks.keys[0].usage, USAGE_VENUE,
            "the old key signs venues only"
        );
        assert_eq!(
            keys::listed_root(dir.path()),
            Some(trust::root_public(dir.path()).unwrap())
        );
    }

    #[test]
    fn rotate_takes_the_purposes_default_overlap_or_the_days_given() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_767_225_600;
        keygen(dir.path(), now).unwrap();
        let r = rotate(dir.path(), KeyPurpose::Device, None, now).unwrap();
        assert_eq!(
            r.old_valid_until,
            now + khaibao_core::pass::CERTIFICATE_SECONDS
        );
        let r = rotate(dir.path(), KeyPurpose::Exposure, Some(3), now).unwrap();
        assert_eq!(r.old_valid_until, now + 3 * 86_400);
    }
}
