//! Opening what phones upload: each item's device signature is verified and its seal opened
//! with the authority's sealing key, before anything touches the database. This is the
//! costly part of ingest, so it runs outside the store's lock and over several cores.
//!
//! A venue door-log passage (a staff app's upload) carries the visitor's personal data as
//! their pass sealed it: opened here, it is stored as a declaration at that venue dated at
//! the entry, so contact tracing finds it with the declarations made there. Its device id
//! is `door:` and the start of the day's pseudonym (the pass's device key is not in it).
//!
//! Imports: the store's [`OpenedItem`] (what it takes), `khaibao_core`.

pub use crate::store::OpenedItem;
use khaibao_core::declaration::Submission;
use khaibao_core::encoding::codec::hex;
use khaibao_core::pass::PASS_INFO;
use khaibao_core::pass::stafflog::PassageUpload;
use khaibao_core::seal::{SealingKey, open_and_verify};
use khaibao_core::upload::protocol::{IngestItem, ItemKind};

/// Verifies the device signature and opens the seal of each item (no database needed).
/// Large batches are split over the machine's cores.
pub fn open_items(key: &SealingKey, items: &[IngestItem]) -> Vec<OpenedItem> {
    let open = |chunk: &[IngestItem]| -> Vec<OpenedItem> {
        chunk
            .iter()
            .map(|i| open_item(key, i).map_err(|e| e.code().as_str()))
            .collect()
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

fn open_item(
    key: &SealingKey,
    item: &IngestItem,
) -> khaibao_core::Result<(String, Submission, Vec<u8>)> {
    match item.kind {
        ItemKind::Declaration => {
            let opened = open_and_verify(key, &item.body, &item.idempotency_key)?;
            let sub = Submission::from_cbor(&opened.payload)?;
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
            let passage = PassageUpload::from_cbor(&item.body)?;
            let personal = key.open(PASS_INFO, &passage.aad()?, &passage.sealed_personal_data)?;
            let mut sub = Submission::from_cbor(&personal)?;
            sub.venue_id = Some(passage.venue_id.clone());
            sub.declared_at = passage.entered_at;
            let payload = sub.to_cbor()?;
            let short = passage.pseudonym.get(..16).unwrap_or_default();
            Ok((format!("door:{short}"), sub, payload))
        }
    }
}
