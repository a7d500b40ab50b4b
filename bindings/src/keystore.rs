//! The database key, made and kept by the library; the host supplies only a hardware-backed
//! wrap/unwrap (Android Keystore, iOS Keychain / Secure Enclave) as a foreign trait.
//!
//! On the first open the library draws a random 32-byte master key (which wraps the
//! database's day keys and, through them, the device key), has the host wrap it, checks the
//! wrapping (not the clear key, and it unwraps to the same bytes) and writes the wrapped
//! bytes to `<db_path>.key`. Later opens read that file and ask the host to unwrap it. The
//! clear key never leaves the library and no `Debug` prints it (core's `MasterKey`).
//!
//! When the hardware key is gone (a backup restored onto a new phone, the app's keys wiped)
//! the open fails with `keystore.unavailable`: the diary cannot be read by anyone. The app
//! tells the user so and calls [`discard_unrecoverable_diary`], which deletes the unreadable
//! database and its key file and keeps everything else (the app's own settings and the
//! configuration); the next open starts an empty diary, and the trust data and device
//! certificate are fetched again.

use crate::{KhaibaoConfig, KhaibaoError, Result, off_thread};
use khaibao_core::ErrorCode;
use khaibao_core::error::StorageError;
use khaibao_core::storage::store::Store;
use khaibao_core::storage::vault::MasterKey;
use ring::rand::{SecureRandom, SystemRandom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why the host's key wrapper refused.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeyWrapError {
    /// The hardware key is missing (app reinstalled, device restored, biometrics changed).
    #[error("key wrapper: key unavailable")]
    KeyUnavailable,
    /// Any other failure of the platform API.
    #[error("key wrapper: failed")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyWrapError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed {
            reason: "unexpected error in host callback".into(),
        }
    }
}

/// Implemented by the host: wraps and unwraps the library's database key with a key that
/// never leaves the platform's key store. The library stores what `wrap` returns.
#[uniffi::export(with_foreign)]
pub trait HardwareKeyWrapper: Send + Sync {
    /// Encrypts `secret`; the result is opaque to the library.
    fn wrap(&self, secret: Vec<u8>) -> std::result::Result<Vec<u8>, KeyWrapError>;
    /// Decrypts what [`HardwareKeyWrapper::wrap`] returned.
    fn unwrap(&self, wrapped: Vec<u8>) -> std::result::Result<Vec<u8>, KeyWrapError>;
}

/// The file format's first bytes: a version, so a later format can be told apart.
const MAGIC: &[u8] = b"KBK1";

fn key_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}

fn wrap_error(e: &KeyWrapError) -> KhaibaoError {
    // The host's reason text is not passed on: it may name paths or accounts.
    match e {
        KeyWrapError::KeyUnavailable => KhaibaoError::new(
            ErrorCode::KeystoreUnavailable,
            "the hardware key is missing",
        ),
        KeyWrapError::Failed { .. } => {
            KhaibaoError::new(ErrorCode::KeystoreFailed, "the platform key store failed")
        }
    }
}

fn io_error(what: &str) -> KhaibaoError {
    KhaibaoError::new(ErrorCode::StorageFailure, what)
}

/// The database's master key: unwrapped from `<db>.key`, or made, wrapped and stored there
/// when neither the key file nor the database exists yet.
pub(crate) fn master_key(db: &Path, wrapper: &dyn HardwareKeyWrapper) -> Result<MasterKey> {
    let file = key_path(db);
    match std::fs::read(&file) {
        Ok(bytes) => unwrap_key(&bytes, wrapper),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if db.exists() {
                // A database whose key is lost can never be read again.
                return Err(KhaibaoError::new(
                    ErrorCode::KeystoreUnavailable,
                    "the database's key file is missing",
                ));
            }
            create(&file, wrapper)
        }
        Err(_) => Err(io_error("the key file could not be read")),
    }
}

/// The master key in a key file's bytes, unwrapped by the host.
fn unwrap_key(bytes: &[u8], wrapper: &dyn HardwareKeyWrapper) -> Result<MasterKey> {
    let wrapped = bytes.strip_prefix(MAGIC).ok_or_else(|| {
        KhaibaoError::new(ErrorCode::FormatMalformed, "the key file is not readable")
    })?;
    let clear = wrapper
        .unwrap(wrapped.to_vec())
        .map_err(|e| wrap_error(&e))?;
    MasterKey::from_bytes(&clear).map_err(|_| {
        KhaibaoError::new(
            ErrorCode::KeystoreMismatch,
            "the key store did not return the wrapped key",
        )
    })
}

