//! Crash test: a child process checks in (with a declaration) in a loop and is killed with
//! SIGKILL at an arbitrary moment, several times. After each kill the store must open,
//! every check-in the child reported as committed must be there and readable, and nothing
//! may be half-written: every visit opens, and visits, outbox rows and declaration copies
//! stay one-to-one.
//!
//! The child is this same test binary, re-run with `KHAIBAO_CRASH_CHILD` set to the
//! database path; it then runs [`crash_child_entry`] (ignored in ordinary runs) as its only
//! test.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_core::diary;
use khaibao_core::storage::store::Store;
use khaibao_core::storage::vault::MasterKey;
use khaibao_core::test_support;
use khaibao_core::upload::outbox::{self, NewItem};
use khaibao_core::upload::protocol::ItemKind;
use khaibao_core::venue::ScannedVenue;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV: &str = "KHAIBAO_CRASH_CHILD";
/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const BASE: i64 = 1_626_714_000;

fn master() -> MasterKey {
    test_support::master_key_from(0x33)
}

fn venue(i: u64) -> ScannedVenue {
    ScannedVenue::Unverified {
        text: format!("Nhà hàng số {}", i % 2),
    }
}

/// In the child: check in forever (bounded, in case the parent died), reporting each commit.
#[test]
#[ignore = "the crash test's child process; run by sigkill_while_checking_in_loses_nothing_committed"]
fn crash_child_entry() {
    let path = std::env::var(ENV).unwrap_or_else(|_| {
        panic!("the crash child runs only under the crash test, with {ENV} set")
    });
    let mut store = Store::open(std::path::Path::new(&path), &master(), BASE).unwrap();
    let start = diary::visits(&store).unwrap().len() as u64;
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut out = std::io::stdout().lock();
    for i in start..start + 100_000 {
        if Instant::now() > deadline {
            break;
        }
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&i.to_be_bytes());
        let item = NewItem {
            idempotency_key: key,
            kind: ItemKind::Declaration,
            body: vec![7; 200],
        };
        let now = BASE + i as i64 * 10;
        let v =
            diary::check_in_declared(&mut store, &venue(i), now, &item, b"declaration").unwrap();
        writeln!(out, "committed {}", v.id).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_while_checking_in_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let exe = std::env::current_exe().unwrap();
    let mut committed: Vec<i64> = Vec::new();
    for round in 0..4u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child_entry",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<i64>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("committed ").and_then(|n| n.parse().ok()) {
                    let _ = tx.send(id);
                }
            }
        });
        // Wait for the first commit (process start-up varies with the machine's load), let
        // it commit a while more, a different while each round, then kill it mid-stream.
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("round {round}: child committed nothing in 60 s"));
        std::thread::sleep(Duration::from_millis(40 + 70 * round));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        let seen: Vec<i64> = std::iter::once(first).chain(rx.try_iter()).collect();
        committed.extend(seen);

        let store = Store::open(&path, &master(), BASE).unwrap();
        let visits = diary::visits(&store).expect("every visit opens");
        let ids: std::collections::HashSet<i64> = visits.iter().map(|v| v.id).collect();
        for id in &committed {
            assert!(ids.contains(id), "round {round}: committed visit {id} lost");
        }
        let decls = diary::declarations(&store).unwrap();
        let pending = outbox::counts(&store).unwrap().pending;
        assert_eq!(decls.len(), visits.len(), "round {round}");
        assert_eq!(pending as usize, visits.len(), "round {round}");
        assert!(decls.iter().all(|d| d.payload == b"declaration"));
        // At most one visit is active.
        assert!(visits.iter().filter(|v| v.checked_out_at.is_none()).count() <= 1);
    }
}
