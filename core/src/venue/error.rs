//! Errors of venue codes and of what makes them trusted (keysets, the venue registry).

/// A venue code, keyset or registry that is not valid or not trusted.
#[derive(Debug, thiserror::Error)]
pub enum VenueError {
    /// The text is not a khaibao venue code.
    #[error("not a khaibao venue code")]
    NotVenueCode,
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
}

crate::error::code::area_codes!(VenueError {
    NotVenueCode => VenueNotKhaibao,
    UnknownKey => VenueUnknownKey,
    BadSignature => VenueSignatureInvalid,
    NotYetValid => VenueNotYetValid,
    Expired => VenueExpired,
    KeyNotValid => VenueKeyNotValid,
    StaleUpdate => VenueUpdateStale,
    ManualCodeInvalid => VenueManualCodeInvalid,
    ManualCodeUnknown => VenueManualCodeUnknown,
    RegistryMissing => VenueRegistryMissing,
});
