//! Opening what phones upload: each item's device signature is verified and its seal opened
//! with the authority's sealing key, before anything touches the database. This is the
//! costly part of ingest, so it runs outside the store's lock and over several cores.
//!
//! The opened form is validated again with core's declaration rules (as of its declaration
//! time) and must already be in the normalised form the phone produces, so a modified or
//! hand-made client cannot store names with digits, impossible phones or dates in the
//! future. What is stored is the sealed body, not what was opened.
//!
//! Imports: the store's [`OpenedItem`] (what it takes), `khaibao_core`.

pub use crate::store::OpenedItem;
use khaibao_core::declaration::Submission;
use khaibao_core::declaration::validate;
use khaibao_core::encoding::codec::hex;
use khaibao_core::error::ErrorCode;
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
    }
}
