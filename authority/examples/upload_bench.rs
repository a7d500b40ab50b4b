//! Upload throughput, printed: the authority's SQLite ingest (with where its time goes:
//! opening seals and verifying signatures, versus storing) and the outbox drain to a
//! loopback authority over reqwest, batched and, as the baseline in the same run, one
//! declaration per request. Run in release:
//! `cargo run --release -p khaibao-authority --example upload_bench [declarations]`.

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::http::RunningServer;
use khaibao_authority::ingest::open_items;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::declaration::{Declaration, Symptom};
use khaibao_core::diary;
use khaibao_core::diary::checkin;
use khaibao_core::net::transport::ReqwestClient;
use khaibao_core::storage::store::Store;
use khaibao_core::upload::outbox::{self, CancelToken, DrainOptions, NewItem, NoProgress};
use khaibao_core::upload::protocol::IngestItem;
use khaibao_core::venue::ScannedVenue;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

fn form(i: usize) -> Declaration {
    const GIVEN: [&str; 8] = ["An", "Bình", "Chi", "Dũng", "Hà", "Khoa", "Lan", "Minh"];
    Declaration {
        full_name: format!("Trần Thị {} {}", GIVEN[i % 8], GIVEN[(i / 8) % 8]),
        birth_year: 1950 + (i % 60) as u16,
        phone: format!("09{:08}", i % 100_000_000),
        province: 1,
        symptoms: vec![Symptom::Cough],
        close_contact: false,
        ..Declaration::default()
    }
}

/// `n` sealed items and the time sealing took.
fn sealed(
    store: &mut Store,
    sealing_public: &[u8],
    n: usize,
    now: i64,
) -> Result<(Vec<NewItem>, Duration), BoxError> {
    let device = store.device_key(now)?;
    let forms: Vec<_> = (0..n).map(form).collect();
    let t = Instant::now();
    let items = forms
        .iter()
        .map(|form| {
            checkin::seal_declaration(&device, sealing_public, form, None, now)
                .map(|sealed| sealed.item)
                .map_err(|e| format!("{e:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((items, t.elapsed()))
}

fn queue(store: &mut Store, items: &[NewItem], now: i64) -> Result<Duration, BoxError> {
    let venue = ScannedVenue::Unverified {
        text: "bench".into(),
    };
    let t = Instant::now();
    for item in items {
        diary::check_in(store, &venue, now, Some(item))?;
    }
    Ok(t.elapsed())
}

/// CPU time used by this process so far (all threads), from /proc on Linux.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn drain_run(
    keys: &AuthorityKeys,
    n: usize,
    batch: u32,
    now: i64,
) -> Result<(f64, Duration), BoxError> {
    let dir = tempfile::tempdir()?;
    let keys = AuthorityKeys::load(&{
        let p = dir.path().join("keys");
        keys.save(&p)?;
        p
    })?;
    let sealing_public = keys.public().sealing_public;
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        keys,
    )?;
    let mut store = Store::open(
        &dir.path().join("citizen.db"),
        &khaibao_core::storage::vault::MasterKey::from_bytes(&[7; 32])?,
        khaibao_authority::unix_now(),
    )?;
    let (items, _) = sealed(&mut store, &sealing_public, n, now)?;
    queue(&mut store, &items, now)?;
    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(30))?;
    let options = DrainOptions {
        batch_size: batch,
        ..DrainOptions::default()
    };
    let cpu = cpu_time();
    let t = Instant::now();
    let report = outbox::drain_with(
        &mut store,
        &client,
        &server.base_url(),
        &options,
        now,
        &NoProgress,
        &CancelToken::new(),
    )?;
    let took = t.elapsed();
    if let Some(used) = cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a)) {
        println!(
            "        (client and server together used {:.2} CPU-s: {:.0} declarations per CPU-second)",
            used.as_secs_f64(),
            per_sec(n, used)
        );
    }
    let stored = server.state().with_db(|db| db.count())?;
    if report.accepted != n as u64 || report.remaining != 0 || stored != n as u64 {
        return Err(format!("drain incomplete: {report:?}, {stored} stored").into());
    }
    Ok((per_sec(n, took), took))
}

