//! Fuzzes the venue payload parser and the whole code reader: arbitrary bytes as the CBOR
//! payload, as the COSE_Sign1 in a code, as coded Vietnamese text, and as scanned text
//! (khaibao, foreign or other). None of these may panic; a parsed payload must re-encode to
//! the same venue, and decoded text must code and decode back to itself.
#![no_main]

use khaibao_core::venue::keyset::Keyset;
use khaibao_core::{encoding::decimal, venue::foreign, venue::registry, venue, encoding::vntext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = venue::parse_payload(data) {
        let again = venue::encode_payload(&v).expect("a parsed venue re-encodes");
        assert_eq!(venue::parse_payload(&again).expect("re-parses"), v);
    }
    let keyset = Keyset::default();
    if let Ok(text) = vntext::decode(data) {
        let coded = vntext::encode(&text).expect("decoded text is in the alphabet");
        assert_eq!(vntext::decode(&coded).expect("re-decodes"), text);
    }
    // The reader refuses fragments longer than `decimal::MAX_BYTES` before decoding them
    // (longer digit strings reach it as text below); encoding longer inputs here would only
    // spend the run on this harness's quadratic base conversion.
    if data.len() <= decimal::MAX_BYTES {
        let code = format!("{}{}", venue::URL_PREFIX, decimal::encode(data));
        let _ = venue::verify_with(&code, &keyset, 0);
    }
    let _ = registry::Registry::verify(data, &keyset, 0, None);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = venue::read_with(text, &keyset, 0);
        let _ = foreign::parse(text, &[]);
        let _ = registry::parse_manual_code(text);
    }
});
