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
