//! The [`Store`] on PostgreSQL, for deployments that outgrow one SQLite file
//! (`khaibao serve --db postgres://…`), through the `postgres` crate (no TLS to the database:
//! it is expected on the same host or a private network).
//!
//! The tables and the behaviour are those of the SQLite store: ingest deduplicates on the
//! idempotency key with `INSERT … ON CONFLICT DO NOTHING`, so several authority processes
//! may share one database and a key is still stored once; exposure versions are numbered
//! under a table lock.

use super::schema;
use super::{
    AUDIT_COLUMNS, AuditDraft, AuditRecord, BatchWriter, Columns, DbError, Decision,
    EXTRACTION_COLUMNS, ExportFilter, ExportSink, ExtractionRecord, NewExtraction, NewOperator,
    NewRow, NewToken, OPERATOR_COLUMNS, OpenedItem, OperatorRecord, PortalRecord, STORED_COLUMNS,
    Store, StoredRow, WriteBatch, rec_from_int, rec_to_int, store_batch,
};
use khaibao_core::exposure::ExposureEntry;
use khaibao_core::upload::protocol::{IngestItem, IngestResult};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use std::collections::{BTreeSet, HashSet};
use std::sync::{Mutex, MutexGuard};

/// The advisory lock under which schema changes (tables, day partitions) run, so that
/// several processes sharing the database never race on them.
const SCHEMA_LOCK: i64 = 0x6b68_6169_6261_6f00;

