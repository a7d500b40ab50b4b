//! The full exactly-once run: 10,000 declarations through the faulty proxy with client
//! kills, for 10 seeds in a row; prints what happened in each. Run it in release:
//! `cargo run --release -p khaibao-tests --example exactly_once_full [declarations] [seeds]`.

use khaibao_tests::chaos::{self, ChaosConfig};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let declarations = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seeds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    for seed in 1..=seeds {
        let cfg = ChaosConfig {
            seed,
            declarations,
            batch_size: 50,
            fault_percent: 30,
            kill_percent: 10,
            request_timeout: Duration::from_millis(1500),
        };
        match chaos::run(&cfg) {
            Ok(o) => println!(
                "seed {seed:2}: {} stored exactly once, outbox empty; {} drains, {} client kills, faults {:?}; queue {:.1} s, drain {:.1} s",
                o.stored,
                o.drains,
                o.restarts,
                o.faults,
                o.queue_time.as_secs_f64(),
                o.drain_time.as_secs_f64()
            ),
            Err(e) => {
                eprintln!("seed {seed}: FAILED: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{seeds} seeds in a row passed");
    ExitCode::SUCCESS
}
