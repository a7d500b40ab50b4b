//! The main use case: check in at a venue, with or without a health declaration.
//!
//! With a declaration the recipe is: validate the form, sign it with the device key, seal it
//! to the authority (its AAD binding a fresh idempotency key), then record the visit, queue
//! the sealed item and keep the citizen's own copy, all in one transaction. The bindings,
//! the authority's demo, the tests and the benchmarks all go through [`check_in`] (or, to
//! seal without checking in, [`seal_declaration`]), so there is one copy of this recipe.

use crate::declaration::{self, Declaration, FieldError, Submission};
use crate::diary::{self as visits, Visit};
use crate::seal::{self, DeviceKey};
use crate::storage::store::Store;
use crate::upload::outbox::{self, NewItem};
use crate::upload::protocol::ItemKind;
use crate::venue::ScannedVenue;
use crate::{Error, UnixTime};

/// Why a check-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum CheckInError {
    /// The declaration form has invalid fields; every one is listed, and nothing was stored.
    #[error("declaration invalid: {} field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// Signing, sealing or storing failed; nothing was stored.
    #[error(transparent)]
    Failed(#[from] Error),
}

/// A declaration validated, signed and sealed to the authority, ready to queue.
#[derive(Debug, Clone)]
pub struct SealedDeclaration {
    /// The outbox item: the sealed body under a fresh idempotency key.
    pub item: NewItem,
    /// The signed payload (a [`Submission`] in CBOR): the citizen's own copy.
    pub payload: Vec<u8>,
}

/// What a check-in did.
#[derive(Debug, Clone)]
pub struct CheckedIn {
    /// The visit as recorded.
    pub visit: Visit,
    /// The idempotency key of the queued declaration, when there was one.
    pub queued: Option<[u8; 16]>,
}

/// Validates `form` as declared at `now` (at `venue_id`, when made at a door), signs it
/// with `device` and seals it to `authority_sealing_key`.
pub fn seal_declaration(
    device: &DeviceKey,
    authority_sealing_key: &[u8],
    form: &Declaration,
    venue_id: Option<&str>,
    now: UnixTime,
) -> Result<SealedDeclaration, CheckInError> {
    let declaration = declaration::validate(form, now).map_err(CheckInError::Invalid)?;
    let payload = Submission {
        declaration,
        declared_at: now,
        venue_id: venue_id.map(str::to_owned),
    }
    .to_cbor()?;
    let idempotency_key = outbox::new_idempotency_key()?;
    let body = seal::sign_and_seal(
        device,
        authority_sealing_key,
        payload.clone(),
        &idempotency_key,
    )?;
    Ok(SealedDeclaration {
        item: NewItem {
            idempotency_key,
            kind: ItemKind::Declaration,
            body,
        },
        payload,
    })
}

/// Checks in to `venue` at `now`. With a declaration, it is sealed to
/// `authority_sealing_key` and queued for upload in the visit's own transaction, with the
/// citizen's copy kept in the diary: either all of it is stored or none.
pub fn check_in(
    store: &mut Store,
    venue: &ScannedVenue,
    declaration: Option<&Declaration>,
    authority_sealing_key: &[u8],
    now: UnixTime,
) -> Result<CheckedIn, CheckInError> {
    let Some(form) = declaration else {
        let visit = visits::check_in(store, venue, now, None)?;
        return Ok(CheckedIn {
            visit,
            queued: None,
        });
    };
    let venue_id = match venue {
        ScannedVenue::Verified { venue } => Some(venue.id.as_str()),
        ScannedVenue::Unverified { .. } => None,
    };
    let device = store.device_key(now)?;
    let sealed = seal_declaration(&device, authority_sealing_key, form, venue_id, now)?;
    let visit = visits::check_in_declared(store, venue, now, &sealed.item, &sealed.payload)?;
    Ok(CheckedIn {
        visit,
        queued: Some(sealed.item.idempotency_key),
    })
}

#[cfg(all(test, feature = "open"))]
mod tests {
    use super::*;
    use crate::seal::SealingKey;
    use crate::test_support;

    const NOW: UnixTime = 1_700_000_000;

    fn form() -> Declaration {
        Declaration {
            full_name: "Nguyễn Thị Hoa".into(),
            birth_year: 1990,
            phone: "0912345678".into(),
            province: 1,
            ..Declaration::default()
        }
    }

    fn venue() -> ScannedVenue {
        ScannedVenue::Unverified {
            text: "a café".into(),
        }
    }

    #[test]
    fn a_declared_check_in_queues_what_the_authority_can_open() {
        let mut store = test_support::store_in_memory(NOW);
        let authority = SealingKey::generate().unwrap();
        let done = check_in(
            &mut store,
            &venue(),
            Some(&form()),
            &authority.public_key(),
            NOW,
        )
        .unwrap();
        let key = done.queued.unwrap();
        assert_eq!(outbox::counts(&store).unwrap().pending, 1);
        assert_eq!(visits::visits(&store).unwrap()[0].id, done.visit.id);
        assert!(outbox::receipt_for(&store, &key).unwrap().is_none());
    }

    #[test]
    fn an_invalid_form_stores_nothing() {
        let mut store = test_support::store_in_memory(NOW);
        let bad = Declaration {
            phone: "12".into(),
            ..form()
        };
        let err = check_in(&mut store, &venue(), Some(&bad), &[7; 32], NOW).unwrap_err();
        let CheckInError::Invalid(fields) = err else {
            panic!("expected field errors, got {err:?}")
        };
        assert!(fields.iter().any(|f| f.field == "phone"), "{fields:?}");
        assert!(visits::visits(&store).unwrap().is_empty());
        assert_eq!(outbox::counts(&store).unwrap().pending, 0);
    }

    #[test]
    fn without_a_declaration_nothing_is_queued() {
        let mut store = test_support::store_in_memory(NOW);
        let done = check_in(&mut store, &venue(), None, &[7; 32], NOW).unwrap();
        assert!(done.queued.is_none());
        assert_eq!(outbox::counts(&store).unwrap().pending, 0);
    }
}
