//! Errors of the shared encodings: CBOR, COSE structure, base45, texts and fields.

use crate::error::ErrorCode;

/// Bytes that should hold one of the library's encodings do not.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The structure (CBOR, COSE, base45, …) is broken or truncated.
    #[error("malformed data: {0}")]
    Malformed(&'static str),
    /// The data uses a format version this library does not read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u64),
    /// A field is missing, has the wrong type or a value outside its range.
    #[error("invalid field: {0}")]
    InvalidField(&'static str),
    /// A field, or the whole item, is longer than the format allows.
    #[error("too long: {0}")]
    FieldTooLong(&'static str),
}

impl FormatError {
    /// This error's stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Malformed(_) => ErrorCode::FormatMalformed,
            Self::UnsupportedVersion(_) => ErrorCode::FormatUnsupportedVersion,
            Self::InvalidField(_) => ErrorCode::FormatInvalidField,
            Self::FieldTooLong(_) => ErrorCode::FormatTooLong,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        for (e, code) in [
            (FormatError::Malformed("x"), ErrorCode::FormatMalformed),
            (
                FormatError::UnsupportedVersion(9),
                ErrorCode::FormatUnsupportedVersion,
            ),
            (
                FormatError::InvalidField("x"),
                ErrorCode::FormatInvalidField,
            ),
            (FormatError::FieldTooLong("x"), ErrorCode::FormatTooLong),
        ] {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(crate::Error::from(e).code(), code);
        }
    }
}
