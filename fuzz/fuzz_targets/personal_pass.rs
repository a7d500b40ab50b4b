//! Fuzzes the staff side of the personal pass: arbitrary text as a scanned pass, arbitrary
//! bytes as the pass's CBOR behind the `KBP1:` prefix, arbitrary bytes as the signed pass
//! payload of a certified device (anyone who registers a device can sign anything, so the
//! payload decoder is reachable), and all of them through a staff door log (verify, replay
//! refusal, entry/exit). Nothing may panic; a pass that verifies must carry fields within
//! their limits.
#![no_main]

use khaibao_core::pass::{PASS_PREFIX, PassCheck, verify_pass};
use khaibao_core::seal::DeviceKey;
use khaibao_core::stafflog::StaffLog;
use khaibao_core::venue::TrustedKey;
use khaibao_tests::fuzz_fixture as fx;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

struct Fixture {
    trusted: Vec<TrustedKey>,
    device: DeviceKey,
    certificate: Vec<u8>,
    log: Mutex<StaffLog>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let trusted = vec![fx::trusted().expect("fixture key")];
        let log = StaffLog::open_in_memory(trusted.clone()).expect("in-memory log");
        Fixture {
            trusted,
            device: fx::device().expect("fixture device"),
            certificate: fx::certificate().expect("fixture certificate"),
            log: Mutex::new(log),
        }
    })
}

fn check(c: &PassCheck) {
    assert_eq!(c.pseudonym.len(), 32, "pseudonym is 16 bytes of hex");
    assert_eq!(c.nonce.len(), 16, "nonce is 8 bytes of hex");
    assert!(c.expires_at >= fx::NOW, "an expired pass verified");
}

fn scan(text: &str) {
    let f = fixture();
    if let Ok(c) = verify_pass(text, &f.trusted, fx::NOW) {
        check(&c);
    }
    let mut log = f.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let _ = log.scan(text, fx::NOW);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        scan(text);
    }
    let wrapped = format!(
        "{PASS_PREFIX}{}",
        khaibao_core::codec::base64url_encode(data)
    );
    scan(&wrapped);
    let f = fixture();
    let signed = fx::pass_with_payload(&f.device, &f.certificate, data.to_vec())
        .expect("signing cannot fail");
    scan(&signed);
});
