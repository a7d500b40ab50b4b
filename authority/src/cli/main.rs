//! `khaibao`: the authority's command line — keys, venue codes, the server, and the demo.
//!
//! The binary's modules sit beside this file: [`keygen`] (filling a keys folder and
//! rotating its keys),
//! [`demo`] (a phone client running the whole flow against a loopback authority),
//! [`scanbench`] (the QR benchmark's `scan` command) and [`error`] (what a command fails
//! with). They import the `khaibao_authority` library and `khaibao_core`; [`error`] imports
//! [`demo`] and [`scanbench`], and nothing imports this file.

use clap::{Parser, Subcommand};
use error::CliError;
use khaibao_authority::export::{ExportFilter, export_csv, parse_time};
use khaibao_authority::exposure_publish::{self, VenueRef, WindowSpec};
use khaibao_authority::http::{RunningServer, ServerOptions};
use khaibao_authority::issuance::{self, Place, VenueSpec};
use khaibao_authority::keys::{AuthorityKeys, KeyPurpose, OnlineKeys};
use khaibao_authority::{poster, trust, unix_now};
use khaibao_core::encoding::codec::hex;
use khaibao_core::venue::{self, registry};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod demo;
mod error;
mod keygen;
mod operator;
mod portal;
mod scanbench;
mod upkeep;

#[derive(Parser)]
#[command(name = "khaibao", version, about = "khaibao health-authority tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the authority's keys — venue, exposure-list and device-certificate signing
    /// keys (Ed25519), the sealing key (X25519), the root key (Ed25519) — and the
    /// root-signed keyset listing each signing key with its usage; in an existing folder,
    /// only what it lacks (a first-format signing.pk8 becomes the venue key).
    Keygen {
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
    },
    /// Key management in the offline keys folder (the one holding root.pk8).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Venue codes.
    Venue {
        #[command(subcommand)]
        command: VenueCommand,
    },
    /// Run the authority's HTTP server with the online keys of --keys (exposure.pk8,
    /// device.pk8, sealing.key) and its public files; it never reads venue.pk8 or root.pk8,
    /// which the server's folder need not hold.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// Create demo accounts for the web portal and print the portal's URL and their
        /// logins and passwords.
        #[arg(long)]
        demo_data: bool,
        #[command(flatten)]
        retention: upkeep::Retention,
        /// Connections to a PostgreSQL database (SQLite uses one).
        #[arg(long, default_value_t = khaibao_authority::http::DEFAULT_DB_CONNECTIONS)]
        db_connections: usize,
        /// Serve HTTPS with this certificate chain (PEM, or one DER certificate).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM, or PKCS#8 DER).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Export stored declarations as CSV, opening each with the sealing key of the keys
    /// folder (the way for whoever holds both; departments use extractions under /ops/).
    Export {
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        /// The keys folder whose sealing key opens the stored declarations.
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// Declared at or after: Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM (Vietnam time).
        #[arg(long)]
        since: String,
        /// Declared before (same formats).
        #[arg(long)]
        until: Option<String>,
        /// Only declarants of this national province code.
        #[arg(long)]
        province: Option<u32>,
        /// Only this venue id.
        #[arg(long)]
        venue: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Exposure windows that phones download and match against their diaries.
    Exposure {
        #[command(subcommand)]
        command: ExposureCommand,
    },
    /// The audit log of extractions and exports.
    Audit {
        #[command(subcommand)]
        command: upkeep::AuditCommand,
    },
    /// Delete declarations older than the retention period (the server also does it hourly).
    Purge {
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        #[command(flatten)]
        retention: upkeep::Retention,
    },
    /// Operator accounts for the `/ops/` routes (ministry, provinces, units).
    Operator {
        #[command(subcommand)]
        command: operator::OperatorCommand,
    },
    /// Run the whole flow end to end on a loopback authority and a temporary database.
    Demo {
        /// Run in this folder and keep it (keys, databases, QR images) afterwards.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Scan QR codes in an image or every image below a folder (`--bench`: JSON lines for
    /// the QR benchmark harness).
    Scan(scanbench::ScanArgs),
}

/// The fields of one venue, as `venue issue` takes them.
#[derive(clap::Args)]
struct VenueArgs {
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "")]
    address: String,
    /// National province code.
    #[arg(long)]
    province: u32,
    /// National district code.
    #[arg(long)]
    district: Option<u32>,
    /// National ward (commune) code.
    #[arg(long)]
    ward: Option<u32>,
    /// shop, cafe, restaurant, hotel, company, office, school, hospital, market, transport,
    /// event, lodging or other.
    #[arg(long, default_value = "other")]
    category: String,
    #[arg(long, default_value_t = issuance::DEFAULT_STAY_MINUTES)]
    stay_minutes: u32,
    #[arg(long, default_value_t = issuance::DEFAULT_VALID_DAYS)]
    valid_days: i64,
}

