//! Test fixtures shared by the core's own tests, the authority's, the end-to-end tests, the
//! benchmarks and the fuzz targets, so that none of them keeps its own copy: a venue to
//! vary, a health declaration, keys, a master key and a store in memory.
//!
//! Compiled for the core's tests and, for other crates, behind the `test-support` feature;
//! never part of the shipped library. Fixtures panic on failure, as test code does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::UnixTime;
use crate::declaration::{
    CalendarDate, Declaration, IdDocument, Sex, Symptom, Travel, TravelMode, VaccineDose,
};
use crate::encoding::cose::key_id;
use crate::storage::store::Store;
use crate::storage::vault::MasterKey;
use crate::venue::keyset::TrustedKey;
use crate::venue::{ScannedVenue, Venue, VenueCategory};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

/// A restaurant in Ho Chi Minh City (province 79) with id `id`, valid at all times, staying
/// 60 minutes by default. Vary it with struct update syntax:
/// `Venue { name: "…".into(), ..venue("a") }`.
pub fn venue(id: &str) -> Venue {
    Venue {
        id: id.into(),
        name: format!("Quán {id}"),
        address: "1 Lê Lợi".into(),
        province: 79,
        district: None,
        ward: None,
        vehicle_plate: None,
        route: None,
        event_start: None,
        event_end: None,
        category: VenueCategory::Restaurant,
        default_stay_minutes: 60,
        not_before: 0,
        not_after: i64::MAX,
        issuer: "test".into(),
    }
}

/// `venue` as a verified scan.
pub fn verified(venue: Venue) -> ScannedVenue {
    ScannedVenue::Verified { venue }
}

/// A fresh Ed25519 key: its PKCS#8 document and the [`TrustedKey`] apps would ship for it.
pub fn signing_key() -> (Vec<u8>, TrustedKey) {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let public_key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    (
        pkcs8.as_ref().to_vec(),
        TrustedKey {
            kid: key_id(&public_key),
            public_key,
        },
    )
}

/// A health declaration as a person might type it: every section filled in, with the stray
/// spaces, lowercase and unsorted lists that validation normalises. Valid once validated
/// at 2021-09-15.
pub fn declaration() -> Declaration {
    let date = |year, month, day| CalendarDate { year, month, day };
    Declaration {
        full_name: "  Nguyễn Văn An ".into(),
        birth_year: 1990,
        date_of_birth: Some(date(1990, 5, 19)),
        sex: Some(Sex::Male),
        nationality: String::new(),
        id_document: Some(IdDocument::Cccd {
            number: "001 090 012345".into(),
        }),
        phone: "091 234 5678".into(),
        email: Some(" An.Nguyen@Example.VN ".into()),
        province: 1,
        district: Some(5),
        ward: Some(160),
        street: " 12 Phố Huế ".into(),
        health_insurance: Some("dn4797915012345".into()),
        travel: vec![Travel {
            mode: TravelMode::Air,
            vehicle_number: Some("vn 213".into()),
            seat: Some("12a".into()),
            departure: date(2021, 9, 10),
            arrival: date(2021, 9, 10),
            places: vec![" Thành phố Hồ Chí Minh ".into()],
        }],
        symptoms: vec![Symptom::Cough, Symptom::Fever, Symptom::Cough],
        vaccination: vec![
            VaccineDose {
                date: date(2021, 8, 20),
                vaccine: Some("Pfizer".into()),
            },
            VaccineDose {
                date: date(2021, 7, 1),
                vaccine: None,
            },
        ],
        ..Declaration::default()
    }
}

/// The master key the tests' stores are opened with.
pub fn master_key() -> MasterKey {
    master_key_from(9)
}

/// A master key of 32 bytes `byte`, for tests that need two different ones.
pub fn master_key_from(byte: u8) -> MasterKey {
    MasterKey::from_bytes(&[byte; 32]).unwrap()
}

/// A store in memory under [`master_key`], opened (and purged) at `now`.
pub fn store_in_memory(now: UnixTime) -> Store {
    Store::open_in_memory(&master_key(), now).unwrap()
}

/// Checks an encoder and its decoder against published test vectors `(plain, encoded)`.
pub fn assert_vectors<E>(
    vectors: &[(&str, &str)],
    encode: impl Fn(&[u8]) -> String,
    decode: impl Fn(&str) -> Result<Vec<u8>, E>,
) where
    E: std::fmt::Debug,
{
    for (plain, encoded) in vectors {
        assert_eq!(encode(plain.as_bytes()), *encoded, "encoding {plain:?}");
        assert_eq!(
            decode(encoded).unwrap(),
            plain.as_bytes(),
            "decoding {encoded:?}"
        );
    }
}
