//! Privacy checks: personal data never reaches logs or error messages, and the personal pass
//! carries no identity in the clear.
//!
//! The project's own code logs nothing; its dependencies log through both `log` (reqwest,
//! rustls-platform-verifier) and `tracing` (hyper-util). This test installs a capturing
//! `log` logger and a capturing `tracing` subscriber, both at TRACE, as process-wide
//! defaults (so the server's and the HTTP client's threads are captured too), then runs
//! the `khaibao demo` flow and a flow of its own with a full identity (name, CCCD number,
//! phone, email, street) that also walks every error path with that data in the input.
//! Nothing of the identity or the venue may appear in the captured log or in any error's
//! `Display` or `Debug`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

// The demo is a module of the `khaibao` binary, not of the library; the test compiles the
// same file so that its flow runs in this process, under the capture.
#[path = "../../authority/src/cli/demo.rs"]
mod demo;

use khaibao_authority::http::{RunningServer, ingest_body};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::poster;
use khaibao_core::declaration::status::{StatusRules, derive_status};
use khaibao_core::declaration::{self, Declaration, IdDocument, Submission, Symptom};
use khaibao_core::diary::checkin;
use khaibao_core::encoding::codec::{base64url_decode, base64url_encode};
use khaibao_core::net::transport::ReqwestClient;
use khaibao_core::pass::stafflog::StaffLog;
use khaibao_core::pass::{self, PassInput};
use khaibao_core::storage::store::Store;
use khaibao_core::test_support;
use khaibao_core::upload::outbox;
use khaibao_core::upload::protocol::ItemKind;
use khaibao_core::venue::{self, ScannedVenue, Venue, VenueCategory};
use khaibao_core::{diary, scan, seal};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

// ---- capture ------------------------------------------------------------------------------

static CAPTURED: Mutex<String> = Mutex::new(String::new());
static RECORDS: AtomicU64 = AtomicU64::new(0);

fn capture(line: &str) {
    RECORDS.fetch_add(1, Ordering::Relaxed);
    let mut c = CAPTURED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    c.push_str(line);
    c.push('\n');
}

struct LogCapture;

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        capture(&format!(
            "log {} {}: {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

/// Writes every field of spans and events, `Debug`-formatted, as a formatting subscriber
/// would.
struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

struct TracingCapture {
    next_id: AtomicU64,
}

impl tracing::Subscriber for TracingCapture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        capture(&line);
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed))
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::from("span record");
        values.record(&mut Fields(&mut line));
        capture(&line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!(
            "event {} {}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut line));
        capture(&line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn install_capture() {
    log::set_logger(&LogCapture).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);
    tracing::subscriber::set_global_default(TracingCapture {
        next_id: AtomicU64::new(1),
    })
    .expect("the only subscriber");
}

// ---- the identity -------------------------------------------------------------------------

const NAME: &str = "Phạm Thị Riêng Tư";
const CCCD: &str = "079190004321";
const PHONE: &str = "0987 650 123";
const PHONE_E164: &str = "+84987650123";
const EMAIL: &str = "rieng.tu@example.vn";
const STREET: &str = "42 Ngõ Bí Mật";
const VENUE_NAME: &str = "Nhà sách Kín Đáo";
const VENUE_ADDRESS: &str = "7 Phố Ẩn Danh, Hoàn Kiếm";
/// What the `khaibao demo` flow uses (authority/src/cli/demo.rs).
const DEMO_SECRETS: [&str; 4] = [
    "Nguyễn Thị Minh Khai",
    "0912 345 678",
    "Phở Thìn Lò Đúc",
    "13 Lò Đúc",
];

/// The identity as it may appear anywhere: as typed, normalised, and the digits alone.
fn secrets() -> Vec<String> {
    let mut s: Vec<String> = [
        NAME,
        CCCD,
        PHONE,
        PHONE_E164,
        "987650123",
        EMAIL,
        STREET,
        VENUE_NAME,
        VENUE_ADDRESS,
        "Riêng Tư",
        "Kín Đáo",
    ]
    .map(str::to_owned)
    .to_vec();
    s.extend(DEMO_SECRETS.map(str::to_owned));
    s
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(&secret),
            "{what} contains personal data ({} chars)",
            secret.len()
        );
    }
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every error the flows produce, as `Display` and `Debug`.
#[derive(Default)]
struct Errors(Vec<String>);

impl Errors {
    fn note<T, E: std::fmt::Display + std::fmt::Debug>(&mut self, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(format!("{e} / {e:?}"));
                None
            }
        }
    }
}

