//! The tables, as each database spells them. Both hold the same columns:
//!
//! * `declarations`: one row per stored declaration, unique on its idempotency key and its
//!   receipt. It holds the sealed body as the phone uploaded it and the metadata verified
//!   when it was opened (declaration time, venue, the declarant's province, device id),
//!   never a name, phone, ID or symptom in the clear: those are opened from the seal only
//!   when an approved extraction runs, with the sealing key of the keys folder.
//! * `exposure_entries` (the windows of each publication) and `exposure_versions` (one row
//!   per publication).
//! * `operators` and `operator_tokens` (accounts, and the SHA-256 of their tokens).
//! * `extractions` (requests for data, their decision and download window) and
//!   `audit_log` (hash-chained, append-only: triggers refuse UPDATE and DELETE).
//! * `portal_records`: the web portal's documents (venue applications, province settings,
//!   the portal's history), JSON text under a kind and an id.
//!
//! On PostgreSQL `declarations` is partitioned by day of `declared_at` (one partition per
//! UTC day, created as needed, dropped whole by retention), and the uniqueness of the
//! idempotency key, which a partitioned table cannot enforce across partitions, lives in
//! `declaration_keys`.
//!
//! Creating them is idempotent, so every start runs it.

/// Fails on a `declarations` table of the earlier layout (personal fields in clear
/// columns), which `CREATE TABLE IF NOT EXISTS` leaves as it is.
pub const CHECK_LAYOUT: &str = "SELECT sealed FROM declarations LIMIT 0";

/// SQLite.
pub const SQLITE: &str = "
CREATE TABLE IF NOT EXISTS declarations (
    id INTEGER PRIMARY KEY,
    idem_key BLOB NOT NULL UNIQUE,
    receipt TEXT NOT NULL UNIQUE,
    device_kid TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    declared_at INTEGER NOT NULL,
    venue_id TEXT,
    province INTEGER NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS declarations_province ON declarations(province, declared_at);
CREATE INDEX IF NOT EXISTS declarations_venue ON declarations(venue_id, declared_at);
CREATE INDEX IF NOT EXISTS declarations_declared ON declarations(declared_at);
CREATE TABLE IF NOT EXISTS exposure_entries (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    venue_id TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    recommendation INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS exposure_entries_version ON exposure_entries(version, id);
CREATE TABLE IF NOT EXISTS exposure_versions (
    version INTEGER PRIMARY KEY,
    published_at INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS portal_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    province INTEGER NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS portal_records_province ON portal_records(kind, province);
CREATE TABLE IF NOT EXISTS operators (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS operator_tokens (
    hash BLOB PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators(id),
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS extractions (
    id INTEGER PRIMARY KEY,
    requester_id INTEGER NOT NULL REFERENCES operators(id),
    scope TEXT NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER NOT NULL,
    reason TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    decided_by INTEGER REFERENCES operators(id),
    decided_at INTEGER,
    download_until INTEGER,
    downloads INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
";

/// PostgreSQL (run under an advisory lock, so processes starting together do not race).
pub const POSTGRES: &str = "
CREATE SEQUENCE IF NOT EXISTS declarations_id;
CREATE TABLE IF NOT EXISTS declarations (
    id BIGINT NOT NULL DEFAULT nextval('declarations_id'),
    idem_key BYTEA NOT NULL,
    receipt TEXT NOT NULL,
    device_kid TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    declared_at BIGINT NOT NULL,
    venue_id TEXT,
    province BIGINT NOT NULL,
    sealed BYTEA NOT NULL
) PARTITION BY RANGE (declared_at);
CREATE INDEX IF NOT EXISTS declarations_province ON declarations(province, declared_at);
CREATE INDEX IF NOT EXISTS declarations_venue ON declarations(venue_id, declared_at);
CREATE TABLE IF NOT EXISTS declaration_keys (
    idem_key BYTEA PRIMARY KEY,
    receipt TEXT NOT NULL UNIQUE,
    declared_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS declaration_keys_declared ON declaration_keys(declared_at);
CREATE TABLE IF NOT EXISTS exposure_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version BIGINT NOT NULL,
    venue_id TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    recommendation BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS exposure_entries_version ON exposure_entries(version, id);
CREATE TABLE IF NOT EXISTS exposure_versions (
    version BIGINT PRIMARY KEY,
    published_at BIGINT NOT NULL,
    entries BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS portal_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    province BIGINT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS portal_records_province ON portal_records(kind, province);
CREATE TABLE IF NOT EXISTS operators (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS operator_tokens (
    hash BYTEA PRIMARY KEY,
    operator_id BIGINT NOT NULL REFERENCES operators(id),
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS extractions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requester_id BIGINT NOT NULL REFERENCES operators(id),
    scope TEXT NOT NULL,
    since BIGINT NOT NULL,
    until BIGINT NOT NULL,
    reason TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    decided_by BIGINT REFERENCES operators(id),
    decided_at BIGINT,
    download_until BIGINT,
    downloads BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL
);
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
";

/// The PostgreSQL partition holding the declarations of UTC day `day` (days since the
/// epoch), and the statement creating it.
pub fn postgres_partition(day: i64) -> (String, String) {
    let name = if day < 0 {
        format!("declarations_dn{}", day.unsigned_abs())
    } else {
        format!("declarations_d{day}")
    };
    let from = day.saturating_mul(86_400);
    let to = from.saturating_add(86_400);
    let create = format!(
        "CREATE TABLE IF NOT EXISTS {name} PARTITION OF declarations FOR VALUES FROM ({from}) TO ({to})"
    );
    (name, create)
}

/// The day a PostgreSQL partition's name stands for (the inverse of [`postgres_partition`]).
pub fn postgres_partition_day(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("declarations_d")?;
    match rest.strip_prefix('n') {
        Some(neg) => neg.parse::<i64>().ok().map(|d| -d),
        None => rest.parse().ok(),
    }
}
