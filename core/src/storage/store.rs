//! The on-device SQLite database: opening, pragmas, schema migrations, the master-key check,
//! per-day keys and retention.
//!
//! Migrations step through `PRAGMA user_version` inside one IMMEDIATE transaction, so two
//! processes opening the same file cannot both migrate, and a crash mid-way leaves the old
//! version intact. A file written by a newer library is refused rather than damaged, and a
//! file that is not a database is reported as [`StorageError::Corrupt`] — never silently replaced.
//!
//! Everything personal is sealed (see [`crate::storage::vault`]): visit details and declaration
//! copies under the key of their local day, the device key and the key check under the
//! master key. Only times, day numbers and flags are stored in the clear. Opening checks
//! the master key ([`StorageError::WrongMasterKey`]) and purges days older than the retention.
//!
//! Performance: day keys, once unwrapped, are kept in memory for the store's lifetime (no
//! more exposure than the master key the store already holds; ring does not wipe key
//! memory on drop, so neither copy is zeroized), statements on the hot paths are prepared
//! once and cached, and WAL checkpoints run on a background thread
//! ([`crate::storage::checkpoint`]) instead of inside a commit.
//!
//! Durability: WAL with `synchronous = NORMAL`. A call that returns has committed to the
//! log, which survives the app being killed at any moment (the SIGKILL crash test); the log
//! is synced to the disk by the next background checkpoint, at most two seconds later, so
//! only a power cut or OS crash in that window can lose the newest check-ins (never
//! corrupt the file). Syncing on every commit (`synchronous = FULL`) would cost a flash
//! flush per check-in: the diary bench prints that cost next to the check-in.