fn form() -> Declaration {
    Declaration {
        full_name: NAME.into(),
        birth_year: 1990,
        id_document: Some(IdDocument::Cccd {
            number: CCCD.into(),
        }),
        phone: PHONE.into(),
        email: Some(EMAIL.into()),
        province: 1,
        street: STREET.into(),
        symptoms: vec![Symptom::Fever],
        close_contact: true,
        ..Declaration::default()
    }
}

fn venue(now: i64) -> Venue {
    Venue {
        name: VENUE_NAME.into(),
        address: VENUE_ADDRESS.into(),
        province: 1,
        category: VenueCategory::Office,
        default_stay_minutes: 30,
        not_before: now - 3600,
        not_after: now + 86_400,
        issuer: "privacy-test".into(),
        ..test_support::venue("a1a2a3a4a5a6a7a8a9aaabacadaeafb0")
    }
}

// ---- the flow -----------------------------------------------------------------------------

/// Poster → scan → check-in with a sealed declaration → upload → register → pass → staff
/// scan and replay; then the same data through the error paths. Returns the pass text.
fn identity_flow(errors: &mut Errors) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let now = khaibao_authority::unix_now();
    let keys = AuthorityKeys::generate().unwrap();
    let public = keys.public();
    let trusted = std::slice::from_ref(&public.venue_key);
    let devices = std::slice::from_ref(&public.device_key);
    let code = venue::issue(&venue(now), keys.venue_pkcs8()).unwrap();
    let png = dir.path().join("venue.png");
    poster::write_qr_png(&code, 4, &png).unwrap();
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        keys,
    )
    .unwrap();

    let found = scan::scan_image(&std::fs::read(&png).unwrap()).unwrap();
    let scanned = venue::read(found[0].text.as_deref().unwrap(), trusted, now).unwrap();
    assert!(matches!(scanned, ScannedVenue::Verified { .. }));

    let mut store = Store::open(
        &dir.path().join("citizen.db"),
        &test_support::master_key_from(4),
        now,
    )
    .unwrap();
    let declaration = declaration::validate(&form(), now).unwrap();
    let device = store.device_key(now).unwrap();
    let venue_id = venue(now).id;
    let sealed = checkin::seal_declaration(
        &device,
        &public.sealing_public,
        &form(),
        Some(&venue_id),
        now,
    )
    .unwrap();
    let (item, payload) = (sealed.item, sealed.payload);
    let body = item.body.clone();
    diary::check_in_declared(&mut store, &scanned, now, &item, &payload).unwrap();
    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(15)).unwrap();
    let report = outbox::drain(&mut store, &client, &server.base_url(), 50, now).unwrap();
    assert_eq!(report.accepted, 1);
    let stored = server
        .state()
        .with_db(|db| db.declarations(server.state().keys().sealing()))
        .unwrap();
    assert_eq!(stored[0].submission.declaration.full_name, NAME);

    let certificate = pass::register_device(&device, &client, &server.base_url(), now).unwrap();
    let make = |name: Option<&str>| {
        pass::make_pass(&PassInput {
            device: &device,
            certificate: &certificate,
            status: derive_status(&declaration, &StatusRules::default(), now),
            declared_at: now,
            name,
            personal_data: &payload,
            authority_sealing_key: &public.sealing_public,
            now,
            valid_seconds: pass::DEFAULT_PASS_SECONDS,
        })
        .unwrap()
    };
    let anonymous = make(None);
    let named = make(Some(NAME));
    let pass_png = dir.path().join("pass.png");
    poster::write_qr_png(&anonymous, 4, &pass_png).unwrap();
    let shown = scan::scan_image(&std::fs::read(&pass_png).unwrap()).unwrap()[0]
        .text
        .clone()
        .unwrap();
    assert_eq!(shown, anonymous);
    let mut staff = StaffLog::open_in_memory(devices.to_vec()).unwrap();
    staff.scan(&shown, now + 10).unwrap();
    let csv = staff.export_csv(now + 10).unwrap();
    assert_clean("the staff CSV export", &csv);

    // Error paths, each fed the identity where the API takes data.
    errors.note(staff.scan(&shown, now + 20)); // replay
    errors.note(staff.scan(&named, now + 3600)); // expired
    errors.note(pass::verify_pass(&named, &[], now)); // unknown authority
    let mut raw = base64url_decode(&named[pass::PASS_PREFIX.len()..]).unwrap();
    let n = raw.len();
    raw[n - 3] ^= 1;
    errors.note(pass::verify_pass(
        &format!("{}{}", pass::PASS_PREFIX, base64url_encode(&raw)),
        devices,
        now,
    ));
    errors.note(pass::verify_pass(
        &format!("{}{NAME}{CCCD}", pass::PASS_PREFIX),
        devices,
        now,
    ));
    errors.note(venue::verify(
        &format!("{}{NAME}", venue::URL_PREFIX),
        trusted,
        now,
    ));
    errors.note(venue::verify(&code, trusted, now + 10 * 86_400)); // expired venue
    errors.note(venue::verify(&code, &[], now)); // unknown key
    let mut bad_form = form();
    bad_form.phone = format!("{PHONE}{NAME}");
    bad_form.id_document = Some(IdDocument::Cccd {
        number: format!("{CCCD}{CCCD}"),
    });
    bad_form.email = Some(format!("{NAME}@"));
    if let Err(fields) = declaration::validate(&bad_form, now) {
        assert!(!fields.is_empty());
        for f in &fields {
            errors.0.push(format!("{f:?}"));
        }
    }
    let other = seal::SealingKey::generate().unwrap();
    errors.note(seal::open_and_verify(&other, &body, &item.idempotency_key));
    errors.note(Submission::from_cbor(NAME.as_bytes()));
    errors.note(Store::open(
        &dir.path().join("citizen.db"),
        &test_support::master_key_from(5),
        now,
    ));
    errors.note(diary::check_out(&mut store, now - 86_400 * 400));
    // The authority rejects a tampered item: its reason goes back to the phone.
    let mut tampered = body.clone();
    let n = tampered.len();
    tampered[n - 1] ^= 1;
    let ingest = khaibao_core::upload::protocol::encode_request(&[
        khaibao_core::upload::protocol::IngestItem {
            idempotency_key: vec![9; 16],
            kind: ItemKind::Declaration,
            body: tampered,
        },
    ])
    .unwrap();
    errors
        .0
        .push(format!("{:?}", ingest_body(server.state(), &ingest, now)));
    let offline = server.base_url();
    server.stop();
    checkin::check_in(
        &mut store,
        &scanned,
        Some(&form()),
        &public.sealing_public,
        now + 7200,
    )
    .unwrap();
    errors.note(outbox::drain(&mut store, &client, &offline, 50, now + 7200));
    (anonymous, named)
}

