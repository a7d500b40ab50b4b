//! Fuzzes the authority's side of the sealed envelope: HPKE open under both `info` strings
//! with a chosen AAD, then (for declarations) the signed body inside and the submission it
//! carries. Input: `[info selector, aad length, aad.., envelope..]`. Nothing may panic.
#![no_main]

use khaibao_core::declaration::Submission;
use khaibao_core::pass::PASS_INFO;
use khaibao_core::seal::{DECLARATION_INFO, SealingKey, open_and_verify};
use khaibao_tests::fuzz_fixture as fx;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn key() -> &'static SealingKey {
    static K: OnceLock<SealingKey> = OnceLock::new();
    K.get_or_init(|| fx::sealing().expect("fixture key"))
}

fuzz_target!(|data: &[u8]| {
    let [selector, aad_len, rest @ ..] = data else {
        return;
    };
    let aad_len = usize::from(*aad_len).min(rest.len());
    let (aad, envelope) = rest.split_at(aad_len);
    let info = if selector & 1 == 1 {
        PASS_INFO
    } else {
        DECLARATION_INFO
    };
    if let Ok(plain) = key().open(info, aad, envelope) {
        assert!(plain.len() + 49 == envelope.len(), "plaintext length");
    }
    if let Ok(opened) = open_and_verify(key(), envelope, aad) {
        assert_eq!(opened.device_public_key.len(), 32);
        let _ = Submission::from_cbor(&opened.payload);
    }
});
