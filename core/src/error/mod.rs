//! The core's error type and the one place where every error's code and messages live.
//!
//! Each area has its own error enum in its folder (`encoding::FormatError`,
//! `venue::VenueError`, …); [`Error`] composes them. Every area error maps to an
//! [`ErrorCode`], a stable machine-readable code such as `venue.unknown_key` whose prefix
//! is its [`ErrorFamily`], and each code has a fixed Vietnamese and English message. The
//! bindings export the code (an enum, not a string), its family and both messages.
//!
//! Messages and `Display` texts never carry personal data: no names, numbers, venue names
//! or payload bytes, only what kind of thing went wrong. Every area may use the error types
//! gathered here, whatever its `mod.rs` says about other imports.
//!
//! The codes, their families and messages are in [`code`], which imports nothing, so the
//! area errors can name their codes without importing this module.

pub use crate::diary::error::DiaryError;
pub use crate::encoding::error::FormatError;
pub use crate::net::error::NetError;
pub use crate::pass::error::PassError;
pub use crate::scan::error::ScanError;
pub use crate::seal::error::SealError;
pub use crate::storage::error::StorageError;
pub use crate::venue::error::VenueError;

pub mod code;
pub use code::{ErrorCode, ErrorFamily};

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Declares [`Error`] from its list of areas: each area's error is one transparent variant,
/// converted from with `?`, whose code is the area's own.
macro_rules! core_error {
    ($( $(#[doc = $doc:literal])* $variant:ident($area:ident), )*) => {
        /// Everything that can go wrong inside the core: one variant per area.
        #[derive(Debug, thiserror::Error)]
        pub enum Error {
            $( $(#[doc = $doc])* #[error(transparent)] $variant(#[from] $area), )*
            /// The caller used the API wrongly (for example, checking out with nothing active).
            #[error("invalid state: {0}")]
            InvalidState(&'static str),
        }

        impl Error {
            /// A stable code for this kind of error, for programs and for support.
            pub fn code(&self) -> ErrorCode {
                match self {
                    $( Error::$variant(e) => e.code(), )*
                    Error::InvalidState(_) => ErrorCode::ApiInvalidState,
                }
            }
        }
    };
}

core_error! {
    /// A shared encoding (CBOR, COSE, base45, text) is broken.
    Format(FormatError),
    /// A venue code, keyset or registry is not valid or not trusted.
    Venue(VenueError),
    /// A camera frame or image could not be scanned.
    Scan(ScanError),
    /// Signing or sealing failed.
    Seal(SealError),
    /// The local database failed.
    Storage(StorageError),
    /// A request to the authority failed.
    Net(NetError),
    /// A personal pass was refused.
    Pass(PassError),
    /// The diary refused a change.
    Diary(DiaryError),
}

/// A database error is a storage error, whichever area's query it came from (the
/// classification is [`StorageError`]'s).
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.into())
    }
}

impl Error {
    /// A short Vietnamese explanation for people (what apps show by default).
    pub fn message_vi(&self) -> &'static str {
        self.code().message_vi()
    }

    /// A short English explanation for people.
    pub fn message_en(&self) -> &'static str {
        self.code().message_en()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_distinct_messages_and_a_matching_family() {
        assert!(!ErrorCode::ALL.is_empty());
        let mut strings = HashSet::new();
        let mut vi = HashSet::new();
        let mut en = HashSet::new();
        for &c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(strings.insert(s), "code {s} repeated");
            let (family, name) = s.split_once('.').expect("family.name");
            assert_eq!(family, c.family().as_str(), "{s}: prefix is not the family");
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert!(
                !c.message_vi().trim().is_empty(),
                "{s}: no Vietnamese message"
            );
            assert!(!c.message_en().trim().is_empty(), "{s}: no English message");
            assert_ne!(c.message_vi(), c.message_en(), "{s}: untranslated");
            assert!(
                vi.insert(c.message_vi()),
                "{s}: Vietnamese message repeated"
            );
            assert!(en.insert(c.message_en()), "{s}: English message repeated");
            assert_eq!(c.to_string(), s);
        }
    }

    #[test]
    fn all_holds_every_code() {
        // Compile-time exhaustive: a new variant fails to build here until it is listed,
        // and the listing must agree with ALL (which the macro builds from the same list).
        fn listed(c: ErrorCode) -> ErrorCode {
            use ErrorCode as C;
            match c {
                C::FormatMalformed
                | C::FormatUnsupportedVersion
                | C::FormatInvalidField
                | C::FormatTooLong
                | C::VenueNotKhaibao
                | C::VenueUnknownKey
                | C::VenueSignatureInvalid
                | C::VenueNotYetValid
                | C::VenueExpired
                | C::VenueKeyNotValid
                | C::VenueUpdateStale
                | C::VenueManualCodeInvalid
                | C::VenueManualCodeUnknown
                | C::VenueRegistryMissing
                | C::ScanInvalidFrame
                | C::ScanImageUndecodable
                | C::SealCryptoFailure
                | C::SealCannotOpen
                | C::StorageFailure
                | C::StorageCorrupt
                | C::StorageWrongMasterKey
                | C::StorageDayKeyMissing
                | C::NetworkFailure
                | C::NetworkServerError
                | C::NetworkProtocol
                | C::PassExpired
                | C::PassReplayed
                | C::PassDeviceUncertified
                | C::DiaryInvalidEdit
                | C::DeclarationInvalid
                | C::ApiInvalidState
                | C::ConfigSealingKey
                | C::ConfigRootKey
                | C::ConfigDbPath
                | C::KeystoreUnavailable
                | C::KeystoreFailed
                | C::KeystoreNotWrapping
                | C::KeystoreMismatch
                | C::HostCallbackFailed
                | C::InternalPanic => c,
            }
        }
        let all: HashSet<_> = ErrorCode::ALL.iter().map(|&c| listed(c)).collect();
        assert_eq!(all.len(), ErrorCode::ALL.len());
        assert_eq!(all.len(), 40, "update this count with the match above");
    }

    #[test]
    fn every_family_has_a_code() {
        let families: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.family()).collect();
        assert_eq!(families.len(), 14);
    }

    #[test]
    fn every_area_error_has_its_code() {
        let cases: Vec<(Error, ErrorCode)> = vec![
            (
                FormatError::Malformed("x").into(),
                ErrorCode::FormatMalformed,
            ),
            (
                FormatError::UnsupportedVersion(9).into(),
                ErrorCode::FormatUnsupportedVersion,
            ),
            (
                FormatError::InvalidField("x").into(),
                ErrorCode::FormatInvalidField,
            ),
            (
                FormatError::FieldTooLong("x").into(),
                ErrorCode::FormatTooLong,
            ),
            (VenueError::NotVenueCode.into(), ErrorCode::VenueNotKhaibao),
            (VenueError::UnknownKey.into(), ErrorCode::VenueUnknownKey),
            (
                VenueError::BadSignature.into(),
                ErrorCode::VenueSignatureInvalid,
            ),
            (VenueError::NotYetValid.into(), ErrorCode::VenueNotYetValid),
            (VenueError::Expired.into(), ErrorCode::VenueExpired),
            (VenueError::KeyNotValid.into(), ErrorCode::VenueKeyNotValid),
            (VenueError::StaleUpdate.into(), ErrorCode::VenueUpdateStale),
            (
                VenueError::ManualCodeInvalid.into(),
                ErrorCode::VenueManualCodeInvalid,
            ),
            (
                VenueError::ManualCodeUnknown.into(),
                ErrorCode::VenueManualCodeUnknown,
            ),
            (
                VenueError::RegistryMissing.into(),
                ErrorCode::VenueRegistryMissing,
            ),
            (
                ScanError::InvalidFrame("x").into(),
                ErrorCode::ScanInvalidFrame,
            ),
            (ScanError::Image.into(), ErrorCode::ScanImageUndecodable),
            (SealError::Crypto("x").into(), ErrorCode::SealCryptoFailure),
            (SealError::CannotOpen.into(), ErrorCode::SealCannotOpen),
            (
                StorageError::Database("x".into()).into(),
                ErrorCode::StorageFailure,
            ),
            (StorageError::Corrupt.into(), ErrorCode::StorageCorrupt),
            (
                StorageError::WrongMasterKey.into(),
                ErrorCode::StorageWrongMasterKey,
            ),
            (
                StorageError::DayKeyMissing.into(),
                ErrorCode::StorageDayKeyMissing,
            ),
            (
                NetError::Network("x".into()).into(),
                ErrorCode::NetworkFailure,
            ),
            (
                NetError::Server { status: 503 }.into(),
                ErrorCode::NetworkServerError,
            ),
            (NetError::Protocol("x").into(), ErrorCode::NetworkProtocol),
            (PassError::Expired.into(), ErrorCode::PassExpired),
            (PassError::Replayed.into(), ErrorCode::PassReplayed),
            (
                PassError::DeviceUncertified.into(),
                ErrorCode::PassDeviceUncertified,
            ),
            (
                DiaryError::InvalidEdit("x").into(),
                ErrorCode::DiaryInvalidEdit,
            ),
            (Error::InvalidState("x"), ErrorCode::ApiInvalidState),
        ];
        for (e, code) in &cases {
            assert_eq!(e.code(), *code, "{e}");
        }
        // Every code of the core's own families is reachable from some error.
        let reached: HashSet<_> = cases.iter().map(|(_, c)| *c).collect();
        let core_families = [
            ErrorFamily::Format,
            ErrorFamily::Venue,
            ErrorFamily::Scan,
            ErrorFamily::Seal,
            ErrorFamily::Storage,
            ErrorFamily::Network,
            ErrorFamily::Pass,
            ErrorFamily::Diary,
            ErrorFamily::Api,
        ];
        for c in ErrorCode::ALL {
            if core_families.contains(&c.family()) {
                assert!(reached.contains(c), "{c}: no core error has it");
            }
        }
    }

    #[test]
    fn core_error_delegates_to_its_area() {
        let e = Error::from(VenueError::BadSignature);
        assert_eq!(e.code(), ErrorCode::VenueSignatureInvalid);
        assert_eq!(
            e.message_vi(),
            ErrorCode::VenueSignatureInvalid.message_vi()
        );
        assert_eq!(
            e.message_en(),
            ErrorCode::VenueSignatureInvalid.message_en()
        );
        assert_eq!(e.to_string(), VenueError::BadSignature.to_string());
        let e = Error::InvalidState("nothing active");
        assert_eq!(e.code(), ErrorCode::ApiInvalidState);
        assert_eq!(e.code().family(), ErrorFamily::Api);
    }

    #[test]
    fn docs_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
        let doc = std::fs::read_to_string(path).expect("docs/errors.md");
        let table = ErrorCode::table_markdown();
        assert!(
            doc.contains(&table),
            "docs/errors.md is out of date; its table should be:\n{table}"
        );
    }
}
