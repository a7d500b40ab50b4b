//! Tests of [`crate::venue::trust`] and [`crate::venue::fetch`]: keyset updates, the effective
//! keyset, cached registries and manual-code resolution.

use super::*;
use crate::Error;
use crate::encoding::cose;
use crate::error::{NetError, VenueError};
use crate::net::transport::{HttpClient, HttpRequest, HttpResponse};
use crate::test_support;
use crate::venue::fetch::{self, KEYSET_UPDATE_PATH, REGISTRY_PATH};
use crate::venue::keyset::KeysetEntry;
use crate::venue::keyset::tests::{entry, keyset, pair};
use crate::venue::registry::{damm, manual_code};
use crate::venue::{self, VenueCategory};
use std::collections::HashMap;
use std::sync::Mutex;

const NOW: UnixTime = 1_767_225_600;

fn store() -> Store {
    test_support::store_in_memory(NOW)
}

fn trusted(public: &[u8]) -> TrustedKey {
    TrustedKey {
        kid: cose::key_id(public),
        public_key: public.to_vec(),
    }
}

fn update(root_sk: &[u8], serial: u64, keys: Vec<KeysetEntry>) -> Vec<u8> {
    keyset(serial, NOW, keys).sign(root_sk).unwrap()
}

fn venue(id_byte: u8) -> Venue {
    Venue {
        name: "Bệnh viện Chợ Rẫy".into(),
        address: "201B Nguyễn Chí Thanh, Phường 12, Quận 5".into(),
        district: Some(774),
        category: VenueCategory::Hospital,
        default_stay_minutes: 90,
        not_before: NOW - 86_400,
        not_after: NOW + 365 * 86_400,
        issuer: "khaibao".into(),
        ..test_support::venue(&format!("{id_byte:02x}").repeat(16))
    }
}

/// Issued venues and their signed registry.
fn registry(signing_sk: &[u8], serial: u64, venues: &[Venue]) -> Vec<u8> {
    let codes: Vec<(Venue, String)> = venues
        .iter()
        .map(|v| (v.clone(), venue::issue(v, signing_sk).unwrap()))
        .collect();
    Registry::build(serial, NOW, 79, &codes)
        .unwrap()
        .sign(signing_sk)
        .unwrap()
}

