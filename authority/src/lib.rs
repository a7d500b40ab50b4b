//! khaibao-authority: the reference health authority, as a library that the `khaibao` CLI
//! (`src/cli/`, a binary of this package) and the tests use.
//!
//! It plays the authority's part for the demo and the tests: it keeps one signing key per
//! purpose (venue codes and the root offline, exposure lists and device certificates online)
//! and the sealing key that declarations are sealed to, renders venue QR codes, and runs
//! the HTTP ingest that verifies, opens, re-validates, deduplicates and stores declarations
//! (sealed, as received, with non-personal metadata).
//! Operators (ministry, provinces, units) reach the data only through audited extractions
//! under `/ops/`. It listens on loopback.
//!
//! The areas, each importing only those listed before it:
//! * [`units`]: Vietnam's administrative units (today's and the 63 provinces before 2025).
//! * [`keys`], [`trust`]: the keys folder (a key per purpose, root key, keyset update,
//!   venue list and signed registry).
//! * [`store`]: the storage trait with its SQLite and PostgreSQL implementations.
//! * [`ops`], [`audit`]: operator accounts, roles and tokens; the hash-chained audit log.
//! * [`ingest`], [`exposures`], [`db`]: opening uploads, the exposure list, and the database
//!   as the rest uses it (with the retention period).
//! * [`export`], [`extraction`], [`exposure_publish`]: what health officers run (CSV export
//!   opening the seals, the request–approve–download workflow, publishing a window).
//! * [`retention`]: the server's periodic purge (it imports [`http`]'s state).
//! * [`poster`], [`issuance`], [`rotation`]: rendering and issuing venue codes; rotating a
//!   signing key under the root (`khaibao keys rotate`).
//! * [`http`]: the HTTP server and its routes (`/ops/…` behind [`http::auth::Caller`]).
//! * [`portal`]: the web pages for venue owners and health departments, served by [`http`].
//!
//! The phone-side demo and the benchmark tools live in the CLI and `examples/`, not here.

pub mod audit;
pub mod db;
pub mod export;
pub mod exposure_publish;
pub mod exposures;
pub mod extraction;
pub mod http;
pub mod ingest;
pub mod issuance;
pub mod keys;
pub mod ops;
pub mod portal;
pub mod poster;
pub mod retention;
pub mod rotation;
pub mod store;
pub mod trust;
pub mod units;

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
