//! Tests of exposure list signing, verification and matching edges.

use super::*;
use crate::diary::check_in;
use crate::encoding::codec::{MapBuilder, to_cbor};
use crate::error::{FormatError, VenueError};
use crate::test_support;
use crate::venue::{Venue, VenueCategory};
use ciborium::Value;
use std::cell::RefCell;

/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const MIDNIGHT: i64 = 1_626_714_000;
const H: i64 = 3600;
const M: i64 = 60;
const A: &str = "0123456789abcdef0123456789abcdef";
const B: &str = "fedcba9876543210fedcba9876543210";

fn venue(id: &str, stay: u32) -> ScannedVenue {
    ScannedVenue::Verified {
        venue: Venue {
            name: "Chợ Bến Thành".into(),
            address: String::new(),
            category: VenueCategory::Market,
            default_stay_minutes: stay,
            issuer: "t".into(),
            ..test_support::venue(id)
        },
    }
}
use crate::venue::ScannedVenue;

fn entry(id: &str, start: i64, end: i64, r: Recommendation) -> ExposureEntry {
    ExposureEntry {
        venue_id: id.into(),
        start,
        end,
        recommendation: r,
    }
}

/// A store with one visit to A from 10:00 to 11:00.
fn diary_with_visit() -> Store {
    let mut s = test_support::store_in_memory(MIDNIGHT);
    check_in(&mut s, &venue(A, 240), MIDNIGHT + 10 * H, None).unwrap();
    crate::diary::check_out(&mut s, MIDNIGHT + 11 * H).unwrap();
    s
}

#[test]
fn signed_list_round_trips_and_rejects_tampering_and_unknown_keys() {
    let (pkcs8, trusted) = test_support::signing_key();
    let entries = vec![
        entry(A, 1, 2, Recommendation::Isolate),
        entry(B, 3, 4, Recommendation::MonitorSymptoms),
    ];
    let bytes = build_list(&pkcs8, 7, 5, 99, &entries).unwrap();
    let list = verify_list(&bytes, std::slice::from_ref(&trusted)).unwrap();
    assert_eq!(
        (list.version, list.base_version, list.issued_at),
        (7, 5, 99)
    );
    assert_eq!(list.entries, entries);
    let (_, other) = test_support::signing_key();
    assert!(matches!(
        verify_list(&bytes, &[other]),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
    let mut t = bytes.clone();
    let n = t.len();
    t[n - 70] ^= 1;
    assert!(verify_list(&t, std::slice::from_ref(&trusted)).is_err());
    assert!(verify_list(b"junk", &[trusted]).is_err());
    assert!(build_list(&pkcs8, 1, 0, 0, &[entry(A, 5, 4, Recommendation::Isolate)]).is_err());
}

#[test]
fn overlap_edges() {
    // Touching windows do not overlap.
    assert_eq!(overlap(0, 10, 10, 20), 0);
    // Apart.
    assert_eq!(overlap(0, 10, 11, 20), 0);
    // Contained and partial.
    assert_eq!(overlap(0, 100, 10, 20), 10);
    assert_eq!(overlap(0, 15, 10, 20), 5);
}

fn alerts_for(entries: &[ExposureEntry], min: i64) -> Vec<ExposureAlert> {
    let s = diary_with_visit();
    let visits = crate::diary::visits(&s).unwrap();
    let opts = MatchOptions {
        min_overlap_seconds: min,
    };
    match_visits(&visits, entries, opts, 1, MIDNIGHT + 20 * H)
}

#[test]
fn touching_windows_and_zero_overlap_do_not_match() {
    let r = Recommendation::GetTested;
    assert!(alerts_for(&[entry(A, MIDNIGHT + 11 * H, MIDNIGHT + 12 * H, r)], 0).is_empty());
    assert!(alerts_for(&[entry(A, MIDNIGHT + 9 * H, MIDNIGHT + 10 * H, r)], 0).is_empty());
    assert!(
        alerts_for(
            &[entry(
                A,
                MIDNIGHT + 10 * H + 30 * M,
                MIDNIGHT + 10 * H + 30 * M,
                r
            )],
            0
        )
        .is_empty()
    );
    // Another venue at the same time does not match.
    assert!(alerts_for(&[entry(B, MIDNIGHT, MIDNIGHT + 24 * H, r)], 0).is_empty());
}

#[test]
fn minimum_overlap_is_honoured() {
    let r = Recommendation::GetTested;
    let e = [entry(A, MIDNIGHT + 10 * H + 50 * M, MIDNIGHT + 12 * H, r)];
    let hit = alerts_for(&e, 10 * M);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].overlap_seconds, 10 * M);
    assert_eq!(hit[0].venue_name, "Chợ Bến Thành");
    assert!(alerts_for(&e, 10 * M + 1).is_empty());
}

