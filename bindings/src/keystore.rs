//! The platform key store (Android Keystore, iOS Keychain) as a foreign trait.
//!
//! The library never sees the platform's own key: it hands the host a secret to `wrap`
//! (encrypt under a hardware-backed key) and later asks for it back with `unwrap`. The host
//! stores the wrapped bytes wherever it likes. Encryption at rest of the local database uses
//! this trait to keep its master key; [`verify_key_store`] lets an app check, at setup, that
//! its implementation round-trips a fresh random key.

use crate::{KhaibaoError, Result, guard};
use khaibao_core::ErrorCode;
use ring::rand::{SecureRandom, SystemRandom};
use std::sync::Arc;

/// Why the host's key store refused.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeyStoreError {
    /// The platform key is missing (app reinstalled, device restored, biometrics changed).
    #[error("key store: key unavailable")]
    KeyUnavailable,
    /// Any other failure of the platform API.
    #[error("key store: failed")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed {
            reason: "unexpected error in host callback".into(),
        }
    }
}

/// Implemented by the host: wraps and unwraps secrets with a key that never leaves the
/// platform's key store.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// Encrypts `secret`; the result is opaque to the library.
    fn wrap(&self, secret: Vec<u8>) -> std::result::Result<Vec<u8>, KeyStoreError>;
    /// Decrypts what [`KeyStore::wrap`] returned.
    fn unwrap(&self, wrapped: Vec<u8>) -> std::result::Result<Vec<u8>, KeyStoreError>;
}

fn key_store_error(e: &KeyStoreError) -> KhaibaoError {
    // The host's reason text is not passed on: it may name paths or accounts.
    let (code, detail) = match e {
        KeyStoreError::KeyUnavailable => (
            ErrorCode::KeystoreUnavailable,
            "the platform key is missing",
        ),
        KeyStoreError::Failed { .. } => {
            (ErrorCode::KeystoreFailed, "the platform key store failed")
        }
    };
    KhaibaoError::new(code, detail)
}

/// Checks that `store` wraps a fresh random 32-byte key into something else and unwraps it
/// back to the same bytes.
#[uniffi::export]
pub fn verify_key_store(store: Arc<dyn KeyStore>) -> Result<()> {
    guard("verify_key_store", || {
        let mut secret = [0u8; 32];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| KhaibaoError::new(ErrorCode::SealCryptoFailure, "no system randomness"))?;
        let wrapped = store
            .wrap(secret.to_vec())
            .map_err(|e| key_store_error(&e))?;
        if wrapped.windows(secret.len()).any(|w| w == secret) {
            return Err(KhaibaoError::new(
                ErrorCode::KeystoreNotWrapping,
                "the key store returned the secret in the clear",
            ));
        }
        let back = store.unwrap(wrapped).map_err(|e| key_store_error(&e))?;
        if back != secret {
            return Err(KhaibaoError::new(
                ErrorCode::KeystoreMismatch,
                "the key store did not return the wrapped secret",
            ));
        }
        Ok(())
    })
}