use crate::error::{SealError, StorageError};
use crate::seal::DeviceKey;
use crate::storage::checkpoint::Checkpointer;
use crate::storage::vault::{self, Cipher, KeyProvider};
use crate::{Error, Result, UnixTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Each entry upgrades the schema from version `index` to `index + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // v1: device key, master-key check, day keys, visits, declaration copies, outbox.
    "CREATE TABLE device (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pkcs8 BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
    );
    CREATE TABLE day_keys (
        day INTEGER PRIMARY KEY,
        wrapped BLOB NOT NULL
    );
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        day INTEGER NOT NULL,
        verified INTEGER NOT NULL,
        details BLOB NOT NULL,
        checked_in_at INTEGER NOT NULL,
        checked_out_at INTEGER,
        auto_out_at INTEGER NOT NULL,
        out_kind TEXT
    );
    CREATE INDEX visits_active ON visits(checked_out_at) WHERE checked_out_at IS NULL;
    CREATE INDEX visits_day ON visits(day);
    CREATE TABLE declarations (
        id INTEGER PRIMARY KEY,
        day INTEGER NOT NULL,
        visit_id INTEGER,
        declared_at INTEGER NOT NULL,
        payload BLOB NOT NULL
    );
    CREATE INDEX declarations_day ON declarations(day);
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
    // v2: history of visit edits, and the exposure lists already matched.
    "ALTER TABLE visits ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE visit_edits (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL,
        day INTEGER NOT NULL,
        edited_at INTEGER NOT NULL,
        old_in INTEGER NOT NULL,
        old_out INTEGER,
        new_in INTEGER NOT NULL,
        new_out INTEGER NOT NULL
    );
    CREATE INDEX visit_edits_visit ON visit_edits(visit_id);
    CREATE TABLE exposure_lists (
        version INTEGER PRIMARY KEY,
        processed_at INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        alerts INTEGER NOT NULL
    );",
    // v3: delivered outbox items are deleted; their receipts are kept here for a while.
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
    // v4: the newest verified keyset update and venue registry (public, signed bytes).
    "CREATE TABLE trust_updates (
        kind TEXT PRIMARY KEY CHECK (kind IN ('keyset', 'registry')),
        serial INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        stored_at INTEGER NOT NULL
    ) WITHOUT ROWID;",
    // v5: the master key's generation and when it last changed (see `rotate_master_key`).
    "CREATE TABLE master_key_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL,
        rotated_at INTEGER NOT NULL
    );",
    // v6: the highest id each diary table ever gave out, so a visit deleted by its owner
    // (or purged) never lends its id to a later one that an old alert could then open.
    "CREATE TABLE id_high_water (
        tbl TEXT PRIMARY KEY CHECK (tbl IN ('visits', 'declarations')),
        last INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO id_high_water (tbl, last) SELECT 'visits', COALESCE(MAX(id), 0) FROM visits;
    INSERT INTO id_high_water (tbl, last)
        SELECT 'declarations', COALESCE(MAX(id), 0) FROM declarations;",
];

/// The schema version this library writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Days of diary kept by default: the 14-day declaration window plus a week of margin.
pub const DEFAULT_RETENTION_DAYS: u32 = 21;

/// How often the master key should change ([`Store::master_key_rotation_due`]): a copy of
/// the file taken before a rotation opens only with the master key of its generation, so
/// once the host has destroyed that key, the days purged since are gone from the copy too.
pub const MASTER_KEY_ROTATION_SECS: i64 = 7 * 86_400;

const KEY_CHECK: &[u8] = b"khaibao master key check v1";
const KEY_CHECK_AAD: &[u8] = b"khaibao/key_check";
const DEVICE_AAD: &[u8] = b"khaibao/device/pkcs8";

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Local days older than this many days before today are purged (keys and rows).
    pub retention_days: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub days: u64,
    pub visits: u64,
    pub declarations: u64,
}

/// SQLite's own automatic checkpoint, kept as a safety net behind the background one
/// (pages; 16 MB of log).
const SAFETY_NET_CHECKPOINT_PAGES: u32 = 4096;

/// Prepared statements kept per connection (the hot paths use about a dozen).
const STATEMENT_CACHE: usize = 48;

/// An open khaibao database.
pub struct Store {
    conn: Connection,
    master: Cipher,
    day_keys: DayKeys,
    options: StoreOptions,
    /// `None` for in-memory stores. Stopped before `conn` closes (see `Drop`).
    checkpointer: Option<Checkpointer>,
}

impl Drop for Store {
    fn drop(&mut self) {
        // The background connection closes first, so the store's connection is the last
        // one and runs the final checkpoint.
        self.checkpointer = None;
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` with the default retention,
    /// brings its schema up to date, checks the master key and purges expired days.
    pub fn open(path: &Path, keys: &dyn KeyProvider, now: UnixTime) -> Result<Self> {
        Self::open_with(path, keys, StoreOptions::default(), now)
    }

    /// [`Store::open`] with explicit options.
    pub fn open_with(
        path: &Path,
        keys: &dyn KeyProvider,
        options: StoreOptions,
        now: UnixTime,
    ) -> Result<Self> {
        let conn = Connection::open(path)?;
        let mut store = Self::init(conn, keys, options)?;
        store.checkpointer = Some(Checkpointer::start(path)?);
        let nudge = store.checkpointer.as_ref().map(Checkpointer::nudger);
        if let Some(n) = nudge.clone() {
            store.conn.commit_hook(Some(move || {
                n.nudge();
                false
            }));
        }
        store.purge(now)?;
        store.note_generation(now)?;
        // A first pass now, so the log the first check-in writes to is already started.
        if let Some(n) = nudge {
            n.now();
        }
        Ok(store)
    }

    /// A database in memory, for tests and one-off tools.
    pub fn open_in_memory(keys: &dyn KeyProvider, now: UnixTime) -> Result<Self> {
        let mut store = Self::init(Connection::open_in_memory()?, keys, StoreOptions::default())?;
        store.purge(now)?;
        store.note_generation(now)?;
        Ok(store)
    }

    /// Pragmas, migrations and the master-key check; the caller purges.
    fn init(mut conn: Connection, keys: &dyn KeyProvider, options: StoreOptions) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // journal_mode answers with a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        // secure_delete overwrites freed pages, so purged rows and keys leave no bytes behind.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;",
        )?;
        conn.pragma_update(None, "wal_autocheckpoint", SAFETY_NET_CHECKPOINT_PAGES)?;
        migrate(&mut conn, MIGRATIONS)?;
        let master = keys.master_key()?.cipher()?;
        check_master(&mut conn, &master)?;
        Ok(Self {
            conn,
            master,
            day_keys: DayKeys::default(),
            options,
            checkpointer: None,
        })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The connection, the master cipher and the day-key cache, borrowed together for a
    /// transaction.
    pub(crate) fn parts(&mut self) -> (&mut Connection, &Cipher, &mut DayKeys) {
        (&mut self.conn, &self.master, &mut self.day_keys)
    }

    pub(crate) fn master(&self) -> &Cipher {
        &self.master
    }

    /// The options this store was opened with.
    pub fn options(&self) -> StoreOptions {
        self.options
    }

    /// The installation's device key, made and stored (sealed by the master key) on first
    /// use.
    pub fn device_key(&mut self, now: UnixTime) -> Result<DeviceKey> {
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT pkcs8 FROM device WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        if let Some(sealed) = existing {
            return DeviceKey::from_pkcs8(&self.master.open(DEVICE_AAD, &sealed)?);
        }
        let key = DeviceKey::generate()?;
        let sealed = self.master.seal(DEVICE_AAD, key.pkcs8())?;
        self.conn.execute(
            "INSERT INTO device (id, pkcs8, created_at) VALUES (1, ?1, ?2)",
            params![sealed, now],
        )?;
        Ok(key)
    }

    /// Records the first master key generation of a new (or upgraded) database.
    fn note_generation(&mut self, now: UnixTime) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO master_key_generation (id, generation, rotated_at) VALUES (1, 1, ?1)",
            [now],
        )?;
        Ok(())
    }

    /// The master key's generation (1 for the key the database was made with) and when it
    /// was last rotated.
    pub fn master_key_generation(&self) -> Result<(u64, UnixTime)> {
        let (generation, at): (i64, i64) = self.conn.query_row(
            "SELECT generation, rotated_at FROM master_key_generation WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((generation.max(0) as u64, at))
    }

    /// Whether the master key is at least [`MASTER_KEY_ROTATION_SECS`] old at `now`.
    pub fn master_key_rotation_due(&self, now: UnixTime) -> Result<bool> {
        let (_, at) = self.master_key_generation()?;
        Ok(now.saturating_sub(at) >= MASTER_KEY_ROTATION_SECS)
    }

    /// Re-wraps every surviving day key, the device key and the key check under `new`, in
    /// one transaction, and starts a new master key generation; then empties the
    /// write-ahead log, so the old wrappings are left in neither file.
    ///
    /// The host keeps `new` in its key store *before* calling this, and destroys the old key
    /// once it returns: until then a crash leaves one of the two keys valid (the database is
    /// under the old one if the transaction did not commit, else under the new one; a wrong
    /// key is [`StorageError::WrongMasterKey`], so the host tries the other). Once the old
    /// key is gone, no copy of the file taken before this call opens with the key that
    /// remains, and the days purged since that copy cannot be read from it by anyone.
    pub fn rotate_master_key(&mut self, new: &dyn KeyProvider, now: UnixTime) -> Result<u64> {
        let new = new.master_key()?.cipher()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let wrapped = query_all(&tx, "SELECT day, wrapped FROM day_keys", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for (day, w) in wrapped {
            let aad = vault::day_key_aad(day);
            let raw = self.master.open(&aad, &w)?;
            tx.execute(
                "UPDATE day_keys SET wrapped = ?1 WHERE day = ?2",
                params![new.seal(&aad, &raw)?, day],
            )?;
        }
        let device: Option<Vec<u8>> = tx
            .query_row("SELECT pkcs8 FROM device WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        if let Some(sealed) = device {
            let pkcs8 = self.master.open(DEVICE_AAD, &sealed)?;
            tx.execute(
                "UPDATE device SET pkcs8 = ?1 WHERE id = 1",
                [new.seal(DEVICE_AAD, &pkcs8)?],
            )?;
        }
        tx.execute(
            "UPDATE key_check SET sealed = ?1 WHERE id = 1",
            [new.seal(KEY_CHECK_AAD, KEY_CHECK)?],
        )?;
        tx.execute(
            "INSERT INTO master_key_generation (id, generation, rotated_at) VALUES (1, 2, ?1)
             ON CONFLICT (id) DO UPDATE SET generation = generation + 1, rotated_at = ?1",
            [now],
        )?;
        tx.commit()?;
        self.master = new;
        self.day_keys.clear();
        self.empty_log()?;
        Ok(self.master_key_generation()?.0)
    }

    /// Copies the write-ahead log into the database file and truncates it to nothing, so
    /// rows and keys just deleted (overwritten in the database file by `secure_delete`) do
    /// not survive in old log frames. Waits for readers up to the busy timeout; if another
    /// connection still reads old frames then, the log stays and is emptied by the next
    /// purge, or removed when the last connection closes. Returns whether it was emptied.
    pub fn empty_log(&mut self) -> Result<bool> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    /// Deletes every local day older than the retention: first its key (crypto-shredding
    /// whatever copies of its rows exist), then its rows; when anything was deleted, the
    /// write-ahead log is then emptied ([`Store::rotate_master_key`] says why).
    pub fn purge(&mut self, now: UnixTime) -> Result<PurgeReport> {
        let cutoff = vault::local_day(now) - i64::from(self.options.retention_days);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.day_keys.clear();
        let days = tx.execute("DELETE FROM day_keys WHERE day < ?1", [cutoff])?;
        tx.execute("DELETE FROM visit_edits WHERE day < ?1", [cutoff])?;
        let declarations = tx.execute("DELETE FROM declarations WHERE day < ?1", [cutoff])?;
        let visits = tx.execute("DELETE FROM visits WHERE day < ?1", [cutoff])?;
        tx.commit()?;
        if days + declarations + visits > 0 {
            self.empty_log()?;
        }
        Ok(PurgeReport {
            days: days as u64,
            visits: visits as u64,
            declarations: declarations as u64,
        })
    }

    /// Deletes one local day's data key and rows now, whatever the retention.
    pub fn forget_day(&mut self, day: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.day_keys.clear();
        tx.execute("DELETE FROM day_keys WHERE day = ?1", [day])?;
        tx.execute("DELETE FROM visit_edits WHERE day = ?1", [day])?;
        tx.execute("DELETE FROM declarations WHERE day = ?1", [day])?;
        tx.execute("DELETE FROM visits WHERE day = ?1", [day])?;
        tx.commit()?;
        self.empty_log()?;
        Ok(())
    }
}

/// The data key of local `day`, made and stored wrapped when `create` and it is missing.
pub(crate) fn day_cipher(
    conn: &Connection,
    master: &Cipher,
    day: i64,
    create: bool,
) -> Result<Cipher> {
    let aad = vault::day_key_aad(day);
    let wrapped: Option<Vec<u8>> = conn
        .prepare_cached("SELECT wrapped FROM day_keys WHERE day = ?1")?
        .query_row([day], |r| r.get(0))
        .optional()?;
    match wrapped {
        Some(w) => {
            let raw = master.open(&aad, &w)?;
            let arr: [u8; vault::KEY_LEN] = raw
                .as_slice()
                .try_into()
                .map_err(|_| SealError::CannotOpen)?;
            Cipher::new(&arr)
        }
        None if create => {
            let raw = vault::random_key()?;
            conn.execute(
                "INSERT INTO day_keys (day, wrapped) VALUES (?1, ?2)",
                params![day, master.seal(&aad, &raw)?],
            )?;
            Cipher::new(&raw)
        }
        None => Err(Error::Storage(StorageError::DayKeyMissing)),
    }
}

/// Unwrapped day keys, kept for the store's lifetime.
///
/// Only keys read from the database are kept; a key created by a transaction is not, since
/// that transaction may still roll back (it is read, and kept, by the next use once
/// committed). When another connection has committed since the last look
/// (`PRAGMA data_version`), for example a second store purging or forgetting a day, the
/// cache starts over, so a deleted key is never used to seal new rows.
#[derive(Default)]
pub(crate) struct DayKeys {
    keys: HashMap<i64, Arc<Cipher>>,
    data_version: Option<i64>,
}

impl DayKeys {
    /// The cipher of `day` (created, and stored wrapped, when `create` and it is missing).
    pub(crate) fn get(
        &mut self,
        conn: &Connection,
        master: &Cipher,
        day: i64,
        create: bool,
    ) -> Result<Arc<Cipher>> {
        let version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        if self.data_version != Some(version) {
            self.keys.clear();
            self.data_version = Some(version);
        }
        if let Some(c) = self.keys.get(&day) {
            return Ok(c.clone());
        }
        let existed = !create
            || conn
                .prepare_cached("SELECT 1 FROM day_keys WHERE day = ?1")?
                .exists([day])?;
        let cipher = Arc::new(day_cipher(conn, master, day, create)?);
        if existed {
            self.keys.insert(day, cipher.clone());
        }
        Ok(cipher)
    }

    fn clear(&mut self) {
        self.keys.clear();
    }
}

/// Day ciphers looked up once per day while reading many rows.
pub(crate) struct DayCiphers<'a> {
    conn: &'a Connection,
    master: &'a Cipher,
    cache: std::collections::HashMap<i64, Option<Cipher>>,
}

