//! Fuzzes the authority's ingest endpoint body as the handler processes it
//! (`server::ingest_body`): CBOR batch decode, limits, then per item the HPKE open, device
//! signature, submission decode and the SQLite dedup/insert, into one in-memory database.
//! Nothing may panic; a batch that decodes must be answered with one result per item.
#![no_main]

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::http::{AppState, IngestAnswer, ingest_body};
use khaibao_core::upload::protocol;
use khaibao_tests::fuzz_fixture as fx;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

fn state() -> &'static Arc<AppState> {
    static S: OnceLock<Arc<AppState>> = OnceLock::new();
    S.get_or_init(|| {
        let db = AuthorityDb::open(std::path::Path::new(":memory:")).expect("in-memory db");
        AppState::new(db, fx::authority_keys().expect("fixture keys"))
    })
}

fuzz_target!(|data: &[u8]| {
    match ingest_body(state(), data, fx::NOW) {
        IngestAnswer::Results(body) => {
            let sent = protocol::decode_request(data).expect("answered, so it decoded");
            let results = protocol::decode_response(&body).expect("a response decodes");
            assert_eq!(results.len(), sent.len());
        }
        IngestAnswer::BadRequest(_) | IngestAnswer::TooLarge => {
            assert!(protocol::decode_request(data).is_err());
        }
        IngestAnswer::Storage | IngestAnswer::Internal => panic!("ingest failed internally"),
    }
});
