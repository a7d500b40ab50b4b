//! Sealed declarations as a phone uploads them, for the authority-side tests.

#![allow(clippy::unwrap_used)] // test support: fixed, valid inputs

use khaibao_core::declaration::{self, Declaration, Submission, Symptom};
use khaibao_core::seal::{self, DeviceKey};
use khaibao_core::upload::outbox;
use khaibao_core::upload::protocol::{IngestItem, ItemKind};

/// One declaration by `name` in `province`, made at `at` (optionally at a venue), signed by
/// `device` and sealed to `sealing_public` under a fresh idempotency key.
pub fn sealed(
    device: &DeviceKey,
    sealing_public: &[u8],
    name: &str,
    province: u32,
    venue: Option<&str>,
    at: i64,
) -> IngestItem {
    let form = Declaration {
        full_name: name.into(),
        birth_year: 1990,
        phone: "0912345678".into(),
        province,
        symptoms: vec![Symptom::Fever, Symptom::Cough],
        close_contact: false,
        ..Declaration::default()
    };
    let payload = Submission {
        declaration: declaration::validate(&form, at).unwrap(),
        declared_at: at,
        venue_id: venue.map(Into::into),
    }
    .to_cbor()
    .unwrap();
    let key = outbox::new_idempotency_key().unwrap();
    IngestItem {
        idempotency_key: key.to_vec(),
        kind: ItemKind::Declaration,
        body: seal::sign_and_seal(device, sealing_public, payload, &key).unwrap(),
    }
}
