//! Exposure lists end to end: the authority publishes risky venue windows, the phone
//! downloads them incrementally with `GET /v1/exposures?since=N` over the library's reqwest
//! client, verifies and matches them against its diary, and never matches a list twice.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::http::RunningServer;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::diary;
use khaibao_core::error::VenueError;
use khaibao_core::exposure::fetch::{exposures_url, fetch_and_match};
use khaibao_core::exposure::{self, ExposureEntry, MatchOptions, Recommendation};
use khaibao_core::net::transport::{HttpClient, HttpRequest, ReqwestClient};
use khaibao_core::storage::store::Store;
use khaibao_core::test_support;
use khaibao_core::venue::{ScannedVenue, Venue, VenueCategory};
use std::time::Duration;

/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const BASE: i64 = 1_626_714_000;
const H: i64 = 3600;

fn venue(i: u64) -> ScannedVenue {
    ScannedVenue::Verified {
        venue: Venue {
            name: format!("Chợ số {i}"),
            address: "1 Hàng Bạc".into(),
            province: 1,
            category: VenueCategory::Market,
            ..test_support::venue(&format!("{i:032x}"))
        },
    }
}

fn entry(i: u64, start: i64, end: i64, recommendation: Recommendation) -> ExposureEntry {
    ExposureEntry {
        venue_id: format!("{i:032x}"),
        start,
        end,
        recommendation,
    }
}

#[test]
fn phone_downloads_lists_incrementally_and_matches_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let keys = AuthorityKeys::generate().unwrap();
    let trusted = vec![keys.public().exposure_key];
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        keys,
    )
    .unwrap();
    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).unwrap();
    let mut store = Store::open(
        &dir.path().join("phone.db"),
        &test_support::master_key_from(5),
        BASE,
    )
    .unwrap();
    // The phone was at venue 1 from 09:00 to 10:00 and at venue 2 from 10:00 on.
    diary::check_in(&mut store, &venue(1), BASE + 9 * H, None).unwrap();
    diary::check_in(&mut store, &venue(2), BASE + 10 * H, None).unwrap();
    let now = BASE + 12 * H;
    let options = MatchOptions {
        min_overlap_seconds: 60,
    };

    let base_url = server.base_url();
    let fetch = |store: &mut Store| {
        fetch_and_match(store, &client, &base_url, &trusted, options, now, None).unwrap()
    };

    // Nothing published yet: one request, no alerts, still at version 0.
    let r = fetch(&mut store);
    assert_eq!((r.version, r.alerts.len()), (0, 0));

    // Version 1 hits venue 1 (09:30-11:00); version 2 hits nobody the phone saw.
    server.state().with_db(|db| {
        db.publish_exposures(
            &[entry(
                1,
                BASE + 9 * H + 1800,
                BASE + 11 * H,
                Recommendation::GetTested,
            )],
            now,
        )
        .unwrap();
        db.publish_exposures(
            &[entry(7, BASE, BASE + 20 * H, Recommendation::Isolate)],
            now,
        )
        .unwrap();
    });
    let r = fetch(&mut store);
    assert_eq!(r.version, 2);
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.alerts[0].venue_id, format!("{:032x}", 1));
    assert_eq!(r.alerts[0].recommendation, Recommendation::GetTested);
    assert_eq!(r.alerts[0].overlap_seconds, 1800);
    assert_eq!(exposure::last_version(&store).unwrap(), 2);

    // Up to date: the authority answers an empty list at the same version; nothing again.
    let r = fetch(&mut store);
    assert_eq!((r.version, r.requests, r.alerts.len()), (2, 1, 0));

    // Version 3 hits venue 2: only the new list is downloaded and matched.
    server.state().with_db(|db| {
        db.publish_exposures(
            &[entry(
                2,
                BASE + 10 * H + 600,
                BASE + 10 * H + 1200,
                Recommendation::Isolate,
            )],
            now,
        )
        .unwrap();
    });
    let body = client
        .send(HttpRequest::get(exposures_url(&server.base_url(), 2)))
        .unwrap()
        .body;
    let list = exposure::verify_list(&body, &trusted).unwrap();
    assert_eq!(
        (list.version, list.base_version, list.entries.len()),
        (3, 2, 1)
    );
    let r = fetch(&mut store);
    assert_eq!(r.version, 3);
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.alerts[0].venue_id, format!("{:032x}", 2));
}

#[test]
fn lists_signed_by_another_key_and_bad_queries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("authority.db"),
        AuthorityKeys::generate().unwrap(),
    )
    .unwrap();
    server.state().with_db(|db| {
        db.publish_exposures(&[entry(1, BASE, BASE + H, Recommendation::Isolate)], BASE)
            .unwrap();
    });
    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).unwrap();
    let mut store = Store::open(
        &dir.path().join("phone.db"),
        &test_support::master_key_from(5),
        BASE,
    )
    .unwrap();
    let stranger = vec![AuthorityKeys::generate().unwrap().public().exposure_key];
    let err = fetch_and_match(
        &mut store,
        &client,
        &server.base_url(),
        &stranger,
        MatchOptions::default(),
        BASE,
        None,
    );
    assert!(matches!(
        err,
        Err(khaibao_core::Error::Venue(VenueError::UnknownKey))
    ));
    assert_eq!(exposure::last_version(&store).unwrap(), 0);
    for query in ["since=abc", "since=-1", "from=3"] {
        let url = format!("{}/v1/exposures?{query}", server.base_url());
        let status = client.send(HttpRequest::get(url)).unwrap().status;
        assert_eq!(status, 400, "{query}");
    }
    // A since past the newest version: the newest version's empty list, never a list
    // signed at the version asked for.
    let own = server.state().keys().public().exposure_key;
    for since in [2, i64::MAX as u64, u64::MAX] {
        let url = format!("{}/v1/exposures?since={since}", server.base_url());
        let answer = client.send(HttpRequest::get(url)).unwrap();
        assert_eq!(answer.status, 200);
        let list = exposure::verify_list(&answer.body, std::slice::from_ref(&own)).unwrap();
        assert_eq!((list.version, list.base_version), (1, 1), "since {since}");
        assert!(list.entries.is_empty());
    }
}
