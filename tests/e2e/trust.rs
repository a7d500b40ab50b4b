//! Trust updates end to end: `keygen` makes the root key and keyset update, issuing venues
//! keeps the signed registry, the authority serves both, and a phone that ships only the
//! root key downloads them over the library's reqwest client and resolves the manual code
//! printed on a poster to the verified venue — including one issued while the server runs.
//! The same phone trusts the server's online keys (exposure lists, device certificates)
//! through the keyset for their own usage, also across a rotation with an overlap.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::http::RunningServer;
use khaibao_authority::issuance::{VenueSpec, new_venue};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::{trust as authority_trust, unix_now};
use khaibao_core::error::VenueError;
use khaibao_core::net::transport::ReqwestClient;
use khaibao_core::storage::store::Store;
use khaibao_core::test_support;
use khaibao_core::venue::fetch::sync_trust;
use khaibao_core::venue::registry::manual_code;
use khaibao_core::venue::trust::{self, TrustKind};
use khaibao_core::venue::{self, Venue, VenueCategory};
use khaibao_core::{Error, venue::keyset};
use std::path::Path;
use std::time::Duration;

fn issue(keys_dir: &Path, keys: &AuthorityKeys, name: &str, now: i64) -> (Venue, String) {
    let mut spec = VenueSpec {
        stay_minutes: 45,
        valid_days: 30,
        ..VenueSpec::new(
            name,
            "254 Hòa Hảo, Phường 4, Quận 10",
            79,
            VenueCategory::Restaurant,
        )
    };
    spec.place.district = Some(771);
    let v = new_venue(&spec, now, "khaibao").unwrap();
    let code = venue::issue(&v, keys.venue_pkcs8()).unwrap();
    authority_trust::record_issued(keys_dir, keys, std::slice::from_ref(&code), now).unwrap();
    (v, code)
}

#[test]
fn phone_with_only_the_root_key_resolves_a_posters_manual_code() {
    let dir = tempfile::tempdir().unwrap();
    let keys_dir = dir.path().join("keys");
    let now = unix_now();
    // What `khaibao keygen` does in an empty folder.
    AuthorityKeys::generate().unwrap().save(&keys_dir).unwrap();
    let keys = AuthorityKeys::load(&keys_dir).unwrap();
    assert!(authority_trust::ensure_root(&keys_dir, &keys.public(), now).unwrap());
    let root = authority_trust::root_public(&keys_dir).unwrap();
    let (pho, _) = issue(&keys_dir, &keys, "Quán phở Hòa", now);

    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        AuthorityKeys::load(&keys_dir).unwrap(),
    )
    .unwrap();
    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).unwrap();
    let mut store = Store::open(
        &dir.path().join("phone.db"),
        &test_support::master_key_from(9),
        now,
    )
    .unwrap();
    let base = server.base_url();

    // The app ships no venue key at all: everything comes from the root-signed update.
    let first = sync_trust(&mut store, &client, &base, &[], Some(&root), now).unwrap();
    assert!(first.keyset_updated && first.registry_updated);
    assert_eq!(first.requests, 2);
    assert_eq!(first.registry.unwrap().entries, 1);
    let keyset = trust::effective_keyset(&store, &[], Some(&root)).unwrap();
    assert!(keyset.key_for(&keys.public().venue_key.kid, now).is_ok());
    let typed = manual_code(&pho).unwrap();
    assert_eq!(
        trust::resolve_manual_code(&store, &typed, &keyset, now).unwrap(),
        pho
    );

    // Nothing new: the same bytes change nothing.
    let again = sync_trust(&mut store, &client, &base, &[], Some(&root), now).unwrap();
    assert!(!again.keyset_updated && !again.registry_updated);

    // A venue issued while the server runs is served at once under a higher serial.
    let (cafe, cafe_code) = issue(&keys_dir, &keys, "Cà phê Sân Thượng", now);
    let third = sync_trust(&mut store, &client, &base, &[], Some(&root), now).unwrap();
    assert!(!third.keyset_updated && third.registry_updated);
    let reg = third.registry.unwrap();
    assert!(reg.serial > first.registry.unwrap().serial);
    assert_eq!(reg.entries, 2);
    let resolved =
        trust::resolve_manual_code(&store, &manual_code(&cafe).unwrap(), &keyset, now).unwrap();
    assert_eq!(resolved, cafe);
    // ... and is the same venue the poster's QR gives.
    assert_eq!(venue::verify_with(&cafe_code, &keyset, now).unwrap(), cafe);

    // A replayed older keyset update is refused with venue.update_stale.
    let served = trust::stored_bytes(&store, TrustKind::Keyset)
        .unwrap()
        .unwrap();
    let e = trust::apply_keyset_update(&store, &served, &root, now).unwrap_err();
    assert!(matches!(e, Error::Venue(VenueError::StaleUpdate)));
    assert_eq!(e.code(), khaibao_core::ErrorCode::VenueUpdateStale);
    assert_eq!(e.code().as_str(), "venue.update_stale");
    assert_eq!(
        keyset::verify_update(&served, &root, None).unwrap().serial,
        now as u64
    );

    // A phone shipping another root refuses the update and so cannot trust the registry.
    let mut other = Store::open(
        &dir.path().join("other.db"),
        &test_support::master_key_from(9),
        now,
    )
    .unwrap();
    let e = sync_trust(&mut other, &client, &base, &[], Some(&[7; 32]), now).unwrap_err();
    assert!(matches!(e, Error::Venue(VenueError::UnknownKey)));
    assert!(matches!(
        trust::resolve_manual_code(&other, &typed, &keyset, now),
        Err(Error::Venue(VenueError::RegistryMissing))
    ));
}

