//! Errors of signing, sealing and opening.

/// A cryptographic operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// A cryptographic operation failed (key generation, bad key bytes, no randomness).
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// A sealed envelope could not be opened: wrong key, tampered or truncated.
    #[error("sealed envelope could not be opened")]
    CannotOpen,
}

crate::error::code::area_codes!(SealError {
    Crypto => SealCryptoFailure,
    CannotOpen => SealCannotOpen,
});
