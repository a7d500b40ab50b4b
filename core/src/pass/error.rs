//! Errors of personal passes, as staff verify them.

use crate::error::ErrorCode;

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

impl PassError {
    /// This error's stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Expired => ErrorCode::PassExpired,
            Self::Replayed => ErrorCode::PassReplayed,
            Self::DeviceUncertified => ErrorCode::PassDeviceUncertified,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        for (e, code) in [
            (PassError::Expired, ErrorCode::PassExpired),
            (PassError::Replayed, ErrorCode::PassReplayed),
            (
                PassError::DeviceUncertified,
                ErrorCode::PassDeviceUncertified,
            ),
        ] {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(crate::Error::from(e).code(), code);
        }
    }
}