#[test]
fn strongest_recommendation_wins_per_visit() {
    let e = [
        entry(
            A,
            MIDNIGHT + 10 * H,
            MIDNIGHT + 11 * H,
            Recommendation::MonitorSymptoms,
        ),
        entry(
            A,
            MIDNIGHT + 10 * H + 30 * M,
            MIDNIGHT + 10 * H + 50 * M,
            Recommendation::Isolate,
        ),
    ];
    let hit = alerts_for(&e, 60);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].recommendation, Recommendation::Isolate);
    assert_eq!(hit[0].overlap_seconds, H);
}

#[test]
fn overlap_across_midnight() {
    let mut s = test_support::store_in_memory(MIDNIGHT);
    // 23:30 → 00:30 the next day.
    let ScannedVenue::Verified { venue: mut v } = venue(A, 60) else {
        unreachable!()
    };
    v.event_end = Some(MIDNIGHT + 25 * H);
    let event = ScannedVenue::Verified { venue: v };
    check_in(&mut s, &event, MIDNIGHT + 23 * H + 30 * M, None).unwrap();
    crate::diary::check_out(&mut s, MIDNIGHT + 24 * H + 30 * M).unwrap();
    let visits = crate::diary::visits(&s).unwrap();
    let e = [entry(
        A,
        MIDNIGHT + 24 * H,
        MIDNIGHT + 26 * H,
        Recommendation::GetTested,
    )];
    let hit = match_visits(&visits, &e, MatchOptions::default(), 3, MIDNIGHT + 30 * H);
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].overlap_seconds, 30 * M);
    assert_eq!(hit[0].list_version, 3);
}

#[test]
fn active_visit_counts_until_now() {
    let mut s = test_support::store_in_memory(MIDNIGHT);
    check_in(&mut s, &venue(A, 240), MIDNIGHT + 10 * H, None).unwrap();
    let visits = crate::diary::visits(&s).unwrap();
    let e = [entry(
        A,
        MIDNIGHT + 10 * H,
        MIDNIGHT + 14 * H,
        Recommendation::Isolate,
    )];
    // At 10:20 the visit has lasted 20 minutes so far.
    let hit = match_visits(
        &visits,
        &e,
        MatchOptions::default(),
        1,
        MIDNIGHT + 10 * H + 20 * M,
    );
    assert_eq!(hit[0].overlap_seconds, 20 * M);
}

struct Sink(RefCell<Vec<ExposureAlert>>);
impl AlertSink for Sink {
    fn on_alerts(&self, alerts: &[ExposureAlert]) {
        self.0.borrow_mut().extend_from_slice(alerts);
    }
}

