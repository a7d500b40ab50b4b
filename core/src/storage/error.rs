//! Errors of the local database, and how SQLite's errors become them.

/// The local database failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The local database failed (SQLite's message: it names tables and constraints, never
    /// row values).
    #[error("storage failure: {0}")]
    Database(String),
    /// The local database file is not a database or is damaged.
    #[error("the database file is corrupt")]
    Corrupt,
    /// The master key supplied by the host does not open this database's keys.
    #[error("the master key does not open this database")]
    WrongMasterKey,
    /// The data key of a local day is gone (purged or shredded); that day cannot be read.
    #[error("the day's data key is gone")]
    DayKeyMissing,
}

crate::error::code::area_codes!(StorageError {
    Database => StorageFailure,
    Corrupt => StorageCorrupt,
    WrongMasterKey => StorageWrongMasterKey,
    DayKeyMissing => StorageDayKeyMissing,
});

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                Self::Corrupt
            }
            // SQLite's own messages name tables and constraints, never row values.
            _ => Self::Database(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorCode;

    #[test]
    fn sqlite_errors_map_to_storage_codes() {
        let e = crate::Error::from(rusqlite::Error::QueryReturnedNoRows);
        assert_eq!(e.code(), ErrorCode::StorageFailure);
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            None,
        );
        assert_eq!(
            crate::Error::from(corrupt).code(),
            ErrorCode::StorageCorrupt
        );
    }
}
