//! The outbox's drain against an in-process fake authority: backoff and Retry-After,
//! permanent 4xx, 413 splitting, a crash between send and settle, progress and cancel, and
//! the store left free while a request is out.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::manual_assert,
    clippy::single_match_else
)] // test code

use khaibao_core::error::NetError;
use khaibao_core::net::transport::{HttpClient, HttpHeader, HttpRequest, HttpResponse};
use khaibao_core::storage::store::Store;
use khaibao_core::test_support;
use khaibao_core::upload::outbox::{
    self, CancelToken, DrainListener, DrainOptions, NewItem, NoProgress,
};
use khaibao_core::upload::protocol::{self, IngestResult, ItemKind, ItemStatus};
use khaibao_core::venue::ScannedVenue;
use khaibao_core::{Error, diary};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const NOW: i64 = 1_767_225_600;

fn test_key() -> khaibao_core::storage::vault::MasterKey {
    test_support::master_key_from(7)
}

type Policy = Box<dyn Fn(usize, usize) -> Option<HttpResponse> + Send + Sync>;

/// Deduplicating fake authority. `policy(call_index, batch_len)` may answer instead.
struct FakeAuthority {
    stored: Mutex<HashMap<Vec<u8>, String>>,
    batches: Mutex<Vec<usize>>,
    policy: Policy,
    crash_after_commit: Mutex<bool>,
}

impl FakeAuthority {
    fn new(policy: impl Fn(usize, usize) -> Option<HttpResponse> + Send + Sync + 'static) -> Self {
        Self {
            stored: Mutex::default(),
            batches: Mutex::default(),
            policy: Box::new(policy),
            crash_after_commit: Mutex::new(false),
        }
    }
    fn ok() -> Self {
        Self::new(|_, _| None)
    }
}

fn status(code: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status: code,
        headers: headers
            .iter()
            .map(|(n, v)| HttpHeader {
                name: (*n).into(),
                value: (*v).into(),
            })
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

impl HttpClient for FakeAuthority {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        let items = protocol::decode_request(&request.body).expect("valid request");
        let call = {
            let mut b = self.batches.lock().unwrap();
            b.push(items.len());
            b.len() - 1
        };
        if let Some(r) = (self.policy)(call, items.len()) {
            return Ok(r);
        }
        let mut stored = self.stored.lock().unwrap();
        let results: Vec<IngestResult> = items
            .iter()
            .map(|i| {
                let status = match stored.get(&i.idempotency_key) {
                    Some(r) => ItemStatus::Duplicate { receipt: r.clone() },
                    None => {
                        let r = format!("rc-{}", stored.len());
                        stored.insert(i.idempotency_key.clone(), r.clone());
                        ItemStatus::Accepted { receipt: r }
                    }
                };
                IngestResult {
                    idempotency_key: i.idempotency_key.clone(),
                    status,
                }
            })
            .collect();
        drop(stored);
        if std::mem::take(&mut *self.crash_after_commit.lock().unwrap()) {
            panic!("process killed after the server committed");
        }
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: protocol::encode_response(&results).unwrap(),
        })
    }
}

fn queue(store: &mut Store, n: usize) -> Vec<[u8; 16]> {
    (0..n)
        .map(|i| {
            let key = outbox::new_idempotency_key().unwrap();
            let item = NewItem {
                idempotency_key: key,
                kind: ItemKind::Declaration,
                body: vec![i as u8; 40],
            };
            let venue = ScannedVenue::Unverified {
                text: format!("venue {i}"),
            };
            diary::check_in(store, &venue, NOW, Some(&item)).unwrap();
            key
        })
        .collect()
}

fn drain_at(
    store: &mut Store,
    fake: &FakeAuthority,
    options: &DrainOptions,
    now: i64,
) -> khaibao_core::Result<outbox::DrainReport> {
    outbox::drain_with(
        store,
        fake,
        "http://authority.invalid/",
        options,
        now,
        &NoProgress,
        &CancelToken::new(),
    )
}

