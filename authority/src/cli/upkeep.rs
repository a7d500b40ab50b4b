//! `khaibao audit verify` and `khaibao purge`: checking the audit log's hash chain, and
//! deleting declarations past the retention period (what the server also does hourly).

use crate::error::CliError;
use clap::Subcommand;
use khaibao_authority::audit;
use khaibao_authority::db::{AuthorityDb, DEFAULT_RETENTION_DAYS};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no entry of the audit log was changed, removed or inserted; prints the
    /// number of entries and the head hash (keep it, and pass it later as --expect-head to
    /// also catch entries cut off the end).
    Verify {
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        /// A head hash printed by an earlier verify, which must still be in the log.
        #[arg(long)]
        expect_head: Option<String>,
    },
}

/// The retention flag that `serve` and `purge` share.
#[derive(clap::Args)]
pub struct Retention {
    /// Days declarations are kept (and the oldest accepted at ingest).
    #[arg(long, default_value_t = DEFAULT_RETENTION_DAYS)]
    pub retention_days: i64,
}

/// Opens an existing database (a SQLite file must exist).
pub fn open_existing(db: &Path) -> Result<AuthorityDb, CliError> {
    let is_url = khaibao_authority::store::postgres::is_postgres_url(&db.to_string_lossy());
    if !is_url && !db.exists() {
        return Err(CliError::NoDatabase(db.to_path_buf()));
    }
    Ok(AuthorityDb::open(db)?)
}

/// `audit verify`.
pub fn audit(command: AuditCommand) -> Result<(), CliError> {
    match command {
        AuditCommand::Verify { db, expect_head } => {
            let db = open_existing(&db)?;
            let head = audit::verify(db.store(), expect_head.as_deref())?;
            println!(
                "audit log verified: {} entries, head {}",
                head.entries, head.hash
            );
        }
    }
    Ok(())
}

/// `purge`.
pub fn purge(db: &Path, retention: &Retention) -> Result<(), CliError> {
    let mut db = open_existing(db)?;
    db.set_retention_days(retention.retention_days);
    let n = db.purge(khaibao_authority::unix_now())?;
    println!(
        "{n} declarations older than {} days deleted",
        db.retention_days()
    );
    Ok(())
}
