//! The authority's declaration store: SQLite by default, PostgreSQL when the database is a
//! `postgres://` URL ([`crate::pg`]).
//!
//! Ingest verifies and opens each sealed item, then stores it under its idempotency key.
//! A key seen before is answered as a duplicate with the original receipt, so a client that
//! resends after a lost response never creates a second record.

use crate::pg::{PgStore, is_postgres_url};
use khaibao_core::declaration::Submission;
use khaibao_core::encoding::codec::hex;
use khaibao_core::seal::{SealingKey, open_and_verify};
use khaibao_core::upload::protocol::{IngestItem, IngestResult, ItemKind, ItemStatus};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS declarations (
    id INTEGER PRIMARY KEY,
    idem_key BLOB NOT NULL UNIQUE,
    receipt TEXT NOT NULL UNIQUE,
    device_kid TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    declared_at INTEGER NOT NULL,
    venue_id TEXT,
    full_name TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    phone TEXT NOT NULL,
    province INTEGER NOT NULL,
    symptoms TEXT NOT NULL,
    close_contact INTEGER NOT NULL,
    on_behalf INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS declarations_province ON declarations(province, declared_at);
";

/// A stored declaration, as the authority sees it after opening the seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeclaration {
    pub receipt: String,
    pub device_kid: String,
    pub submission: Submission,
}

/// Why the database failed. The texts name the operation, never stored values.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("stored payload: {0}")]
    Payload(#[from] khaibao_core::Error),
    #[error("an insert conflicted on its key but no row holds it")]
    ConflictWithoutRow,
}

/// The authority's database.
pub struct AuthorityDb {
    backend: Backend,
}

/// Where the declarations live.
pub(crate) enum Backend {
    Sqlite(Connection),
    Postgres(PgStore),
}

impl AuthorityDb {
    /// Opens (creating) the database at `path`: a SQLite file, or PostgreSQL when `path` is
    /// a `postgres://` or `postgresql://` URL.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let name = path.to_string_lossy();
        if is_postgres_url(&name) {
            return Ok(Self {
                backend: Backend::Postgres(PgStore::connect(&name)?),
            });
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch(SCHEMA)?;
        crate::exposures::create_schema(&conn)?;
        Ok(Self {
            backend: Backend::Sqlite(conn),
        })
    }

    /// Whether this is the PostgreSQL store.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
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
    pub fn store_opened(
        &mut self,
        items: &[IngestItem],
        opened: Vec<OpenedItem>,
        now: i64,
    ) -> Result<Vec<IngestResult>, DbError> {
        let conn = match &mut self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.store_opened(items, opened, now),
        };
        let tx = conn.transaction()?;
        let results = {
            let mut batch = SqliteBatch {
                find: tx.prepare_cached("SELECT receipt FROM declarations WHERE idem_key = ?1")?,
                insert: tx.prepare_cached(
                    "INSERT INTO declarations (idem_key, receipt, device_kid, received_at,
                        declared_at, venue_id, full_name, birth_year, phone, province, symptoms,
                        close_contact, on_behalf, payload)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (idem_key) DO NOTHING",
                )?,
            };
            store_batch(&mut batch, items, opened, now)?
        };
        tx.commit()?;
        Ok(results)
    }

    /// Every stored declaration, oldest first, decoded from the verified payload.
    pub fn declarations(&self) -> Result<Vec<StoredDeclaration>, DbError> {
        let rows = match &self.backend {
            Backend::Sqlite(conn) => {
                let mut stmt = conn
                    .prepare("SELECT receipt, device_kid, payload FROM declarations ORDER BY id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                rows.collect::<rusqlite::Result<Vec<(String, String, Vec<u8>)>>>()?
            }
            Backend::Postgres(pg) => pg.declaration_rows()?,
        };
        rows.into_iter()
            .map(|(receipt, device_kid, payload)| {
                Ok(StoredDeclaration {
                    receipt,
                    device_kid,
                    submission: Submission::from_cbor(&payload)?,
                })
            })
            .collect()
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    pub(crate) fn backend_mut(&mut self) -> &mut Backend {
        &mut self.backend
    }

    /// Every stored (idempotency key, receipt) pair, oldest first.
    pub fn receipts(&self) -> Result<Vec<(Vec<u8>, String)>, DbError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut stmt =
                    conn.prepare("SELECT idem_key, receipt FROM declarations ORDER BY id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
            Backend::Postgres(pg) => pg.receipts(),
        }
    }

    /// How many declarations are stored.
    pub fn count(&self) -> Result<u64, DbError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                Ok(conn.query_row("SELECT COUNT(*) FROM declarations", [], |r| r.get(0))?)
            }
            Backend::Postgres(pg) => pg.count(),
        }
    }
}

/// A declaration about to be stored under a new receipt.
pub(crate) struct NewRow<'a> {
    pub key: &'a [u8],
    pub receipt: &'a str,
    pub device_kid: &'a str,
    pub received_at: i64,
    pub submission: &'a Submission,
    pub payload: &'a [u8],
}

