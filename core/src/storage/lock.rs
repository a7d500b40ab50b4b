//! How work that talks to the network (an outbox drain, an exposure or trust sync) takes the
//! store: once for each database step, never while a request is out.
//!
//! A request may take as long as its timeouts (tens of seconds on a bad mobile network), and
//! an app shares one store between its screens and its background work. Held across a
//! request, the store would keep a citizen at a venue's door waiting to check in until an
//! upload gave up. Holding it per step keeps each step's transaction whole (claims, answers
//! and list versions are each written in one), and lets other calls run in between. Host
//! callbacks (progress, alerts) are called with the store released, so they may call back
//! into the library.

use crate::Result;
use crate::storage::store::Store;
use std::sync::{Mutex, PoisonError};

/// Lends the store for one step at a time.
pub trait StoreAccess {
    /// Runs `step` with the store, held for that call only.
    fn with_store<R>(&mut self, step: impl FnOnce(&mut Store) -> Result<R>) -> Result<R>;
}

/// A store the caller holds alone (tests, the command line): every step gets it at once.
impl StoreAccess for &mut Store {
    fn with_store<R>(&mut self, step: impl FnOnce(&mut Store) -> Result<R>) -> Result<R> {
        step(self)
    }
}

/// A store shared between threads: locked for each step.
impl StoreAccess for &Mutex<Store> {
    fn with_store<R>(&mut self, step: impl FnOnce(&mut Store) -> Result<R>) -> Result<R> {
        // A panic in another step cannot leave SQLite half-written (its transaction rolls
        // back on drop), so a poisoned lock is safe to keep using.
        let mut store = self.lock().unwrap_or_else(PoisonError::into_inner);
        step(&mut store)
    }
}
