//! What every handler shares: the database (behind one lock) and the authority's keys.

use crate::db::AuthorityDb;
use crate::keys::AuthorityKeys;
use std::sync::{Arc, Mutex};

/// Shared server state.
pub struct AppState {
    db: Mutex<AuthorityDb>,
    keys: AuthorityKeys,
}

impl AppState {
    /// State over an open database and the authority's keys.
    pub fn new(db: AuthorityDb, keys: AuthorityKeys) -> Arc<Self> {
        Arc::new(Self {
            db: Mutex::new(db),
            keys,
        })
    }

    /// The authority's keys.
    pub fn keys(&self) -> &AuthorityKeys {
        &self.keys
    }

    /// Runs `f` on the database.
    pub fn with_db<T>(&self, f: impl FnOnce(&mut AuthorityDb) -> T) -> T {
        let mut guard = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}
