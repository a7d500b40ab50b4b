//! The one error type the bindings export.
//!
//! Each variant is a family ([`ErrorFamily`]); `code` is the core's stable [`ErrorCode`]
//! (an enum; [`error_code_string`] gives its `family.name` string, for example
//! `venue.unknown_key`), `message_vi` / `message_en` are the core's texts for people, and
//! `detail` says what kind of thing went wrong, in English. None of them carries personal
//! data. Validation failures carry every field error for the form to show.

use khaibao_core::declaration::FieldError;
use khaibao_core::{ErrorCode, ErrorFamily};

/// Errors thrown to Kotlin, Swift and Python.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KhaibaoError {
    /// Data in one of the library's formats is broken (`format.*`).
    #[error("{code}: {detail}")]
    Format {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The scanned code, keyset or registry is not valid or not trusted (`venue.*`).
    #[error("{code}: {detail}")]
    Venue {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The frame or image could not be scanned (`scan.*`).
    #[error("{code}: {detail}")]
    Scan {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// Signing, sealing or opening failed (`seal.*`).
    #[error("{code}: {detail}")]
    Seal {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The local database failed or is corrupt (`storage.*`).
    #[error("{code}: {detail}")]
    Storage {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// A request failed; queued items stay queued (`network.*`).
    #[error("{code}: {detail}")]
    Network {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// A personal pass was refused: expired, replayed, forged device (`pass.*`).
    #[error("{code}: {detail}")]
    Pass {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The diary refused a change (`diary.*`).
    #[error("{code}: {detail}")]
    Diary {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The declaration has invalid fields; every one is listed (`declaration.invalid`).
    #[error("declaration.invalid: {} field(s) invalid", fields.len())]
    Validation {
        fields: Vec<FieldError>,
        message_vi: String,
        message_en: String,
    },
    /// The API was called in an order it does not accept (`api.*`).
    #[error("{code}: {detail}")]
    Api {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The configuration passed to `Khaibao.open` is not usable (`config.*`).
    #[error("{code}: {detail}")]
    Config {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// The platform key store failed or does not protect the key (`keystore.*`).
    #[error("{code}: {detail}")]
    Keystore {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// A callback into the host app failed unexpectedly (`host.*`).
    #[error("{code}: {detail}")]
    Host {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
    /// A bug inside the library (a caught panic). The call had no effect that matters.
    #[error("{code}: {detail}")]
    Internal {
        code: ErrorCode,
        message_vi: String,
        message_en: String,
        detail: String,
    },
}

impl KhaibaoError {
    /// The error of `code`, in the variant of its family. `detail` must hold no personal data.
    pub(crate) fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        let message_vi = code.message_vi().to_owned();
        let message_en = code.message_en().to_owned();
        let detail = detail.into();
        match code.family() {
            ErrorFamily::Format => Self::Format {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Venue => Self::Venue {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Scan => Self::Scan {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Seal => Self::Seal {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Storage => Self::Storage {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Network => Self::Network {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Pass => Self::Pass {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Diary => Self::Diary {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Declaration => Self::Validation {
                fields: Vec::new(),
                message_vi,
                message_en,
            },
            ErrorFamily::Api => Self::Api {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Config => Self::Config {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Keystore => Self::Keystore {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Host => Self::Host {
                code,
                message_vi,
                message_en,
                detail,
            },
            ErrorFamily::Internal => Self::Internal {
                code,
                message_vi,
                message_en,
                detail,
            },
        }
    }

    /// A declaration refused with these field errors.
    pub(crate) fn validation(fields: Vec<FieldError>) -> Self {
        let code = ErrorCode::DeclarationInvalid;
        Self::Validation {
            fields,
            message_vi: code.message_vi().to_owned(),
            message_en: code.message_en().to_owned(),
        }
    }

    /// The stable code of any variant.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation { .. } => ErrorCode::DeclarationInvalid,
            Self::Format { code, .. }
            | Self::Venue { code, .. }
            | Self::Scan { code, .. }
            | Self::Seal { code, .. }
            | Self::Storage { code, .. }
            | Self::Network { code, .. }
            | Self::Pass { code, .. }
            | Self::Diary { code, .. }
            | Self::Api { code, .. }
            | Self::Config { code, .. }
            | Self::Keystore { code, .. }
            | Self::Host { code, .. }
            | Self::Internal { code, .. } => *code,
        }
    }

    pub(crate) fn internal(what: &str) -> Self {
        Self::new(
            ErrorCode::InternalPanic,
            format!("internal error in {what}"),
        )
    }
}

impl From<khaibao_core::Error> for KhaibaoError {
    fn from(e: khaibao_core::Error) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KhaibaoError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::new(ErrorCode::HostCallbackFailed, "the host callback failed")
    }
}

/// The stable string of an error code, `family.name` (for example `venue.unknown_key`), for
/// logs and support.
#[uniffi::export]
pub fn error_code_string(code: ErrorCode) -> String {
    code.as_str().to_owned()
}

/// The family of an error code: the part of its string before the dot.
#[uniffi::export]
pub fn error_code_family(code: ErrorCode) -> ErrorFamily {
    code.family()
}

impl From<khaibao_core::diary::checkin::CheckInError> for KhaibaoError {
    fn from(e: khaibao_core::diary::checkin::CheckInError) -> Self {
        use khaibao_core::diary::checkin::CheckInError;
        match e {
            CheckInError::Invalid(fields) => Self::validation(fields),
            CheckInError::Failed(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_lands_in_its_family_with_core_messages() {
        for &code in ErrorCode::ALL {
            let e = KhaibaoError::new(code, "detail");
            assert_eq!(e.code(), code);
            let (vi, en) = match &e {
                KhaibaoError::Validation {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Format {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Venue {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Scan {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Seal {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Storage {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Network {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Pass {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Diary {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Api {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Config {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Keystore {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Host {
                    message_vi,
                    message_en,
                    ..
                }
                | KhaibaoError::Internal {
                    message_vi,
                    message_en,
                    ..
                } => (message_vi, message_en),
            };
            assert_eq!(vi, code.message_vi());
            assert_eq!(en, code.message_en());
            assert_eq!(error_code_family(code), code.family());
            assert!(error_code_string(code).starts_with(code.family().as_str()));
        }
    }

    #[test]
    fn core_errors_keep_their_code_and_display() {
        let core = khaibao_core::Error::from(khaibao_core::venue::VenueError::BadSignature);
        let detail = core.to_string();
        let e = KhaibaoError::from(core);
        assert!(matches!(
            &e,
            KhaibaoError::Venue { code: ErrorCode::VenueSignatureInvalid, detail: d, .. } if *d == detail
        ));
        assert_eq!(e.to_string(), format!("venue.signature_invalid: {detail}"));
    }
}