#[test]
fn no_personal_data_in_logs_errors_or_the_pass() {
    install_capture();
    // The capture works: a canary through each facade is recorded.
    log::trace!("canary-log");
    tracing::trace!(field = "canary-tracing", "event");

    let mut demo_out = Vec::new();
    demo::run(&mut demo_out).expect("the demo flow runs");
    let mut errors = Errors::default();
    let (anonymous, named) = identity_flow(&mut errors);
    assert!(
        errors.0.len() >= 12,
        "the error paths ran: {}",
        errors.0.len()
    );
    for (i, e) in errors.0.iter().enumerate() {
        assert_clean(&format!("error #{i}"), e);
    }

    let captured = CAPTURED.lock().unwrap().clone();
    assert!(captured.contains("canary-log") && captured.contains("canary-tracing"));
    let records = RECORDS.load(Ordering::Relaxed);
    assert!(
        records > 2,
        "dependencies logged nothing at TRACE ({records} records): the capture is not wired"
    );
    eprintln!(
        "privacy: {records} log records and {} errors checked",
        errors.0.len()
    );
    assert_clean("the TRACE log", &captured);

    // The pass without the name: nothing of the identity in its text or its CBOR.
    let raw = base64url_decode(&anonymous[pass::PASS_PREFIX.len()..]).unwrap();
    for secret in secrets() {
        assert!(!anonymous.contains(&secret), "pass text carries identity");
        assert!(
            !contains_bytes(&raw, secret.as_bytes()),
            "pass CBOR carries identity in the clear"
        );
    }
    // The search would find a name that is there: the pass the person chose to show it on.
    let raw_named = base64url_decode(&named[pass::PASS_PREFIX.len()..]).unwrap();
    assert!(contains_bytes(&raw_named, NAME.as_bytes()));
    for secret in [CCCD, PHONE, PHONE_E164, EMAIL, STREET] {
        assert!(!contains_bytes(&raw_named, secret.as_bytes()));
    }
}
