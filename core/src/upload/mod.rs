//! Uploading to the authority: the durable outbox that sends every sealed item exactly once
//! ([`outbox`]), the ingest wire format ([`protocol`]) and when to try again ([`retry`]).
//!
//! May import: `encoding`, `storage` (the outbox lives in the app's database) and `net` (the
//! transport it sends through). Diary and declaration code put items in; nothing here knows
//! what they contain.

pub mod outbox;
pub mod protocol;
pub mod retry;