#[test]
fn a_list_is_matched_once_and_versions_advance() {
    let (pkcs8, trusted) = test_support::signing_key();
    let keys = [trusted];
    let mut s = diary_with_visit();
    assert_eq!(last_version(&s).unwrap(), 0);
    let e = [entry(
        A,
        MIDNIGHT + 10 * H,
        MIDNIGHT + 11 * H,
        Recommendation::Isolate,
    )];
    let list = build_list(&pkcs8, 4, 0, MIDNIGHT + 20 * H, &e).unwrap();
    let sink = Sink(RefCell::new(Vec::new()));
    let now = MIDNIGHT + 21 * H;
    let process = |s: &mut Store, list: &[u8], sink: Option<&dyn AlertSink>| {
        process_list(s, list, &keys, MatchOptions::default(), now, sink)
    };
    let first = process(&mut s, &list, Some(&sink)).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(sink.0.borrow().as_slice(), first.as_slice());
    assert_eq!(last_version(&s).unwrap(), 4);
    // The same list again, or an older one, raises nothing and does not call the sink.
    let again = process(&mut s, &list, Some(&sink)).unwrap();
    assert!(again.is_empty());
    let older = build_list(&pkcs8, 3, 0, MIDNIGHT, &e).unwrap();
    assert!(process(&mut s, &older, None).unwrap().is_empty());
    assert_eq!(sink.0.borrow().len(), 1);
    // A newer incremental list is processed.
    let next = build_list(&pkcs8, 5, 4, MIDNIGHT + 22 * H, &[]).unwrap();
    assert!(process(&mut s, &next, None).unwrap().is_empty());
    assert_eq!(last_version(&s).unwrap(), 5);
    // A list that does not verify is an error and is not recorded.
    let (other, _) = test_support::signing_key();
    let forged = build_list(&other, 9, 5, 0, &e).unwrap();
    assert!(process(&mut s, &forged, None).is_err());
    assert_eq!(last_version(&s).unwrap(), 5);
}

#[test]
fn hostile_payloads_are_typed_errors() {
    let enc = |v: &Value| to_cbor(v).unwrap();
    // An entry with an id of `id_len` bytes followed by `fields`.
    let raw_entry = |id_len: usize, fields: &[i64]| {
        let mut items = vec![Value::Bytes(vec![0; id_len])];
        items.extend(fields.iter().map(|&f| Value::from(f)));
        Value::Array(items)
    };
    // A version 1 payload issued at `issued_at` holding `entry`.
    let payload = |issued_at: i64, entry: Value| {
        MapBuilder::new()
            .put(1, FORMAT_VERSION)
            .put(2, 1u64)
            .put(3, 0u64)
            .put(4, issued_at)
            .put(5, Value::Array(vec![entry]))
            .build()
    };
    let good = payload(-5, raw_entry(16, &[1, 2, 1]));
    let list = decode_payload(&enc(&good)).unwrap();
    assert_eq!(list.issued_at, -5);
    assert_eq!(list.entries[0].venue_id, "0".repeat(32));
    let mut trailing = enc(&good);
    trailing.push(0);
    assert!(decode_payload(&trailing).is_err());
    let bad_entries = [
        raw_entry(15, &[1, 2, 1]),
        raw_entry(16, &[3, 2, 1]),
        raw_entry(16, &[1, 2, 9]),
        raw_entry(16, &[1, 2]),
        Value::Text("x".into()),
    ];
    for e in bad_entries {
        assert!(decode_payload(&enc(&payload(0, e))).is_err());
    }
    let wrong_format = MapBuilder::new()
        .put(1, 2u64)
        .put(2, 1u64)
        .put(3, 0u64)
        .put(4, 0i64)
        .build();
    assert!(matches!(
        decode_payload(&enc(&wrong_format)),
        Err(Error::Format(FormatError::UnsupportedVersion(2)))
    ));
    let missing = MapBuilder::new()
        .put(1, FORMAT_VERSION)
        .put(2, 1u64)
        .build();
    assert!(decode_payload(&enc(&missing)).is_err());
    // A count far larger than the bytes is refused before allocating.
    assert!(
        decode_payload(&[
            0xa1, 0x05, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        ])
        .is_err()
    );
    assert!(decode_payload(&[]).is_err());
}

