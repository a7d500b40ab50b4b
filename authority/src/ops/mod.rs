//! Who may use the authority's operator routes (`/ops/…`) and what each may see: the
//! ministry (admin, every province), provincial health departments (their provinces) and
//! units or venues (their venues).
//!
//! * [`role`]: [`Role`] and the [`Scope`] of data a request names, and which role covers
//!   which scope.
//! * [`credential`]: secrets. Passwords are hashed with argon2id; bearer tokens and login
//!   sessions are 256-bit random strings of which only the SHA-256 is stored, and they
//!   expire.
//! * [`accounts`]: the use cases over a [`crate::store::Store`]: adding, listing and
//!   disabling operators, issuing tokens, logging in with a name and password, and
//!   authenticating a presented token.
//!
//! The HTTP side (an axum extractor answering 401 and 403) is [`crate::http::auth`].
//!
//! Imports: the store (its trait and records), `ring`, `argon2`. Nothing here imports HTTP.

pub mod accounts;
pub mod credential;
pub mod role;

pub use accounts::{
    AccountError, BEARER_DAYS, Issued, Operator, SESSION_SECONDS, add_operator,
    add_unit_with_password, add_with_password, authenticate, disable_operator, list_operators,
    login, logout,
};
pub use role::{Role, RoleError, Scope};
