//! Diary benchmarks against the targets of the diary issue:
//!
//! | operation | target |
//! |---|---|
//! | check-in (durable, committed) | < 1 ms p99 |
//! | open the store (with purge) at 10k diary rows | < 20 ms |
//! | match a 100k-entry exposure list against 1k diary rows | < 50 ms |
//! | export 1k visits | < 50 ms |
//!
//! Each sealed operation is measured next to a peer in the same run (a plain, unencrypted
//! SQLite insert of the same row shape), so the cost of sealing shows as a ratio. The
//! check-in p50/p99 is printed from per-call timings, since criterion reports means.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use khaibao_core::diary;
use khaibao_core::diary::export::{self, Language};
use khaibao_core::exposure::{self, ExposureEntry, MatchOptions, Recommendation};
use khaibao_core::storage::store::{Store, StoreOptions};
use khaibao_core::storage::vault::MasterKey;
use khaibao_core::test_support;
use khaibao_core::upload::outbox::NewItem;
use khaibao_core::upload::protocol::ItemKind;
use khaibao_core::venue::{ScannedVenue, TrustedKey, Venue, key_id};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const BASE: i64 = 1_626_714_000;

fn master() -> MasterKey {
    test_support::master_key_from(0x42)
}

fn venue_id(i: u64) -> String {
    format!("{i:032x}")
}

fn venue(i: u64) -> ScannedVenue {
    ScannedVenue::Verified {
        venue: Venue {
            name: format!("Quán cơm tấm số {i}"),
            address: format!("{i} Nguyễn Trãi, Phường 2, Quận 5"),
            default_stay_minutes: 45,
            issuer: "bench".into(),
            ..test_support::venue(&venue_id(i))
        },
    }
}

fn item(n: u64) -> NewItem {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&n.to_be_bytes());
    NewItem {
        idempotency_key: key,
        kind: ItemKind::Declaration,
        body: vec![0xab; 400],
    }
}

/// Fills `store` with `n` visits starting at `first`, `spacing` seconds apart.
fn fill(store: &mut Store, n: u64, first: i64, spacing: i64) {
    for i in 0..n {
        diary::check_in(store, &venue(i % 500), first + i as i64 * spacing, None).unwrap();
    }
}

fn check_in(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("b.db"), &master(), BASE).unwrap();
    let mut n = 0u64;
    // Per-call timings for the percentiles, with the time the thread spent waiting for a
    // CPU (Linux schedstat) so that a busy shared machine shows as such.
    let mut samples = Vec::with_capacity(3000);
    let mut on_cpu_or_io = Vec::with_capacity(3000);
    for _ in 0..3000 {
        n += 1;
        let q = run_queue_wait();
        let t = Instant::now();
        diary::check_in_declared(
            &mut store,
            &venue(n % 7),
            BASE + n as i64,
            &item(n),
            b"decl",
        )
        .unwrap();
        let wall = t.elapsed();
        samples.push(wall);
        if let (Some(a), Some(b)) = (q, run_queue_wait()) {
            on_cpu_or_io.push(wall.saturating_sub(b.saturating_sub(a)));
        }
    }
    println!(
        "check-in (sealed, WAL, committed) over {} calls: {}",
        samples.len(),
        percentiles(&mut samples)
    );
    if !on_cpu_or_io.is_empty() {
        println!(
            "  the same calls less the time spent waiting for a CPU: {}",
            percentiles(&mut on_cpu_or_io)
        );
    }
    // As in use: check-ins spaced out, each one after the background checkpoint of the
    // one before has finished (so a commit that had to start a new log would show here).
    let mut spaced = Vec::with_capacity(200);
    let mut spaced_cpu = Vec::with_capacity(200);
    for _ in 0..200 {
        std::thread::sleep(Duration::from_millis(60));
        n += 1;
        let q = run_queue_wait();
        let t = Instant::now();
        diary::check_in_declared(
            &mut store,
            &venue(n % 7),
            BASE + n as i64,
            &item(n),
            b"decl",
        )
        .unwrap();
        let wall = t.elapsed();
        spaced.push(wall);
        if let (Some(a), Some(b)) = (q, run_queue_wait()) {
            spaced_cpu.push(wall.saturating_sub(b.saturating_sub(a)));
        }
    }
    println!(
        "check-in spaced 60 ms apart over {} calls: {}",
        spaced.len(),
        percentiles(&mut spaced)
    );
    if !spaced_cpu.is_empty() {
        println!(
            "  the same calls less the time spent waiting for a CPU: {}",
            percentiles(&mut spaced_cpu)
        );
    }
    c.bench_function("check_in/sealed_with_outbox", |b| {
        b.iter(|| {
            n += 1;
            diary::check_in_declared(
                &mut store,
                &venue(n % 7),
                BASE + n as i64,
                &item(n),
                b"decl",
            )
            .unwrap()
        });
    });
    // Peer: the same row shapes inserted in plain, unsealed, in one transaction.
    let mut plain = plain_db(&dir.path().join("plain.db"), "NORMAL");
    let mut m = 0u64;
    let peer = timed(3000, |_| {
        m += 1;
        plain_insert(&mut plain, m);
    });
    println!(
        "peer plain SQLite insert over {} calls: p50 {:?}  p99 {:?}",
        peer.len(),
        peer[peer.len() / 2],
        peer[peer.len() * 99 / 100]
    );
    c.bench_function("check_in/peer_plain_sqlite_insert", |b| {
        b.iter(|| {
            m += 1;
            plain_insert(&mut plain, m);
        });
    });
    // What syncing every commit to the disk (synchronous = FULL) would cost on this
    // machine, for the durability trade-off documented in the store.
    let mut full_db = plain_db(&dir.path().join("plain_full.db"), "FULL");
    let full = timed(300, |i| plain_insert(&mut full_db, i as u64));
    println!(
        "peer plain SQLite insert, synchronous=FULL (a sync per commit) over {} calls: p50 {:?}  p99 {:?}",
        full.len(),
        full[full.len() / 2],
        full[full.len() * 99 / 100]
    );
}