impl VenueArgs {
    fn spec(self) -> Result<VenueSpec, CliError> {
        Ok(VenueSpec {
            category: poster::category::parse(&self.category)?.category,
            name: self.name,
            place: Place {
                address: self.address,
                province: self.province,
                district: self.district,
                ward: self.ward,
            },
            stay_minutes: self.stay_minutes,
            valid_days: self.valid_days,
        })
    }
}

#[derive(Subcommand)]
enum VenueCommand {
    /// The ministry's signing run: sign every venue the web portal approved, with
    /// the venue key of --keys, and record the codes in that folder's registry.
    SignApproved {
        /// The authority database the portal writes to.
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
    },
    /// Sign a venue code and render its A4 poster (.svg, .png or .pdf by the --out extension).
    Issue {
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        #[command(flatten)]
        venue: VenueArgs,
        /// Poster file: .svg, .png or .pdf (A4, vector).
        #[arg(long)]
        out: PathBuf,
        /// PNG resolution.
        #[arg(long, default_value_t = 200)]
        dpi: u32,
    },
    /// Issue every venue of a CSV file: posters, codes.csv and a signed registry.cose.
    IssueCsv {
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// CSV with name,address,province,district,ward,category,stay_minutes,valid_days.
        #[arg(long)]
        csv: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Poster format: svg or png.
        #[arg(long, default_value = "svg")]
        format: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Replace one signing key: the new key is added to the keyset, the old one stays valid
    /// for the overlap, and the root re-signs the keyset. Copy the new key file (online
    /// keys), public.txt and keyset.cose to the server's folder and restart it.
    Rotate {
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// venue, exposure or device.
        #[arg(long)]
        purpose: KeyPurpose,
        /// Days the old key stays valid (0: withdrawn at once, after a compromise). Default:
        /// 365 for venue (a poster's life), 30 for device (a certificate's), 2 for exposure.
        #[arg(long)]
        overlap_days: Option<i64>,
    },
}

#[derive(Subcommand)]
enum ExposureCommand {
    /// Publish one risky time window at one venue as the next exposure-list version.
    Publish {
        /// The authority database that `serve` answers from (must exist).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        /// The authority's keys, to verify a --venue-code.
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// The venue id (32 hex digits).
        #[arg(
            long,
            conflicts_with = "venue_code",
            required_unless_present = "venue_code"
        )]
        venue_id: Option<String>,
        /// The venue code's text, as `venue issue` prints it.
        #[arg(long)]
        venue_code: Option<String>,
        /// Window start: Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM (Vietnam time).
        #[arg(long)]
        from: String,
        /// Window end (same formats).
        #[arg(long)]
        until: String,
        /// monitor_symptoms, get_tested or isolate.
        #[arg(long, default_value = "get_tested")]
        recommendation: String,
    },
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Keygen { keys } => {
            let done = keygen::keygen(&keys, unix_now())?;
            if !done.changed() {
                return Err(CliError::KeysExist);
            }
            if done.migrated {
                println!("signing.pk8 kept as the venue key (venue.pk8)");
            }
            for purpose in &done.created {
                println!("{} key written to {}", purpose.name(), keys.display());
            }
            if done.sealing_created {
                println!("sealing key written to {}", keys.display());
            }
            if done.root_created {
                println!("root key and keyset written to {}", keys.display());
            }
            if done.keyset_updated {
                println!("keyset re-signed with the new keys");
            }
        }
        Command::Keys {
            command:
                KeysCommand::Rotate {
                    keys,
                    purpose,
                    overlap_days,
                },
        } => {
            let r = keygen::rotate(&keys, purpose, overlap_days, unix_now())?;
            println!(
                "{} key rotated: new key id {}, old key id {} valid until {} (Vietnam time); keyset serial {}",
                r.purpose.name(),
                hex(&r.new_kid),
                hex(&r.old_kid),
                khaibao_core::encoding::time::format_vietnam(r.old_valid_until),
                r.serial
            );
        }
        Command::Venue {
            command:
                VenueCommand::Issue {
                    keys,
                    venue,
                    out,
                    dpi,
                },
        } => {
            let spec = venue.spec()?;
            issue_one(&keys, &spec, &out, dpi)?;
        }
        Command::Venue {
            command: VenueCommand::SignApproved { db, keys },
        } => portal::sign_approved(&db, &keys)?,
        Command::Venue {
            command:
                VenueCommand::IssueCsv {
                    keys,
                    csv,
                    out,
                    format,
                },
        } => issue_csv(&keys, &csv, &out, &format)?,
        Command::Serve {
            listen,
            db,
            keys,
            demo_data,
            retention,
            tls_cert,
            tls_key,
            db_connections,
        } => {
            // The online keys only: serve never reads venue.pk8 or root.pk8.
            let k = OnlineKeys::load(&keys)?;
            let options = ServerOptions {
                tls: tls_cert.zip(tls_key),
                db_connections: db_connections.max(1),
                retention_days: retention.retention_days,
                ..ServerOptions::new(listen, &db)
            };
            let server = RunningServer::start_with(options, k)?;
            // Deletes expired declarations now and every hour while serving.
            let _purger = khaibao_authority::retention::Purger::start(
                server.state().clone(),
                khaibao_authority::retention::PURGE_EVERY,
                |done| match done {
                    Ok(0) => {}
                    Ok(n) => eprintln!("retention: {n} declarations deleted"),
                    Err(e) => eprintln!("retention: purge failed ({e}); retrying later"),
                },
            )?;
            // The first line is machine-readable, for scripts that start the server on port 0.
            println!("listening {}", server.base_url());
            if demo_data {
                portal::demo_data(&db, &server.base_url())?;
            }
            // Serve until interrupted (Ctrl-C); SIGTERM ends the process as usual, and
            // SQLite's journal keeps every committed batch.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let _ = rt.block_on(tokio::signal::ctrl_c());
            server.stop();
        }
        Command::Export {
            db,
            keys,
            since,
            until,
            province,
            venue,
            out,
        } => {
            let filter = ExportFilter {
                since: parse_time(&since)?,
                until: until.as_deref().map(parse_time).transpose()?,
                province,
                venue_id: venue,
            };
            export(&db, &keys, &filter, &out)?;
        }
        Command::Exposure {
            command:
                ExposureCommand::Publish {
                    db,
                    keys,
                    venue_id,
                    venue_code,
                    from,
                    until,
                    recommendation,
                },
        } => publish_exposure(
            &db,
            &keys,
            venue_id.as_deref(),
            venue_code.as_deref(),
            (&from, &until),
            &recommendation,
        )?,
        Command::Operator { command } => operator::run(command)?,
        Command::Audit { command } => upkeep::audit(command)?,
        Command::Purge { db, retention } => upkeep::purge(&db, &retention)?,
        Command::Demo { keep: None } => demo::run(&mut std::io::stdout())?,
        Command::Demo { keep: Some(dir) } => {
            demo::run_in(&mut std::io::stdout(), &dir)?;
            println!("kept in {}", dir.display());
        }
        Command::Scan(args) => scanbench::run(&args)?,
    }
    Ok(())
}

