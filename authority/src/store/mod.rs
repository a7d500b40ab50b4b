//! Where the authority keeps what it receives and publishes: declarations (sealed, stored
//! under their idempotency key) and exposure windows (numbered by publication version);
//! and its own bookkeeping: operator accounts and token hashes, extraction requests and
//! the audit log ([`records`]).
//!
//! [`Store`] is the one interface; [`sqlite`] (the default, one file) and [`postgres`] (for
//! deployments that outgrow one file) implement it over the tables of [`schema`]. This file
//! holds the trait, the types both sides share and the one batch loop that decides, item by
//! item, whether a declaration is accepted, a duplicate or rejected.
//!
//! Imports: `khaibao_core` and the database crates only. The children import this file;
//! this file imports none of them. Callers pick an implementation through
//! [`crate::db::AuthorityDb`].

pub mod postgres;
pub mod records;
pub mod schema;
pub mod sqlite;

pub use records::{
    AUDIT_COLUMNS, AuditDraft, AuditRecord, Decision, EXTRACTION_COLUMNS, ExtractionRecord,
    NewExtraction, NewOperator, NewToken, OPERATOR_COLUMNS, OperatorRecord,
};

use khaibao_core::declaration::Submission;
use khaibao_core::encoding::codec::hex;
use khaibao_core::exposure::{ExposureEntry, Recommendation};
use khaibao_core::upload::protocol::{IngestItem, IngestResult, ItemStatus};
use ring::rand::{SecureRandom, SystemRandom};

/// Why the database failed. The texts name the operation, never stored values.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("stored payload: {0}")]
    Payload(#[from] khaibao_core::Error),
    #[error("an insert conflicted on its key but no row holds it")]
    ConflictWithoutRow,
    /// The database holds declarations in the earlier layout, with personal fields in clear
    /// columns; this version does not read or extend it.
    #[error(
        "the declarations table has the earlier layout (personal fields in clear columns): \
         export what must be kept with the earlier version, then start a new database"
    )]
    OldLayout,
    /// An operator with that login name already exists.
    #[error("that operator name is taken")]
    NameTaken,
    /// What an export's row callback failed with (writing the file).
    #[error("writing the rows: {0}")]
    Sink(#[from] std::io::Error),
}

/// One item after verification and opening: the device key id, the submission and its
/// verified payload, or the error code it is rejected with.
pub type OpenedItem = Result<(String, Submission, Vec<u8>), &'static str>;

/// Which declarations an export reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFilter {
    /// Declared at or after this time.
    pub since: i64,
    /// Declared before this time, if given.
    pub until: Option<i64>,
    /// Only declarants of this national province code, if given.
    pub province: Option<u32>,
    /// Only this venue, if given.
    pub venue_id: Option<String>,
}

/// One stored declaration: the sealed body exactly as the phone uploaded it, and the
/// metadata the authority verified when it opened it (none of it personal: no name, phone,
/// ID, birth year or symptom).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    pub receipt: String,
    pub declared_at: i64,
    pub received_at: i64,
    /// The declarant's province (what a department's extraction selects on).
    pub province: i64,
    pub venue_id: Option<String>,
    pub device_kid: String,
    /// The idempotency key the seal is bound to (needed to open it).
    pub idem_key: Vec<u8>,
    /// The HPKE-sealed, device-signed declaration; only the sealing key (in the keys
    /// folder, never in the database) opens it.
    pub sealed: Vec<u8>,
}

/// The columns a stored row is read from, in the order [`StoredRow::read`] reads them.
pub const STORED_COLUMNS: &str =
    "receipt, declared_at, received_at, province, venue_id, device_kid, idem_key, sealed";

/// A result row read by column index, whichever database it came from.
pub trait Columns {
    type Error;
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    fn bytes(&self, i: usize) -> Result<Vec<u8>, Self::Error>;
}

impl StoredRow {
    /// Reads a row selected with [`STORED_COLUMNS`].
    pub fn read<C: Columns>(r: &C) -> Result<Self, C::Error> {
        Ok(Self {
            receipt: r.text(0)?,
            declared_at: r.int(1)?,
            received_at: r.int(2)?,
            province: r.int(3)?,
            venue_id: r.opt_text(4)?,
            device_kid: r.text(5)?,
            idem_key: r.bytes(6)?,
            sealed: r.bytes(7)?,
        })
    }
}

