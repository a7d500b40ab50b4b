//! Sealed declarations as a phone uploads them, for the authority-side tests.

#![allow(clippy::unwrap_used)] // test support: fixed, valid inputs

use khaibao_core::declaration::{Declaration, Symptom};
use khaibao_core::diary::checkin;
use khaibao_core::seal::DeviceKey;
use khaibao_core::upload::protocol::IngestItem;

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
    let sealed = checkin::seal_declaration(device, sealing_public, &form, venue, at).unwrap();
    IngestItem {
        idempotency_key: sealed.item.idempotency_key.to_vec(),
        kind: sealed.item.kind,
        body: sealed.item.body,
    }
}