#[test]
fn retry_after_is_honoured_then_item_is_delivered_and_deleted() {
    let mut store = test_support::store_in_memory(NOW);
    let keys = queue(&mut store, 1);
    let fake = FakeAuthority::new(|call, _| {
        (call == 0).then(|| status(503, "busy", &[("Retry-After", "120")]))
    });
    let options = DrainOptions::default();
    let err = drain_at(&mut store, &fake, &options, NOW).unwrap_err();
    assert!(
        matches!(err, Error::Net(NetError::Server { status: 503 })),
        "{err:?}"
    );
    assert_eq!(outbox::next_attempt_at(&store).unwrap(), Some(NOW + 120));
    let early = drain_at(&mut store, &fake, &options, NOW + 60).unwrap();
    assert_eq!((early.sent, early.remaining), (0, 1), "still backing off");
    assert_eq!(fake.batches.lock().unwrap().len(), 1);
    let report = drain_at(&mut store, &fake, &options, NOW + 120).unwrap();
    assert_eq!((report.sent, report.accepted, report.remaining), (1, 1, 0));
    let c = outbox::counts(&store).unwrap();
    assert_eq!((c.pending, c.in_flight, c.delivered, c.dead), (0, 0, 1, 0));
    assert_eq!(
        outbox::receipt_for(&store, &keys[0]).unwrap(),
        Some("rc-0".into())
    );
    assert_eq!(outbox::next_attempt_at(&store).unwrap(), None);
}

#[test]
fn network_failure_backs_off_with_jitter_under_the_cap_and_send_now_ignores_it() {
    struct Down;
    impl HttpClient for Down {
        fn send(&self, _: HttpRequest) -> khaibao_core::Result<HttpResponse> {
            Err(Error::Net(NetError::Network("connect".into())))
        }
    }
    let mut store = test_support::store_in_memory(NOW);
    queue(&mut store, 3);
    let options = DrainOptions::default();
    for attempt in 0..12 {
        // Each failed attempt waits at most base * 2^attempts, capped.
        let now = outbox::next_attempt_at(&store).unwrap().unwrap().max(NOW);
        let err = outbox::drain_with(
            &mut store,
            &Down,
            "http://x",
            &options,
            now,
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Net(NetError::Network(_))));
        let next = outbox::next_attempt_at(&store).unwrap().unwrap();
        assert!(
            next - now <= i64::try_from(options.retry.ceiling(attempt)).unwrap(),
            "attempt {attempt}: {}",
            next - now
        );
    }
    assert_eq!(outbox::counts(&store).unwrap().pending, 3);
    // "Send now" ignores the backoff.
    let fake = FakeAuthority::ok();
    let report = outbox::drain(&mut store, &fake, "http://x", 50, NOW).unwrap();
    assert_eq!(report.accepted, 3);
}

#[test]
fn permanent_4xx_goes_dead_with_reason_but_408_and_429_retry() {
    let mut store = test_support::store_in_memory(NOW);
    queue(&mut store, 2);
    let fake = FakeAuthority::new(|call, _| match call {
        0 => Some(status(408, "", &[])),
        1 => Some(status(
            429,
            "",
            &[("retry-after", "Thu, 01 Jan 2026 00:01:00 GMT")],
        )),
        _ => Some(status(400, "format.invalid_field\u{0}\n", &[])),
    });
    let options = DrainOptions {
        honour_backoff: false,
        ..DrainOptions::default()
    };
    assert!(matches!(
        drain_at(&mut store, &fake, &options, NOW),
        Err(Error::Net(NetError::Server { status: 408 }))
    ));
    let now = outbox::next_attempt_at(&store).unwrap().unwrap();
    assert!(matches!(
        drain_at(&mut store, &fake, &options, now),
        Err(Error::Net(NetError::Server { status: 429 }))
    ));
    assert_eq!(
        outbox::next_attempt_at(&store).unwrap(),
        Some(NOW + 60),
        "HTTP-date Retry-After"
    );
    let report = drain_at(&mut store, &fake, &options, NOW + 60).unwrap();
    assert_eq!((report.rejected, report.remaining), (2, 0));
    let dead = outbox::dead_items(&store).unwrap();
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0].reason, "http 400: format.invalid_field");
    assert_eq!(dead[0].attempts, 3);
}

#[test]
fn payload_too_large_splits_the_batch() {
    let mut store = test_support::store_in_memory(NOW);
    queue(&mut store, 10);
    let fake = FakeAuthority::new(|_, n| (n > 3).then(|| status(413, "", &[])));
    let options = DrainOptions {
        batch_size: 8,
        ..DrainOptions::default()
    };
    let report = drain_at(&mut store, &fake, &options, NOW).unwrap();
    assert_eq!(
        (report.accepted, report.remaining, report.rejected),
        (10, 0, 0)
    );
    assert_eq!(*fake.batches.lock().unwrap(), vec![8, 4, 2, 2, 2, 2, 2]);
}

