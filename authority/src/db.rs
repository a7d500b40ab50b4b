//! The authority's database as the rest of the crate uses it: a [`Store`] chosen by the
//! database name (SQLite by default, PostgreSQL when it is a `postgres://` URL), with the
//! steps around it: opening items before they are stored, checking exposure windows before
//! they are published, and building the signed exposure list from what is stored.
//!
//! Ingest verifies and opens each sealed item, then stores it under its idempotency key.
//! A key seen before is answered as a duplicate with the original receipt, so a client that
//! resends after a lost response never creates a second record.

use crate::exposures::{self, ExposureError};
use crate::ingest::open_items;
pub use crate::store::DbError;
use crate::store::OpenedItem;
use crate::store::Store;
use crate::store::postgres::{PgStore, is_postgres_url};
use crate::store::sqlite::SqliteStore;
use khaibao_core::declaration::Submission;
use khaibao_core::exposure::ExposureEntry;
use khaibao_core::seal::SealingKey;
use khaibao_core::upload::protocol::{IngestItem, IngestResult};
use std::path::Path;

/// A stored declaration, as the authority sees it after opening the seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeclaration {
    pub receipt: String,
    pub device_kid: String,
    pub submission: Submission,
}

/// How long declarations are kept by default: 21 days (the UK's figure for venue
/// check-in data).
pub const DEFAULT_RETENTION_DAYS: i64 = 21;

/// How far in the future a declaration may be dated: two days, for phones whose clock runs
/// ahead of the server's (and apps tested on a simulated clock a day ahead). Past that a
/// date would let a declaration outlive the retention period.
pub const MAX_CLOCK_AHEAD: i64 = 2 * 86_400;

/// The reason an item dated outside the accepted window is refused with.
pub const DECLARED_AT_REFUSED: &str = "declaration.declared_at";

/// The authority's database.
pub struct AuthorityDb {
    store: Box<dyn Store>,
    retention_days: i64,
}

impl AuthorityDb {
    /// Opens (creating) the database at `path`: a SQLite file, or PostgreSQL when `path` is
    /// a `postgres://` or `postgresql://` URL.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let name = path.to_string_lossy();
        let store: Box<dyn Store> = if is_postgres_url(&name) {
            Box::new(PgStore::connect(&name)?)
        } else {
            Box::new(SqliteStore::open(path)?)
        };
        Ok(Self {
            store,
            retention_days: DEFAULT_RETENTION_DAYS,
        })
    }

    /// Keeps declarations `days` days (at least one) instead of
    /// [`DEFAULT_RETENTION_DAYS`]; ingest refuses declarations older than that too.
    pub fn set_retention_days(&mut self, days: i64) {
        self.retention_days = days.max(1);
    }

    /// How many days declarations are kept.
    pub fn retention_days(&self) -> i64 {
        self.retention_days
    }

    /// The oldest declaration time kept at `now`.
    pub fn retention_cutoff(&self, now: i64) -> i64 {
        now.saturating_sub(self.retention_days.saturating_mul(86_400))
    }

    /// Deletes every declaration older than the retention period at `now` (on PostgreSQL,
    /// whole day partitions); returns how many went.
    pub fn purge(&mut self, now: i64) -> Result<u64, DbError> {
        let cutoff = self.retention_cutoff(now);
        self.store.purge_declared_before(cutoff)
    }

    /// The store underneath.
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The store underneath, to write to.
    pub fn store_mut(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// Whether this is the PostgreSQL store.
    pub fn is_postgres(&self) -> bool {
        self.store.is_postgres()
    }

    /// Verifies, opens, deduplicates and stores a batch, in one transaction.
    pub fn ingest(
        &mut self,
        key: &SealingKey,
        items: &[IngestItem],
        now: i64,
    ) -> Result<Vec<IngestResult>, DbError> {
        let opened = open_items(key, items);
        self.store_opened(items, opened, now)
    }

    /// Stores a batch that [`open_items`] has already verified and opened (the costly part,
    /// which can run without holding the database), in one transaction. An item whose key
    /// is already stored is answered as a duplicate with the original receipt, whatever its
    /// body.
    ///
    /// An item declared before the retention period or more than [`MAX_CLOCK_AHEAD`]
    /// seconds after `now` is refused with [`DECLARED_AT_REFUSED`].
    pub fn store_opened(
        &mut self,
        items: &[IngestItem],
        mut opened: Vec<OpenedItem>,
        now: i64,
    ) -> Result<Vec<IngestResult>, DbError> {
        let earliest = self.retention_cutoff(now);
        let latest = now.saturating_add(MAX_CLOCK_AHEAD);
        for item in &mut opened {
            if let Ok((_, sub, _)) = item
                && !(earliest..=latest).contains(&sub.declared_at)
            {
                *item = Err(DECLARED_AT_REFUSED);
            }
        }
        self.store.store_opened(items, opened, now)
    }

    /// Every stored declaration, oldest first, opened from its seal with `key` (the
    /// database alone holds no personal field in the clear).
    pub fn declarations(&self, key: &SealingKey) -> Result<Vec<StoredDeclaration>, DbError> {
        self.store
            .declaration_rows()?
            .into_iter()
            .map(|row| {
                let submission = crate::ingest::open_stored(key, &row.sealed, &row.idem_key)?;
                Ok(StoredDeclaration {
                    receipt: row.receipt,
                    device_kid: row.device_kid,
                    submission,
                })
            })
            .collect()
    }

    /// Every stored (idempotency key, receipt) pair, oldest first.
    pub fn receipts(&self) -> Result<Vec<(Vec<u8>, String)>, DbError> {
        self.store.receipts()
    }

    /// How many declarations are stored.
    pub fn count(&self) -> Result<u64, DbError> {
        self.store.count()
    }

    /// Publishes `entries` as the next exposure-list version ([`exposures::publish`]).
    pub fn publish_exposures(
        &mut self,
        entries: &[ExposureEntry],
        now: i64,
    ) -> Result<u64, ExposureError> {
        exposures::publish(&mut *self.store, entries, now)
    }

    /// The signed list of everything published after `since` ([`exposures::list_since`]).
    pub fn exposures_since(
        &self,
        signing_pkcs8: &[u8],
        since: u64,
        now: i64,
    ) -> Result<Vec<u8>, ExposureError> {
        exposures::list_since(&*self.store, signing_pkcs8, since, now)
    }

    /// [`AuthorityDb::exposures_since`] through a cache of signed lists
    /// ([`exposures::ListCache`]).
    pub fn exposures_since_cached(
        &self,
        signing_pkcs8: &[u8],
        since: u64,
        now: i64,
        cache: &exposures::ListCache,
    ) -> Result<Vec<u8>, ExposureError> {
        exposures::list_since_cached(&*self.store, signing_pkcs8, since, now, Some(cache))
    }
}
