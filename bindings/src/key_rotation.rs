//! Rotating the database's master key on a schedule, so that a copy of the file taken
//! before a rotation cannot be read with the key the phone holds afterwards (and the days
//! purged since are gone from it for good). The work is core's
//! `Store::rotate_master_key`; this file only exposes it.

use crate::{Khaibao, Result, guard};
use khaibao_core::storage::vault::MasterKey;

#[uniffi::export]
impl Khaibao {
    /// Whether the master key is due for rotation (a week since the last one).
    pub fn master_key_rotation_due(&self) -> Result<bool> {
        guard("master_key_rotation_due", || {
            Ok(self.store().master_key_rotation_due(self.now())?)
        })
    }

    /// Re-wraps the database's keys under `new_master_key` (32 random bytes) and returns
    /// the new generation number. Save the new key in the platform key store *before*
    /// calling, and delete the old one after it returns; on the next open, if the new key
    /// is refused (`storage.wrong_master_key`), the rotation did not commit: open with the
    /// old key.
    pub fn rotate_master_key(&self, new_master_key: Vec<u8>) -> Result<u64> {
        guard("rotate_master_key", || {
            let key = MasterKey::from_bytes(&new_master_key)?;
            Ok(self.store().rotate_master_key(&key, self.now())?)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Khaibao, KhaibaoConfig};
    use khaibao_core::ErrorCode;

    fn config(db: &std::path::Path, master_key: Vec<u8>) -> KhaibaoConfig {
        KhaibaoConfig {
            db_path: db.to_string_lossy().into_owned(),
            venue_keys: vec![],
            authority_sealing_key: vec![1; 32],
            authority_url: "https://authority.invalid".into(),
            master_key,
            root_public_key: None,
            spki_sha256_pins: vec![],
            extra_roots_der: vec![],
        }
    }

    #[test]
    fn master_key_rotation_and_pins_through_the_config() {
        let dir = std::env::temp_dir().join(format!("khaibao-rotation-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("k.db");
        let (old, new) = (vec![3u8; 32], vec![4u8; 32]);
        let k = Khaibao::open(config(&db, old.clone())).unwrap();
        assert!(!k.master_key_rotation_due().unwrap());
        assert_eq!(
            k.rotate_master_key(vec![5; 31]).unwrap_err().code(),
            ErrorCode::FormatInvalidField
        );
        assert_eq!(k.rotate_master_key(new.clone()).unwrap(), 2);
        drop(k);
        assert_eq!(
            Khaibao::open(config(&db, old)).err().unwrap().code(),
            ErrorCode::StorageWrongMasterKey
        );
        assert!(Khaibao::open(config(&db, new.clone())).is_ok());
        // Pins are set in the config; one that is not a SHA-256 is refused at open.
        let mut pinned = config(&db, new);
        pinned.spki_sha256_pins = vec![vec![7; 32], vec![8; 31]];
        assert_eq!(
            Khaibao::open(pinned).err().unwrap().code(),
            ErrorCode::FormatInvalidField
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