/// The keys of the folder `dir` and the manual codes its venues already took.
fn keys_and_taken(dir: &Path) -> Result<(AuthorityKeys, std::collections::HashSet<u64>), CliError> {
    let k = AuthorityKeys::load(dir)?;
    let taken = trust::taken_manual_codes(dir, &k)?;
    Ok((k, taken))
}

/// `venue issue`: one venue, its poster, and the registry re-signed with it.
fn issue_one(keys: &Path, spec: &VenueSpec, out: &Path, dpi: u32) -> Result<(), CliError> {
    let (k, mut taken) = keys_and_taken(keys)?;
    let now = unix_now();
    let v = issuance::new_venue_avoiding(spec, now, "khaibao", &mut taken)?;
    let code = venue::issue(&v, k.venue_pkcs8())?;
    poster::write_poster(&v, &code, out, dpi)?;
    let manual = registry::manual_code(&v)?;
    let (serial, listed) = trust::record_issued(keys, &k, std::slice::from_ref(&code), now)?;
    // stdout is the code alone, for scripts; the rest goes to stderr.
    println!("{code}");
    eprintln!(
        "venue id {}, manual code {manual}, poster written to {}; registry {serial} lists {listed} venues",
        v.id,
        out.display()
    );
    Ok(())
}

/// `venue issue-csv`: every venue of a CSV file, and the registry re-signed with them.
fn issue_csv(keys: &Path, csv: &Path, out: &Path, format: &str) -> Result<(), CliError> {
    let (k, taken) = keys_and_taken(keys)?;
    let text = std::fs::read_to_string(csv)?;
    let specs = issuance::specs_from_csv(&text)?;
    let now = unix_now();
    let issued = issuance::issue_all(&specs, &k, out, format, now, &mut std::io::stderr(), taken)?;
    let codes: Vec<String> = issued.iter().map(|(_, c)| c.clone()).collect();
    let (serial, listed) = trust::record_issued(keys, &k, &codes, now)?;
    println!("{} venues issued into {}", issued.len(), out.display());
    eprintln!("registry {serial} lists {listed} venues");
    Ok(())
}

