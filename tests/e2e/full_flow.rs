//! The whole flow in one process: authority keys, a venue poster rendered to PNG, scan,
//! verify, check-in with a sealed declaration queued in the same transaction, upload over
//! reqwest to the authority on loopback, and what the authority stored.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::http::RunningServer;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::poster;
use khaibao_core::declaration::{self, Declaration, Symptom};
use khaibao_core::diary::checkin;
use khaibao_core::error::NetError;
use khaibao_core::net::transport::{HttpClient, HttpRequest, HttpResponse, ReqwestClient};
use khaibao_core::storage::store::Store;
use khaibao_core::test_support;
use khaibao_core::upload::outbox;
use khaibao_core::upload::protocol::{self, ItemStatus};
use khaibao_core::venue::{self, ScannedVenue, Venue, VenueCategory};
use khaibao_core::{Error, diary, scan};
use std::sync::Mutex;
use std::time::Duration;

/// The test's clock: today's midnight (UTC) by the server's clock, which bounds declaration
/// times (venue codes carry whole days).
static NOW: std::sync::LazyLock<i64> =
    std::sync::LazyLock::new(|| khaibao_authority::unix_now().div_euclid(86_400) * 86_400);

fn venue() -> Venue {
    Venue {
        name: "Siêu thị Co.opmart Cống Quỳnh".into(),
        address: "189C Cống Quỳnh, phường Nguyễn Cư Trinh, Quận 1, TP. Hồ Chí Minh".into(),
        category: VenueCategory::Market,
        not_before: *NOW - 86_400,
        not_after: *NOW + 86_400 * 30,
        ..test_support::venue("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    }
}

fn form() -> Declaration {
    Declaration {
        full_name: "Lê Văn Tám".into(),
        birth_year: 1979,
        phone: "+84 98 765 4321".into(),
        province: 79,
        symptoms: vec![Symptom::Fatigue, Symptom::LossOfTasteOrSmell],
        close_contact: true,
        ..Declaration::default()
    }
}

/// The library's client, keeping the last request it sent so a test can send it again.
struct Recording {
    inner: ReqwestClient,
    last: Mutex<Option<HttpRequest>>,
}

impl HttpClient for Recording {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        *self.last.lock().expect("lock") = Some(request.clone());
        self.inner.send(request)
    }
}

fn declare(store: &mut Store, scanned: &ScannedVenue, sealing_public: &[u8]) -> [u8; 16] {
    checkin::check_in(store, scanned, Some(&form()), sealing_public, *NOW)
        .expect("check in")
        .queued
        .expect("declaration queued")
}

#[test]
fn poster_to_stored_declaration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = AuthorityKeys::generate().expect("keys");
    let public = keys.public();
    let code = venue::issue(&venue(), keys.venue_pkcs8()).expect("issue");
    let png = dir.path().join("poster.png");
    poster::write_qr_png(&code, 6, &png).expect("render");
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        keys,
    )
    .expect("server");

    // Citizen: scan the PNG and verify the venue.
    let found = scan::scan_image(&std::fs::read(&png).expect("read png")).expect("scan");
    assert_eq!(found.len(), 1);
    let scanned = venue::read(
        found[0].text.as_deref().expect("utf-8"),
        std::slice::from_ref(&public.venue_key),
        *NOW,
    )
    .expect("verify");
    let ScannedVenue::Verified { venue: seen } = &scanned else {
        panic!("not verified")
    };
    assert_eq!(seen, &venue());

    // Check in with a sealed declaration in the same transaction.
    let mut store = Store::open(
        &dir.path().join("citizen.db"),
        &test_support::master_key(),
        *NOW,
    )
    .expect("store");
    let key = declare(&mut store, &scanned, &public.sealing_public);
    assert_eq!(outbox::counts(&store).expect("counts").pending, 1);

    // Upload over reqwest; the authority verifies, opens and stores it.
    let client = Recording {
        inner: ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).expect("client"),
        last: Mutex::new(None),
    };
    let report = outbox::drain(&mut store, &client, &server.base_url(), 50, *NOW).expect("drain");
    assert_eq!((report.sent, report.accepted, report.remaining), (1, 1, 0));
    let stored = server
        .state()
        .with_db(|db| db.declarations(server.state().keys().sealing()))
        .expect("read back");
    assert_eq!(stored.len(), 1);
    let expected = declaration::validate(&form(), *NOW).expect("valid");
    assert_eq!(stored[0].submission.declaration, expected);
    assert_eq!(
        stored[0].submission.venue_id.as_deref(),
        Some(seen.id.as_str())
    );
    assert_eq!(stored[0].receipt, report.receipts[0]);

    assert_eq!(
        outbox::receipt_for(&store, &key).expect("receipt"),
        Some(report.receipts[0].clone())
    );

    // Resending the same sealed batch (a lost acknowledgement) is answered as a duplicate
    // with the original receipt, and nothing is stored twice.
    let again = client
        .last
        .lock()
        .expect("lock")
        .clone()
        .expect("a request was sent");
    let answer = client.inner.send(again).expect("resend");
    let results = protocol::decode_response(&answer.body).expect("answer");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].idempotency_key, key);
    assert_eq!(
        results[0].status,
        ItemStatus::Duplicate {
            receipt: report.receipts[0].clone()
        }
    );
    assert_eq!(server.state().with_db(|db| db.count()).expect("count"), 1);

    let visits = diary::visits(&store).expect("diary");
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].venue_name, venue().name);
}