fn main() -> Result<(), BoxError> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let now = khaibao_authority::unix_now();
    let keys = AuthorityKeys::generate()?;
    let sealing_public = keys.public().sealing_public;
    println!(
        "khaibao upload benchmark, {n} declarations, {} build, {} cores, load average {} at start",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        load_average()
    );

    // Client side: sealing (Ed25519 sign + X25519/ChaCha20-Poly1305 seal) and queueing.
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(
        &dir.path().join("citizen.db"),
        &khaibao_core::storage::vault::MasterKey::from_bytes(&[7; 32])?,
        khaibao_authority::unix_now(),
    )?;
    let (items, seal_time) = sealed(&mut store, &sealing_public, n, now)?;
    let queue_time = queue(&mut store, &items, now)?;
    println!(
        "client  sign+seal        {:>9.0} declarations/s ({:.1} µs each)",
        per_sec(n, seal_time),
        seal_time.as_secs_f64() * 1e6 / n as f64
    );
    println!(
        "client  check-in+queue   {:>9.0} declarations/s (one SQLite transaction each)",
        per_sec(n, queue_time)
    );

    // Authority ingest straight into SQLite, batches of 100: where the time goes.
    let db_dir = tempfile::tempdir()?;
    let mut db = AuthorityDb::open(&db_dir.path().join("authority.db"))?;
    let wire: Vec<IngestItem> = items
        .iter()
        .map(|i| IngestItem {
            idempotency_key: i.idempotency_key.to_vec(),
            kind: i.kind,
            body: i.body.clone(),
        })
        .collect();
    // Peer in the same run: the bare crypto floor, one thread (Ed25519 verify + X25519 open).
    let t = Instant::now();
    let sample = wire.len().min(2000);
    for i in &wire[..sample] {
        khaibao_core::seal::open_and_verify(keys.sealing(), &i.body, &i.idempotency_key)?;
    }
    let floor = t.elapsed();
    println!(
        "server  verify+open only {:>9.0} declarations/s per thread ({:.1} µs each; the crypto floor)",
        per_sec(sample, floor),
        floor.as_secs_f64() * 1e6 / sample as f64
    );
    let cpu = cpu_time();
    let (mut open_time, mut store_time) = (Duration::ZERO, Duration::ZERO);
    for chunk in wire.chunks(100) {
        let t = Instant::now();
        let opened = open_items(keys.sealing(), chunk);
        open_time += t.elapsed();
        let t = Instant::now();
        db.store_opened(chunk, opened, now)?;
        store_time += t.elapsed();
    }
    if db.count()? != n as u64 {
        return Err("ingest stored the wrong number".into());
    }
    let total = open_time + store_time;
    let cpu_used = cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a));
    println!(
        "server  ingest (SQLite)  {:>9.0} declarations/s (batches of 100: verify+open on all cores {:.1} µs, store {:.1} µs per declaration; {} declarations per CPU-second)",
        per_sec(n, total),
        open_time.as_secs_f64() * 1e6 / n as f64,
        store_time.as_secs_f64() * 1e6 / n as f64,
        cpu_used.map_or_else(|| "?".into(), |c| format!("{:.0}", per_sec(n, c)))
    );
    // The same batches again: all duplicates, answered from the index.
    let t = Instant::now();
    for chunk in wire.chunks(100) {
        let opened = open_items(keys.sealing(), chunk);
        db.store_opened(chunk, opened, now)?;
    }
    println!(
        "server  re-ingest (dups) {:>9.0} declarations/s",
        per_sec(n, t.elapsed())
    );

    // End to end over loopback HTTP: batched drains, and one item per request as baseline.
    let base_n = (n / 10).max(200);
    let (single, _) = drain_run(&keys, base_n, 1, now)?;
    println!(
        "drain   batch 1          {single:>9.0} declarations/s ({base_n} declarations; baseline)"
    );
    for batch in [50, 200] {
        let (rate, took) = drain_run(&keys, n, batch, now)?;
        println!(
            "drain   batch {batch:<3}        {rate:>9.0} declarations/s ({n} in {:.2} s; {:.1}× the baseline)",
            took.as_secs_f64(),
            rate / single
        );
    }
    Ok(())
}
