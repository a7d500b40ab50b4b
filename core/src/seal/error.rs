//! Errors of signing, sealing and opening.

use crate::error::ErrorCode;

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

impl SealError {
    /// This error's stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Crypto(_) => ErrorCode::SealCryptoFailure,
            Self::CannotOpen => ErrorCode::SealCannotOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        for (e, code) in [
            (SealError::Crypto("x"), ErrorCode::SealCryptoFailure),
            (SealError::CannotOpen, ErrorCode::SealCannotOpen),
        ] {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(crate::Error::from(e).code(), code);
        }
    }
}
