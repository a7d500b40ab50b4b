//! The authority's declaration store (SQLite).
//!
//! Ingest verifies and opens each sealed item, then stores it under its idempotency key.
//! A key seen before is answered as a duplicate with the original receipt, so a client that
//! resends after a lost response never creates a second record.

use khaibao_core::codec::hex;
use khaibao_core::declaration::Submission;
use khaibao_core::protocol::{IngestItem, IngestResult, ItemKind, ItemStatus};
use khaibao_core::seal::{SealingKey, open_and_verify};
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

/// The authority's database.
pub struct AuthorityDb {
    conn: Connection,
}

impl AuthorityDb {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// Verifies, opens, deduplicates and stores a batch, in one transaction.
    pub fn ingest(
        &mut self,
        key: &SealingKey,
        items: &[IngestItem],
        now: i64,
    ) -> rusqlite::Result<Vec<IngestResult>> {
        let tx = self.conn.transaction()?;
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT receipt FROM declarations WHERE idem_key = ?1",
                    [&item.idempotency_key],
                    |r| r.get(0),
                )
                .optional()?;
            let status = if let Some(receipt) = existing {
                ItemStatus::Duplicate { receipt }
            } else {
                match open_item(key, item) {
                    Ok((device_kid, sub, payload)) => {
                        let receipt = new_receipt();
                        let d = &sub.declaration;
                        let symptoms: Vec<&str> = d.symptoms.iter().map(|s| s.name()).collect();
                        tx.execute(
                            "INSERT INTO declarations (idem_key, receipt, device_kid, received_at, declared_at,
                                venue_id, full_name, birth_year, phone, province, symptoms, close_contact, on_behalf,
                                payload)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                            params![
                                item.idempotency_key,
                                receipt,
                                device_kid,
                                now,
                                sub.declared_at,
                                sub.venue_id,
                                d.full_name,
                                d.birth_year,
                                d.phone,
                                d.province,
                                symptoms.join(";"),
                                d.close_contact,
                                d.on_behalf,
                                payload
                            ],
                        )?;
                        ItemStatus::Accepted { receipt }
                    }
                    Err(e) => ItemStatus::Rejected {
                        reason: e.code().to_owned(),
                    },
                }
            };
            results.push(IngestResult {
                idempotency_key: item.idempotency_key.clone(),
                status,
            });
        }
        tx.commit()?;
        Ok(results)
    }

    /// Every stored declaration, oldest first.
    pub fn declarations(&self) -> rusqlite::Result<Vec<StoredDeclaration>> {
        let mut stmt = self
            .conn
            .prepare("SELECT receipt, device_kid, payload FROM declarations ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let payload: Vec<u8> = r.get(2)?;
            let submission = Submission::from_cbor(&payload).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Blob,
                    Box::new(e),
                )
            })?;
            Ok(StoredDeclaration {
                receipt: r.get(0)?,
                device_kid: r.get(1)?,
                submission,
            })
        })?;
        rows.collect()
    }

    /// How many declarations are stored.
    pub fn count(&self) -> rusqlite::Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM declarations", [], |r| r.get(0))
    }
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
                hex(&khaibao_core::venue::key_id(&opened.device_public_key)),
                sub,
                opened.payload,
            ))
        }
    }
}

fn new_receipt() -> String {
    let mut b = [0u8; 12];
    // If the system RNG ever failed, the all-zero receipt would collide on the UNIQUE
    // constraint and fail the batch (the client retries) rather than reuse a receipt.
    let _ = SystemRandom::new().fill(&mut b);
    format!("rc-{}", hex(&b))
}
