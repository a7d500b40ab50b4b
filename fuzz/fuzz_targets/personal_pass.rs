//! Fuzzes the staff side of the personal pass: arbitrary text as a scanned pass, arbitrary
//! bytes as the pass's CBOR behind the `KBP1:` prefix, arbitrary bytes as the signed pass
//! payload of a certified device (anyone who registers a device can sign anything, so the
//! payload decoder is reachable), and every pass that verifies through a staff door log
//! (replay refusal, entry/exit). Nothing may panic; a pass that verifies must carry fields
//! within their limits (its expiry at most an hour after it may have been issued), and the
//! door log must admit it or refuse it as a replay. The input is also read as a door-log
//! passage upload (what the authority's ingest decodes), which must round-trip.
#![no_main]

use khaibao_core::error::PassError;
use khaibao_core::Error;
use khaibao_core::pass::stafflog::PassageUpload;
use khaibao_core::pass::{MAX_PASS_SECONDS, PASS_PREFIX, PassCheck, verify_pass};
use khaibao_core::seal::DeviceKey;
use khaibao_core::pass::stafflog::StaffLog;
use khaibao_core::venue::TrustedKey;
use khaibao_tests::fuzz_fixture as fx;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

/// Admissions after which the door log starts again empty, so a long run's memory stays
/// bounded (every fresh verified pass adds a row).
const LOG_ROWS: u32 = 50_000;

struct Door {
    log: StaffLog,
    admitted: u32,
}

struct Fixture {
    trusted: Vec<TrustedKey>,
    device: DeviceKey,
    certificate: Vec<u8>,
    door: Mutex<Door>,
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
            door: Mutex::new(Door { log, admitted: 0 }),
        }
    })
}

fn check(c: &PassCheck) {
    assert_eq!(c.pseudonym.len(), 32, "pseudonym is 16 bytes of hex");
    assert_eq!(c.nonce.len(), 16, "nonce is 8 bytes of hex");
    assert!(c.expires_at >= fx::NOW, "an expired pass verified");
    assert!(
        c.expires_at <= fx::NOW + 60 + MAX_PASS_SECONDS,
        "a pass lives longer than the clamp"
    );
}

/// `StaffLog::scan` starts with the same `verify_pass` (same keys, same clock), so a pass
/// that does not verify is refused there too; only verified passes go through the log.
fn scan(text: &str) {
    let f = fixture();
    let Ok(c) = verify_pass(text, &f.trusted, fx::NOW) else {
        return;
    };
    check(&c);
    let mut door = f
        .door
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match door.log.scan(text, fx::NOW) {
        Ok(admission) => {
            assert_eq!(admission.check, c);
            door.admitted += 1;
            if door.admitted == LOG_ROWS {
                door.log = StaffLog::open_in_memory(f.trusted.clone()).expect("in-memory log");
                door.admitted = 0;
            }
        }
        Err(Error::Pass(PassError::Replayed)) => {}
        Err(e) => panic!("a verified pass was refused by the log: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = PassageUpload::from_cbor(data) {
        let again = p.to_cbor().expect("a read passage re-encodes");
        assert_eq!(PassageUpload::from_cbor(&again).expect("re-reads"), p);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        scan(text);
    }
    let wrapped = format!(
        "{PASS_PREFIX}{}",
        khaibao_core::encoding::codec::base64url_encode(data)
    );
    scan(&wrapped);
    let f = fixture();
    let signed = fx::pass_with_payload(&f.device, &f.certificate, data.to_vec())
        .expect("signing cannot fail");
    scan(&signed);
});
