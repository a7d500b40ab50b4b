//! Every way a venue code can be wrong, each with a crafted input and the exact error.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use ciborium::Value;
use coset::{CborSerializable, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use khaibao_core::encoding::codec::{MapBuilder, to_cbor};
use khaibao_core::error::{FormatError, VenueError};
use khaibao_core::test_support;
use khaibao_core::venue::keyset::{Keyset, KeysetEntry};
use khaibao_core::venue::{self, MAX_FRAGMENT, ScannedVenue, TIME_EPOCH, URL_PREFIX, Venue};
use khaibao_core::{Error, encoding::base45, encoding::cose, encoding::decimal, encoding::vntext};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

const DAY: i64 = 86_400;
const NOW: i64 = TIME_EPOCH + 2_200 * DAY;

struct Signer {
    pkcs8: Vec<u8>,
    pair: Ed25519KeyPair,
}

fn signer() -> Signer {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .unwrap()
        .as_ref()
        .to_vec();
    let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).unwrap();
    Signer { pkcs8, pair }
}

impl Signer {
    fn public(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }
    fn keyset(&self) -> Keyset {
        Keyset {
            serial: 1,
            issued_at: 0,
            keys: vec![KeysetEntry {
                kid: venue::key_id(&self.public()),
                public_key: self.public(),
                valid_from: TIME_EPOCH,
                valid_until: TIME_EPOCH + 3_000 * DAY,
                usage: khaibao_core::venue::keyset::USAGE_VENUE,
            }],
        }
    }
    /// A code around arbitrary payload bytes, signed properly.
    fn code_for_payload(&self, payload: Vec<u8>) -> String {
        text(&cose::sign(payload, &self.pkcs8, cose::Purpose::VenueCode).unwrap())
    }
}

fn text(cose_bytes: &[u8]) -> String {
    format!("{URL_PREFIX}{}", decimal::encode(cose_bytes))
}

fn cose_bytes(code: &str) -> Vec<u8> {
    decimal::decode(&code[URL_PREFIX.len()..]).unwrap()
}

fn sample() -> Venue {
    Venue {
        name: "Nhà hàng Phở Thìn Lò Đúc".into(),
        address: "13 Lò Đúc, Phường Phạm Đình Hổ, Quận Hai Bà Trưng, Hà Nội".into(),
        province: 1,
        district: Some(7),
        ward: Some(277),
        default_stay_minutes: 45,
        not_before: TIME_EPOCH + 2_100 * DAY,
        not_after: TIME_EPOCH + 2_500 * DAY,
        issuer: "VN-01".into(),
        ..test_support::venue("a1b2c3d4e5f60718293a4b5c6d7e8f90")
    }
}

/// The sample's payload map with one key replaced (or removed with `Value::Null`).
fn payload_with(key: u64, value: Value) -> Vec<u8> {
    let bytes = venue::encode_payload(&sample()).unwrap();
    let Value::Map(pairs) = ciborium::from_reader::<Value, _>(bytes.as_slice()).unwrap() else {
        panic!("payload is a map")
    };
    let mut b = MapBuilder::new();
    let mut replaced = false;
    for (k, v) in pairs {
        let k = u64::try_from(k.as_integer().unwrap()).unwrap();
        if k == key {
            replaced = true;
            if value != Value::Null {
                b = b.put(k, value.clone());
            }
        } else {
            b = b.put(k, v);
        }
    }
    if !replaced {
        b = b.put(key, value);
    }
    to_cbor(&b.build()).unwrap()
}

fn verify(s: &Signer, code: &str) -> Result<Venue, Error> {
    venue::verify_with(code, &s.keyset(), NOW)
}

#[test]
fn valid_code_verifies() {
    let s = signer();
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    assert_eq!(verify(&s, &code).unwrap(), sample());
}

