//! The one error type the bindings export.
//!
//! Each variant is a family; `code` is the core's stable code (for example
//! `venue.unknown_key`) and `detail` says what kind of thing went wrong, in English, with no
//! personal data. Validation failures carry every field error for the form to show.

use khaibao_core::declaration::FieldError;

/// Errors thrown to Kotlin, Swift and Python.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KhaibaoError {
    /// The scanned code is not a valid or trusted venue code.
    #[error("{code}: {detail}")]
    Venue { code: String, detail: String },
    /// The frame or image could not be scanned.
    #[error("{code}: {detail}")]
    Scan { code: String, detail: String },
    /// A personal pass was refused (expired, replayed, forged device).
    #[error("{code}: {detail}")]
    Pass { code: String, detail: String },
    /// The declaration has invalid fields; every one is listed.
    #[error("declaration.invalid: {} field(s) invalid", fields.len())]
    Validation { fields: Vec<FieldError> },
    /// The local database failed or is corrupt.
    #[error("{code}: {detail}")]
    Storage { code: String, detail: String },
    /// Upload failed; the items stay queued.
    #[error("{code}: {detail}")]
    Network { code: String, detail: String },
    /// A cryptographic or encoding failure.
    #[error("{code}: {detail}")]
    Crypto { code: String, detail: String },
    /// The API was called with arguments or in an order it does not accept.
    #[error("{code}: {detail}")]
    InvalidInput { code: String, detail: String },
    /// A bug inside the library (a caught panic). The call had no effect that matters.
    #[error("{code}: {detail}")]
    Internal { code: String, detail: String },
}

impl KhaibaoError {
    /// The stable code of any variant.
    pub fn code(&self) -> &str {
        match self {
            Self::Validation { .. } => "declaration.invalid",
            Self::Venue { code, .. }
            | Self::Scan { code, .. }
            | Self::Pass { code, .. }
            | Self::Storage { code, .. }
            | Self::Network { code, .. }
            | Self::Crypto { code, .. }
            | Self::InvalidInput { code, .. }
            | Self::Internal { code, .. } => code,
        }
    }

    pub(crate) fn internal(what: &str) -> Self {
        Self::Internal {
            code: "internal.panic".into(),
            detail: format!("internal error in {what}"),
        }
    }
}

impl From<khaibao_core::Error> for KhaibaoError {
    fn from(e: khaibao_core::Error) -> Self {
        use khaibao_core::Error as E;
        let code = e.code().to_owned();
        let detail = e.to_string();
        match e {
            E::NotVenueCode
            | E::UnknownKey
            | E::BadSignature
            | E::NotYetValid
            | E::Expired
            | E::UnsupportedVersion(_)
            | E::KeyNotValid
            | E::StaleUpdate
            | E::ManualCodeUnknown
            | E::RegistryMissing
            | E::Malformed(_) => Self::Venue { code, detail },
            E::InvalidFrame(_) | E::Image => Self::Scan { code, detail },
            E::Storage(_) | E::Corrupt | E::WrongMasterKey | E::DayKeyMissing => {
                Self::Storage { code, detail }
            }
            E::Network(_) | E::Server { .. } | E::Protocol(_) => Self::Network { code, detail },
            E::Crypto(_) | E::SealOpen => Self::Crypto { code, detail },
            E::PassExpired | E::PassReplayed | E::DeviceUncertified => Self::Pass { code, detail },
            E::InvalidField(_) | E::FieldTooLong(_) | E::ManualCodeInvalid | E::InvalidState(_) => {
                Self::InvalidInput { code, detail }
            }
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KhaibaoError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Network {
            code: "host.callback_failed".into(),
            detail: "the host callback failed".into(),
        }
    }
}

impl From<khaibao_core::diary::checkin::CheckInError> for KhaibaoError {
    fn from(e: khaibao_core::diary::checkin::CheckInError) -> Self {
        use khaibao_core::diary::checkin::CheckInError;
        match e {
            CheckInError::Invalid(fields) => Self::Validation { fields },
            CheckInError::Failed(e) => e.into(),
        }
    }
}
