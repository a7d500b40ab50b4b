//! Fault injection: declarations drained through a faulty proxy (503/500 with Retry-After,
//! dropped connections before and after the server committed, answers after the client's
//! timeout, truncated bodies) with the client killed and restarted, for several seeds. Every
//! declaration is stored exactly once and the outbox ends empty. The full run (10,000
//! declarations × 10 seeds) is `cargo run --release -p khaibao-tests --example
//! exactly_once_full`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_tests::chaos::{self, ChaosConfig};
use khaibao_tests::fault_proxy::Fault;
use std::time::Duration;

#[test]
fn every_declaration_is_stored_exactly_once_through_faults_and_kills() {
    let mut all_faults = std::collections::BTreeMap::new();
    for seed in 1..=3u64 {
        let outcome = chaos::run(&ChaosConfig {
            seed,
            declarations: 250,
            batch_size: 20,
            fault_percent: 35,
            kill_percent: 16,
            request_timeout: Duration::from_millis(500),
        })
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(outcome.stored, 250);
        assert!(
            outcome.restarts > 0,
            "seed {seed}: the client was never killed"
        );
        for (f, n) in outcome.faults {
            *all_faults.entry(f).or_insert(0) += n;
        }
    }
    for fault in [
        Fault::Busy503,
        Fault::Error500WithDate,
        Fault::DropBeforeServer,
        Fault::DropAfterCommit,
        Fault::DelayPastTimeout,
        Fault::TruncatedBody,
    ] {
        assert!(
            all_faults.get(&fault).copied().unwrap_or(0) > 0,
            "{fault:?} never happened: {all_faults:?}"
        );
    }
}
