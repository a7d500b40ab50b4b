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
    BatchWriter, Columns, DbError, EXPORT_COLUMNS, ExportFilter, ExportRow, ExportSink, NewRow,
    Store, WriteBatch, rec_from_int, rec_to_int, symptom_list,
};
use khaibao_core::exposure::ExposureEntry;
use khaibao_core::upload::protocol::IngestResult;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::Type;
use postgres::{Client, NoTls};
use std::sync::{Mutex, MutexGuard};

/// A connection to the authority's PostgreSQL database.
pub struct PgStore {
    client: Mutex<Client>,
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/dbname`) and creates missing tables.
    pub fn connect(url: &str) -> Result<Self, postgres::Error> {
        let mut client = Client::connect(url, NoTls)?;
        client.batch_execute(schema::POSTGRES)?;
        Ok(Self {
            client: Mutex::new(client),
        })
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

    fn write_batch(&mut self, write: &mut WriteBatch<'_>) -> Result<Vec<IngestResult>, DbError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let find = tx.prepare("SELECT receipt FROM declarations WHERE idem_key = $1")?;
        let insert = tx.prepare(
            "INSERT INTO declarations (idem_key, receipt, device_kid, received_at, declared_at,
                venue_id, full_name, birth_year, phone, province, symptoms, close_contact, on_behalf,
                payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (idem_key) DO NOTHING",
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

    fn declaration_rows(&self) -> Result<Vec<(String, String, Vec<u8>)>, DbError> {
        let rows = self.client().query(
            "SELECT receipt, device_kid, payload FROM declarations ORDER BY id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
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
        const WHERE: &str = "province = $1 AND declared_at >= $2 AND declared_at < $3
            AND ($4::TEXT IS NULL OR venue_id = $4)";
        let until = filter.until.unwrap_or(i64::MAX);
        let province = i64::from(filter.province);
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
                "SELECT {EXPORT_COLUMNS} FROM declarations WHERE {WHERE} ORDER BY declared_at, id"
            ),
            params,
        )?;
        while let Some(r) = rows.next()? {
            to.row(ExportRow::read(&r)?)?;
        }
        Ok(())
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
        // birth_year is an INTEGER column, the others BIGINT.
        if self.columns().get(i).map(postgres::Column::type_) == Some(&Type::INT4) {
            return Ok(i64::from(self.try_get::<_, i32>(i)?));
        }
        self.try_get(i)
    }
    fn flag(&self, i: usize) -> Result<bool, postgres::Error> {
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
        let d = &sub.declaration;
        let n = self.tx.execute(
            &self.insert,
            &[
                &row.key,
                &row.receipt,
                &row.device_kid,
                &row.received_at,
                &sub.declared_at,
                &sub.venue_id,
                &d.full_name,
                &i32::from(d.birth_year),
                &d.phone,
                &i64::from(d.province),
                &symptom_list(d),
                &d.close_contact,
                &d.on_behalf,
                &row.payload,
            ],
        )?;
        Ok(n == 1)
    }
}