#[test]
fn not_a_khaibao_code() {
    let s = signer();
    for other in [
        "https://tokhaiyte.vn/?page=Declare&venue=9",
        "NZCOVIDTRACER:eyJ9",
        "HTTPS://QR.KHAIBAO.VN/X#ABC",
        "",
    ] {
        assert!(matches!(
            verify(&s, other),
            Err(Error::Venue(VenueError::NotVenueCode))
        ));
        assert_eq!(
            venue::read_with(other, &s.keyset(), NOW).unwrap(),
            ScannedVenue::Unverified { text: other.into() }
        );
    }
}

#[test]
fn bit_flip_in_signature() {
    let s = signer();
    let mut bytes = cose_bytes(&venue::issue(&sample(), &s.pkcs8).unwrap());
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    assert!(matches!(
        verify(&s, &text(&bytes)),
        Err(Error::Venue(VenueError::BadSignature))
    ));
}

#[test]
fn bit_flip_in_payload() {
    let s = signer();
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    let mut bytes = cose_bytes(&code);
    // The venue name sits in the middle of the payload.
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    assert!(matches!(
        verify(&s, &text(&bytes)),
        Err(Error::Venue(VenueError::BadSignature) | Error::Format(FormatError::Malformed(_)))
    ));
}

#[test]
fn wrong_kid() {
    let s = signer();
    let other = signer();
    let code = venue::issue(&sample(), &other.pkcs8).unwrap();
    assert!(matches!(
        verify(&s, &code),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
}

#[test]
fn key_outside_its_window() {
    let s = signer();
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    let mut ks = s.keyset();
    ks.keys[0].valid_until = NOW - 1;
    assert!(matches!(
        venue::verify_with(&code, &ks, NOW),
        Err(Error::Venue(VenueError::KeyNotValid))
    ));
}

#[test]
fn rotation_accepts_codes_from_both_keys() {
    let old = signer();
    let new = signer();
    let mut ks = old.keyset();
    ks.keys.extend(new.keyset().keys);
    for s in [&old, &new] {
        let code = venue::issue(&sample(), &s.pkcs8).unwrap();
        assert_eq!(venue::verify_with(&code, &ks, NOW).unwrap(), sample());
    }
}

#[test]
fn expired_and_not_yet_valid() {
    let s = signer();
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    let ks = s.keyset();
    let v = sample();
    assert!(venue::verify_with(&code, &ks, v.not_before).is_ok());
    assert!(venue::verify_with(&code, &ks, v.not_after).is_ok());
    assert!(matches!(
        venue::verify_with(&code, &ks, v.not_before - 1),
        Err(Error::Venue(VenueError::NotYetValid))
    ));
    assert!(matches!(
        venue::verify_with(&code, &ks, v.not_after + 1),
        Err(Error::Venue(VenueError::Expired))
    ));
}

fn sign_with_headers(s: &Signer, kid_protected: bool, kid_unprotected: bool) -> Vec<u8> {
    let kid = venue::key_id(&s.public());
    let mut protected = HeaderBuilder::new().algorithm(iana::Algorithm::EdDSA);
    if kid_protected {
        protected = protected.key_id(kid.clone());
    }
    let mut unprotected = HeaderBuilder::new();
    if kid_unprotected {
        unprotected = unprotected.key_id(kid);
    }
    CoseSign1Builder::new()
        .protected(protected.build())
        .unprotected(unprotected.build())
        .payload(venue::encode_payload(&sample()).unwrap())
        .create_signature(cose::Purpose::VenueCode.external_aad(), |d| {
            s.pair.sign(d).as_ref().to_vec()
        })
        .build()
        .to_vec()
        .unwrap()
}

#[test]
fn kid_only_in_unprotected_header_is_accepted() {
    let s = signer();
    let bytes = sign_with_headers(&s, false, true);
    assert_eq!(verify(&s, &text(&bytes)).unwrap(), sample());
}

#[test]
fn no_kid_at_all_is_malformed() {
    let s = signer();
    let bytes = sign_with_headers(&s, false, false);
    assert!(matches!(
        verify(&s, &text(&bytes)),
        Err(Error::Format(FormatError::Malformed("no key id")))
    ));
}

#[test]
fn tagged_cose_is_accepted() {
    let s = signer();
    let sign1 = coset::CoseSign1::from_slice(&sign_with_headers(&s, true, false)).unwrap();
    let tagged = sign1.to_tagged_vec().unwrap();
    assert_eq!(verify(&s, &text(&tagged)).unwrap(), sample());
}

#[test]
fn other_algorithm_is_malformed() {
    let s = signer();
    let bytes = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .key_id(venue::key_id(&s.public()))
                .build(),
        )
        .payload(venue::encode_payload(&sample()).unwrap())
        .create_signature(cose::Purpose::VenueCode.external_aad(), |d| {
            s.pair.sign(d).as_ref().to_vec()
        })
        .build()
        .to_vec()
        .unwrap();
    assert!(matches!(
        verify(&s, &text(&bytes)),
        Err(Error::Format(FormatError::Malformed("algorithm")))
    ));
}

#[test]
fn truncated() {
    let s = signer();
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    // Cut whole bytes (still valid digits) and single digits (no byte length fits).
    let bytes = cose_bytes(&code);
    for cut in [1, 2, 10, 64, bytes.len() - 1] {
        let short = text(&bytes[..bytes.len() - cut]);
        assert!(
            matches!(
                verify(&s, &short),
                Err(Error::Format(FormatError::Malformed(_)))
            ),
            "cut {cut}"
        );
    }
    for cut in 1..=3 {
        assert!(
            matches!(
                verify(&s, &code[..code.len() - cut]),
                Err(Error::Format(FormatError::Malformed(_)))
            ),
            "cut {cut} digits"
        );
    }
    assert!(matches!(
        verify(&s, URL_PREFIX),
        Err(Error::Format(FormatError::Malformed(_)))
    ));
}

#[test]
fn oversized() {
    let s = signer();
    let huge = format!("{URL_PREFIX}{}", "0".repeat(MAX_FRAGMENT + 3));
    assert!(matches!(
        verify(&s, &huge),
        Err(Error::Format(FormatError::FieldTooLong("code")))
    ));
    // A name over the limit is refused when issuing...
    let mut v = sample();
    v.name = "Đ".repeat(101);
    assert!(matches!(
        venue::issue(&v, &s.pkcs8),
        Err(Error::Format(FormatError::FieldTooLong("name")))
    ));
    // ...and when a signer put it in anyway.
    let code = s.code_for_payload(payload_with(3, Value::Text("Ư".repeat(101))));
    assert!(matches!(
        verify(&s, &code),
        Err(Error::Format(FormatError::FieldTooLong("name")))
    ));
}

#[test]
fn wrong_cbor_types() {
    let s = signer();
    for (key, value, field) in [
        (2, Value::Text("id".into()), "venue id"),
        (2, Value::Bytes(vec![1; 8]), "venue id"),
        (3, Value::Integer(7.into()), "name"),
        (3, Value::Null, "name"),
        (5, Value::Text("79".into()), "province"),
        (5, Value::Integer((1u64 << 40).into()), "province"),
        (6, Value::Integer(42.into()), "category"),
        (12, Value::Integer((-5).into()), "not before"),
        (13, Value::Bool(true), "not after"),
        (11, Value::Float(1.5), "default stay"),
        (99, Value::Integer(1.into()), "unknown key"),
        // "Phở" with a combining hook and dot: not NFC, so not canonical.
        (3, Value::Text("Pho\u{31b}\u{309}".into()), "name"),
        // A coded name whose bits end inside a code, or pad with zero bits.
        (3, Value::Bytes(vec![0x00]), "name"),
        (3, Value::Bytes(vec![]), "name"),
        // UTF-8 where the coding is shorter: not the one wire form.
        (3, Value::Text("Nhà hàng Phở Thìn Lò Đúc".into()), "name"),
        // Coded, but cut letter by letter instead of taking the dictionary word.
        (
            4,
            Value::Bytes(letter_by_letter("Phường Phường Phường")),
            "address",
        ),
        // Coded where UTF-8 is not longer.
        (14, Value::Bytes(vntext::encode("Q").unwrap()), "issuer"),
        (7, Value::Array(vec![]), "vehicle plate"),
    ] {
        let code = s.code_for_payload(payload_with(key, value));
        match verify(&s, &code) {
            Err(Error::Format(FormatError::InvalidField(f))) => assert_eq!(f, field, "key {key}"),
            other => panic!("key {key}: {other:?}"),
        }
    }
    // Not a map at all, and a map with text keys.
    let code = s.code_for_payload(to_cbor(&Value::Array(vec![])).unwrap());
    assert!(matches!(
        verify(&s, &code),
        Err(Error::Format(FormatError::Malformed(_)))
    ));
    let code = s.code_for_payload(
        to_cbor(&Value::Map(vec![(
            Value::Text("1".into()),
            Value::Integer(1.into()),
        )]))
        .unwrap(),
    );
    assert!(matches!(
        verify(&s, &code),
        Err(Error::Format(FormatError::Malformed(_)))
    ));
}

#[test]
fn unsupported_version() {
    let s = signer();
    for old_or_new in [1, 3] {
        let code = s.code_for_payload(payload_with(1, Value::Integer(old_or_new.into())));
        assert!(matches!(
            verify(&s, &code),
            Err(Error::Format(FormatError::UnsupportedVersion(v))) if v == old_or_new
        ));
    }
}

#[test]
fn version_1_base45_code_is_not_read() {
    // Format 1 put base45 after the same prefix; format 2 reads digits only.
    let s = signer();
    let v1 = format!(
        "{URL_PREFIX}{}",
        base45::encode(
            &cose::sign(
                payload_with(1, Value::Integer(1.into())),
                &s.pkcs8,
                cose::Purpose::VenueCode
            )
            .unwrap()
        )
    );
    assert!(matches!(
        verify(&s, &v1),
        Err(Error::Format(FormatError::Malformed(_)))
    ));
}

#[test]
fn two_keys_sharing_a_kid_are_both_tried() {
    let a = signer();
    let b = signer();
    let mut ks = a.keyset();
    let mut other = b.keyset().keys[0].clone();
    other.kid = ks.keys[0].kid.clone();
    ks.keys.insert(0, other);
    let code = venue::issue(&sample(), &a.pkcs8).unwrap();
    assert_eq!(venue::verify_with(&code, &ks, NOW).unwrap(), sample());
    let code = venue::issue(&sample(), &b.pkcs8).unwrap();
    // b's own kid is not in the keyset; under a's kid it verifies too.
    assert!(matches!(
        venue::verify_with(&code, &ks, NOW),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
}

/// `text` coded one character per symbol, ignoring the dictionary (a non-canonical cut).
fn letter_by_letter(text: &str) -> Vec<u8> {
    // Concatenate the codes of single characters by decoding each char's own coding; the
    // bit strings are joined and padded with ones like the real coder does.
    let mut bits = Vec::new();
    for c in text.chars() {
        let one = vntext::encode(&c.to_string()).unwrap();
        let n = vntext::code_len(&c.to_string()).unwrap();
        for i in 0..usize::from(n) {
            bits.push((one[i / 8] >> (7 - i % 8)) & 1);
        }
    }
    while bits.len() % 8 != 0 {
        bits.push(1);
    }
    bits.chunks(8)
        .map(|b| b.iter().fold(0u8, |acc, bit| (acc << 1) | bit))
        .collect()
}

#[test]
fn inverted_validity_is_invalid() {
    let s = signer();
    let code = s.code_for_payload(payload_with(12, Value::Integer(2_600.into())));
    assert!(matches!(
        verify(&s, &code),
        Err(Error::Format(FormatError::InvalidField("validity")))
    ));
}

#[test]
fn random_mutations_never_verify_as_another_venue() {
    let s = signer();
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    let bytes = cose_bytes(&code);
    let ks = s.keyset();
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..3_000 {
        let mut m = bytes.clone();
        for _ in 0..=(next() % 3) {
            if m.is_empty() {
                break;
            }
            let i = (next() % m.len() as u64) as usize;
            match next() % 3 {
                0 => m[i] ^= 1 << (next() % 8),
                1 => m[i] = next() as u8,
                _ => m.truncate(i),
            }
        }
        if m == bytes {
            continue;
        }
        // Every change is an error, except re-encodings that keep the same signed content.
        if let Ok(v) = venue::verify_with(&text(&m), &ks, NOW) {
            assert_eq!(v, sample());
        }
    }
}

/// Every signed object type carries its own external data under the signature, so bytes
/// signed as one type never verify as another, even under one key: a device certificate
/// is not a venue code, a venue code is not a device certificate, nor a registry or an
/// exposure list.
#[test]
fn a_signature_for_one_object_type_never_verifies_as_another() {
    use khaibao_core::pass;
    let s = signer();
    let trusted = venue::TrustedKey {
        kid: cose::key_id(&s.public()),
        public_key: s.public(),
    };
    // A device certificate, presented as a venue code.
    let device = [7u8; 32];
    let cert = pass::certify_device(&s.pkcs8, &device, NOW - DAY, NOW + DAY).unwrap();
    assert_eq!(
        pass::verify_certificate(&cert, std::slice::from_ref(&trusted), NOW).unwrap(),
        device
    );
    assert!(matches!(
        verify(&s, &text(&cert)),
        Err(Error::Venue(VenueError::BadSignature))
    ));
    // A venue code, presented as a device certificate (its payload even has the shape of
    // one: version 1, a 32-byte key, two times).
    let lookalike = to_cbor(
        &MapBuilder::new()
            .put(1, 1u64)
            .put(2, Value::Bytes(device.to_vec()))
            .put(3, NOW - DAY)
            .put(4, NOW + DAY)
            .build(),
    )
    .unwrap();
    let as_venue = cose::sign(lookalike.clone(), &s.pkcs8, cose::Purpose::VenueCode).unwrap();
    assert!(pass::verify_certificate(&as_venue, std::slice::from_ref(&trusted), NOW).is_err());
    let code = venue::issue(&sample(), &s.pkcs8).unwrap();
    let code_bytes = cose_bytes(&code);
    assert!(pass::verify_certificate(&code_bytes, std::slice::from_ref(&trusted), NOW).is_err());
    // Each purpose verifies only as itself.
    let purposes = [
        cose::Purpose::VenueCode,
        cose::Purpose::Registry,
        cose::Purpose::KeysetUpdate,
        cose::Purpose::DeviceCertificate,
        cose::Purpose::ExposureList,
        cose::Purpose::Device,
    ];
    for signed_as in purposes {
        let bytes = cose::sign(lookalike.clone(), &s.pkcs8, signed_as).unwrap();
        let parsed = cose::Signed::parse(&bytes).unwrap();
        for checked_as in purposes {
            assert_eq!(
                parsed.verify(&s.public(), checked_as).is_ok(),
                signed_as == checked_as,
                "{signed_as:?} checked as {checked_as:?}"
            );
        }
    }
    // An exposure list's signature does not make a venue code.
    let list = khaibao_core::exposure::build_list(&s.pkcs8, 1, 0, NOW, &[]).unwrap();
    assert!(matches!(
        verify(&s, &text(&list)),
        Err(Error::Venue(VenueError::BadSignature))
    ));
}