fn unwrap_key_file(file: &Path, wrapper: &dyn HardwareKeyWrapper) -> Result<MasterKey> {
    let bytes = std::fs::read(file).map_err(|_| io_error("the key file could not be read"))?;
    unwrap_key(&bytes, wrapper)
}

fn create(file: &Path, wrapper: &dyn HardwareKeyWrapper) -> Result<MasterKey> {
    let (key, wrapped) = new_wrapped_key(wrapper)?;
    write_key_file(file, &wrapped)?;
    Ok(key)
}

/// A fresh random master key and its wrapping by the host, checked: not the clear key, and
/// it unwraps to the same bytes.
fn new_wrapped_key(wrapper: &dyn HardwareKeyWrapper) -> Result<(MasterKey, Vec<u8>)> {
    let mut secret = [0u8; 32];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| KhaibaoError::new(ErrorCode::SealCryptoFailure, "no system randomness"))?;
    let wrapped = wrapper.wrap(secret.to_vec()).map_err(|e| wrap_error(&e))?;
    if wrapped.windows(secret.len()).any(|w| w == secret) {
        return Err(KhaibaoError::new(
            ErrorCode::KeystoreNotWrapping,
            "the key store returned the secret in the clear",
        ));
    }
    let back = wrapper
        .unwrap(wrapped.clone())
        .map_err(|e| wrap_error(&e))?;
    if back != secret {
        return Err(KhaibaoError::new(
            ErrorCode::KeystoreMismatch,
            "the key store did not return the wrapped secret",
        ));
    }
    let key = MasterKey::from_bytes(&secret)?;
    secret.fill(0);
    Ok((key, wrapped))
}

/// Writes a key file beside, then renames it into place: a crash leaves either the old
/// file (or none) or the whole new one.
fn write_key_file(file: &Path, wrapped: &[u8]) -> Result<()> {
    let mut tmp = file.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(MAGIC)?;
        f.write_all(wrapped)?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    };
    write().map_err(|_| io_error("the key file could not be written"))
}

/// Where a rotation keeps the new wrapped key until the database is under it.
fn next_key_path(db: &Path) -> PathBuf {
    let mut p = key_path(db).into_os_string();
    p.push(".next");
    PathBuf::from(p)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) => Err(io_error("a key file could not be deleted")),
    }
}

/// Opens the database at `db` under its master key, finishing a rotation that a crash
/// interrupted: if the database was re-wrapped but the new key file not yet renamed into
/// place, the old key is refused (`storage.wrong_master_key`) and the new one opens it; if
/// the re-wrapping never committed, the new key file is deleted.
pub(crate) fn open_store(db: &Path, wrapper: &dyn HardwareKeyWrapper, now: i64) -> Result<Store> {
    let master = master_key(db, wrapper)?;
    let next = next_key_path(db);
    match Store::open(db, &master, now) {
        Ok(store) => {
            remove_if_present(&next)?;
            Ok(store)
        }
        Err(khaibao_core::Error::Storage(StorageError::WrongMasterKey)) if next.exists() => {
            let key = unwrap_key_file(&next, wrapper)?;
            let store = Store::open(db, &key, now)?;
            std::fs::rename(&next, key_path(db))
                .map_err(|_| io_error("the key file could not be written"))?;
            Ok(store)
        }
        Err(e) => Err(e.into()),
    }
}

/// Re-wraps the database's surviving day keys and device key under a new master key, kept
/// wrapped by `wrapper` in place of the old one, and returns the new key generation.
///
/// The new wrapped key is written to `<db>.key.next` first, then the database is re-wrapped
/// in one transaction (core's `Store::rotate_master_key`, which also empties the write-ahead
/// log), then the new key file replaces the old one. The old master key is then stored
/// nowhere: a copy of the database taken before does not open with the key that remains,
/// and the days purged since are gone from it for whoever obtains that key.
pub(crate) fn rotate(
    store: &mut Store,
    db: &Path,
    wrapper: &dyn HardwareKeyWrapper,
    now: i64,
) -> Result<i64> {
    let (key, wrapped) = new_wrapped_key(wrapper)?;
    let next = next_key_path(db);
    write_key_file(&next, &wrapped)?;
    let before = store.master_key_generation()?.0;
    let rotated = store.rotate_master_key(&key, now);
    match store.master_key_generation() {
        // Committed (even if emptying the log failed afterwards): the new key is the key.
        Ok((after, _)) if after > before => std::fs::rename(&next, key_path(db))
            .map_err(|_| io_error("the key file could not be written"))?,
        Ok(_) => remove_if_present(&next)?,
        // Unknown: the next open finds out which key the database is under.
        Err(_) => {}
    }
    Ok(i64::try_from(rotated?).unwrap_or(i64::MAX))
}

