//! Fuzzes the authority's side of the sealed envelope. Input: `[mode, aad length, aad..,
//! rest..]`. Mode bit 0 picks the `info` (declaration or pass); with bit 1 clear, `rest` is
//! the envelope: HPKE open, then (for declarations) the signed body inside and the
//! submission it carries. With bit 1 set, `rest` is sealed first as the plaintext, as
//! anyone can do with the authority's public key, so the body parser behind the AEAD is
//! reached; and `rest` is also decoded as a submission (what a device signs). Nothing may
//! panic.
//!
//! Each input costs at most one X25519 agreement on the authority's side: the envelope is
//! opened once and the declaration body is then read by `verify_sealed_body`, the same
//! function `open_and_verify` runs after its own open.
#![no_main]

use khaibao_core::declaration::Submission;
use khaibao_core::pass::PASS_INFO;
use khaibao_core::seal::{self, DECLARATION_INFO, SealingKey, verify_sealed_body};
use khaibao_tests::fuzz_fixture as fx;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn key() -> &'static SealingKey {
    static K: OnceLock<SealingKey> = OnceLock::new();
    K.get_or_init(|| fx::sealing().expect("fixture key"))
}

fuzz_target!(|data: &[u8]| {
    let [mode, aad_len, rest @ ..] = data else {
        return;
    };
    let aad_len = usize::from(*aad_len).min(rest.len());
    let (aad, rest) = rest.split_at(aad_len);
    let declaration = mode & 1 == 0;
    let info = if declaration {
        DECLARATION_INFO
    } else {
        PASS_INFO
    };
    let sealed;
    let envelope = if mode & 2 == 2 {
        sealed = seal::seal(&key().public_key(), info, aad, rest).expect("sealing to a valid key");
        if let Ok(s) = Submission::from_cbor(rest) {
            let again = s.to_cbor().expect("a decoded submission re-encodes");
            assert_eq!(Submission::from_cbor(&again).expect("re-decodes"), s);
        }
        &sealed[..]
    } else {
        rest
    };
    let Ok(plain) = key().open(info, aad, envelope) else {
        assert!(mode & 2 == 0, "an envelope just sealed must open");
        return;
    };
    assert_eq!(plain.len() + 49, envelope.len(), "plaintext length");
    if mode & 2 == 2 {
        assert_eq!(plain, rest, "open returns what was sealed");
    }
    if declaration && let Ok(opened) = verify_sealed_body(&plain) {
        assert_eq!(opened.device_public_key.len(), 32);
        let _ = Submission::from_cbor(&opened.payload);
    }
});
