//! Errors of the shared encodings: CBOR, COSE structure, base45, texts and fields.

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

crate::error::code::area_codes!(FormatError {
    Malformed => FormatMalformed,
    UnsupportedVersion => FormatUnsupportedVersion,
    InvalidField => FormatInvalidField,
    FieldTooLong => FormatTooLong,
});
