//! `khaibao`: the authority's command line — keys, venue codes, the server, and the demo.

use clap::{Parser, Subcommand};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::server::RunningServer;
use khaibao_authority::{demo, poster, unix_now};
use khaibao_core::venue::{self, Venue, VenueCategory};
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
    /// Create the authority's signing (Ed25519) and sealing (X25519) keys.
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
        #[arg(long, default_value = "authority.db")]
        db: PathBuf,
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
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
    /// Sign a venue code and write it as a QR PNG.
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
        /// hospital, school, office, market, lodging, restaurant, transport, event or other.
        #[arg(long, default_value = "other")]
        category: String,
        #[arg(long, default_value_t = 60)]
        stay_minutes: u32,
        #[arg(long, default_value_t = 365)]
        valid_days: i64,
        #[arg(long)]
        out: PathBuf,
    },
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Keygen { keys } => {
            let k = AuthorityKeys::generate().map_err(|e| e.to_string())?;
            k.save(&keys).map_err(|e| e.to_string())?;
            println!("keys written to {}", keys.display());
        }
        Command::Venue {
            command:
                VenueCommand::Issue {
                    keys,
                    name,
                    address,
                    province,
                    category,
                    stay_minutes,
                    valid_days,
                    out,
                },
        } => {
            let k = AuthorityKeys::load(&keys).map_err(|e| e.to_string())?;
            let category = VenueCategory::from_name(&category).ok_or("unknown category")?;
            let id = khaibao_core::outbox::new_idempotency_key().map_err(|e| e.to_string())?;
            let now = unix_now();
            let v = Venue {
                id: khaibao_core::codec::hex(&id),
                name,
                address,
                province,
                district: None,
                ward: None,
                category,
                vehicle_plate: None,
                route: None,
                event_start: None,
                event_end: None,
                default_stay_minutes: stay_minutes,
                not_before: now - 300,
                not_after: now + valid_days.max(1) * 86_400,
                issuer: "khaibao".into(),
            };
            let code = venue::issue(&v, k.signing_pkcs8()).map_err(|e| e.to_string())?;
            poster::write_qr_png(&code, 8, &out).map_err(|e| e.to_string())?;
            println!("{code}");
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

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("khaibao: {e}");
            ExitCode::FAILURE
        }
    }
}