#[test]
fn crash_between_commit_and_settle_resends_after_the_lease_and_keeps_the_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path, &test_key(), NOW).unwrap();
    let keys = queue(&mut store, 3);
    let fake = FakeAuthority::ok();
    *fake.crash_after_commit.lock().unwrap() = true;
    let options = DrainOptions {
        lease_secs: 100,
        ..DrainOptions::default()
    };
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        drain_at(&mut store, &fake, &options, NOW)
    }));
    assert!(crashed.is_err());
    drop(store);
    let mut store = Store::open(&path, &test_key(), NOW).unwrap();
    assert_eq!(outbox::counts(&store).unwrap().in_flight, 3);
    let during_lease = drain_at(&mut store, &fake, &options, NOW + 50).unwrap();
    assert_eq!((during_lease.sent, during_lease.remaining), (0, 3));
    let after = drain_at(&mut store, &fake, &options, NOW + 100).unwrap();
    assert_eq!(
        (after.duplicates, after.accepted, after.remaining),
        (3, 0, 0)
    );
    let stored = fake.stored.lock().unwrap();
    assert_eq!(stored.len(), 3);
    for k in &keys {
        assert_eq!(
            outbox::receipt_for(&store, k).unwrap().as_ref(),
            stored.get(k.as_slice())
        );
    }
}

#[test]
fn progress_is_reported_and_cancel_stops_between_batches() {
    struct Recorder {
        seen: Mutex<Vec<(u64, u64)>>,
        cancel: CancelToken,
    }
    impl DrainListener for Recorder {
        fn progress(&self, done: u64, total: u64) {
            self.seen.lock().unwrap().push((done, total));
            if done >= 4 {
                self.cancel.cancel();
            }
        }
    }
    let mut store = test_support::store_in_memory(NOW);
    queue(&mut store, 7);
    let fake = FakeAuthority::ok();
    let cancel = CancelToken::new();
    let rec = Recorder {
        seen: Mutex::default(),
        cancel: cancel.clone(),
    };
    let options = DrainOptions {
        batch_size: 2,
        ..DrainOptions::default()
    };
    let report =
        outbox::drain_with(&mut store, &fake, "http://x", &options, NOW, &rec, &cancel).unwrap();
    assert!(report.cancelled);
    assert_eq!((report.accepted, report.remaining), (4, 3));
    assert_eq!(*rec.seen.lock().unwrap(), vec![(2, 7), (4, 7)]);
    let rest = outbox::drain_with(
        &mut store,
        &fake,
        "http://x",
        &options,
        NOW,
        &rec,
        &CancelToken::new(),
    )
    .unwrap();
    assert_eq!(
        (rest.accepted, rest.remaining, rest.cancelled),
        (3, 0, false)
    );
}

/// Checks, each time it is told of progress, that the drain has let go of the store.
struct StoreFreeCheck(Arc<Mutex<Store>>);

impl DrainListener for StoreFreeCheck {
    fn progress(&self, _done: u64, _total: u64) {
        assert!(
            self.0.try_lock().is_ok(),
            "progress reported under the store"
        );
    }
}

#[test]
fn the_store_is_free_while_a_request_is_out_and_items_queued_meanwhile_go_in_the_same_drain() {
    let shared = Arc::new(Mutex::new(test_support::store_in_memory(NOW)));
    let first = queue(&mut shared.lock().unwrap(), 1);
    let during = shared.clone();
    let queued_meanwhile = Arc::new(Mutex::new(Vec::new()));
    let record = queued_meanwhile.clone();
    // While the authority handles the first request, the citizen checks in again.
    let fake = FakeAuthority::new(move |call, _| {
        if call == 0 {
            let mut store = during
                .try_lock()
                .expect("the drain held the store during its request");
            record.lock().unwrap().extend(queue(&mut store, 1));
        }
        None
    });
    let report = outbox::drain_with(
        &*shared,
        &fake,
        "http://authority.invalid/",
        &DrainOptions::default(),
        NOW,
        &StoreFreeCheck(shared.clone()),
        &CancelToken::new(),
    )
    .unwrap();
    assert_eq!((report.sent, report.accepted, report.remaining), (2, 2, 0));
    assert_eq!(*fake.batches.lock().unwrap(), vec![1, 1]);
    let store = shared.lock().unwrap();
    for key in first.iter().chain(queued_meanwhile.lock().unwrap().iter()) {
        assert!(outbox::receipt_for(&store, key).unwrap().is_some());
    }
}
