//! `khaibao`: the authority's command line — keys, venue codes, the server, and the demo.

use clap::{Parser, Subcommand};
use khaibao_authority::issuance::{self, VenueSpec};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::server::RunningServer;
use khaibao_authority::{demo, poster, trust, unix_now};
use khaibao_core::venue::{self, VenueCategory};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

mod scanbench;

#[derive(Parser)]
#[command(name = "khaibao", version, about = "khaibao health-authority tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the authority's signing (Ed25519), sealing (X25519) and root (Ed25519) keys,
    /// and the root-signed keyset update; adds only the root to a folder that lacks it.
    Keygen {
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
    },
    /// Venue codes.
    Venue {
        #[command(subcommand)]
        command: VenueCommand,
    },
    /// Run the authority's HTTP server.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
    },
    /// Export stored declarations as CSV (for health departments).
    Export {
        /// A SQLite file, or a PostgreSQL URL (`postgres://user@host:port/dbname`).
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        /// Declared at or after: Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM (Vietnam time).
        #[arg(long)]
        since: String,
        /// Declared before (same formats).
        #[arg(long)]
        until: Option<String>,
        /// National province code.
        #[arg(long)]
        province: u32,
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
    /// Run the whole flow end to end on a loopback authority and a temporary database.
    Demo,
    /// Scan QR codes in an image or every image below a folder (`--bench`: JSON lines for
    /// the QR benchmark harness).
    Scan {
        #[arg(long)]
        bench: bool,
        #[arg(long, default_value_t = 1)]
        repeat: u32,
        /// Rotate each image clockwise by 0, 90, 180 or 270 degrees before decoding.
        #[arg(long, default_value_t = 0)]
        rotate: u32,
        /// Pipeline stages to switch off (comma-separated), to measure what each pays.
        #[arg(long)]
        without: Vec<String>,
        /// Time budget per frame in milliseconds (default: the library's).
        #[arg(long)]
        budget_ms: Option<u64>,
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum VenueCommand {
    /// Sign a venue code and render its A4 poster (.svg, .png or .pdf by the --out extension).
    Issue {
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
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
        /// hospital, school, office, market, lodging, restaurant, transport, event or other.
        #[arg(long, default_value = "other")]
        category: String,
        #[arg(long, default_value_t = 60)]
        stay_minutes: u32,
        #[arg(long, default_value_t = 365)]
        valid_days: i64,
        /// Poster file: .svg or .png.
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

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Keygen { keys } => {
            let done = trust::keygen(&keys, unix_now()).map_err(|e| e.to_string())?;
            match (done.keys_created, done.root_created) {
                (true, _) => println!("keys written to {}", keys.display()),
                (false, true) => println!("root key added to {}", keys.display()),
                (false, false) => return Err("keys already exist in that folder".into()),
            }
        }
        Command::Venue {
            command:
                VenueCommand::Issue {
                    keys,
                    name,
                    address,
                    province,
                    district,
                    ward,
                    category,
                    stay_minutes,
                    valid_days,
                    out,
                    dpi,
                },
        } => {
            let k = AuthorityKeys::load(&keys).map_err(|e| e.to_string())?;
            let category = VenueCategory::from_name(&category).ok_or("unknown category")?;
            let spec = VenueSpec {
                name,
                address,
                province,
                district,
                ward,
                category,
                stay_minutes,
                valid_days,
            };
            let now = unix_now();
            let taken = trust::taken_manual_codes(&keys, &k).map_err(|e| e.to_string())?;
            let v = loop {
                let v = issuance::new_venue(&spec, now, "khaibao").map_err(|e| e.to_string())?;
                let n = khaibao_core::venue::registry::manual_code_number(&v)
                    .map_err(|e| e.to_string())?;
                if !taken.contains(&n) {
                    break v;
                }
            };
            let code = venue::issue(&v, k.signing_pkcs8()).map_err(|e| e.to_string())?;
            poster::write_poster(&v, &code, &out, dpi).map_err(|e| e.to_string())?;
            let manual =
                khaibao_core::venue::registry::manual_code(&v).map_err(|e| e.to_string())?;
            let (serial, listed) =
                trust::record_issued(&keys, &k, std::slice::from_ref(&code), now)
                    .map_err(|e| e.to_string())?;
            // stdout is the code alone, for scripts; the rest goes to stderr.
            println!("{code}");
            eprintln!(
                "venue id {}, manual code {manual}, poster written to {}; registry {serial} lists {listed} venues",
                v.id,
                out.display()
            );
        }
        Command::Venue {
            command:
                VenueCommand::IssueCsv {
                    keys,
                    csv,
                    out,
                    format,
                },
        } => {
            let k = AuthorityKeys::load(&keys).map_err(|e| e.to_string())?;
            let text = std::fs::read_to_string(&csv).map_err(|e| e.to_string())?;
            let specs = issuance::specs_from_csv(&text).map_err(|e| e.to_string())?;
            let now = unix_now();
            let taken = trust::taken_manual_codes(&keys, &k).map_err(|e| e.to_string())?;
            let issued = issuance::issue_all_avoiding(
                &specs,
                &k,
                &out,
                &format,
                now,
                &mut std::io::stderr(),
                taken,
            )
            .map_err(|e| e.to_string())?;
            let codes: Vec<String> = issued.iter().map(|(_, c)| c.clone()).collect();
            let (serial, listed) =
                trust::record_issued(&keys, &k, &codes, now).map_err(|e| e.to_string())?;
            println!("{} venues issued into {}", issued.len(), out.display());
            eprintln!("registry {serial} lists {listed} venues");
        }
        Command::Serve { listen, db, keys } => {
            let k = AuthorityKeys::load(&keys).map_err(|e| e.to_string())?;
            let server = RunningServer::start(listen, &db, k).map_err(|e| e.to_string())?;
            // The first line is machine-readable, for scripts that start the server on port 0.
            println!("listening {}", server.base_url());
            // Serve until interrupted (Ctrl-C); SIGTERM ends the process as usual, and
            // SQLite's journal keeps every committed batch.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let _ = rt.block_on(tokio::signal::ctrl_c());
            server.stop();
        }
        Command::Export {
            db,
            since,
            until,
            province,
            venue,
            out,
        } => export(&db, &since, until.as_deref(), province, venue, &out)?,
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
        Command::Demo => {
            demo::run(&mut std::io::stdout()).map_err(|e| e.to_string())?;
        }
        Command::Scan {
            bench,
            repeat,
            rotate,
            without,
            budget_ms,
            path,
        } => scanbench::run(&scanbench::ScanArgs {
            bench,
            repeat,
            rotate,
            without,
            budget_ms,
            path,
        })?,
    }
    Ok(())
}

fn export(
    db: &std::path::Path,
    since: &str,
    until: Option<&str>,
    province: u32,
    venue_id: Option<String>,
    out: &std::path::Path,
) -> Result<(), String> {
    use khaibao_authority::export::{ExportFilter, export_csv, parse_time};
    let filter = ExportFilter {
        since: parse_time(since).map_err(|e| e.to_string())?,
        until: until
            .map(parse_time)
            .transpose()
            .map_err(|e| e.to_string())?,
        province,
        venue_id,
    };
    if !db.exists() && !khaibao_authority::store::postgres::is_postgres_url(&db.to_string_lossy()) {
        return Err(format!("no database at {}", db.display()));
    }
    let db = khaibao_authority::db::AuthorityDb::open(db).map_err(|e| e.to_string())?;
    // Written next to the target and renamed at the end, so a failed export leaves no
    // half-written file under the requested name.
    let tmp = out.with_extension("csv.partial");
    let file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
    let mut w = std::io::BufWriter::new(file);
    let n = export_csv(&db, &filter, &mut w, 10_000, &mut |done, total| {
        eprintln!("exported {done} of {total}");
    })
    .map_err(|e| e.to_string())?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(|e| e.to_string())?;
    println!("{n} declarations written to {}", out.display());
    Ok(())
}

fn publish_exposure(
    db: &std::path::Path,
    keys: &std::path::Path,
    venue_id: Option<&str>,
    venue_code: Option<&str>,
    (from, until): (&str, &str),
    recommendation: &str,
) -> Result<(), String> {
    use khaibao_authority::exposure_publish::{self, VenueRef, WindowSpec};
    let (venue, trusted) = match (venue_id, venue_code) {
        (Some(id), _) => (VenueRef::Id(id), Vec::new()),
        (None, Some(code)) => {
            let k = AuthorityKeys::load(keys).map_err(|e| e.to_string())?;
            (VenueRef::Code(code), vec![k.public().venue_key])
        }
        (None, None) => return Err("give --venue-id or --venue-code".into()),
    };
    let spec = WindowSpec {
        venue,
        from,
        until,
        recommendation,
    };
    let entry = exposure_publish::entry(&spec, &trusted).map_err(|e| e.to_string())?;
    let version = exposure_publish::publish_to(db, std::slice::from_ref(&entry), unix_now())
        .map_err(|e| e.to_string())?;
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