/// Whether the master key is `period_days` old or more at `now` (never for a period ≤ 0).
pub(crate) fn rotation_due(store: &Store, period_days: i32, now: i64) -> Result<bool> {
    if period_days <= 0 {
        return Ok(false);
    }
    let (_, rotated_at) = store.master_key_generation()?;
    Ok(now.saturating_sub(rotated_at) >= i64::from(period_days) * 86_400)
}

/// After `keystore.unavailable`: deletes the database that can no longer be read, with its
/// journal files and its key file, so that the next open starts an empty diary. Call it once
/// the user has been told the local diary could not be recovered. A diary whose key still
/// unwraps is never deleted: that is `api.invalid_state`.
#[uniffi::export]
pub async fn discard_unrecoverable_diary(
    config: KhaibaoConfig,
    key_wrapper: Arc<dyn HardwareKeyWrapper>,
) -> Result<()> {
    off_thread("discard_unrecoverable_diary", move || {
        let db = PathBuf::from(&config.db_path);
        if let Ok(bytes) = std::fs::read(key_path(&db)) {
            let readable = bytes
                .strip_prefix(MAGIC)
                .is_some_and(|w| key_wrapper.unwrap(w.to_vec()).is_ok());
            if readable {
                return Err(KhaibaoError::new(
                    ErrorCode::ApiInvalidState,
                    "the diary's key still unwraps; nothing was deleted",
                ));
            }
        }
        let mut paths = vec![key_path(&db), next_key_path(&db)];
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            paths.push(PathBuf::from(p));
        }
        for p in paths {
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) => return Err(io_error("the unreadable database could not be deleted")),
            }
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Wraps with XOR under a key it can lose.
    struct Xor(Mutex<Option<u8>>);

    impl HardwareKeyWrapper for Xor {
        fn wrap(&self, secret: Vec<u8>) -> std::result::Result<Vec<u8>, KeyWrapError> {
            let k = self
                .0
                .lock()
                .map_err(|_| KeyWrapError::KeyUnavailable)?
                .ok_or(KeyWrapError::KeyUnavailable)?;
            Ok(secret.iter().map(|b| b ^ k).collect())
        }
        fn unwrap(&self, wrapped: Vec<u8>) -> std::result::Result<Vec<u8>, KeyWrapError> {
            self.wrap(wrapped)
        }
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("khaibao-keys-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).map(|()| d).unwrap_or_default()
    }

    #[test]
    fn the_key_is_stored_only_wrapped_and_a_lost_hardware_key_is_typed() {
        let d = dir("lost");
        let db = d.join("c.db");
        let wrapper = Xor(Mutex::new(Some(0x5a)));
        let key = master_key(&db, &wrapper).map(|k| format!("{k:?}"));
        assert!(key.is_ok());
        let file = std::fs::read(key_path(&db)).unwrap_or_default();
        assert!(file.starts_with(MAGIC));
        let clear = wrapper
            .unwrap(file[MAGIC.len()..].to_vec())
            .unwrap_or_default();
        assert_eq!(clear.len(), 32);
        assert!(
            !file.windows(32).any(|w| w == clear),
            "the clear key is not stored"
        );
        // No Debug output carries the key's bytes (hex or decimal).
        let shown = key.unwrap_or_default();
        assert!(!shown.contains(&format!("{:02x}{:02x}", clear[0], clear[1])));
        assert!(!shown.contains(&format!("{}, {}", clear[0], clear[1])));

        // The same key again from the file.
        assert!(master_key(&db, &wrapper).is_ok());
        // The hardware key gone: a typed error, nothing created or overwritten.
        *wrapper
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        let lost = master_key(&db, &wrapper).err().map(|e| e.code());
        assert_eq!(lost, Some(ErrorCode::KeystoreUnavailable));
        assert_eq!(std::fs::read(key_path(&db)).unwrap_or_default(), file);
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_database_without_its_key_file_is_unrecoverable() {
        let d = dir("nofile");
        let db = d.join("c.db");
        let _ = std::fs::write(&db, b"sqlite");
        let wrapper = Xor(Mutex::new(Some(1)));
        let err = master_key(&db, &wrapper).err().map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::KeystoreUnavailable));
        assert!(
            !key_path(&db).exists(),
            "no new key is made for an existing database"
        );
        let _ = std::fs::remove_dir_all(d);
    }
}
