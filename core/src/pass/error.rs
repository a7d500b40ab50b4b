//! Errors of personal passes, as staff verify them.

/// A personal pass that staff must refuse.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    /// A personal pass has expired (they live a few minutes).
    #[error("pass expired")]
    Expired,
    /// The same pass was already shown at this venue.
    #[error("pass already used")]
    Replayed,
    /// The signing device is not certified by a trusted authority key.
    #[error("device not certified")]
    DeviceUncertified,
}

crate::error::code::area_codes!(PassError {
    Expired => PassExpired,
    Replayed => PassReplayed,
    DeviceUncertified => PassDeviceUncertified,
});
