//! The core's internal error type.
//!
//! Every variant maps to a stable machine-readable code (see [`Error::code`]) that the
//! bindings export unchanged. Messages never carry personal data: no names, numbers, venue
//! names or payload bytes, only what kind of thing went wrong.

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not a khaibao venue code.
    #[error("not a khaibao venue code")]
    NotVenueCode,
    /// The code has the khaibao prefix, but its CBOR/COSE structure is broken.
    #[error("malformed code: {0}")]
    Malformed(&'static str),
    /// The code is signed with a key id that no trusted key has.
    #[error("unknown signing key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The code's validity starts in the future.
    #[error("not valid yet")]
    NotYetValid,
    /// The code's validity has ended.
    #[error("expired")]
    Expired,
    /// The code uses a format version this library does not read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u64),
    /// A field is missing, has the wrong type or a value outside its range.
    #[error("invalid field: {0}")]
    InvalidField(&'static str),
    /// A field, or the whole code, is longer than the format allows.
    #[error("too long: {0}")]
    FieldTooLong(&'static str),
    /// The signing key is known but outside its validity window (rotated out or not yet in).
    #[error("signing key not valid at this time")]
    KeyNotValid,
    /// A signed update (keyset, venue registry) is not newer than the one already held.
    #[error("signed update is older than the current one")]
    StaleUpdate,
    /// A manual-entry venue code has the wrong length or check digit.
    #[error("manual venue code is mistyped")]
    ManualCodeInvalid,
    /// A well-formed manual-entry venue code that the registry does not list.
    #[error("manual venue code is not in the registry")]
    ManualCodeUnknown,
    /// No verified venue registry is held yet, so manual codes cannot be resolved.
    #[error("no venue registry downloaded yet")]
    RegistryMissing,
    /// A camera frame's geometry does not match its buffer.
    #[error("invalid frame: {0}")]
    InvalidFrame(&'static str),
    /// An encoded image could not be decoded (or its format is not built in).
    #[error("image could not be decoded")]
    Image,
    /// A cryptographic operation failed (key generation, bad key bytes).
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// A sealed envelope could not be opened: wrong key, tampered or truncated.
    #[error("sealed envelope could not be opened")]
    SealOpen,
    /// The local database failed.
    #[error("storage failure: {0}")]
    Storage(String),
    /// The local database file is not a database or is damaged.
    #[error("the database file is corrupt")]
    Corrupt,
    /// The network request failed before a response arrived (retryable).
    #[error("network failure: {0}")]
    Network(String),
    /// The server answered with an error status.
    #[error("server answered with status {status}")]
    Server {
        /// HTTP status code.
        status: u16,
    },
    /// The server's answer could not be understood.
    #[error("unexpected server response: {0}")]
    Protocol(&'static str),
    /// A personal pass has expired (they live a few minutes).
    #[error("pass expired")]
    PassExpired,
    /// The same pass was already shown at this venue.
    #[error("pass already used")]
    PassReplayed,
    /// The signing device is not certified by a trusted authority key.
    #[error("device not certified")]
    DeviceUncertified,
    /// The master key supplied by the host does not open this database's keys.
    #[error("the master key does not open this database")]
    WrongMasterKey,
    /// The data key of a local day is gone (purged or shredded); that day cannot be read.
    #[error("the day's data key is gone")]
    DayKeyMissing,
    /// The caller used the API wrongly (for example, checking out with nothing active).
    #[error("invalid state: {0}")]
    InvalidState(&'static str),
}

impl Error {
    /// A stable code for this kind of error, for programs and for support.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotVenueCode => "venue.not_khaibao",
            Error::Malformed(_) => "code.malformed",
            Error::UnknownKey => "venue.unknown_key",
            Error::BadSignature => "signature.invalid",
            Error::NotYetValid => "venue.not_yet_valid",
            Error::Expired => "venue.expired",
            Error::UnsupportedVersion(_) => "code.unsupported_version",
            Error::InvalidField(_) => "field.invalid",
            Error::FieldTooLong(_) => "field.too_long",
            Error::KeyNotValid => "venue.key_not_valid",
            Error::StaleUpdate => "update.stale",
            Error::ManualCodeInvalid => "venue.manual_code_invalid",
            Error::ManualCodeUnknown => "venue.manual_code_unknown",
            Error::RegistryMissing => "venue.registry_missing",
            Error::InvalidFrame(_) => "scan.invalid_frame",
            Error::Image => "scan.image_undecodable",
            Error::Crypto(_) => "crypto.failure",
            Error::SealOpen => "seal.cannot_open",
            Error::Storage(_) => "storage.failure",
            Error::Corrupt => "storage.corrupt",
            Error::Network(_) => "network.failure",
            Error::Server { .. } => "network.server_error",
            Error::Protocol(_) => "network.protocol",
            Error::PassExpired => "pass.expired",
            Error::PassReplayed => "pass.replayed",
            Error::DeviceUncertified => "pass.device_uncertified",
            Error::InvalidState(_) => "api.invalid_state",
            Error::WrongMasterKey => "storage.wrong_master_key",
            Error::DayKeyMissing => "storage.day_key_missing",
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                Error::Corrupt
            }
            // SQLite's own messages name tables and constraints, never row values.
            _ => Error::Storage(e.to_string()),
        }
    }
}
