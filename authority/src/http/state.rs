//! What every handler shares: the database (behind one lock), the authority's keys and
//! the counters of the server's limits ([`super::limits`]).

use super::limits::{Guards, Limits};
use crate::db::AuthorityDb;
use crate::exposures::ListCache;
use crate::keys::AuthorityKeys;
use std::sync::{Arc, Mutex};

/// Shared server state.
pub struct AppState {
    db: Mutex<AuthorityDb>,
    keys: AuthorityKeys,
    guards: Arc<Guards>,
    exposure_lists: ListCache,
}

impl AppState {
    /// State over an open database and the authority's keys, with the default limits.
    pub fn new(db: AuthorityDb, keys: AuthorityKeys) -> Arc<Self> {
        Self::with_limits(db, keys, Limits::default())
    }

    /// State over an open database and the authority's keys, with `limits`.
    pub fn with_limits(db: AuthorityDb, keys: AuthorityKeys, limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            db: Mutex::new(db),
            keys,
            guards: Arc::new(Guards::new(limits)),
            exposure_lists: ListCache::default(),
        })
    }

    /// The signed exposure lists recently answered.
    pub fn exposure_lists(&self) -> &ListCache {
        &self.exposure_lists
    }

    /// The limits' counters.
    pub fn guards(&self) -> &Arc<Guards> {
        &self.guards
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
