//! The app's local database: opening, schema and retention ([`store`]), encryption at rest
//! under the host's master key and per-day keys ([`vault`]), background WAL checkpoints
//! ([`checkpoint`]) and how network jobs take the store one step at a time ([`lock`]).
//!
//! May import: `encoding` and `seal` (the device key kept sealed in the store). The diary,
//! outbox, exposure and trust tables are written by their own areas through [`store::Store`].

pub(crate) mod error;
pub use error::StorageError;

mod checkpoint;
pub mod lock;
pub mod store;
pub mod vault;