/// A connection to the authority's PostgreSQL database.
pub struct PgStore {
    client: Mutex<Client>,
    /// The day partitions this process knows exist.
    partitions: HashSet<i64>,
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/dbname`) and creates missing tables.
    pub fn connect(url: &str) -> Result<Self, DbError> {
        let mut client = Client::connect(url, NoTls)?;
        let mut tx = client.transaction()?;
        tx.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); {}",
            schema::POSTGRES
        ))?;
        tx.commit()?;
        if client.prepare(schema::CHECK_LAYOUT).is_err() {
            return Err(DbError::OldLayout);
        }
        Ok(Self {
            client: Mutex::new(client),
            partitions: HashSet::new(),
        })
    }

    /// Creates the day partitions of `days` that this process has not seen yet.
    fn ensure_partitions(&mut self, days: &BTreeSet<i64>) -> Result<(), DbError> {
        let missing: Vec<i64> = days
            .iter()
            .copied()
            .filter(|d| !self.partitions.contains(d))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
            for &day in &missing {
                tx.batch_execute(&schema::postgres_partition(day).1)?;
            }
            tx.commit()?;
        }
        self.partitions.extend(missing);
        Ok(())
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        self.client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Store for PgStore {
    fn is_postgres(&self) -> bool {
        true
    }

    fn store_opened(
        &mut self,
        items: &[IngestItem],
        mut opened: Vec<OpenedItem>,
        now: i64,
    ) -> Result<Vec<IngestResult>, DbError> {
        // The day partitions the accepted items fall in must exist before the transaction.
        let days: BTreeSet<i64> = opened
            .iter()
            .filter_map(|o| o.as_ref().ok())
            .map(|(_, sub, _)| sub.declared_at.div_euclid(86_400))
            .collect();
        self.ensure_partitions(&days)?;
        self.write_batch(&mut |writer| store_batch(writer, items, std::mem::take(&mut opened), now))
    }

    fn write_batch(&mut self, write: &mut WriteBatch<'_>) -> Result<Vec<IngestResult>, DbError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let find = tx.prepare("SELECT receipt FROM declaration_keys WHERE idem_key = $1")?;
        // The key table decides (it is unique across partitions); the row follows only
        // when the key was new.
        let insert = tx.prepare(
            "WITH k AS (
                INSERT INTO declaration_keys (idem_key, receipt, declared_at) VALUES ($1, $2, $5)
                ON CONFLICT (idem_key) DO NOTHING RETURNING idem_key)
             INSERT INTO declarations (idem_key, receipt, device_kid, received_at, declared_at,
                venue_id, province, sealed)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM k",
        )?;
        let mut batch = PgBatch {
            tx: &mut tx,
            find,
            insert,
        };
        let results = write(&mut batch)?;
        tx.commit()?;
        Ok(results)
    }

    fn declaration_rows(&self) -> Result<Vec<StoredRow>, DbError> {
        let rows = self.client().query(
            &format!("SELECT {STORED_COLUMNS} FROM declarations ORDER BY id"),
            &[],
        )?;
        rows.iter().map(|r| Ok(StoredRow::read(r)?)).collect()
    }

    fn receipts(&self) -> Result<Vec<(Vec<u8>, String)>, DbError> {
        let rows = self.client().query(
            "SELECT idem_key, receipt FROM declarations ORDER BY id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn count(&self) -> Result<u64, DbError> {
        let n: i64 = self
            .client()
            .query_one("SELECT COUNT(*) FROM declarations", &[])?
            .try_get(0)?;
        Ok(n.max(0).unsigned_abs())
    }

    fn export_rows(&self, filter: &ExportFilter, to: &mut dyn ExportSink) -> Result<(), DbError> {
        const WHERE: &str = "($1::BIGINT IS NULL OR province = $1) AND declared_at >= $2
            AND declared_at < $3 AND ($4::TEXT IS NULL OR venue_id = $4)";
        let until = filter.until.unwrap_or(i64::MAX);
        let province = filter.province.map(i64::from);
        let params: [&(dyn postgres::types::ToSql + Sync); 4] =
            [&province, &filter.since, &until, &filter.venue_id];
        let mut client = self.client();
        let total: i64 = client
            .query_one(
                &format!("SELECT COUNT(*) FROM declarations WHERE {WHERE}"),
                &params,
            )?
            .try_get(0)?;
        to.total(total.max(0).unsigned_abs());
        let mut rows = client.query_raw(
            &format!(
                "SELECT {STORED_COLUMNS} FROM declarations WHERE {WHERE} ORDER BY declared_at, id"
            ),
            params,
        )?;
        while let Some(r) = rows.next()? {
            to.row(StoredRow::read(&r)?)?;
        }
        Ok(())
    }

    fn purge_declared_before(&mut self, cutoff: i64) -> Result<u64, DbError> {
        let mut dropped = Vec::new();
        let mut removed = 0u64;
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
            let parts = tx.query(
                "SELECT c.relname FROM pg_inherits i
                 JOIN pg_class c ON c.oid = i.inhrelid
                 JOIN pg_class p ON p.oid = i.inhparent
                 WHERE p.relname = 'declarations'",
                &[],
            )?;
            for part in &parts {
                let name: String = part.try_get(0)?;
                // A day wholly before the cutoff goes as one partition.
                let Some(day) = schema::postgres_partition_day(&name) else {
                    continue;
                };
                if day.saturating_add(1).saturating_mul(86_400) > cutoff {
                    continue;
                }
                let rows: i64 = tx
                    .query_one(&format!("SELECT COUNT(*) FROM {name}"), &[])?
                    .try_get(0)?;
                tx.batch_execute(&format!("DROP TABLE {name}"))?;
                removed += rows.max(0).unsigned_abs();
                dropped.push(day);
            }
            // The day the cutoff falls in keeps its later rows.
            removed += tx.execute(
                "DELETE FROM declarations WHERE declared_at < $1",
                &[&cutoff],
            )?;
            tx.execute(
                "DELETE FROM declaration_keys WHERE declared_at < $1",
                &[&cutoff],
            )?;
            tx.execute(
                "DELETE FROM operator_tokens WHERE expires_at < $1",
                &[&cutoff],
            )?;
            tx.commit()?;
        }
        for day in dropped {
            self.partitions.remove(&day);
        }
        Ok(removed)
    }

    fn publish_exposures(&mut self, entries: &[ExposureEntry], now: i64) -> Result<u64, DbError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        // Numbering is max + 1: the lock keeps two publishers from taking the same version.
        tx.batch_execute("LOCK TABLE exposure_versions IN EXCLUSIVE MODE")?;
        let version: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM exposure_versions",
                &[],
            )?
            .try_get(0)?;
        let insert = tx.prepare(
            "INSERT INTO exposure_entries (version, venue_id, start_at, end_at, recommendation)
             VALUES ($1, $2, $3, $4, $5)",
        )?;
        for e in entries {
            tx.execute(
                &insert,
                &[
                    &version,
                    &e.venue_id.to_ascii_lowercase(),
                    &e.start,
                    &e.end,
                    &rec_to_int(e.recommendation),
                ],
            )?;
        }
        let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO exposure_versions (version, published_at, entries) VALUES ($1, $2, $3)",
            &[&version, &now, &count],
        )?;
        tx.commit()?;
        Ok(version.max(0).unsigned_abs())
    }

    fn latest_exposure_version(&self) -> Result<u64, DbError> {
        let v: i64 = self
            .client()
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM exposure_versions",
                &[],
            )?
            .try_get(0)?;
        Ok(v.max(0).unsigned_abs())
    }

    fn exposure_versions_after(&self, since: i64) -> Result<Vec<(i64, i64)>, DbError> {
        let rows = self.client().query(
            "SELECT version, entries FROM exposure_versions WHERE version > $1 ORDER BY version",
            &[&since],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn exposure_entries_between(
        &self,
        since: i64,
        upto: i64,
    ) -> Result<Vec<ExposureEntry>, DbError> {
        let rows = self.client().query(
            "SELECT venue_id, start_at, end_at, recommendation FROM exposure_entries
             WHERE version > $1 AND version <= $2 ORDER BY version, id",
            &[&since, &upto],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ExposureEntry {
                    venue_id: r.try_get(0)?,
                    start: r.try_get(1)?,
                    end: r.try_get(2)?,
                    recommendation: rec_from_int(r.try_get(3)?),
                })
            })
            .collect()
    }

    fn add_operator(&mut self, op: &NewOperator<'_>) -> Result<i64, DbError> {
        let row = self.client().query_opt(
            "INSERT INTO operators (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO NOTHING RETURNING id",
            &[&op.name, &op.role, &op.password_hash, &op.created_at],
        )?;
        Ok(row.ok_or(DbError::NameTaken)?.try_get(0)?)
    }

    fn operators(&self) -> Result<Vec<OperatorRecord>, DbError> {
        let rows = self.client().query(
            &format!("SELECT {OPERATOR_COLUMNS} FROM operators o ORDER BY id"),
            &[],
        )?;
        rows.iter().map(read_operator).collect()
    }

    fn operator_by_name(
        &self,
        name: &str,
    ) -> Result<Option<(OperatorRecord, Option<String>)>, DbError> {
        let row = self.client().query_opt(
            &format!(
                "SELECT {OPERATOR_COLUMNS}, o.password_hash FROM operators o WHERE o.name = $1"
            ),
            &[&name],
        )?;
        row.map(|r| Ok((read_operator(&r)?, r.try_get(5)?)))
            .transpose()
    }

    fn set_operator_disabled(&mut self, name: &str, disabled: bool) -> Result<bool, DbError> {
        let n = self.client().execute(
            "UPDATE operators SET disabled = $1 WHERE name = $2",
            &[&disabled, &name],
        )?;
        Ok(n == 1)
    }

    fn add_token(&mut self, token: &NewToken<'_>) -> Result<(), DbError> {
        self.client().execute(
            "INSERT INTO operator_tokens (hash, operator_id, kind, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &token.hash,
                &token.operator_id,
                &token.kind,
                &token.created_at,
                &token.expires_at,
            ],
        )?;
        Ok(())
    }

    fn token_operator(&self, hash: &[u8], now: i64) -> Result<Option<OperatorRecord>, DbError> {
        let row = self.client().query_opt(
            &format!(
                "SELECT {OPERATOR_COLUMNS} FROM operators o JOIN operator_tokens t
                 ON t.operator_id = o.id
                 WHERE t.hash = $1 AND t.expires_at > $2 AND NOT o.disabled"
            ),
            &[&hash, &now],
        )?;
        row.as_ref().map(read_operator).transpose()
    }

    fn revoke_token(&mut self, hash: &[u8]) -> Result<bool, DbError> {
        let n = self
            .client()
            .execute("DELETE FROM operator_tokens WHERE hash = $1", &[&hash])?;
        Ok(n == 1)
    }

    fn put_portal_record(&mut self, r: &PortalRecord) -> Result<(), DbError> {
        self.client().execute(
            "INSERT INTO portal_records (kind, id, province, value, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (kind, id) DO UPDATE SET province = EXCLUDED.province,
             value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
            &[
                &r.kind,
                &r.id,
                &i64::from(r.province),
                &r.value,
                &r.updated_at,
            ],
        )?;
        Ok(())
    }

    fn portal_record(&self, kind: &str, id: &str) -> Result<Option<PortalRecord>, DbError> {
        let rows = self.client().query(
            "SELECT kind, id, province, value, updated_at FROM portal_records
             WHERE kind = $1 AND id = $2",
            &[&kind, &id],
        )?;
        rows.first().map(read_portal).transpose()
    }

    fn portal_records(
        &self,
        kind: &str,
        province: Option<u32>,
    ) -> Result<Vec<PortalRecord>, DbError> {
        let province = province.map(i64::from);
        let rows = self.client().query(
            "SELECT kind, id, province, value, updated_at FROM portal_records
             WHERE kind = $1 AND ($2::BIGINT IS NULL OR province = $2) ORDER BY updated_at, id",
            &[&kind, &province],
        )?;
        rows.iter().map(read_portal).collect()
    }

    fn add_extraction(&mut self, e: &NewExtraction<'_>) -> Result<i64, DbError> {
        let row = self.client().query_one(
            "INSERT INTO extractions (requester_id, scope, since, until, reason, requested_at,
                state) VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
            &[
                &e.requester_id,
                &e.scope,
                &e.since,
                &e.until,
                &e.reason,
                &e.requested_at,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn extraction(&self, id: i64) -> Result<Option<ExtractionRecord>, DbError> {
        let row = self.client().query_opt(
            &format!("SELECT {EXTRACTION_COLUMNS} FROM extractions WHERE id = $1"),
            &[&id],
        )?;
        row.as_ref().map(read_extraction).transpose()
    }

    fn extractions(&self) -> Result<Vec<ExtractionRecord>, DbError> {
        let rows = self.client().query(
            &format!("SELECT {EXTRACTION_COLUMNS} FROM extractions ORDER BY id DESC"),
            &[],
        )?;
        rows.iter().map(read_extraction).collect()
    }

    fn decide_extraction(&mut self, d: &Decision<'_>) -> Result<bool, DbError> {
        let n = self.client().execute(
            "UPDATE extractions SET state = $2, decided_by = $3, decided_at = $4,
                download_until = $5 WHERE id = $1 AND state = 'pending'",
            &[&d.id, &d.state, &d.by, &d.at, &d.download_until],
        )?;
        Ok(n == 1)
    }

    fn count_download(&mut self, id: i64) -> Result<(), DbError> {
        self.client().execute(
            "UPDATE extractions SET downloads = downloads + 1 WHERE id = $1",
            &[&id],
        )?;
        Ok(())
    }

    fn append_audit(&mut self, draft: &AuditDraft<'_>) -> Result<AuditRecord, DbError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        // One appender at a time, across processes: each entry chains to the last.
        tx.batch_execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")?;
        let last = tx.query_opt(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let last = match last {
            Some(r) => Some((r.try_get::<_, i64>(0)?, r.try_get(1)?)),
            None => None,
        };
        let record = draft.after(last);
        tx.execute(
            "INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &record.seq,
                &record.at,
                &record.actor,
                &record.action,
                &record.detail,
                &record.prev_hash,
                &record.hash,
            ],
        )?;
        tx.commit()?;
        Ok(record)
    }

    fn audit_entries(&self) -> Result<Vec<AuditRecord>, DbError> {
        let rows = self.client().query(
            &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"),
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    seq: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    detail: r.try_get(4)?,
                    prev_hash: r.try_get(5)?,
                    hash: r.try_get(6)?,
                })
            })
            .collect()
    }
}

fn read_extraction(r: &postgres::Row) -> Result<ExtractionRecord, DbError> {
    Ok(ExtractionRecord {
        id: r.try_get(0)?,
        requester_id: r.try_get(1)?,
        scope: r.try_get(2)?,
        since: r.try_get(3)?,
        until: r.try_get(4)?,
        reason: r.try_get(5)?,
        requested_at: r.try_get(6)?,
        state: r.try_get(7)?,
        decided_by: r.try_get(8)?,
        decided_at: r.try_get(9)?,
        download_until: r.try_get(10)?,
        downloads: r.try_get(11)?,
    })
}

fn read_operator(r: &postgres::Row) -> Result<OperatorRecord, DbError> {
    Ok(OperatorRecord {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        role: r.try_get(2)?,
        disabled: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

impl Columns for postgres::Row {
    type Error = postgres::Error;
    fn text(&self, i: usize) -> Result<String, postgres::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, postgres::Error> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> Result<i64, postgres::Error> {
        self.try_get(i)
    }
    fn bytes(&self, i: usize) -> Result<Vec<u8>, postgres::Error> {
        self.try_get(i)
    }
}

struct PgBatch<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    find: postgres::Statement,
    insert: postgres::Statement,
}

impl BatchWriter for PgBatch<'_, '_> {
    fn find(&mut self, key: &[u8]) -> Result<Option<String>, DbError> {
        match self.tx.query_opt(&self.find, &[&key])? {
            Some(row) => Ok(Some(row.try_get(0)?)),
            None => Ok(None),
        }
    }

    fn insert(&mut self, row: &NewRow<'_>) -> Result<bool, DbError> {
        let sub = row.submission;
        let n = self.tx.execute(
            &self.insert,
            &[
                &row.key,
                &row.receipt,
                &row.device_kid,
                &row.received_at,
                &sub.declared_at,
                &sub.venue_id,
                &i64::from(sub.declaration.province),
                &row.sealed,
            ],
        )?;
        Ok(n == 1)
    }
}

fn read_portal(r: &postgres::Row) -> Result<PortalRecord, DbError> {
    let province: i64 = r.try_get(2)?;
    Ok(PortalRecord {
        kind: r.try_get(0)?,
        id: r.try_get(1)?,
        province: u32::try_from(province).unwrap_or_default(),
        value: r.try_get(3)?,
        updated_at: r.try_get(4)?,
    })
}
