//! Errors of the check-in diary.

/// A change to the diary that is refused.
#[derive(Debug, thiserror::Error)]
pub enum DiaryError {
    /// An edit of a visit's times is refused; names the time that is wrong.
    #[error("invalid edit: {0}")]
    InvalidEdit(&'static str),
}

crate::error::code::area_codes!(DiaryError {
    InvalidEdit => DiaryInvalidEdit,
});
