//! The fuzz seeds are what they claim to be: each one is accepted all the way through the
//! code its fuzz target drives (a fuzzer that starts from inputs rejected at the first byte
//! explores little), and the fixture's fixed keys agree with the ones the server loads.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::http::{AppState, IngestAnswer, ingest_body};
use khaibao_core::declaration::Submission;
use khaibao_core::error::{FormatError, VenueError};
use khaibao_core::upload::protocol::{self, ItemStatus};
use khaibao_core::{exposure, pass, scan, seal, venue};
use khaibao_tests::fuzz_fixture::{self as fx, NOW};

fn seeds_of(target: &str) -> Vec<Vec<u8>> {
    let all = fx::seeds().expect("seeds");
    assert!(
        all.iter().all(|(t, _, _)| fx::TARGETS.contains(t)),
        "a seed for an unknown target"
    );
    all.into_iter()
        .filter(|(t, _, _)| *t == target)
        .map(|(_, _, b)| b)
        .collect()
}

#[test]
fn every_target_has_seeds() {
    for t in fx::TARGETS {
        assert!(!seeds_of(t).is_empty(), "{t} has no seed");
    }
}

#[test]
fn pass_seeds_verify_for_staff() {
    let trusted = [fx::trusted().unwrap()];
    let seeds = seeds_of("personal_pass");
    let texts: Vec<String> = seeds
        .iter()
        .filter_map(|b| std::str::from_utf8(b).ok())
        .filter(|t| t.starts_with(pass::PASS_PREFIX))
        .map(str::to_owned)
        .collect();
    assert_eq!(texts.len(), 2);
    let names: Vec<Option<String>> = texts
        .iter()
        .map(|t| pass::verify_pass(t, &trusted, NOW).expect("verifies").name)
        .collect();
    assert_eq!(names, [None, Some("Thử".to_owned())]);
}

#[test]
fn seal_seeds_open_with_the_fixture_key() {
    let key = fx::sealing().unwrap();
    let mut plaintexts = 0;
    for input in seeds_of("seal_open") {
        let aad_len = usize::from(input[1]);
        let aad = &input[2..2 + aad_len];
        let rest = &input[2 + aad_len..];
        let info = if input[0] & fx::SEAL_PASS_INFO != 0 {
            pass::PASS_INFO
        } else {
            seal::DECLARATION_INFO
        };
        if input[0] & fx::SEAL_PLAINTEXT != 0 {
            // Sealed by the target, as anyone can with the public key; it must open and,
            // for a declaration body, verify.
            plaintexts += 1;
            let env = seal::seal(&key.public_key(), info, aad, rest).unwrap();
            let opened = seal::open_and_verify(&key, &env, aad);
            let is_submission = Submission::from_cbor(rest).is_ok();
            assert!(
                opened.is_ok() || is_submission,
                "a plaintext seed reaches a decoder"
            );
        } else {
            key.open(info, aad, rest).expect("opens");
        }
    }
    assert_eq!(plaintexts, 2);
}

#[test]
fn resigned_inputs_get_past_the_signature() {
    // The re-signing paths of the fuzz targets reach the payload decoders: an empty map
    // fails on its fields, not on its signature or certificate.
    let trusted = [fx::trusted().unwrap()];
    let text = fx::pass_with_payload(
        &fx::device().unwrap(),
        &fx::certificate().unwrap(),
        vec![0xa0],
    )
    .unwrap();
    let err = pass::verify_pass(&text, &trusted, NOW).unwrap_err();
    assert!(
        matches!(
            err,
            khaibao_core::Error::Format(FormatError::InvalidField(_))
        ),
        "{err:?}"
    );
    let list = fx::authority_signed(vec![0xa0]).unwrap();
    let err = exposure::verify_list(&list, &trusted).unwrap_err();
    assert!(
        !matches!(
            err,
            khaibao_core::Error::Venue(VenueError::BadSignature | VenueError::UnknownKey)
        ),
        "{err:?}"
    );
}

