//! The [`Store`] on SQLite: one file, in WAL mode, written by one process (`khaibao serve`)
//! while others read it (`khaibao export`) or publish into it under an immediate
//! transaction (`khaibao exposure publish`).

use super::schema;
use super::{
    AUDIT_COLUMNS, AuditDraft, AuditRecord, BatchWriter, Columns, DbError, Decision,
    EXTRACTION_COLUMNS, ExportFilter, ExportSink, ExtractionRecord, NewExtraction, NewOperator,
    NewRow, NewToken, OPERATOR_COLUMNS, OperatorRecord, PortalRecord, STORED_COLUMNS, Store,
    StoredRow, WriteBatch, rec_from_int, rec_to_int,
};
use khaibao_core::exposure::ExposureEntry;
use khaibao_core::upload::protocol::IngestResult;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

/// The authority's SQLite database.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating) the database file at `path` and creates missing tables.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        Self::with_schema(conn)
    }

    /// A database in memory (for tests).
    pub fn open_in_memory() -> Result<Self, DbError> {
        Self::with_schema(Connection::open_in_memory()?)
    }

    /// The connection underneath (for tests that tamper with the file).
    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    fn with_schema(conn: Connection) -> Result<Self, DbError> {
        // Deleted rows (retention) are overwritten, not left in free pages.
        conn.execute_batch("PRAGMA secure_delete = ON;")?;
        conn.execute_batch(schema::SQLITE)?;
        if conn.prepare(schema::CHECK_LAYOUT).is_err() {
            return Err(DbError::OldLayout);
        }
        Ok(Self { conn })
    }
}

impl Store for SqliteStore {
    fn is_postgres(&self) -> bool {
        false
    }

    fn write_batch(&mut self, write: &mut WriteBatch<'_>) -> Result<Vec<IngestResult>, DbError> {
        let tx = self.conn.transaction()?;
        let results = {
            let mut batch = SqliteBatch {
                find: tx.prepare_cached("SELECT receipt FROM declarations WHERE idem_key = ?1")?,
                insert: tx.prepare_cached(
                    "INSERT INTO declarations (idem_key, receipt, device_kid, received_at,
                        declared_at, venue_id, province, sealed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (idem_key) DO NOTHING",
                )?,
            };
            write(&mut batch)?
        };
        tx.commit()?;
        Ok(results)
    }

