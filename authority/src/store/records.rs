//! The rows of the authority's own bookkeeping, as the stores read and write them: operator
//! accounts and their tokens. The meaning of each column (roles, scopes, hashing) belongs
//! to [`crate::ops`]; here they are plain values.

/// An operator account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRecord {
    pub id: i64,
    /// The login name (unique).
    pub name: String,
    /// The role and its scope, as [`crate::ops::Role`] spells it (`admin`, `province:79,01`,
    /// `unit:VENUE,VENUE`).
    pub role: String,
    pub disabled: bool,
    pub created_at: i64,
}

/// The operator columns every query selects (from `operators o`), in [`OperatorRecord`]'s
/// field order.
pub const OPERATOR_COLUMNS: &str = "o.id, o.name, o.role, o.disabled, o.created_at";

/// An operator account about to be stored.
#[derive(Debug, Clone, Copy)]
pub struct NewOperator<'a> {
    pub name: &'a str,
    pub role: &'a str,
    /// The argon2 PHC string of the password, for accounts that log in with one.
    pub password_hash: Option<&'a str>,
    pub created_at: i64,
}

/// A bearer token or session about to be stored: only the SHA-256 of the token is kept.
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    pub hash: &'a [u8],
    pub operator_id: i64,
    /// `bearer` (printed by the CLI) or `session` (from a password login).
    pub kind: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}