fn export(db: &Path, keys: &Path, filter: &ExportFilter, out: &Path) -> Result<(), CliError> {
    let keys = OnlineKeys::load(keys)?;
    let mut db = upkeep::open_existing(db)?;
    // Audited before anything is opened, like an extraction's download.
    khaibao_authority::audit::append(
        db.store_mut(),
        unix_now(),
        "cli",
        "export.cli",
        &format!("{filter:?} out={}", out.display()),
    )?;
    // Written next to the target and renamed at the end, so a failed export leaves no
    // half-written file under the requested name.
    let tmp = out.with_extension("csv.partial");
    let file = std::fs::File::create(&tmp)?;
    let mut w = std::io::BufWriter::new(file);
    let n = export_csv(
        &db,
        keys.sealing(),
        filter,
        &mut w,
        10_000,
        &mut |done, total| {
            eprintln!("exported {done} of {total}");
        },
    )?;
    drop(w);
    std::fs::rename(&tmp, out)?;
    println!("{n} declarations written to {}", out.display());
    Ok(())
}

fn publish_exposure(
    db: &Path,
    keys: &Path,
    venue_id: Option<&str>,
    venue_code: Option<&str>,
    (from, until): (&str, &str),
    recommendation: &str,
) -> Result<(), CliError> {
    let (venue, trusted) = match (venue_id, venue_code) {
        (Some(id), _) => (VenueRef::Id(id), Vec::new()),
        (None, Some(code)) => {
            // The folder's venue keys valid now (an old key inside its overlap too), or
            // the one public.txt names when the folder has no keyset.
            let trusted = match trust::folder_keyset(keys)? {
                Some(ks) => ks.valid_keys_for(khaibao_core::venue::keyset::USAGE_VENUE, unix_now()),
                None => vec![OnlineKeys::load(keys)?.public().venue_key],
            };
            (VenueRef::Code(code), trusted)
        }
        (None, None) => return Err(CliError::NoVenue),
    };
    let spec = WindowSpec {
        venue,
        from,
        until,
        recommendation,
    };
    let entry = exposure_publish::entry(&spec, &trusted)?;
    let version = exposure_publish::publish_to(db, std::slice::from_ref(&entry), unix_now())?;
    // stdout is the version alone, for scripts; the rest goes to stderr.
    println!("{version}");
    eprintln!(
        "exposure window for venue {} published as list version {version}",
        entry.venue_id
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("khaibao: {e}");
            ExitCode::FAILURE
        }
    }
}