/// Where [`Store::export_rows`] streams what it finds.
pub trait ExportSink {
    /// How many rows will follow.
    fn total(&mut self, rows: u64);
    /// The next row.
    fn row(&mut self, row: StoredRow) -> std::io::Result<()>;
}

/// The authority's storage, as SQLite and PostgreSQL both provide it.
pub trait Store: Send {
    /// Whether this is the PostgreSQL store.
    fn is_postgres(&self) -> bool;

    /// Runs `write` with this store's [`BatchWriter`] inside one transaction, committed when
    /// `write` succeeds.
    fn write_batch(&mut self, write: &mut WriteBatch<'_>) -> Result<Vec<IngestResult>, DbError>;

    /// Stores a batch already verified and opened, in one transaction, through
    /// [`store_batch`].
    fn store_opened(
        &mut self,
        items: &[IngestItem],
        mut opened: Vec<OpenedItem>,
        now: i64,
    ) -> Result<Vec<IngestResult>, DbError> {
        self.write_batch(&mut |writer| store_batch(writer, items, std::mem::take(&mut opened), now))
    }

    /// Every stored declaration, oldest first.
    fn declaration_rows(&self) -> Result<Vec<StoredRow>, DbError>;

    /// Every (idempotency key, receipt), oldest first.
    fn receipts(&self) -> Result<Vec<(Vec<u8>, String)>, DbError>;

    /// How many declarations are stored.
    fn count(&self) -> Result<u64, DbError>;

    /// The declarations `filter` matches, streamed to `to`: their number, then each row in
    /// order (declaration time, then arrival).
    fn export_rows(&self, filter: &ExportFilter, to: &mut dyn ExportSink) -> Result<(), DbError>;

    /// Deletes every declaration declared before `cutoff` (and the tokens expired by then);
    /// returns how many declarations went.
    fn purge_declared_before(&mut self, cutoff: i64) -> Result<u64, DbError>;

    /// Stores `entries` (already checked) as the next exposure version and returns it.
    fn publish_exposures(&mut self, entries: &[ExposureEntry], now: i64) -> Result<u64, DbError>;

    /// The newest published exposure version (0 before the first publication).
    fn latest_exposure_version(&self) -> Result<u64, DbError>;

    /// (version, entry count) of every publication after `since`, oldest first.
    fn exposure_versions_after(&self, since: i64) -> Result<Vec<(i64, i64)>, DbError>;

    /// The entries of the publications in `since < version <= upto`, in publication order.
    fn exposure_entries_between(
        &self,
        since: i64,
        upto: i64,
    ) -> Result<Vec<ExposureEntry>, DbError>;

    /// Stores a new operator and returns its id ([`DbError::NameTaken`] when the name is).
    fn add_operator(&mut self, op: &NewOperator<'_>) -> Result<i64, DbError>;

    /// Every operator, by id.
    fn operators(&self) -> Result<Vec<OperatorRecord>, DbError>;

    /// The operator called `name`, with its password hash if it has one.
    fn operator_by_name(
        &self,
        name: &str,
    ) -> Result<Option<(OperatorRecord, Option<String>)>, DbError>;

    /// Disables (or enables again) the operator called `name`; `false` when there is none.
    fn set_operator_disabled(&mut self, name: &str, disabled: bool) -> Result<bool, DbError>;

    /// Stores a token (its hash) for an operator.
    fn add_token(&mut self, token: &NewToken<'_>) -> Result<(), DbError>;

    /// The enabled operator holding the token whose SHA-256 is `hash`, if it has not expired
    /// at `now`.
    fn token_operator(&self, hash: &[u8], now: i64) -> Result<Option<OperatorRecord>, DbError>;

    /// Deletes the token whose SHA-256 is `hash` (logging out); `false` when there is none.
    fn revoke_token(&mut self, hash: &[u8]) -> Result<bool, DbError>;

    /// Writes the portal record `kind`/`id` (a JSON document, see [`PortalRecord`]),
    /// replacing an older one.
    fn put_portal_record(&mut self, record: &PortalRecord) -> Result<(), DbError>;

    /// The portal record `kind`/`id`.
    fn portal_record(&self, kind: &str, id: &str) -> Result<Option<PortalRecord>, DbError>;

    /// The portal records of `kind` (in `province` when given), oldest first.
    fn portal_records(
        &self,
        kind: &str,
        province: Option<u32>,
    ) -> Result<Vec<PortalRecord>, DbError>;

    /// Stores a pending extraction request and returns its id.
    fn add_extraction(&mut self, e: &NewExtraction<'_>) -> Result<i64, DbError>;

    /// The extraction `id`, if any.
    fn extraction(&self, id: i64) -> Result<Option<ExtractionRecord>, DbError>;

    /// Every extraction, newest first.
    fn extractions(&self) -> Result<Vec<ExtractionRecord>, DbError>;

    /// Records the decision on a pending extraction; `false` when it is not pending.
    fn decide_extraction(&mut self, d: &Decision<'_>) -> Result<bool, DbError>;

    /// Counts one download of extraction `id`.
    fn count_download(&mut self, id: i64) -> Result<(), DbError>;

    /// Appends an entry to the audit log, in one transaction that numbers it after the
    /// last entry and chains it to that entry's hash.
    fn append_audit(&mut self, draft: &AuditDraft<'_>) -> Result<AuditRecord, DbError>;

    /// The whole audit log, by sequence number.
    fn audit_entries(&self) -> Result<Vec<AuditRecord>, DbError>;
}

/// One document of the web portal (a venue application, a province's settings, an
/// event of its history), stored as JSON text under its kind and id. Its meaning belongs
/// to [`crate::portal`]; `province` is kept as a column so a province's records are found
/// without reading every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalRecord {
    pub kind: String,
    pub id: String,
    pub province: u32,
    pub value: String,
    pub updated_at: i64,
}

/// A declaration about to be stored under a new receipt: its sealed body as received and
/// the metadata read from the verified submission.
pub struct NewRow<'a> {
    pub key: &'a [u8],
    pub receipt: &'a str,
    pub device_kid: &'a str,
    pub received_at: i64,
    pub submission: &'a Submission,
    pub sealed: &'a [u8],
}

/// What [`Store::write_batch`] runs inside the transaction.
pub type WriteBatch<'a> =
    dyn FnMut(&mut dyn BatchWriter) -> Result<Vec<IngestResult>, DbError> + 'a;

/// A store's two steps of storing a batch, inside its transaction.
pub trait BatchWriter {
    /// The receipt stored under `key`, if any.
    fn find(&mut self, key: &[u8]) -> Result<Option<String>, DbError>;
    /// Stores `row`; `false` when its key is already stored (nothing written).
    fn insert(&mut self, row: &NewRow<'_>) -> Result<bool, DbError>;
}

/// The answer to each item of a batch, storing the accepted ones through `writer`: a key
/// already stored (earlier, or by an item before it in the batch) is a duplicate with the
/// original receipt, whatever the body; an item that failed to open is rejected with its
/// error code.
pub fn store_batch(
    writer: &mut dyn BatchWriter,
    items: &[IngestItem],
    opened: Vec<OpenedItem>,
    now: i64,
) -> Result<Vec<IngestResult>, DbError> {
    let mut results = Vec::with_capacity(items.len());
    for (item, opened) in items.iter().zip(opened) {
        let key: &[u8] = &item.idempotency_key;
        let status = match opened {
            Ok((device_kid, submission, _payload)) => {
                let receipt = new_receipt();
                let row = NewRow {
                    key,
                    receipt: &receipt,
                    device_kid: &device_kid,
                    received_at: now,
                    submission: &submission,
                    sealed: &item.body,
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

/// The recommendation column's number.
pub fn rec_to_int(r: Recommendation) -> i64 {
    match r {
        Recommendation::MonitorSymptoms => 1,
        Recommendation::GetTested => 2,
        Recommendation::Isolate => 3,
    }
}

/// The recommendation a column number stands for (unknown numbers: the mildest).
pub fn rec_from_int(v: i64) -> Recommendation {
    match v {
        3 => Recommendation::Isolate,
        2 => Recommendation::GetTested,
        _ => Recommendation::MonitorSymptoms,
    }
}

fn new_receipt() -> String {
    let mut b = [0u8; 12];
    // If the system RNG ever failed, the all-zero receipt would collide on the UNIQUE
    // constraint and fail the batch (the client retries) rather than reuse a receipt.
    let _ = SystemRandom::new().fill(&mut b);
    format!("rc-{}", hex(&b))
}
