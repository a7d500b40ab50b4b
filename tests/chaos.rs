//! The exactly-once scenario: N sealed declarations queued on a citizen's device, drained
//! through a [`FaultProxy`] to a real authority while the client is "killed" (its drain
//! unwinds mid-batch and its database is closed and reopened) at random points. At the end
//! every declaration must be stored exactly once, with the receipt the client recorded, and
//! the client's outbox must be empty.

use crate::fault_proxy::{Fault, FaultProxy, SplitMix};
use khaibao_authority::http::RunningServer;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::declaration::{Declaration, Symptom};
use khaibao_core::diary::checkin;
use khaibao_core::net::transport::{HttpClient, HttpRequest, HttpResponse, ReqwestClient};
use khaibao_core::storage::store::Store;
use khaibao_core::upload::outbox::{self, CancelToken, DrainOptions, NoProgress};
use khaibao_core::upload::retry::RetryPolicy;
use khaibao_core::venue::ScannedVenue;
use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One run's settings.
#[derive(Debug, Clone)]
pub struct ChaosConfig {
    pub seed: u64,
    pub declarations: usize,
    pub batch_size: u32,
    /// Percent of requests the proxy harms.
    pub fault_percent: u64,
    /// Percent of requests around which the client is killed (half before sending, half
    /// after the answer arrived but before it is recorded).
    pub kill_percent: u64,
    /// The client's whole-request timeout; delayed answers come 40% later than this.
    pub request_timeout: Duration,
}

/// What happened in one run.
#[derive(Debug, Clone)]
pub struct ChaosOutcome {
    pub stored: u64,
    pub restarts: u64,
    pub drains: u64,
    pub faults: BTreeMap<Fault, u64>,
    pub queue_time: Duration,
    pub drain_time: Duration,
}

/// The unwinding payload of a simulated kill.
struct SimulatedKill;

/// Kills the client (unwinds) before sending or after the answer, on a seeded schedule.
struct Killer<'a> {
    inner: &'a dyn HttpClient,
    rng: Mutex<SplitMix>,
    percent: u64,
}

impl HttpClient for Killer<'_> {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        let (before, after) = {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (rng.chance(self.percent / 2), rng.chance(self.percent / 2))
        };
        if before {
            resume_unwind(Box::new(SimulatedKill));
        }
        let response = self.inner.send(request);
        if after {
            resume_unwind(Box::new(SimulatedKill));
        }
        response
    }
}

const FAMILY: [&str; 6] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ"];
const GIVEN: [&str; 8] = ["An", "Bình", "Chi", "Dũng", "Hà", "Khoa", "Lan", "Minh"];

fn master_key() -> Result<khaibao_core::storage::vault::MasterKey, String> {
    khaibao_core::storage::vault::MasterKey::from_bytes(&[7; 32]).map_err(|e| e.to_string())
}

fn form(i: usize) -> Declaration {
    Declaration {
        full_name: format!(
            "{} Thị {} {}",
            FAMILY[i % 6],
            GIVEN[(i / 6) % 8],
            GIVEN[(i / 48) % 8]
        ),
        birth_year: 1950 + (i % 60) as u16,
        phone: format!("09{:08}", i % 100_000_000),
        province: 79,
        symptoms: if i.is_multiple_of(3) {
            vec![Symptom::Cough]
        } else {
            vec![]
        },
        close_contact: i.is_multiple_of(7),
        ..Declaration::default()
    }
}

/// Queues `n` sealed declarations; returns their idempotency keys.
pub fn queue_declarations(
    store: &mut Store,
    sealing_public: &[u8],
    n: usize,
    now: i64,
) -> Result<Vec<[u8; 16]>, String> {
    let venue = ScannedVenue::Unverified {
        text: "chaos venue".into(),
    };
    (0..n)
        .map(|i| {
            let checked_in = checkin::check_in(store, &venue, Some(&form(i)), sealing_public, now)
                .map_err(|e| format!("check-in {i}: {e}"))?;
            checked_in
                .queued
                .ok_or_else(|| format!("check-in {i} queued nothing"))
        })
        .collect()
}

