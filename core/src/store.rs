//! The on-device SQLite database: opening, pragmas, and schema migrations.
//!
//! Migrations step through `PRAGMA user_version` inside one IMMEDIATE transaction, so two
//! processes opening the same file cannot both migrate, and a crash mid-way leaves the old
//! version intact. A file written by a newer library is refused rather than damaged, and a
//! file that is not a database is reported as [`Error::Corrupt`] — never silently replaced.

use crate::seal::DeviceKey;
use crate::{Error, Result, UnixTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

/// Each entry upgrades the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: device key, visits, outbox.
    "CREATE TABLE device (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pkcs8 BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        venue_id TEXT,
        venue_name TEXT NOT NULL,
        verified INTEGER NOT NULL,
        checked_in_at INTEGER NOT NULL,
        checked_out_at INTEGER
    );
    CREATE INDEX visits_active ON visits(checked_out_at) WHERE checked_out_at IS NULL;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        idem_key BLOB NOT NULL UNIQUE,
        kind INTEGER NOT NULL,
        body BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        receipt TEXT,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
    );
    CREATE INDEX outbox_pending ON outbox(state, id);",
    // Delivered outbox items are deleted; their receipts are kept here for a while.
    "CREATE TABLE outbox_receipts (
        idem_key BLOB PRIMARY KEY,
        receipt TEXT NOT NULL,
        delivered_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX outbox_receipts_age ON outbox_receipts(delivered_at);
    INSERT OR IGNORE INTO outbox_receipts (idem_key, receipt, delivered_at)
        SELECT idem_key, receipt, COALESCE(delivered_at, created_at) FROM outbox
        WHERE state = 'delivered' AND receipt IS NOT NULL;
    DELETE FROM outbox WHERE state = 'delivered';",
];

/// The schema version this library writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// An open khaibao database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// A database in memory, for tests and one-off tools.
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // journal_mode answers with a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        migrate(&mut conn)?;
        Ok(Self { conn })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The installation's device key, made and stored on first use.
    pub fn device_key(&mut self, now: UnixTime) -> Result<DeviceKey> {
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT pkcs8 FROM device WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        if let Some(pkcs8) = existing {
            return DeviceKey::from_pkcs8(&pkcs8);
        }
        let key = DeviceKey::generate()?;
        self.conn.execute(
            "INSERT INTO device (id, pkcs8, created_at) VALUES (1, ?1, ?2)",
            params![key.pkcs8(), now],
        )?;
        Ok(key)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::InvalidState("database written by a newer version"));
    }
    for step in &MIGRATIONS[version as usize..] {
        tx.execute_batch(step)?;
    }
    if version != SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_is_at_current_version_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut s = Store::open(&path).unwrap();
        let key = s.device_key(0).unwrap();
        drop(s);
        let mut s = Store::open(&path).unwrap();
        let v: u32 = s
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(s.device_key(0).unwrap().public_key(), key.public_key());
    }

    #[test]
    fn garbage_file_is_reported_corrupt_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let junk = vec![0x5a_u8; 8192];
        std::fs::write(&path, &junk).unwrap();
        assert!(matches!(Store::open(&path), Err(Error::Corrupt)));
        assert_eq!(std::fs::read(&path).unwrap(), junk, "file left untouched");
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(Store::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(c);
        assert!(matches!(Store::open(&path), Err(Error::InvalidState(_))));
    }
}
