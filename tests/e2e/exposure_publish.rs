//! Publishing an exposure window the way `khaibao exposure publish` does — the venue named by
//! its signed code, the window stored through a second connection to the database a running
//! server answers from — and the phone that visited the venue downloading it over HTTP,
//! raising one alert once.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::exposure_publish::{VenueRef, WindowSpec, entry, publish_to};
use khaibao_authority::http::RunningServer;
use khaibao_authority::issuance::{VenueSpec, new_venue};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::diary;
use khaibao_core::exposure::fetch::fetch_and_match;
use khaibao_core::exposure::{self, MatchOptions, Recommendation};
use khaibao_core::net::transport::ReqwestClient;
use khaibao_core::storage::store::Store;
use khaibao_core::test_support;
use khaibao_core::venue::{self, VenueCategory};
use std::time::Duration;

/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const MIDNIGHT: i64 = 1_626_714_000;
const H: i64 = 3600;
const M: i64 = 60;

#[test]
fn a_window_published_by_venue_code_alerts_the_phone_that_was_there_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("authority.db");
    let keys = AuthorityKeys::generate().unwrap();
    let trusted = vec![keys.public().venue_key];
    // Exposure lists are signed with their own key.
    let lists = vec![keys.public().exposure_key];
    let spec = VenueSpec {
        valid_days: 30,
        ..VenueSpec::new("Chợ Bến Thành", "Lê Lợi, Quận 1", 79, VenueCategory::Market)
    };
    let market = new_venue(&spec, MIDNIGHT - 86_400, "test").unwrap();
    let code = venue::issue(&market, keys.venue_pkcs8()).unwrap();
    let other = new_venue(&spec, MIDNIGHT - 86_400, "test").unwrap();
    let other_code = venue::issue(&other, keys.venue_pkcs8()).unwrap();
    let server = RunningServer::start(([127, 0, 0, 1], 0).into(), &db_path, keys).unwrap();

    // The phone was at the market from 09:00 to 09:40 (Vietnam time).
    let mut phone = Store::open(
        &dir.path().join("phone.db"),
        &test_support::master_key_from(9),
        MIDNIGHT,
    )
    .unwrap();
    let scanned = venue::read(&code, &trusted, MIDNIGHT + 9 * H).unwrap();
    let visit = diary::check_in(&mut phone, &scanned, MIDNIGHT + 9 * H, None).unwrap();
    diary::check_out(&mut phone, MIDNIGHT + 9 * H + 40 * M).unwrap();

    let client = ReqwestClient::new(Duration::from_secs(5), Duration::from_secs(10)).unwrap();
    let now = MIDNIGHT + 12 * H;
    let options = MatchOptions {
        min_overlap_seconds: 15 * M,
    };
    let base_url = server.base_url();
    let fetch = |store: &mut Store| {
        fetch_and_match(store, &client, &base_url, &lists, options, now, None).unwrap()
    };
    let publish = |venue: VenueRef<'_>, from: &str, until: &str, recommendation: &str| {
        let e = entry(
            &WindowSpec {
                venue,
                from,
                until,
                recommendation,
            },
            &trusted,
        )
        .unwrap();
        publish_to(&db_path, &[e], now).unwrap()
    };

    // 08:50-09:30 at the market: 30 minutes with the visit.
    assert_eq!(
        publish(
            VenueRef::Code(&code),
            "2021-07-20T08:50",
            "2021-07-20T09:30",
            "get_tested"
        ),
        1
    );
    // The same hours at another venue: no alert.
    assert_eq!(
        publish(
            VenueRef::Code(&other_code),
            "2021-07-20T08:00",
            "2021-07-20T12:00",
            "isolate"
        ),
        2
    );
    let r = fetch(&mut phone);
    assert_eq!((r.version, r.requests), (2, 2));
    assert_eq!(r.alerts.len(), 1, "{:?}", r.alerts);
    let alert = &r.alerts[0];
    assert_eq!(alert.visit_id, visit.id);
    assert_eq!(alert.venue_id, market.id);
    assert_eq!(alert.venue_name, "Chợ Bến Thành");
    assert_eq!(alert.recommendation, Recommendation::GetTested);
    assert_eq!(alert.overlap_seconds, 30 * M);
    assert_eq!(
        (alert.visit_start, alert.visit_end),
        (MIDNIGHT + 9 * H, MIDNIGHT + 9 * H + 40 * M)
    );
    assert_eq!(alert.list_version, 2);

    // Nothing new: no second alert.
    let r = fetch(&mut phone);
    assert_eq!((r.version, r.requests, r.alerts.len()), (2, 1, 0));

    // A window at the market that only touches the visit's end, by venue id: a new version,
    // still no alert.
    let id = market.id.to_ascii_uppercase();
    assert_eq!(
        publish(
            VenueRef::Id(&id),
            "2021-07-20T09:40",
            "2021-07-20T11:00",
            "isolate"
        ),
        3
    );
    let r = fetch(&mut phone);
    assert_eq!((r.version, r.alerts.len()), (3, 0));
    assert_eq!(exposure::last_version(&phone).unwrap(), 3);
}

#[test]
fn a_code_from_another_authority_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("authority.db");
    let keys = AuthorityKeys::generate().unwrap();
    let server = RunningServer::start(([127, 0, 0, 1], 0).into(), &db_path, keys).unwrap();
    let stranger = AuthorityKeys::generate().unwrap();
    let spec = VenueSpec {
        valid_days: 30,
        ..VenueSpec::new("Quán cà phê", "", 1, VenueCategory::Restaurant)
    };
    let v = new_venue(&spec, MIDNIGHT, "stranger").unwrap();
    let code = venue::issue(&v, stranger.venue_pkcs8()).unwrap();
    let trusted = [server.state().keys().public().venue_key];
    let refused = entry(
        &WindowSpec {
            venue: VenueRef::Code(&code),
            from: "2021-07-20T09:00",
            until: "2021-07-20T10:00",
            recommendation: "isolate",
        },
        &trusted,
    );
    assert!(refused.is_err());
    // The server still has nothing to publish.
    let signing = server.state().keys().exposure_pkcs8();
    let list = server
        .state()
        .with_db(|db| db.exposures_since(signing, 0, MIDNIGHT))
        .unwrap();
    let lists = [server.state().keys().public().exposure_key];
    let list = exposure::verify_list(&list, &lists).unwrap();
    assert_eq!((list.version, list.entries.len()), (0, 0));
}
