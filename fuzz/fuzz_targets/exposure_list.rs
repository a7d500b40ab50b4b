//! Fuzzes the phone's exposure-list reader: the hand-written COSE_Sign1 and CBOR cursor
//! (`exposure::verify_list`) on the raw input, and on the input signed as a list payload by
//! the authority key (so the payload cursor behind the signature is reached); then matching
//! a verified list against a small diary. A list that verifies must re-encode (signed again
//! by the same key) to the same list, and the gate every list passes before it is matched
//! (`exposure::check_list`) must never let through a list that skips versions, jumps too
//! far or is too old. Nothing may panic, including overflow in the time-window arithmetic.
#![no_main]

use khaibao_core::diary::Visit;
use khaibao_core::exposure::{self, MatchOptions};
use khaibao_core::venue::TrustedKey;
use khaibao_tests::fuzz_fixture as fx;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn trusted() -> &'static [TrustedKey] {
    static K: OnceLock<Vec<TrustedKey>> = OnceLock::new();
    K.get_or_init(|| vec![fx::trusted().expect("fixture key")])
}

fn visits() -> Vec<Visit> {
    let at = |id: i64, start: i64, out: Option<i64>| Visit {
        id,
        venue_id: Some(fx::venue().id),
        venue_name: "v".into(),
        address: String::new(),
        verified: true,
        checked_in_at: start,
        checked_out_at: out,
        auto_checkout_at: start.saturating_add(3600),
        checkout: None,
        edited: false,
    };
    vec![
        at(1, fx::NOW - 1800, Some(fx::NOW - 600)),
        at(2, fx::NOW - 600, None),
        at(3, i64::MIN, Some(i64::MAX)),
    ]
}

fn check(bytes: &[u8]) {
    let Ok(list) = exposure::verify_list(bytes, trusted()) else {
        return;
    };
    let again = exposure::build_list(
        &fx::authority_pkcs8(),
        list.version,
        list.base_version,
        list.issued_at,
        &list.entries,
    )
    .expect("a verified list re-encodes");
    assert_eq!(
        exposure::verify_list(&again, trusted()).expect("re-verifies"),
        list
    );
    for last in [0, 1, list.version.saturating_sub(1), list.version, u64::MAX] {
        for now in [fx::NOW, i64::MIN, i64::MAX] {
            if let Ok(true) = exposure::check_list(&list, last, now) {
                assert!(list.version > last && list.base_version <= last);
                assert!(list.version - last <= exposure::MAX_VERSION_JUMP);
                assert!(i64::try_from(list.version).is_ok());
                assert!(list.issued_at >= now.saturating_sub(exposure::MAX_LIST_AGE_SECONDS));
            }
        }
    }
    for min in [0, 900, i64::MAX] {
        let _ = exposure::match_visits(
            &visits(),
            &list.entries,
            MatchOptions {
                min_overlap_seconds: min,
            },
            list.version,
            fx::NOW,
        );
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    check(&fx::authority_signed(data.to_vec()).expect("signing cannot fail"));
});
