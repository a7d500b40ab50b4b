//! Opening what phones upload: each item's device signature is verified and its seal opened
//! with the authority's sealing key, before anything touches the database. This is the
//! costly part of ingest, so it runs outside the store's lock and over several cores.
//!
//! The opened form is validated again with core's declaration rules (as of its declaration
//! time) and must already be in the normalised form the phone produces, so a modified or
//! hand-made client cannot store names with digits, impossible phones or dates in the
//! future. What is stored is the sealed body, not what was opened.
//!
//! A venue door-log passage (a staff app's upload) carries the visitor's personal data as
//! their pass sealed it: opened here (and again by [`open_stored`] when an approved
//! extraction runs), it counts as a declaration at that venue dated at the entry, so
//! contact tracing finds it with the declarations made there. Its device id is `door:` and
//! the start of the day's pseudonym (the pass's device key is not in it).
//!
//! Imports: the store's [`OpenedItem`] (what it takes), `khaibao_core`.

pub use crate::store::OpenedItem;
use khaibao_core::declaration::Submission;
use khaibao_core::declaration::validate;
use khaibao_core::encoding::codec::hex;
use khaibao_core::error::ErrorCode;
use khaibao_core::pass::PASS_INFO;
use khaibao_core::pass::stafflog::PassageUpload;
use khaibao_core::seal::{SealingKey, open_and_verify};
use khaibao_core::upload::protocol::{IngestItem, ItemKind};

/// Verifies the device signature and opens the seal of each item (no database needed).
/// Large batches are split over the machine's cores.
pub fn open_items(key: &SealingKey, items: &[IngestItem]) -> Vec<OpenedItem> {
    let open = |chunk: &[IngestItem]| -> Vec<OpenedItem> {
        chunk.iter().map(|i| open_item(key, i)).collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || items.len() < 16 {
        return open(items);
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|chunk| (chunk.len(), s.spawn(move || open(chunk))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                // A panicking worker would be a bug in the opener; its items are refused
                // rather than taking the server down.
                h.join().unwrap_or_else(|_| vec![Err("internal"); len])
            })
            .collect()
    })
}

fn open_item(key: &SealingKey, item: &IngestItem) -> OpenedItem {
    let code = |e: khaibao_core::Error| e.code().as_str();
    match item.kind {
        ItemKind::Declaration => {
            let opened = open_and_verify(key, &item.body, &item.idempotency_key).map_err(code)?;
            let sub = Submission::from_cbor(&opened.payload).map_err(code)?;
            match validate(&sub.declaration, sub.declared_at) {
                Ok(normalised) if normalised == sub.declaration => {}
                _ => return Err(ErrorCode::DeclarationInvalid.as_str()),
            }
            Ok((
                // Device id: 8 bytes of the key's SHA-256 (more than a 4-byte kid, as
                // there are millions of devices).
                hex(
                    &ring::digest::digest(&ring::digest::SHA256, &opened.device_public_key)
                        .as_ref()[..8],
                ),
                sub,
                opened.payload,
            ))
        }
        ItemKind::StaffPassage => {
            let (device, sub) = open_passage(key, &item.body).map_err(code)?;
            let payload = sub.to_cbor().map_err(code)?;
            Ok((device, sub, payload))
        }
    }
}

/// Opens a door-log passage: the visitor's sealed personal data, placed at the venue and
/// dated at the entry. Returns the device id it is stored under and the submission.
fn open_passage(key: &SealingKey, body: &[u8]) -> khaibao_core::Result<(String, Submission)> {
    let passage = PassageUpload::from_cbor(body)?;
    let personal = key.open(PASS_INFO, &passage.aad()?, &passage.sealed_personal_data)?;
    let mut sub = Submission::from_cbor(&personal)?;
    sub.venue_id = Some(passage.venue_id.clone());
    sub.declared_at = passage.entered_at;
    let short = passage.pseudonym.get(..16).unwrap_or_default();
    Ok((format!("door:{short}"), sub))
}

/// Opens a stored body again (when an approved extraction runs): a declaration as the phone
/// sealed it, verifying its device signature, or a door-log passage.
pub fn open_stored(
    key: &SealingKey,
    sealed: &[u8],
    idempotency_key: &[u8],
) -> khaibao_core::Result<Submission> {
    match open_and_verify(key, sealed, idempotency_key) {
        Ok(opened) => Submission::from_cbor(&opened.payload),
        Err(declaration_error) => open_passage(key, sealed)
            .map(|(_, sub)| sub)
            .map_err(|_| declaration_error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::AuthorityKeys;
    use khaibao_core::declaration::Declaration;
    use khaibao_core::seal::{DeviceKey, sign_and_seal};

    /// A form sealed as a modified client would, without the phone's validation.
    fn raw_item(keys: &AuthorityKeys, device: &DeviceKey, form: Declaration, n: u8) -> IngestItem {
        let payload = Submission {
            declaration: form,
            declared_at: 1_767_225_600,
            venue_id: None,
        }
        .to_cbor()
        .unwrap();
        let key = vec![n; 16];
        let body = sign_and_seal(device, &keys.public().sealing_public, payload, &key).unwrap();
        IngestItem {
            idempotency_key: key,
            kind: ItemKind::Declaration,
            body,
        }
    }

    #[test]
    fn forms_that_fail_core_rules_or_are_not_normalised_are_refused() {
        let keys = AuthorityKeys::generate().unwrap();
        let device = DeviceKey::generate().unwrap();
        let good = Declaration {
            full_name: "Lê Văn Tám".into(),
            birth_year: 1990,
            phone: "+84912345678".into(),
            province: 79,
            nationality: "VN".into(),
            ..Declaration::default()
        };
        let digits = Declaration {
            full_name: "Lê Văn 8".into(),
            ..good.clone()
        };
        let raw_phone = Declaration {
            phone: "0912 345 678".into(),
            ..good.clone()
        };
        let unborn = Declaration {
            birth_year: 2100,
            ..good.clone()
        };
        let items = [good, digits, raw_phone, unborn]
            .into_iter()
            .zip(1..)
            .map(|(f, n)| raw_item(&keys, &device, f, n))
            .collect::<Vec<_>>();
        let opened = open_items(keys.sealing(), &items);
        assert!(opened[0].is_ok(), "{:?}", opened[0].as_ref().err());
        for refused in &opened[1..] {
            assert_eq!(
                refused.as_ref().err(),
                Some(&ErrorCode::DeclarationInvalid.as_str())
            );
        }
    }
}
