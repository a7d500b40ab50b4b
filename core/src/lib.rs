//! khaibao-core: the shared domain of the khaibao health-declaration and QR check-in library.
//!
//! One folder per area, data flowing straight through them:
//! camera frame ([`scan`]) → venue code text ([`venue`]) → check-in ([`diary`]) with a
//! sealed declaration ([`declaration`], [`seal`]) queued in the same transaction
//! ([`upload`]) → HTTP ([`net`]) to the health authority. The diary lives in the app's
//! database, sealed at rest under per-day keys ([`storage`]), is matched locally against the
//! authority's signed exposure lists ([`exposure`]) and exported by the citizen. Staff
//! verify personal passes offline ([`pass`]). [`encoding`] holds the formats all of them
//! share.
//!
//! Each area's `mod.rs` says what it may import; no two areas import each other. Each area
//! has its own error enum in its `error.rs`; [`error`] composes them into [`Error`] and is the
//! one place for error codes and messages, and every area may use the error types it gathers.
//!
//! This crate knows nothing of any FFI. With the `uniffi` feature its enums and the records
//! the platforms take as they are (text, bytes, signed numbers) also derive uniffi's traits,
//! so the bindings crate can export them without mirror types; records with unsigned
//! numbers or [`UnixTime`]s are mirrored there with signed numbers and the platforms' time
//! types.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("khaibao_core");

pub mod declaration;
pub mod diary;
pub mod encoding;
pub mod error;
pub mod exposure;
pub mod net;
pub mod pass;
pub mod scan;
pub mod seal;
pub mod storage;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod upload;
pub mod venue;

pub use error::{Error, ErrorCode, ErrorFamily, Result};

/// Seconds since the Unix epoch, UTC. Every time in the core is one of these, passed in by
/// the caller, so that tests (and a host with a trusted clock) decide what "now" is.
pub type UnixTime = i64;

/// The library version, as sent in the user agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