#[test]
fn tampered_body_is_rejected_and_kept_as_dead() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = AuthorityKeys::generate().expect("keys");
    let sealing_public = keys.public().sealing_public;
    let server = RunningServer::start(([127, 0, 0, 1], 0).into(), &dir.path().join("a.db"), keys)
        .expect("server");
    let mut store = test_support::store_in_memory(*NOW);
    let device = store.device_key(*NOW).expect("device key");
    let venue_id = venue().id;
    let mut sealed =
        checkin::seal_declaration(&device, &sealing_public, &form(), Some(&venue_id), *NOW)
            .expect("seal");
    let last = sealed.item.body.len() - 1;
    sealed.item.body[last] ^= 1;
    let scanned = ScannedVenue::Verified { venue: venue() };
    diary::check_in_declared(&mut store, &scanned, *NOW, &sealed.item, &sealed.payload)
        .expect("check in");
    let client =
        ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).expect("client");
    let report = outbox::drain(&mut store, &client, &server.base_url(), 50, *NOW).expect("drain");
    assert_eq!(report.rejected, 1);
    let counts = outbox::counts(&store).expect("counts");
    assert_eq!((counts.pending, counts.dead), (0, 1));
    assert_eq!(server.state().with_db(|db| db.count()).expect("count"), 0);
}

#[test]
fn unreachable_authority_leaves_items_pending() {
    let mut store = test_support::store_in_memory(*NOW);
    let keys = AuthorityKeys::generate().expect("keys");
    declare(
        &mut store,
        &ScannedVenue::Verified { venue: venue() },
        &keys.public().sealing_public,
    );
    // Bind then drop a listener so the port is very likely closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let client =
        ReqwestClient::new(Duration::from_secs(2), Duration::from_secs(5)).expect("client");
    let err = outbox::drain(
        &mut store,
        &client,
        &format!("http://127.0.0.1:{port}"),
        50,
        *NOW,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Net(NetError::Network(_))), "{err:?}");
    assert_eq!(outbox::counts(&store).expect("counts").pending, 1);
}