impl<'a> DayCiphers<'a> {
    pub(crate) fn new(conn: &'a Connection, master: &'a Cipher) -> Self {
        Self {
            conn,
            master,
            cache: std::collections::HashMap::new(),
        }
    }

    /// The cipher of `day`, or [`StorageError::DayKeyMissing`].
    pub(crate) fn get(&mut self, day: i64) -> Result<&Cipher> {
        if !self.cache.contains_key(&day) {
            let c = match day_cipher(self.conn, self.master, day, false) {
                Ok(c) => Some(c),
                Err(Error::Storage(StorageError::DayKeyMissing)) => None,
                Err(e) => return Err(e),
            };
            self.cache.insert(day, c);
        }
        self.cache
            .get(&day)
            .and_then(Option::as_ref)
            .ok_or(Error::Storage(StorageError::DayKeyMissing))
    }
}

/// Checks (or, on a new database, records) that `master` is this database's master key.
fn check_master(conn: &mut Connection, master: &Cipher) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let sealed: Option<Vec<u8>> = tx
        .query_row("SELECT sealed FROM key_check WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    match sealed {
        Some(s) => {
            let plain = master
                .open(KEY_CHECK_AAD, &s)
                .map_err(|_| StorageError::WrongMasterKey)?;
            if plain != KEY_CHECK {
                return Err(StorageError::WrongMasterKey.into());
            }
        }
        None => {
            tx.execute(
                "INSERT INTO key_check (id, sealed) VALUES (1, ?1)",
                [master.seal(KEY_CHECK_AAD, KEY_CHECK)?],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Every row `sql` returns for `params`, each read by `row`.
pub(crate) fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Brings a database to `migrations.len()` by running the steps it has not had, in one
/// IMMEDIATE transaction.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let latest = migrations.len() as u32;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > latest {
        return Err(Error::InvalidState("database written by a newer version"));
    }
    for step in &migrations[version as usize..] {
        tx.execute_batch(step)?;
    }
    if version != latest {
        tx.pragma_update(None, "user_version", latest)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::vault::MasterKey;

    fn key() -> MasterKey {
        MasterKey::from_bytes(&[7; 32]).unwrap()
    }

    #[test]
    fn fresh_database_is_at_current_version_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut s = Store::open(&path, &key(), 0).unwrap();
        let dk = s.device_key(0).unwrap();
        drop(s);
        let mut s = Store::open(&path, &key(), 0).unwrap();
        let v: u32 = s
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(s.device_key(0).unwrap().public_key(), dk.public_key());
        // The device key is stored sealed, not as its PKCS#8 bytes.
        let stored: Vec<u8> = s
            .conn()
            .query_row("SELECT pkcs8 FROM device", [], |r| r.get(0))
            .unwrap();
        assert!(
            stored
                .windows(16)
                .all(|w| !dk.pkcs8().windows(16).any(|p| p == w))
        );
    }

    #[test]
    fn wrong_master_key_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(Store::open(&path, &key(), 0).unwrap());
        let other = MasterKey::from_bytes(&[8; 32]).unwrap();
        assert!(matches!(
            Store::open(&path, &other, 0),
            Err(Error::Storage(StorageError::WrongMasterKey))
        ));
        assert!(Store::open(&path, &key(), 0).is_ok());
    }

    #[test]
    fn garbage_file_is_reported_corrupt_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let junk = vec![0x5a_u8; 8192];
        std::fs::write(&path, &junk).unwrap();
        assert!(matches!(
            Store::open(&path, &key(), 0),
            Err(Error::Storage(StorageError::Corrupt))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), junk, "file left untouched");
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(Store::open(&path, &key(), 0).unwrap());
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(c);
        assert!(matches!(
            Store::open(&path, &key(), 0),
            Err(Error::InvalidState(_))
        ));
    }

    fn normalized_schema(path: &Path) -> Vec<(String, String, String)> {
        let c = Connection::open(path).unwrap();
        let mut stmt = c
            .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| {
            let sql: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                sql.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    #[test]
    fn upgrade_from_every_past_version_equals_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.db");
        drop(Store::open(&fresh, &key(), 0).unwrap());
        let want = normalized_schema(&fresh);
        assert!(want.iter().any(|(_, n, _)| n == "visit_edits"));
        for from in 0..SCHEMA_VERSION {
            let path = dir.path().join(format!("v{from}.db"));
            let c = Connection::open(&path).unwrap();
            for step in &MIGRATIONS[..from as usize] {
                c.execute_batch(step).unwrap();
            }
            c.pragma_update(None, "user_version", from).unwrap();
            if from >= 1 {
                // A visit written at that version survives the upgrade.
                c.execute(
                    "INSERT INTO visits (id, day, verified, details, checked_in_at, auto_out_at) VALUES (1, 0, 1, x'00', 5, 9)",
                    [],
                )
                .unwrap();
            }
            drop(c);
            drop(Store::open(&path, &key(), 0).unwrap());
            assert_eq!(normalized_schema(&path), want, "upgraded from v{from}");
            let c = Connection::open(&path).unwrap();
            let v: u32 = c
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, SCHEMA_VERSION);
            let n: i64 = c
                .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, i64::from(from >= 1));
        }
    }
}
