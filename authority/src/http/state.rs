//! What every handler shares: the database connections, the authority's online keys
//! ([`OnlineKeys`]: never the venue or root key) and the counters of the server's limits
//! ([`super::limits`]).
//!
//! The database is a pool of open [`AuthorityDb`]s: one for SQLite (one file, one writer),
//! several for PostgreSQL, so that ingest, exports and exposure lists do not queue behind
//! one connection. A handler borrows one for the length of [`AppState::with_db`].

use super::limits::{Guards, Limits};
use crate::db::AuthorityDb;
use crate::exposures::ListCache;
use crate::keys::OnlineKeys;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// Shared server state.
pub struct AppState {
    idle: Mutex<Vec<AuthorityDb>>,
    returned: Condvar,
    keys: OnlineKeys,
    guards: Arc<Guards>,
    exposure_lists: ListCache,
}

impl AppState {
    /// State over an open database and the authority's keys, with the default limits.
    pub fn new(db: AuthorityDb, keys: impl Into<OnlineKeys>) -> Arc<Self> {
        Self::with_limits(db, keys, Limits::default())
    }

    /// State over an open database and the authority's keys, with `limits`.
    pub fn with_limits(db: AuthorityDb, keys: impl Into<OnlineKeys>, limits: Limits) -> Arc<Self> {
        Self::with_pool(vec![db], keys, limits)
    }

    /// State over several open connections to one database (a pool; at least one).
    pub fn with_pool(
        dbs: Vec<AuthorityDb>,
        keys: impl Into<OnlineKeys>,
        limits: Limits,
    ) -> Arc<Self> {
        Arc::new(Self {
            idle: Mutex::new(dbs),
            returned: Condvar::new(),
            keys: keys.into(),
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

    /// The authority's online keys.
    pub fn keys(&self) -> &OnlineKeys {
        &self.keys
    }

    /// Runs `f` on a connection of the pool, waiting for one to be free (blocking: call it
    /// from a blocking task).
    pub fn with_db<T>(&self, f: impl FnOnce(&mut AuthorityDb) -> T) -> T {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let db = loop {
            if let Some(db) = idle.pop() {
                break db;
            }
            idle = self
                .returned
                .wait(idle)
                .unwrap_or_else(PoisonError::into_inner);
        };
        drop(idle);
        let mut db = db;
        // The connection goes back to the pool even if `f` panics (the panic then goes on).
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut db)));
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(db);
        self.returned.notify_one();
        out.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}