    fn declaration_rows(&self) -> Result<Vec<StoredRow>, DbError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {STORED_COLUMNS} FROM declarations ORDER BY id"
        ))?;
        let rows = stmt.query_map([], |r| StoredRow::read(r))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn receipts(&self) -> Result<Vec<(Vec<u8>, String)>, DbError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idem_key, receipt FROM declarations ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn count(&self) -> Result<u64, DbError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM declarations", [], |r| r.get(0))?)
    }

    fn export_rows(&self, filter: &ExportFilter, to: &mut dyn ExportSink) -> Result<(), DbError> {
        const WHERE: &str = "(?1 IS NULL OR province = ?1) AND declared_at >= ?2 AND declared_at < ?3 AND (?4 IS NULL OR venue_id = ?4)";
        let args = params![
            filter.province,
            filter.since,
            filter.until.unwrap_or(i64::MAX),
            filter.venue_id
        ];
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM declarations WHERE {WHERE}"),
            args,
            |r| r.get(0),
        )?;
        to.total(total.max(0).unsigned_abs());
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {STORED_COLUMNS} FROM declarations WHERE {WHERE} ORDER BY declared_at, id"
        ))?;
        let mut rows = stmt.query(args)?;
        while let Some(r) = rows.next()? {
            to.row(StoredRow::read(r)?)?;
        }
        Ok(())
    }

    fn purge_declared_before(&mut self, cutoff: i64) -> Result<u64, DbError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute("DELETE FROM declarations WHERE declared_at < ?1", [cutoff])?;
        tx.execute(
            "DELETE FROM operator_tokens WHERE expires_at < ?1",
            [cutoff],
        )?;
        tx.commit()?;
        Ok(n as u64)
    }

    fn publish_exposures(&mut self, entries: &[ExposureEntry], now: i64) -> Result<u64, DbError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM exposure_versions",
            [],
            |r| r.get(0),
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO exposure_entries (version, venue_id, start_at, end_at, recommendation)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in entries {
                insert.execute(params![
                    version,
                    e.venue_id.to_ascii_lowercase(),
                    e.start,
                    e.end,
                    rec_to_int(e.recommendation)
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO exposure_versions (version, published_at, entries) VALUES (?1, ?2, ?3)",
            params![version, now, entries.len() as i64],
        )?;
        tx.commit()?;
        Ok(version.max(0) as u64)
    }

    fn latest_exposure_version(&self) -> Result<u64, DbError> {
        let v: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM exposure_versions",
            [],
            |r| r.get(0),
        )?;
        Ok(v.max(0).unsigned_abs())
    }

    fn exposure_versions_after(&self, since: i64) -> Result<Vec<(i64, i64)>, DbError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, entries FROM exposure_versions WHERE version > ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn exposure_entries_between(
        &self,
        since: i64,
        upto: i64,
    ) -> Result<Vec<ExposureEntry>, DbError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT venue_id, start_at, end_at, recommendation FROM exposure_entries
             WHERE version > ?1 AND version <= ?2 ORDER BY version, id",
        )?;
        let rows = stmt.query_map([since, upto], |r| {
            Ok(ExposureEntry {
                venue_id: r.get(0)?,
                start: r.get(1)?,
                end: r.get(2)?,
                recommendation: rec_from_int(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_operator(&mut self, op: &NewOperator<'_>) -> Result<i64, DbError> {
        let n = self.conn.execute(
            "INSERT INTO operators (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO NOTHING",
            params![op.name, op.role, op.password_hash, op.created_at],
        )?;
        if n == 0 {
            return Err(DbError::NameTaken);
        }
        Ok(self.conn.last_insert_rowid())
    }

    fn operators(&self) -> Result<Vec<OperatorRecord>, DbError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OPERATOR_COLUMNS} FROM operators o ORDER BY id"
        ))?;
        let rows = stmt.query_map([], read_operator)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn operator_by_name(
        &self,
        name: &str,
    ) -> Result<Option<(OperatorRecord, Option<String>)>, DbError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {OPERATOR_COLUMNS}, o.password_hash FROM operators o WHERE o.name = ?1"
                ),
                [name],
                |r| Ok((read_operator(r)?, r.get(5)?)),
            )
            .optional()?)
    }

    fn set_operator_disabled(&mut self, name: &str, disabled: bool) -> Result<bool, DbError> {
        let n = self.conn.execute(
            "UPDATE operators SET disabled = ?1 WHERE name = ?2",
            params![disabled, name],
        )?;
        Ok(n == 1)
    }

    fn add_token(&mut self, token: &NewToken<'_>) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO operator_tokens (hash, operator_id, kind, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token.hash,
                token.operator_id,
                token.kind,
                token.created_at,
                token.expires_at
            ],
        )?;
        Ok(())
    }

    fn token_operator(&self, hash: &[u8], now: i64) -> Result<Option<OperatorRecord>, DbError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {OPERATOR_COLUMNS} FROM operators o JOIN operator_tokens t
                     ON t.operator_id = o.id
                     WHERE t.hash = ?1 AND t.expires_at > ?2 AND NOT o.disabled"
                ),
                params![hash, now],
                read_operator,
            )
            .optional()?)
    }

    fn revoke_token(&mut self, hash: &[u8]) -> Result<bool, DbError> {
        let n = self
            .conn
            .execute("DELETE FROM operator_tokens WHERE hash = ?1", [hash])?;
        Ok(n == 1)
    }

    fn put_portal_record(&mut self, r: &PortalRecord) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO portal_records (kind, id, province, value, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (kind, id) DO UPDATE SET province = excluded.province,
             value = excluded.value, updated_at = excluded.updated_at",
            params![r.kind, r.id, r.province, r.value, r.updated_at],
        )?;
        Ok(())
    }

    fn portal_record(&self, kind: &str, id: &str) -> Result<Option<PortalRecord>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT kind, id, province, value, updated_at FROM portal_records
                 WHERE kind = ?1 AND id = ?2",
                [kind, id],
                read_portal,
            )
            .optional()?)
    }

    fn portal_records(
        &self,
        kind: &str,
        province: Option<u32>,
    ) -> Result<Vec<PortalRecord>, DbError> {
        let mut stmt = self.conn.prepare(
            "SELECT kind, id, province, value, updated_at FROM portal_records
             WHERE kind = ?1 AND (?2 IS NULL OR province = ?2) ORDER BY updated_at, id",
        )?;
        let rows = stmt.query_map(params![kind, province], read_portal)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_extraction(&mut self, e: &NewExtraction<'_>) -> Result<i64, DbError> {
        self.conn.execute(
            "INSERT INTO extractions (requester_id, scope, since, until, reason, requested_at,
                state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
            params![
                e.requester_id,
                e.scope,
                e.since,
                e.until,
                e.reason,
                e.requested_at
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn extraction(&self, id: i64) -> Result<Option<ExtractionRecord>, DbError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {EXTRACTION_COLUMNS} FROM extractions WHERE id = ?1"),
                [id],
                read_extraction,
            )
            .optional()?)
    }

    fn extractions(&self) -> Result<Vec<ExtractionRecord>, DbError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EXTRACTION_COLUMNS} FROM extractions ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([], read_extraction)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn decide_extraction(&mut self, d: &Decision<'_>) -> Result<bool, DbError> {
        let n = self.conn.execute(
            "UPDATE extractions SET state = ?2, decided_by = ?3, decided_at = ?4,
                download_until = ?5 WHERE id = ?1 AND state = 'pending'",
            params![d.id, d.state, d.by, d.at, d.download_until],
        )?;
        Ok(n == 1)
    }

    fn count_download(&mut self, id: i64) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE extractions SET downloads = downloads + 1 WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    fn append_audit(&mut self, draft: &AuditDraft<'_>) -> Result<AuditRecord, DbError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let record = draft.after(last);
        tx.execute(
            "INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                record.seq,
                record.at,
                record.actor,
                record.action,
                record.detail,
                record.prev_hash,
                record.hash
            ],
        )?;
        tx.commit()?;
        Ok(record)
    }

    fn audit_entries(&self) -> Result<Vec<AuditRecord>, DbError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditRecord {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
                prev_hash: r.get(5)?,
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn read_extraction(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExtractionRecord> {
    Ok(ExtractionRecord {
        id: r.get(0)?,
        requester_id: r.get(1)?,
        scope: r.get(2)?,
        since: r.get(3)?,
        until: r.get(4)?,
        reason: r.get(5)?,
        requested_at: r.get(6)?,
        state: r.get(7)?,
        decided_by: r.get(8)?,
        decided_at: r.get(9)?,
        download_until: r.get(10)?,
        downloads: r.get(11)?,
    })
}

fn read_operator(r: &rusqlite::Row<'_>) -> rusqlite::Result<OperatorRecord> {
    Ok(OperatorRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        disabled: r.get(3)?,
        created_at: r.get(4)?,
    })
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn bytes(&self, i: usize) -> rusqlite::Result<Vec<u8>> {
        self.get(i)
    }
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
        let n = self.insert.execute(params![
            row.key,
            row.receipt,
            row.device_kid,
            row.received_at,
            sub.declared_at,
            sub.venue_id,
            sub.declaration.province,
            row.sealed
        ])?;
        Ok(n == 1)
    }
}

fn read_portal(r: &rusqlite::Row<'_>) -> rusqlite::Result<PortalRecord> {
    Ok(PortalRecord {
        kind: r.get(0)?,
        id: r.get(1)?,
        province: r.get(2)?,
        value: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_the_earlier_clear_text_layout_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE declarations (id INTEGER PRIMARY KEY, idem_key BLOB, receipt TEXT,
                 device_kid TEXT, received_at INTEGER, declared_at INTEGER, venue_id TEXT,
                 full_name TEXT, birth_year INTEGER, phone TEXT, province INTEGER,
                 symptoms TEXT, close_contact INTEGER, on_behalf INTEGER, payload BLOB);",
            )
            .unwrap();
        assert!(matches!(SqliteStore::open(&path), Err(DbError::OldLayout)));
        assert!(SqliteStore::open(&dir.path().join("new.db")).is_ok());
    }
}
