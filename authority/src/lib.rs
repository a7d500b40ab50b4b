//! khaibao-authority: the reference health-authority server and the `khaibao` CLI.
//!
//! It plays the authority's part for the demo and the tests: it keeps the signing key that
//! venue codes are issued under and the sealing key that declarations are sealed to, renders
//! venue QR codes, and runs the HTTP ingest that verifies, opens, deduplicates and stores
//! declarations. It listens on loopback.

pub mod db;
pub mod demo;
pub mod export;
pub mod exposure_publish;
pub mod exposures;
pub mod ingest;
pub mod issuance;
pub mod keys;
pub mod poster;
pub mod register;
pub mod server;
pub mod store;
pub mod trust;

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