/// Time this thread has spent runnable but waiting for a CPU, from /proc (Linux only).
fn run_queue_wait() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn percentiles(samples: &mut [Duration]) -> String {
    samples.sort();
    let pct = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    format!(
        "p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        samples[samples.len() - 1]
    )
}

/// Per-call timings of `n` calls, sorted.
fn timed(n: usize, mut f: impl FnMut(usize)) -> Vec<Duration> {
    let mut out: Vec<Duration> = (0..n)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed()
        })
        .collect();
    out.sort();
    out
}

fn plain_db(path: &std::path::Path, synchronous: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous};
         CREATE TABLE v (id INTEGER PRIMARY KEY, name TEXT, address TEXT, t INTEGER);
         CREATE TABLE o (id INTEGER PRIMARY KEY, k BLOB UNIQUE, body BLOB);"
    ))
    .unwrap();
    conn
}

fn plain_insert(conn: &mut rusqlite::Connection, m: u64) {
    let tx = conn.transaction().unwrap();
    tx.execute(
        "INSERT INTO v (name, address, t) VALUES (?1, ?2, ?3)",
        rusqlite::params!["Quán cơm tấm", "1 Nguyễn Trãi", m as i64],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO o (k, body) VALUES (?1, ?2)",
        rusqlite::params![m.to_be_bytes().to_vec(), vec![0xab_u8; 400]],
    )
    .unwrap();
    tx.commit().unwrap();
}

fn open_with_purge(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.db");
    {
        let mut store = Store::open(&template, &master(), BASE).unwrap();
        // 10k visits over 25 local days: the oldest 3 days fall out of a 21-day retention.
        fill(&mut store, 10_000, BASE, 25 * 86_400 / 10_000);
    }
    let today = BASE + 25 * 86_400;
    // Each iteration opens a fresh copy (the copy and the close are not timed).
    c.bench_function("open/10k_rows_with_purge", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for k in 0..iters {
                let p = dir.path().join(format!("copy{k}.db"));
                std::fs::copy(&template, &p).unwrap();
                let t = Instant::now();
                let s = Store::open_with(&p, &master(), StoreOptions::default(), today).unwrap();
                total += t.elapsed();
                black_box(&s);
                drop(s);
                std::fs::remove_file(&p).unwrap();
            }
            total
        });
    });
    c.bench_function("open/10k_rows_nothing_to_purge", |b| {
        b.iter(|| Store::open(&template, &master(), BASE + 86_400).unwrap());
    });
}

fn exposure_list(n: usize) -> (Vec<u8>, TrustedKey, Vec<ExposureEntry>) {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public = pair.public_key().as_ref().to_vec();
    let entries: Vec<ExposureEntry> = (0..n as u64)
        .map(|i| ExposureEntry {
            venue_id: venue_id(i % 20_000),
            start: BASE + (i as i64 % 500) * 600,
            end: BASE + (i as i64 % 500) * 600 + 3600,
            recommendation: Recommendation::GetTested,
        })
        .collect();
    let bytes = exposure::build_list(pkcs8.as_ref(), 1, 0, BASE, &entries).unwrap();
    (
        bytes,
        TrustedKey {
            kid: key_id(&public),
            public_key: public,
        },
        entries,
    )
}

fn matching(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path, &master(), BASE).unwrap();
    let side = rusqlite::Connection::open(&path).unwrap();
    fill(&mut store, 1_000, BASE, 240);
    let (bytes, key, entries) = exposure_list(100_000);
    let visits = diary::visits(&store).unwrap();
    let now = BASE + 2 * 86_400;
    let hits = exposure::match_visits(
        &visits,
        &entries,
        MatchOptions {
            min_overlap_seconds: 60,
        },
        1,
        now,
    );
    println!(
        "exposure list: {} bytes, {} alerts on 1k visits",
        bytes.len(),
        hits.len()
    );
    c.bench_function("exposure/match_100k_entries_vs_1k_visits", |b| {
        b.iter(|| {
            exposure::match_visits(
                &visits,
                &entries,
                MatchOptions {
                    min_overlap_seconds: 60,
                },
                1,
                now,
            )
        });
    });
    c.bench_function("exposure/verify_and_decode_100k_list", |b| {
        b.iter(|| exposure::verify_list(&bytes, std::slice::from_ref(&key)).unwrap());
    });
    c.bench_function("exposure/process_list_end_to_end", |b| {
        b.iter_batched(
            || {
                side.execute("DELETE FROM exposure_lists", []).unwrap();
            },
            |()| {
                exposure::process_list(
                    &mut store,
                    &bytes,
                    std::slice::from_ref(&key),
                    MatchOptions {
                        min_overlap_seconds: 60,
                    },
                    now,
                    None,
                )
                .unwrap()
            },
            BatchSize::PerIteration,
        );
    });
}

fn exporting(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("x.db"), &master(), BASE).unwrap();
    fill(&mut store, 1_000, BASE, 240);
    let now = BASE + 2 * 86_400;
    c.bench_function("export/json_1k_visits", |b| {
        b.iter(|| export::export_json(&mut store, Language::Vietnamese, now).unwrap());
    });
    c.bench_function("export/csv_1k_visits", |b| {
        b.iter(|| export::export_csv(&mut store, Language::English, now).unwrap());
    });
    c.bench_function("export/peer_read_1k_visits", |b| {
        b.iter(|| diary::visits(&store).unwrap());
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = check_in, open_with_purge, matching, exporting
}
criterion_main!(benches);
