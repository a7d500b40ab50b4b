//! khaibao-core: the shared domain of the khaibao health-declaration and QR check-in library.
//!
//! Data flows straight through the modules:
//! camera frame ([`scan`]) → venue code text ([`venue`]) → check-in ([`diary`]) with a
//! sealed declaration ([`declaration`], [`seal`]) queued in the same transaction
//! ([`outbox`]) → HTTP ([`transport`]) to the health authority. The diary is sealed at rest
//! under per-day keys ([`vault`]), matched locally against the authority's signed exposure
//! lists ([`exposure`]) and exported by the citizen ([`export`]).
//!
//! This crate knows nothing of any FFI. With the `uniffi` feature its plain data types also
//! derive uniffi's traits, so the bindings crate can export them without mirror types.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("khaibao_core");

pub mod base45;
mod checkpoint;
pub mod codec;
pub mod cose;
pub mod decimal;
pub mod declaration;
pub mod diary;
pub mod error;
pub mod export;
pub mod exposure;
pub mod exposure_fetch;
pub mod foreign;
pub mod keyset;
pub mod messages;
pub mod outbox;
pub mod pass;
#[cfg(feature = "http")]
pub mod pinning;
pub mod protocol;
pub mod registry;
pub mod retry;
pub mod scan;
pub mod seal;
pub mod stafflog;
pub mod store;
pub mod store_lock;
pub mod time;
#[cfg(feature = "http")]
mod tls_provider;
pub mod transport;
pub mod trust;
pub mod trust_fetch;
pub mod vault;
pub mod venue;
pub mod vntext;

pub use error::{Error, Result};

/// Seconds since the Unix epoch, UTC. Every time in the core is one of these, passed in by
/// the caller, so that tests (and a host with a trusted clock) decide what "now" is.
pub type UnixTime = i64;

/// The library version, as sent in the user agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