/// Whether `secret` appears in `bytes` as UTF-8.
fn holds(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

#[test]
fn staff_log_traceable_by_authority() {
    use khaibao_core::declaration::Submission;
    use khaibao_core::declaration::status::HealthStatus;
    use khaibao_core::pass::{self, PassInput, stafflog::StaffLog};

    let dir = tempfile::tempdir().expect("tempdir");
    let keys = AuthorityKeys::generate().expect("keys");
    let public = keys.public();
    let signing = keys.device_pkcs8().to_vec();
    let server = RunningServer::start(([127, 0, 0, 1], 0).into(), &dir.path().join("a.db"), keys)
        .expect("server");

    // The citizen's pass, carrying their declaration sealed to the authority.
    let mut citizen = test_support::store_in_memory(*NOW);
    let device = citizen.device_key(*NOW).expect("device key");
    let cert = pass::certify_device(&signing, &device.public_key(), *NOW - 60, *NOW + 86_400)
        .expect("certificate");
    let declared = declaration::validate(&form(), *NOW).expect("valid");
    let personal = Submission {
        declaration: declared.clone(),
        declared_at: *NOW,
        venue_id: None,
    }
    .to_cbor()
    .expect("cbor");
    let make = |at: i64| {
        pass::make_pass(&PassInput {
            device: &device,
            certificate: &cert,
            status: HealthStatus::Green,
            declared_at: *NOW,
            name: None,
            personal_data: &personal,
            authority_sealing_key: &public.sealing_public,
            now: at,
            valid_seconds: pass::DEFAULT_PASS_SECONDS,
        })
        .expect("pass")
    };

    // The venue's door log: in at 08:00, out at 09:00 (Vietnam time is UTC+7).
    let entered = *NOW + 3600;
    let log_path = dir.path().join("door.db");
    let mut log = StaffLog::open(&log_path, vec![public.device_key.clone()]).expect("staff log");
    log.scan(&make(entered), entered).expect("entry");
    log.scan(&make(entered + 3600), entered + 3600)
        .expect("exit");

    // The venue holds the visitor's data only sealed: nothing readable in its files or its
    // export, and no other key opens the seal.
    let csv = log.export_csv(entered).expect("export");
    let mut files = vec![csv.clone().into_bytes()];
    for name in ["door.db", "door.db-wal"] {
        if let Ok(b) = std::fs::read(dir.path().join(name)) {
            files.push(b);
        }
    }
    for secret in [&form().full_name, "987654321", "+84 98 765 4321"] {
        assert!(files.iter().all(|b| !holds(b, secret)), "{secret} readable");
    }
    let row: Vec<&str> = csv.lines().nth(1).expect("a passage").split(',').collect();
    let mut aad = khaibao_core::encoding::codec::unhex(row[0], 16).expect("pseudonym");
    aad.extend(khaibao_core::encoding::codec::unhex(row[4], 8).expect("nonce"));
    let sealed = khaibao_core::encoding::codec::base64url_decode(row[5]).expect("sealed");
    let stranger = AuthorityKeys::generate().expect("other keys");
    assert!(
        stranger
            .sealing()
            .open(pass::PASS_INFO, &aad, &sealed)
            .is_err()
    );

    // An authority with another sealing key (a wrong or fake endpoint) cannot open it: the
    // passage is refused there, and kept.
    let wrong = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("wrong.db"),
        stranger,
    )
    .expect("server");
    let client =
        ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).expect("client");
    let venue_id = venue().id;
    // The staff device's own database, whose outbox sends the passages.
    let mut staff_device = test_support::store_in_memory(*NOW);
    let mut copy = StaffLog::open(&dir.path().join("copy.db"), vec![public.device_key.clone()])
        .expect("staff log");
    copy.scan(&make(entered), entered).expect("entry");
    let queued = copy
        .queue_uploads(&mut staff_device, &venue_id, entered + 86_400)
        .expect("queue");
    assert_eq!(queued, 1);
    let refused =
        outbox::drain(&mut staff_device, &client, &wrong.base_url(), 50, *NOW).expect("upload");
    assert_eq!((refused.sent, refused.rejected), (1, 1));
    assert_eq!(outbox::dead_items(&staff_device).expect("dead").len(), 1);
    assert_eq!(wrong.state().with_db(|db| db.count()).expect("count"), 0);

    // Through the ingest endpoint every phone uploads to, with the outbox's backoff: an
    // authority answering 503 with Retry-After is not asked again before then.
    let mut staff_device = test_support::store_in_memory(*NOW);
    let queued = log
        .queue_uploads(&mut staff_device, &venue_id, entered + 3600)
        .expect("queue");
    assert_eq!(queued, 1);
    let busy = Busy {
        inner: &client,
        left: Mutex::new(1),
    };
    let options = outbox::DrainOptions::default();
    let drain = |store: &mut Store, client: &dyn HttpClient, at: i64| {
        outbox::drain_with(
            store,
            client,
            &server.base_url(),
            &options,
            at,
            &outbox::NoProgress,
            &outbox::CancelToken::new(),
        )
    };
    let err = drain(&mut staff_device, &busy, *NOW).expect_err("busy");
    assert!(matches!(err, Error::Net(NetError::Server { status: 503 })));
    assert_eq!(
        outbox::next_attempt_at(&staff_device).expect("next"),
        Some(*NOW + 120)
    );
    let early = drain(&mut staff_device, &busy, *NOW + 60).expect("early");
    assert_eq!(early.sent, 0, "Retry-After honoured");

    // Then the authority opens it with its sealing key and finds the visitor at the venue,
    // at the time they entered.
    let report = drain(&mut staff_device, &busy, *NOW + 120).expect("upload");
    assert_eq!((report.sent, report.accepted, report.rejected), (1, 1, 0));
    let stored = server
        .state()
        .with_db(|db| db.declarations(server.state().keys().sealing()))
        .expect("read back");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].submission.declaration, declared);
    assert_eq!(
        stored[0].submission.venue_id.as_deref(),
        Some(venue_id.as_str())
    );
    assert_eq!(stored[0].submission.declared_at, entered);
    assert!(stored[0].device_kid.starts_with("door:"));
    // Delivered once: nothing is queued or sent again.
    let again = log
        .queue_uploads(&mut staff_device, &venue_id, entered + 7200)
        .expect("queue");
    assert_eq!(again, 0);
    let again = drain(&mut staff_device, &client, *NOW + 7200).expect("upload");
    assert_eq!(again.sent, 0);
    assert_eq!(server.state().with_db(|db| db.count()).expect("count"), 1);
}

/// An authority that answers the first `left` requests with 503 and `Retry-After: 120`.
struct Busy<'a> {
    inner: &'a dyn HttpClient,
    left: Mutex<u32>,
}

impl HttpClient for Busy<'_> {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        let mut left = self.left.lock().expect("lock");
        if *left > 0 {
            *left -= 1;
            return Ok(HttpResponse {
                status: 503,
                headers: vec![khaibao_core::net::transport::HttpHeader {
                    name: "Retry-After".into(),
                    value: "120".into(),
                }],
                body: Vec::new(),
            });
        }
        drop(left);
        self.inner.send(request)
    }
}
