//! The whole flow in one process: authority keys, a venue poster rendered to PNG, scan,
//! verify, check-in with a sealed declaration queued in the same transaction, upload over
//! reqwest to the authority on loopback, and what the authority stored.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::poster;
use khaibao_authority::server::RunningServer;
use khaibao_core::declaration::{self, Declaration, Submission, Symptom};
use khaibao_core::error::NetError;
use khaibao_core::net::transport::ReqwestClient;
use khaibao_core::storage::store::Store;
use khaibao_core::storage::vault::MasterKey;
use khaibao_core::upload::outbox::{self, NewItem};
use khaibao_core::upload::protocol::ItemKind;
use khaibao_core::venue::{self, ScannedVenue, Venue, VenueCategory};
use khaibao_core::{Error, diary, scan, seal};
use std::time::Duration;

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn venue() -> Venue {
    Venue {
        id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
        name: "Siêu thị Co.opmart Cống Quỳnh".into(),
        address: "189C Cống Quỳnh, phường Nguyễn Cư Trinh, Quận 1, TP. Hồ Chí Minh".into(),
        province: 79,
        district: None,
        ward: None,
        vehicle_plate: None,
        route: None,
        event_start: None,
        event_end: None,
        category: VenueCategory::Market,
        default_stay_minutes: 60,
        not_before: NOW - 86_400,
        not_after: NOW + 86_400 * 30,
        issuer: "test".into(),
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

fn master() -> MasterKey {
    MasterKey::from_bytes(&[9; 32]).expect("master key")
}

fn sealed_item(store: &mut Store, sealing_public: &[u8], venue_id: &str) -> NewItem {
    let declaration = declaration::validate(&form(), NOW).expect("valid form");
    let payload = Submission {
        declaration,
        declared_at: NOW,
        venue_id: Some(venue_id.into()),
    }
    .to_cbor()
    .expect("encode");
    let device = store.device_key(NOW).expect("device key");
    let idempotency_key = outbox::new_idempotency_key().expect("random");
    let body =
        seal::sign_and_seal(&device, sealing_public, payload, &idempotency_key).expect("seal");
    NewItem {
        idempotency_key,
        kind: ItemKind::Declaration,
        body,
    }
}

#[test]
fn poster_to_stored_declaration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = AuthorityKeys::generate().expect("keys");
    let public = keys.public();
    let code = venue::issue(&venue(), keys.signing_pkcs8()).expect("issue");
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
        NOW,
    )
    .expect("verify");
    let ScannedVenue::Verified { venue: seen } = &scanned else {
        panic!("not verified")
    };
    assert_eq!(seen, &venue());

    // Check in with a sealed declaration in the same transaction.
    let mut store = Store::open(&dir.path().join("citizen.db"), &master(), NOW).expect("store");
    let item = sealed_item(&mut store, &public.sealing_public, &seen.id);
    let key = item.idempotency_key;
    diary::check_in(&mut store, &scanned, NOW, Some(&item)).expect("check in");
    assert_eq!(outbox::counts(&store).expect("counts").pending, 1);

    // Upload over reqwest; the authority verifies, opens and stores it.
    let client =
        ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).expect("client");
    let report = outbox::drain(&mut store, &client, &server.base_url(), 50, NOW).expect("drain");
    assert_eq!((report.sent, report.accepted, report.remaining), (1, 1, 0));
    let stored = server
        .state()
        .with_db(|db| db.declarations())
        .expect("read back");
    assert_eq!(stored.len(), 1);
    let expected = declaration::validate(&form(), NOW).expect("valid");
    assert_eq!(stored[0].submission.declaration, expected);
    assert_eq!(
        stored[0].submission.venue_id.as_deref(),
        Some(seen.id.as_str())
    );
    assert_eq!(stored[0].receipt, report.receipts[0]);

    // Resending the same sealed item (a lost acknowledgement) is answered as a duplicate
    // with the original receipt, and nothing is stored twice.
    let again = NewItem {
        idempotency_key: key,
        ..item
    };
    let mut store2 = Store::open_in_memory(&master(), NOW).expect("store");
    diary::check_in(&mut store2, &scanned, NOW, Some(&again)).expect("queue again");
    let report2 = outbox::drain(&mut store2, &client, &server.base_url(), 50, NOW).expect("drain");
    assert_eq!((report2.duplicates, report2.accepted), (1, 0));
    assert_eq!(report2.receipts, report.receipts);
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
    let mut store = Store::open_in_memory(&master(), NOW).expect("store");
    let mut item = sealed_item(&mut store, &sealing_public, &venue().id);
    let last = item.body.len() - 1;
    item.body[last] ^= 1;
    let scanned = ScannedVenue::Verified { venue: venue() };
    diary::check_in(&mut store, &scanned, NOW, Some(&item)).expect("check in");
    let client =
        ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).expect("client");
    let report = outbox::drain(&mut store, &client, &server.base_url(), 50, NOW).expect("drain");
    assert_eq!(report.rejected, 1);
    let counts = outbox::counts(&store).expect("counts");
    assert_eq!((counts.pending, counts.dead), (0, 1));
    assert_eq!(server.state().with_db(|db| db.count()).expect("count"), 0);
}

#[test]
fn unreachable_authority_leaves_items_pending() {
    let mut store = Store::open_in_memory(&master(), NOW).expect("store");
    let keys = AuthorityKeys::generate().expect("keys");
    let item = sealed_item(&mut store, &keys.public().sealing_public, &venue().id);
    diary::check_in(
        &mut store,
        &ScannedVenue::Verified { venue: venue() },
        NOW,
        Some(&item),
    )
    .expect("check in");
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
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Net(NetError::Network(_))), "{err:?}");
    assert_eq!(outbox::counts(&store).expect("counts").pending, 1);
}
