//! Errors of scanning camera frames and images.

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

crate::error::code::area_codes!(ScanError {
    InvalidFrame => ScanInvalidFrame,
    Image => ScanImageUndecodable,
});