/// Runs the scenario and checks exactly-once delivery; an `Err` says what went wrong.
pub fn run(cfg: &ChaosConfig) -> Result<ChaosOutcome, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let keys = AuthorityKeys::generate().map_err(|e| e.to_string())?;
    let sealing_public = keys.public().sealing_public;
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        keys,
    )
    .map_err(|e| e.to_string())?;
    let delay = cfg.request_timeout + cfg.request_timeout * 2 / 5;
    let proxy = FaultProxy::start(server.addr(), cfg.seed, cfg.fault_percent, delay)
        .map_err(|e| e.to_string())?;
    let client = ReqwestClient::new(Duration::from_secs(2), cfg.request_timeout)
        .map_err(|e| e.to_string())?;
    let killer = Killer {
        inner: &client,
        rng: Mutex::new(SplitMix(cfg.seed ^ 0x5eed)),
        percent: cfg.kill_percent,
    };

    let db_path = dir.path().join("citizen.db");
    let mut now = khaibao_authority::unix_now();
    let started = Instant::now();
    let keys = {
        let mut store = Store::open(&db_path, &master_key()?, now).map_err(|e| e.to_string())?;
        queue_declarations(&mut store, &sealing_public, cfg.declarations, now)?
    };
    let queue_time = started.elapsed();

    let options = DrainOptions {
        batch_size: cfg.batch_size,
        honour_backoff: true,
        lease_secs: 30,
        retry: RetryPolicy {
            base_secs: 1,
            cap_secs: 8,
            max_retry_after_secs: 5,
        },
    };
    let started = Instant::now();
    let (mut restarts, mut drains) = (0u64, 0u64);
    let mut store = Some(Store::open(&db_path, &master_key()?, now).map_err(|e| e.to_string())?);
    loop {
        if drains > 20_000 {
            return Err("the outbox never emptied".into());
        }
        let s = match store.as_mut() {
            Some(s) => s,
            None => {
                store.insert(Store::open(&db_path, &master_key()?, now).map_err(|e| e.to_string())?)
            }
        };
        drains += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            outbox::drain_with(
                s,
                &killer,
                &proxy.base_url(),
                &options,
                now,
                &NoProgress,
                &CancelToken::new(),
            )
        }));
        match outcome {
            Ok(Ok(report)) if report.remaining == 0 => break,
            Ok(_) => {}
            Err(payload) if payload.is::<SimulatedKill>() => {
                // The process died: close the database and start again later.
                restarts += 1;
                store = None;
            }
            Err(payload) => resume_unwind(payload),
        }
        now += 10;
    }
    let drain_time = started.elapsed();

    let store = store.ok_or("no store")?;
    let counts = outbox::counts(&store).map_err(|e| e.to_string())?;
    if (counts.pending, counts.in_flight, counts.dead) != (0, 0, 0) {
        return Err(format!("outbox not empty: {counts:?}"));
    }
    let stored: HashMap<Vec<u8>, String> = server
        .state()
        .with_db(|db| db.receipts())
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    let rows = server
        .state()
        .with_db(|db| db.count())
        .map_err(|e| e.to_string())?;
    if rows != keys.len() as u64 || stored.len() != keys.len() {
        return Err(format!(
            "{rows} rows stored for {} declarations",
            keys.len()
        ));
    }
    for key in &keys {
        let on_server = stored
            .get(key.as_slice())
            .ok_or("a declaration is missing")?;
        let on_client = outbox::receipt_for(&store, key)
            .map_err(|e| e.to_string())?
            .ok_or("the client has no receipt for a declaration")?;
        if &on_client != on_server {
            return Err("client and server receipts differ".into());
        }
    }
    Ok(ChaosOutcome {
        stored: rows,
        restarts,
        drains,
        faults: proxy.seen(),
        queue_time,
        drain_time,
    })
}
