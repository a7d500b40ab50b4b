//! Talking HTTP: the [`transport`] trait every request goes through (the library's reqwest
//! client, or the host app's own client through the bindings), optional SPKI pinning of the
//! authority's certificate ([`pinning`]) and the ring-only rustls provider behind both.
//!
//! May import: nothing else in the crate but the error types. What is sent (ingest batches,
//! exposure and trust downloads) is decided by `upload`, `exposure` and `venue`.

pub(crate) mod error;
pub use error::NetError;

#[cfg(feature = "http")]
pub mod pinning;
#[cfg(feature = "http")]
mod tls_provider;
pub mod transport;
