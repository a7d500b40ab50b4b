//! The authority's ingest under hostile input: random bytes, valid CBOR of the wrong shape,
//! truncated and oversized requests, too many items. Each gets a 4xx with a short reason,
//! nothing is stored, and the server keeps serving.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::http::{KEYSET_PATH, MAX_BODY, RunningServer};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::net::transport::{HttpClient, HttpRequest, ReqwestClient};
use khaibao_core::upload::protocol::{self, IngestItem, ItemKind};
use khaibao_tests::fault_proxy::SplitMix;
use std::time::Duration;

#[test]
fn garbage_bodies_get_4xx_and_the_server_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let keys = AuthorityKeys::generate().unwrap();
    let public = keys.public();
    let server =
        RunningServer::start(([127, 0, 0, 1], 0).into(), &dir.path().join("a.db"), keys).unwrap();
    let client = ReqwestClient::new(Duration::from_secs(2), Duration::from_secs(20)).unwrap();
    let url = format!("{}{}", server.base_url(), protocol::INGEST_PATH);
    let post = |body: Vec<u8>| {
        client
            .send(HttpRequest::post_cbor(url.clone(), body))
            .unwrap()
    };

    let item = |key: u8, body: Vec<u8>| IngestItem {
        idempotency_key: vec![key; 16],
        kind: ItemKind::Declaration,
        body,
    };
    let valid = protocol::encode_request(&[item(1, vec![1, 2, 3])]).unwrap();
    let mut bodies: Vec<Vec<u8>> = vec![
        vec![],
        b"{\"items\":[]}".to_vec(),
        vec![0xa0],                        // an empty map
        vec![0x81; 10_000],                // deeply nested arrays
        valid[..valid.len() / 2].to_vec(), // truncated
        vec![0x81, 0xa1, 0x01, 0x40],      // key of the wrong length
    ];
    let mut rng = SplitMix(7);
    for len in [1usize, 3, 17, 100, 1000, 50_000] {
        for _ in 0..20 {
            bodies.push((0..len).map(|_| rng.next_u64() as u8).collect());
        }
        // Random bytes behind a valid array-of-maps prefix.
        let mut b = vec![0x81, 0xa3, 0x01, 0x50];
        b.extend((0..len).map(|_| rng.next_u64() as u8));
        bodies.push(b);
    }
    for body in bodies {
        // Random bytes that happen to open with an array head of more than MAX_BATCH items
        // are refused from that head (413), like the batch below.
        let too_many =
            protocol::declared_batch_len(&body).is_some_and(|n| n > protocol::MAX_BATCH as u64);
        let r = post(body);
        let expected = if too_many { 413 } else { 400 };
        assert_eq!(r.status, expected, "{:?}", String::from_utf8_lossy(&r.body));
        assert!(!r.body.is_empty() && r.body.len() < 100, "a short reason");
    }

    // Too many items in one batch, a head claiming 2^64 items, and a body over the limit: 413.
    assert_eq!(
        post(vec![0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).status,
        413
    );
    let many: Vec<IngestItem> = (0..=protocol::MAX_BATCH)
        .map(|i| item(i as u8, vec![0]))
        .collect();
    assert_eq!(post(protocol::encode_request(&many).unwrap()).status, 413);
    assert_eq!(post(vec![0x40; MAX_BODY + 1]).status, 413);

    // Well-formed items whose seal does not open are rejected one by one with a reason.
    let r = post(valid);
    assert_eq!(r.status, 200);
    let results = protocol::decode_response(&r.body).unwrap();
    assert!(matches!(
        &results[0].status,
        protocol::ItemStatus::Rejected { reason } if reason == "seal.cannot_open"
    ));
    assert_eq!(server.state().with_db(|db| db.count()).unwrap(), 0);

    // Still serving: health and the public keyset.
    let get = |path: &str| {
        client
            .send(HttpRequest {
                method: "GET".into(),
                url: format!("{}{path}", server.base_url()),
                headers: vec![],
                body: vec![],
            })
            .unwrap()
    };
    assert_eq!(get(protocol::HEALTH_PATH).body, b"ok");
    let keyset = String::from_utf8(get(KEYSET_PATH).body).unwrap();
    assert!(keyset.contains(&khaibao_core::encoding::codec::hex(&public.sealing_public)));
    assert!(keyset.contains(&khaibao_core::encoding::codec::hex(&public.venue_key.kid)));
}
