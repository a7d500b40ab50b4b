//! `khaibao operator add | list | disable`: the operators' accounts, on the database that
//! `serve` uses. `add` prints the new bearer token once (stdout, alone, for scripts); only
//! its hash is stored. Adding and disabling go in the audit log (actor `cli`).

use crate::error::CliError;
use clap::Subcommand;
use khaibao_authority::audit;
use khaibao_authority::db::AuthorityDb;
use khaibao_authority::ops::{self, Role};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum OperatorCommand {
    /// Add an operator and print its bearer token (once).
    Add {
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        /// Login name: 3 to 64 characters of a-z, 0-9, '.', '_', '-', '@'.
        #[arg(long)]
        name: String,
        /// admin (the ministry), province (a health department) or unit (venues).
        #[arg(long)]
        role: String,
        /// The department's province codes (repeat for several).
        #[arg(long)]
        province: Vec<u32>,
        /// The unit's venue ids (repeat for several).
        #[arg(long)]
        venue: Vec<String>,
        /// Days the token stays valid.
        #[arg(long, default_value_t = ops::BEARER_DAYS)]
        days: i64,
    },
    /// List every operator.
    List {
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
    },
    /// Disable an operator: its tokens and sessions stop working at once.
    Disable {
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        #[arg(long)]
        name: String,
    },
}

/// The role the flags describe.
fn role(role: &str, provinces: &[u32], venues: &[String]) -> Result<Role, CliError> {
    Ok(match role {
        "admin" => Role::Admin,
        "province" => Role::province(provinces)?,
        "unit" => Role::unit(venues)?,
        _ => return Err(ops::RoleError::Unknown.into()),
    })
}

/// Runs one `operator` command.
pub fn run(command: OperatorCommand) -> Result<(), CliError> {
    let now = khaibao_authority::unix_now();
    match command {
        OperatorCommand::Add {
            db,
            name,
            role: kind,
            province,
            venue,
            days,
        } => {
            let role = role(&kind, &province, &venue)?;
            let mut db = AuthorityDb::open(&db)?;
            let issued = ops::add_operator(db.store_mut(), &name, &role, days, now)?;
            audit::append(
                db.store_mut(),
                now,
                "cli",
                "operator.add",
                &format!("name={name} role={role} token_days={days}"),
            )?;
            println!("{}", issued.token);
            eprintln!(
                "operator {} ({role}) added; the token above is shown once and expires {}",
                issued.operator.name,
                khaibao_core::encoding::time::format_vietnam(issued.expires_at)
            );
        }
        OperatorCommand::List { db } => {
            let db = AuthorityDb::open(&db)?;
            for o in ops::list_operators(db.store())? {
                let state = if o.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{state}", o.id, o.name, o.role);
            }
        }
        OperatorCommand::Disable { db, name } => {
            let mut db = AuthorityDb::open(&db)?;
            ops::disable_operator(db.store_mut(), &name)?;
            audit::append(
                db.store_mut(),
                now,
                "cli",
                "operator.disable",
                &format!("name={name}"),
            )?;
            println!("operator {name} disabled");
        }
    }
    Ok(())
}