#[test]
fn keyset_update_is_stored_and_stale_or_foreign_updates_are_refused() {
    let s = store();
    let (root_sk, root_pk) = pair();
    let (_, key) = pair();
    let v5 = update(&root_sk, 5, vec![entry(&key, 0, i64::MAX)]);
    let got = apply_keyset_update(&s, &v5, &root_pk, NOW).unwrap();
    assert_eq!(got.serial, 5);
    assert_eq!(stored_keyset(&s, &root_pk).unwrap(), Some(got));
    // The same update again, and an older one, are stale; the held one stays.
    for serial in [5, 4] {
        let old = update(&root_sk, serial, vec![]);
        assert!(matches!(
            apply_keyset_update(&s, &old, &root_pk, NOW),
            Err(Error::Venue(VenueError::StaleUpdate))
        ));
    }
    // An update signed by another root is refused and stores nothing.
    let (other_sk, _) = pair();
    let forged = update(&other_sk, 9, vec![]);
    assert!(matches!(
        apply_keyset_update(&s, &forged, &root_pk, NOW),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
    assert_eq!(
        stored_bytes(&s, TrustKind::Keyset).unwrap(),
        Some(v5.clone())
    );
    // A newer one replaces it.
    let v6 = update(&root_sk, 6, vec![]);
    assert_eq!(
        apply_keyset_update(&s, &v6, &root_pk, NOW).unwrap().serial,
        6
    );
    // Under another root (an app update shipping a new one) the stored update is ignored.
    let (_, other_pk) = pair();
    assert_eq!(stored_keyset(&s, &other_pk).unwrap(), None);
}

#[test]
fn effective_keyset_verifies_a_rotated_in_key_and_drops_a_withdrawn_shipped_one() {
    let s = store();
    let (root_sk, root_pk) = pair();
    let (old_sk, old_pk) = pair();
    let (new_sk, new_pk) = pair();
    let shipped = [trusted(&old_pk)];
    let v = venue(0x11);
    let old_code = venue::issue(&v, &old_sk).unwrap();
    let new_code = venue::issue(&v, &new_sk).unwrap();
    let before = effective_keyset(&s, &shipped, Some(&root_pk)).unwrap();
    assert!(venue::verify_with(&old_code, &before, NOW).is_ok());
    assert!(matches!(
        venue::verify_with(&new_code, &before, NOW),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
    // Rotation: the new key comes in, the shipped one's window closes an hour ago.
    let rotated = update(
        &root_sk,
        1,
        vec![entry(&old_pk, 0, NOW - 3_600), entry(&new_pk, 0, i64::MAX)],
    );
    apply_keyset_update(&s, &rotated, &root_pk, NOW).unwrap();
    let after = effective_keyset(&s, &shipped, Some(&root_pk)).unwrap();
    assert_eq!(venue::verify_with(&new_code, &after, NOW).unwrap(), v);
    assert!(matches!(
        venue::verify_with(&old_code, &after, NOW),
        Err(Error::Venue(VenueError::KeyNotValid))
    ));
    // Without a root key configured, only the shipped keys count.
    let plain = effective_keyset(&s, &shipped, None).unwrap();
    assert!(venue::verify_with(&old_code, &plain, NOW).is_ok());
    assert!(venue::verify_with(&new_code, &plain, NOW).is_err());
}

#[test]
fn registry_resolves_typed_codes_and_refuses_unknown_signers_and_stale_serials() {
    let s = store();
    let (sk, pk) = pair();
    let keyset = Keyset::from_trusted(&[trusted(&pk)]);
    let venues = [venue(0x21), venue(0x42), venue(0x63)];
    let typed = manual_code(&venues[1]).unwrap();
    // Before any registry, a typo is still a typo, and a good code has nothing to look in.
    assert!(matches!(
        resolve_manual_code(&s, "1234 5678 90", &keyset, NOW),
        Err(Error::Venue(VenueError::ManualCodeInvalid))
    ));
    assert!(matches!(
        resolve_manual_code(&s, &typed, &keyset, NOW),
        Err(Error::Venue(VenueError::RegistryMissing))
    ));
    // A registry signed by a key outside the keyset is refused and not stored.
    let (stranger, _) = pair();
    assert!(matches!(
        apply_registry(&s, &registry(&stranger, 1, &venues), &keyset, NOW),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
    assert_eq!(stored_bytes(&s, TrustKind::Registry).unwrap(), None);

    let info = apply_registry(&s, &registry(&sk, 10, &venues), &keyset, NOW).unwrap();
    assert_eq!((info.serial, info.entries, info.province), (10, 3, 79));
    for v in &venues {
        let code = manual_code(v).unwrap();
        assert_eq!(&resolve_manual_code(&s, &code, &keyset, NOW).unwrap(), v);
    }
    // One digit changed: the check digit catches it.
    let mut wrong: Vec<u8> = typed.clone().into_bytes();
    wrong[1] = if wrong[1] == b'9' { b'0' } else { wrong[1] + 1 };
    assert!(matches!(
        resolve_manual_code(&s, std::str::from_utf8(&wrong).unwrap(), &keyset, NOW),
        Err(Error::Venue(VenueError::ManualCodeInvalid))
    ));
    // A well-formed code the registry does not list.
    let unlisted = manual_code(&venue(0x7f)).unwrap();
    assert!(matches!(
        resolve_manual_code(&s, &unlisted, &keyset, NOW),
        Err(Error::Venue(VenueError::ManualCodeUnknown))
    ));
    let body = "790000001";
    assert!(matches!(
        resolve_manual_code(&s, &format!("{body}{}", damm(body)), &keyset, NOW),
        Err(Error::Venue(VenueError::ManualCodeUnknown))
    ));
    // An older registry is stale; the newer one stays in use.
    assert!(matches!(
        apply_registry(&s, &registry(&sk, 9, &venues[..1]), &keyset, NOW),
        Err(Error::Venue(VenueError::StaleUpdate))
    ));
    assert_eq!(registry_info(&s, &keyset, NOW).unwrap(), Some(info));
    // A venue whose code has expired resolves to that error, not to a venue.
    let later = venues[1].not_after + 1;
    assert!(matches!(
        resolve_manual_code(&s, &typed, &keyset, later),
        Err(Error::Venue(VenueError::Expired))
    ));
}

/// An authority in memory: path → (status, body), and the paths asked for.
struct FakeAuthority {
    answers: HashMap<String, (u16, Vec<u8>)>,
    asked: Mutex<Vec<String>>,
}

impl HttpClient for FakeAuthority {
    fn send(&self, request: HttpRequest) -> crate::Result<HttpResponse> {
        let path = request
            .url
            .trim_start_matches("https://a.example")
            .to_owned();
        self.asked.lock().unwrap().push(path.clone());
        let (status, body) = self.answers.get(&path).cloned().unwrap_or((404, vec![]));
        Ok(HttpResponse {
            status,
            headers: vec![],
            body,
        })
    }
}

#[test]
fn sync_applies_a_rotation_then_the_registry_it_signs_and_is_idempotent() {
    let mut s = store();
    let (root_sk, root_pk) = pair();
    let (_, shipped_pk) = pair();
    let (new_sk, new_pk) = pair();
    let venues = [venue(0x31), venue(0x52)];
    let mut answers = HashMap::new();
    answers.insert(
        KEYSET_UPDATE_PATH.to_owned(),
        (200, update(&root_sk, 3, vec![entry(&new_pk, 0, i64::MAX)])),
    );
    // Signed by the key the update brings in, unknown to the shipped keys.
    answers.insert(
        REGISTRY_PATH.to_owned(),
        (200, registry(&new_sk, 7, &venues)),
    );
    let authority = FakeAuthority {
        answers,
        asked: Mutex::new(vec![]),
    };
    let shipped = [trusted(&shipped_pk)];
    let base = "https://a.example/";
    let first = fetch::sync_trust(&mut s, &authority, base, &shipped, Some(&root_pk), NOW).unwrap();
    assert!(first.keyset_updated && first.registry_updated);
    assert_eq!(first.keyset_serial, Some(3));
    assert_eq!(first.registry.map(|r| (r.serial, r.entries)), Some((7, 2)));
    assert_eq!(
        *authority.asked.lock().unwrap(),
        [KEYSET_UPDATE_PATH, REGISTRY_PATH]
    );
    let keyset = effective_keyset(&s, &shipped, Some(&root_pk)).unwrap();
    let typed = manual_code(&venues[0]).unwrap();
    assert_eq!(
        resolve_manual_code(&s, &typed, &keyset, NOW).unwrap(),
        venues[0]
    );
    // The same answers again change nothing and are not an error.
    let again = fetch::sync_trust(&mut s, &authority, base, &shipped, Some(&root_pk), NOW).unwrap();
    assert!(!again.keyset_updated && !again.registry_updated);
    assert_eq!(again.registry, first.registry);
    // Without a root key the update is not asked for, so the registry cannot verify.
    let mut fresh = store();
    assert!(matches!(
        fetch::sync_trust(&mut fresh, &authority, base, &shipped, None, NOW),
        Err(Error::Venue(VenueError::UnknownKey))
    ));
    // A server error is reported as one; 404 means nothing published.
    let failing = FakeAuthority {
        answers: HashMap::from([(KEYSET_UPDATE_PATH.to_owned(), (503, vec![]))]),
        asked: Mutex::new(vec![]),
    };
    assert!(matches!(
        fetch::sync_trust(&mut fresh, &failing, base, &shipped, Some(&root_pk), NOW),
        Err(Error::Net(NetError::Server { status: 503 }))
    ));
    let empty = FakeAuthority {
        answers: HashMap::new(),
        asked: Mutex::new(vec![]),
    };
    let none = fetch::sync_trust(&mut fresh, &empty, base, &shipped, Some(&root_pk), NOW).unwrap();
    assert_eq!(none.registry, None);
    assert_eq!(none.requests, 2);
}
