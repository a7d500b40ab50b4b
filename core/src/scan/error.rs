//! Errors of scanning camera frames and images.

use crate::error::ErrorCode;

/// A frame or image that cannot be scanned at all (a frame with no QR code is not an error).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A camera frame's geometry does not match its buffer.
    #[error("invalid frame: {0}")]
    InvalidFrame(&'static str),
    /// An encoded image could not be decoded (or its format is not built in).
    #[error("image could not be decoded")]
    Image,
}

impl ScanError {
    /// This error's stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidFrame(_) => ErrorCode::ScanInvalidFrame,
            Self::Image => ErrorCode::ScanImageUndecodable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        for (e, code) in [
            (ScanError::InvalidFrame("x"), ErrorCode::ScanInvalidFrame),
            (ScanError::Image, ErrorCode::ScanImageUndecodable),
        ] {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(crate::Error::from(e).code(), code);
        }
    }
}