#[test]
fn exposure_and_venue_seeds_verify() {
    let trusted = [fx::trusted().unwrap()];
    // Each seed is a signed list, or a list payload that verifies once the target signs it.
    let lists: Vec<_> = seeds_of("exposure_list")
        .into_iter()
        .map(|b| {
            exposure::verify_list(&b, &trusted)
                .or_else(|_| exposure::verify_list(&fx::authority_signed(b)?, &trusted))
                .expect("list verifies")
        })
        .collect();
    assert_eq!(lists.len(), 3);
    assert_eq!(lists[0].entries, fx::exposure_entries());
    assert_eq!(lists[1], lists[0], "the payload seed is the same list");
    let code = seeds_of("venue_payload")
        .into_iter()
        .find_map(|b| {
            String::from_utf8(b)
                .ok()
                .filter(|t| venue::is_khaibao_code(t))
        })
        .expect("a code seed");
    assert_eq!(venue::verify(&code, &trusted, NOW).unwrap(), fx::venue());
    // The target wraps its input as a code's COSE, parses it as a payload, and decodes it
    // as coded text: one seed reaches the end of each.
    let seeds = seeds_of("venue_payload");
    let as_code = |b: &[u8]| {
        format!(
            "{}{}",
            venue::URL_PREFIX,
            khaibao_core::encoding::decimal::encode(b)
        )
    };
    assert!(
        seeds
            .iter()
            .any(|b| venue::verify(&as_code(b), &trusted, NOW).ok() == Some(fx::venue()))
    );
    assert!(
        seeds
            .iter()
            .any(|b| venue::parse_payload(b).ok() == Some(fx::transport_venue()))
    );
    assert!(
        seeds
            .iter()
            .any(|b| khaibao_core::encoding::vntext::decode(b).ok() == Some(fx::venue().name))
    );
}

#[test]
fn scan_seeds_fit_the_cap_and_decode() {
    let seeds = seeds_of("scan_frame");
    assert_eq!(seeds.len(), 2);
    let mut texts = Vec::new();
    for input in &seeds {
        assert!(
            input.len() <= 4608,
            "fuzz/run.sh caps scan_frame inputs at 4,608 bytes"
        );
        let w = u32::from(u16::from_le_bytes([input[0], input[1]]));
        let h = u32::from(u16::from_le_bytes([input[2], input[3]]));
        assert!(w < 512 && h < 512, "the target takes sizes modulo 512");
        let frame = scan::Frame::new(&input[9..], w, h, w).unwrap();
        let found = scan::scan_frame(&frame, None).unwrap();
        texts.push(found[0].text.clone().unwrap());
    }
    assert_eq!(
        venue::verify(&texts[0], &[fx::trusted().unwrap()], NOW).unwrap(),
        fx::venue()
    );
    assert_eq!(texts[1], "KB-1042");
}

#[test]
fn ingest_seed_is_accepted_then_duplicate_with_one_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let db = AuthorityDb::open(&dir.path().join("a.db")).unwrap();
    let state = AppState::new(db, fx::authority_keys().unwrap());
    let batch = seeds_of("ingest_body")
        .into_iter()
        .max_by_key(Vec::len)
        .unwrap();
    let statuses = |answer: IngestAnswer| {
        let IngestAnswer::Results(bytes) = answer else {
            panic!("not results: {answer:?}")
        };
        protocol::decode_response(&bytes)
            .unwrap()
            .into_iter()
            .map(|r| match r.status {
                ItemStatus::Accepted { .. } => 'A',
                ItemStatus::Duplicate { .. } => 'D',
                ItemStatus::Rejected { .. } => 'R',
            })
            .collect::<String>()
    };
    assert_eq!(statuses(ingest_body(&state, &batch, NOW)), "AAR");
    assert_eq!(statuses(ingest_body(&state, &batch, NOW)), "DDR");
    assert!(matches!(
        ingest_body(&state, b"\xff", NOW),
        IngestAnswer::BadRequest(_)
    ));
}
