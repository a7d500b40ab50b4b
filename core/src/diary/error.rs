//! Errors of the check-in diary.

use crate::error::ErrorCode;

/// A change to the diary that is refused.
#[derive(Debug, thiserror::Error)]
pub enum DiaryError {
    /// An edit of a visit's times is refused; names the time that is wrong.
    #[error("invalid edit: {0}")]
    InvalidEdit(&'static str),
}

impl DiaryError {
    /// This error's stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidEdit(_) => ErrorCode::DiaryInvalidEdit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        let e = DiaryError::InvalidEdit("checked_in_at");
        assert_eq!(e.code(), ErrorCode::DiaryInvalidEdit);
        assert_eq!(crate::Error::from(e).code(), ErrorCode::DiaryInvalidEdit);
    }
}