#[test]
fn a_root_only_phone_trusts_rotated_online_keys_through_the_overlap_only() {
    use khaibao_authority::keys::{KeyPurpose, OnlineKeys};
    use khaibao_authority::rotation;
    use khaibao_core::net::transport::{HttpClient, HttpRequest};
    use khaibao_core::venue::keyset::{USAGE_DEVICE, USAGE_EXPOSURE};
    use khaibao_core::{exposure, pass};
    const DAY: i64 = 86_400;
    let dir = tempfile::tempdir().unwrap();
    let keys_dir = dir.path().join("keys");
    let now = unix_now();
    AuthorityKeys::generate().unwrap().save(&keys_dir).unwrap();
    let public = AuthorityKeys::load(&keys_dir).unwrap().public();
    assert!(authority_trust::ensure_root(&keys_dir, &public, now).unwrap());
    let root = authority_trust::root_public(&keys_dir).unwrap();
    let db = dir.path().join("authority.db");
    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).unwrap();
    let mut store = Store::open(
        &dir.path().join("phone.db"),
        &test_support::master_key_from(4),
        now,
    )
    .unwrap();
    let device = store.device_key(now).unwrap();
    // What the server signs: a device certificate and the exposure list.
    let signed_by = |server: &RunningServer| {
        let base = server.base_url();
        let cert = pass::register_device(&device, &client, &base, now).unwrap();
        let url = format!("{base}{}?since=0", exposure::EXPOSURES_PATH);
        let list = client.send(HttpRequest::get(url)).unwrap();
        assert_eq!(list.status, 200);
        (cert, list.body)
    };
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &db,
        OnlineKeys::load(&keys_dir).unwrap(),
    )
    .unwrap();
    let (old_cert, old_list) = signed_by(&server);
    let base = server.base_url();
    sync_trust(&mut store, &client, &base, &[], Some(&root), now).unwrap();
    server.stop();

    // Offline: both online keys rotate with a day of overlap; the server restarts with the
    // new ones and serves the re-signed keyset.
    for purpose in [KeyPurpose::Exposure, KeyPurpose::Device] {
        rotation::rotate(&keys_dir, purpose, DAY, now).unwrap();
    }
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &db,
        OnlineKeys::load(&keys_dir).unwrap(),
    )
    .unwrap();
    let (new_cert, new_list) = signed_by(&server);
    let synced = sync_trust(
        &mut store,
        &client,
        &server.base_url(),
        &[],
        Some(&root),
        now,
    )
    .unwrap();
    assert!(synced.keyset_updated);
    let keyset = trust::effective_keyset(&store, &[], Some(&root)).unwrap();

    let cert_ok = |cert: &[u8], at| {
        pass::verify_certificate(cert, &keyset.valid_keys_for(USAGE_DEVICE, at), at).is_ok()
    };
    let list_ok = |list: &[u8], at| {
        exposure::verify_list(list, &keyset.valid_keys_for(USAGE_EXPOSURE, at)).is_ok()
    };
    // Inside the overlap, what either key signed is accepted.
    for at in [now, now + DAY] {
        assert!(cert_ok(&old_cert, at) && cert_ok(&new_cert, at), "at {at}");
        assert!(list_ok(&old_list, at) && list_ok(&new_list, at), "at {at}");
    }
    // After it, only what the new keys signed.
    let after = now + DAY + 1;
    assert!(!cert_ok(&old_cert, after) && cert_ok(&new_cert, after));
    assert!(!list_ok(&old_list, after) && list_ok(&new_list, after));
    // Neither online key, old or new, verifies a venue code.
    for kid in [&public.exposure_key.kid, &public.device_key.kid] {
        assert!(keyset.keys_for(kid, now).is_err());
    }
}
