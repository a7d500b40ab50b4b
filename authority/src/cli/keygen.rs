//! `khaibao keygen`: fills a keys folder with whatever it lacks — the signing and sealing
//! keys ([`AuthorityKeys`]), then the root key with its keyset update
//! ([`trust::ensure_root`]) — and never overwrites a key that is there.

use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::trust::{self, TrustError};
use khaibao_core::UnixTime;
use std::path::Path;

/// What `khaibao keygen` did in a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keygen {
    /// The signing and sealing keys were created (they did not exist).
    pub keys_created: bool,
    /// The root key and the keyset update were created.
    pub root_created: bool,
}

/// Creates whatever keys `dir` lacks: the signing and sealing keys, then the root key with
/// its keyset update. Existing keys are never overwritten.
pub fn keygen(dir: &Path, now: UnixTime) -> Result<Keygen, TrustError> {
    let keys_created = !dir.join("signing.pk8").exists();
    if keys_created {
        AuthorityKeys::generate()?.save(dir)?;
    }
    let keys = AuthorityKeys::load(dir)?;
    let root_created = trust::ensure_root(dir, &keys, now)?;
    Ok(Keygen {
        keys_created,
        root_created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_fills_an_empty_folder_then_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_767_225_600;
        let made = keygen(dir.path(), now).unwrap();
        assert!(made.keys_created && made.root_created);
        let public = AuthorityKeys::load(dir.path()).unwrap().public();
        let root = trust::root_public(dir.path()).unwrap();
        let again = keygen(dir.path(), now + 5).unwrap();
        assert!(!again.keys_created && !again.root_created);
        assert_eq!(AuthorityKeys::load(dir.path()).unwrap().public(), public);
        assert_eq!(trust::root_public(dir.path()).unwrap(), root);
    }

    #[test]
    fn keygen_adds_only_the_root_to_an_old_folder() {
        let dir = tempfile::tempdir().unwrap();
        // A folder from before the root key existed.
        AuthorityKeys::generate().unwrap().save(dir.path()).unwrap();
        let made = keygen(dir.path(), 1_767_225_600).unwrap();
        assert!(!made.keys_created && made.root_created);
    }
}