#[test]
fn fast_hex_matches_codec_hex() {
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(fast_hex(&bytes), crate::encoding::codec::hex(&bytes));
}

#[test]
fn recommendation_names_are_stable_and_read_back() {
    let names = ["monitor_symptoms", "get_tested", "isolate"];
    for name in names {
        let rec = Recommendation::from_name(name).unwrap();
        assert_eq!(rec.name(), name);
    }
    assert_eq!(
        Recommendation::from_name("get_tested"),
        Some(Recommendation::GetTested)
    );
    assert_eq!(Recommendation::from_name("Isolate"), None);
    assert_eq!(Recommendation::from_name(""), None);
}

/// Answers every request with the same list.
struct Mirror(Vec<u8>);
impl crate::net::transport::HttpClient for Mirror {
    fn send(
        &self,
        _request: crate::net::transport::HttpRequest,
    ) -> Result<crate::net::transport::HttpResponse> {
        Ok(crate::net::transport::HttpResponse {
            status: 200,
            headers: vec![],
            body: self.0.clone(),
        })
    }
}

#[test]
fn exposure_list_freeze_refused() {
    let (pkcs8, trusted) = test_support::signing_key();
    let keys = [trusted];
    let mut s = diary_with_visit();
    let now = MIDNIGHT + 21 * H;
    let e = [entry(
        A,
        MIDNIGHT + 10 * H,
        MIDNIGHT + 11 * H,
        Recommendation::Isolate,
    )];
    let refused = |s: &mut Store, list: &[u8]| {
        let manual = process_list(&mut *s, list, &keys, MatchOptions::default(), now, None);
        let fetched = fetch::fetch_and_match(
            &mut *s,
            &Mirror(list.to_vec()),
            "https://authority.invalid",
            &keys,
            MatchOptions::default(),
            now,
            None,
        );
        matches!(manual, Err(Error::Net(NetError::Protocol(_))))
            && matches!(fetched, Err(Error::Net(NetError::Protocol(_))))
    };
    let max = i64::MAX as u64;
    // What the authority signed for `?since=9223372036854775807`: version and base i64::MAX.
    let freeze = build_list(&pkcs8, max, max, now, &[]).unwrap();
    assert!(refused(&mut s, &freeze), "base version above ours");
    // The same version claimed from base 0: a jump past the bound.
    let jump = build_list(&pkcs8, max, 0, now, &[]).unwrap();
    assert!(refused(&mut s, &jump), "version jump");
    let far = build_list(&pkcs8, MAX_VERSION_JUMP + 1, 0, now, &[]).unwrap();
    assert!(refused(&mut s, &far), "one past the bound");
    // An old list replayed by a mirror.
    let stale = build_list(&pkcs8, 2, 0, now - MAX_LIST_AGE_SECONDS - 1, &e).unwrap();
    assert!(refused(&mut s, &stale), "too old");
    // Nothing was recorded, and the genuine next list still raises its alert, fetched or
    // handed over.
    assert_eq!(last_version(&s).unwrap(), 0);
    let genuine = build_list(&pkcs8, MAX_VERSION_JUMP, 0, now - H, &e).unwrap();
    let got = fetch::fetch_and_match(
        &mut s,
        &Mirror(genuine),
        "https://authority.invalid",
        &keys,
        MatchOptions::default(),
        now,
        None,
    )
    .unwrap();
    assert_eq!((got.version, got.alerts.len()), (MAX_VERSION_JUMP, 1));
    let next = build_list(&pkcs8, MAX_VERSION_JUMP + 1, MAX_VERSION_JUMP, now, &e).unwrap();
    let alerts = process_list(&mut s, &next, &keys, MatchOptions::default(), now, None).unwrap();
    assert_eq!(alerts.len(), 1);
    // How many alerts a list raised is not kept on the phone.
    let kept: i64 = s
        .conn()
        .query_row("SELECT SUM(alerts) FROM exposure_lists", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 0);
}
