//! Encodings shared by every format: deterministic CBOR ([`codec`]), the COSE_Sign1 profile
//! ([`cose`]), base45 and the decimal digits of numeric-mode QR ([`base45`], [`decimal`]),
//! the compact Vietnamese text coding ([`vntext`]) and calendar arithmetic on Unix seconds
//! ([`time`]).
//!
//! May import: nothing else in the crate but the error types. Every other area builds on
//! these.

pub(crate) mod error;
pub use error::FormatError;

pub mod base45;
pub mod codec;
pub mod cose;
pub mod decimal;
pub mod time;
pub mod vntext;
