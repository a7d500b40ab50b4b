//! The tables, as each database spells them. Both hold the same columns: `declarations`
//! (one row per stored declaration, unique on its idempotency key and its receipt),
//! `exposure_entries` (the windows of each publication) and `exposure_versions` (one row per
//! publication), plus the operators' accounts (`operators`) and the hashes of their tokens
//! (`operator_tokens`), and the web portal's documents (`portal_records`). Creating them is idempotent, so every start runs it.

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
CREATE TABLE IF NOT EXISTS portal_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    province INTEGER NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS portal_records_province ON portal_records(kind, province);
";

/// PostgreSQL.
pub const POSTGRES: &str = "
CREATE TABLE IF NOT EXISTS declarations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idem_key BYTEA NOT NULL UNIQUE,
    receipt TEXT NOT NULL UNIQUE,
    device_kid TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    declared_at BIGINT NOT NULL,
    venue_id TEXT,
    full_name TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    phone TEXT NOT NULL,
    province BIGINT NOT NULL,
    symptoms TEXT NOT NULL,
    close_contact BOOLEAN NOT NULL,
    on_behalf BOOLEAN NOT NULL,
    payload BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS declarations_province ON declarations(province, declared_at);
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
CREATE TABLE IF NOT EXISTS portal_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    province BIGINT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS portal_records_province ON portal_records(kind, province);
";