/// A backend's two steps of storing a batch, inside its transaction.
pub(crate) trait BatchWriter {
    /// The receipt stored under `key`, if any.
    fn find(&mut self, key: &[u8]) -> Result<Option<String>, DbError>;
    /// Stores `row`; `false` when its key is already stored (nothing written).
    fn insert(&mut self, row: &NewRow<'_>) -> Result<bool, DbError>;
}

/// The answer to each item of a batch, storing the accepted ones through `writer`: a key
/// already stored (earlier, or by an item before it in the batch) is a duplicate with the
/// original receipt, whatever the body; an item that failed to open is rejected with its
/// error code.
pub(crate) fn store_batch(
    writer: &mut dyn BatchWriter,
    items: &[IngestItem],
    opened: Vec<OpenedItem>,
    now: i64,
) -> Result<Vec<IngestResult>, DbError> {
    let mut results = Vec::with_capacity(items.len());
    for (item, opened) in items.iter().zip(opened) {
        let key: &[u8] = &item.idempotency_key;
        let status = match opened {
            Ok((device_kid, submission, payload)) => {
                let receipt = new_receipt();
                let row = NewRow {
                    key,
                    receipt: &receipt,
                    device_kid: &device_kid,
                    received_at: now,
                    submission: &submission,
                    payload: &payload,
                };
                if writer.insert(&row)? {
                    ItemStatus::Accepted { receipt }
                } else {
                    // The key conflicted, so its row is there to be read.
                    let receipt = writer.find(key)?.ok_or(DbError::ConflictWithoutRow)?;
                    ItemStatus::Duplicate { receipt }
                }
            }
            Err(code) => match writer.find(key)? {
                Some(receipt) => ItemStatus::Duplicate { receipt },
                None => ItemStatus::Rejected {
                    reason: code.to_owned(),
                },
            },
        };
        results.push(IngestResult {
            idempotency_key: item.idempotency_key.clone(),
            status,
        });
    }
    Ok(results)
}

struct SqliteBatch<'a> {
    find: rusqlite::CachedStatement<'a>,
    insert: rusqlite::CachedStatement<'a>,
}

impl BatchWriter for SqliteBatch<'_> {
    fn find(&mut self, key: &[u8]) -> Result<Option<String>, DbError> {
        Ok(self.find.query_row([key], |r| r.get(0)).optional()?)
    }

    fn insert(&mut self, row: &NewRow<'_>) -> Result<bool, DbError> {
        let sub = row.submission;
        let d = &sub.declaration;
        let n = self.insert.execute(params![
            row.key,
            row.receipt,
            row.device_kid,
            row.received_at,
            sub.declared_at,
            sub.venue_id,
            d.full_name,
            d.birth_year,
            d.phone,
            d.province,
            symptom_list(d),
            d.close_contact,
            d.on_behalf,
            row.payload
        ])?;
        Ok(n == 1)
    }
}

/// The symptoms column: symptom names joined by `;`.
pub(crate) fn symptom_list(d: &khaibao_core::declaration::Declaration) -> String {
    let names: Vec<&str> = d.symptoms.iter().map(|s| s.name()).collect();
    names.join(";")
}

/// One item after verification and opening: the device key id and the submission, or the
/// error code it is rejected with.
pub type OpenedItem = Result<(String, Submission, Vec<u8>), &'static str>;

/// Verifies the device signature and opens the seal of each item (no database needed).
/// Large batches are split over the machine's cores.
pub fn open_items(key: &SealingKey, items: &[IngestItem]) -> Vec<OpenedItem> {
    let open = |chunk: &[IngestItem]| -> Vec<OpenedItem> {
        chunk
            .iter()
            .map(|i| open_item(key, i).map_err(|e| e.code().as_str()))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || items.len() < 16 {
        return open(items);
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|chunk| (chunk.len(), s.spawn(move || open(chunk))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                // A panicking worker would be a bug in the opener; its items are refused
                // rather than taking the server down.
                h.join().unwrap_or_else(|_| vec![Err("internal"); len])
            })
            .collect()
    })
}

fn open_item(
    key: &SealingKey,
    item: &IngestItem,
) -> khaibao_core::Result<(String, Submission, Vec<u8>)> {
    match item.kind {
        ItemKind::Declaration => {
            let opened = open_and_verify(key, &item.body, &item.idempotency_key)?;
            let sub = Submission::from_cbor(&opened.payload)?;
            Ok((
                // Device id: 8 bytes of the key's SHA-256 (more than a 4-byte kid, as
                // there are millions of devices).
                hex(
                    &ring::digest::digest(&ring::digest::SHA256, &opened.device_public_key)
                        .as_ref()[..8],
                ),
                sub,
                opened.payload,
            ))
        }
    }
}

pub(crate) fn new_receipt() -> String {
    let mut b = [0u8; 12];
    // If the system RNG ever failed, the all-zero receipt would collide on the UNIQUE
    // constraint and fail the batch (the client retries) rather than reuse a receipt.
    let _ = SystemRandom::new().fill(&mut b);
    format!("rc-{}", hex(&b))
}
