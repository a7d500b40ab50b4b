//! The authority's audit log: every step of a data extraction (request, approval or
//! refusal, download) and every export from the command line is appended here, before the
//! step takes effect.
//!
//! The log is append-only and hash-chained: entry `n` stores the hash of entry `n - 1`
//! and its own hash over that and its fields, so [`verify`] finds any entry changed,
//! removed or inserted (the numbers run 1, 2, 3, … without a gap). Both databases refuse
//! UPDATE and DELETE on the table with triggers; the chain is what still catches someone
//! who bypasses them with the database file in hand. Cutting entries off the end is caught
//! by comparing the head with one recorded earlier (`khaibao audit verify` prints it and
//! checks `--expect-head`).
//!
//! Imports: the store (its trait and records), `ring`.

use crate::store::{AuditDraft, AuditRecord, DbError, Store};
use khaibao_core::encoding::codec::hex;

/// Why the log does not verify.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    /// Entry `seq` (or the place where it should be) breaks the chain.
    #[error("audit log broken at entry {seq}: {why}")]
    Broken { seq: i64, why: &'static str },
    #[error("the recorded head {0} is not in the audit log")]
    HeadMissing(String),
}

/// What a verified log ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// How many entries.
    pub entries: i64,
    /// The last entry's hash, hex (all zeros for an empty log).
    pub hash: String,
}

fn field(h: &mut ring::digest::Context, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The hash of an entry: SHA-256 over a domain tag, the previous hash and each field,
/// every one length-prefixed.
pub fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    detail: &str,
) -> Vec<u8> {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    field(&mut h, b"khaibao-audit-v1");
    field(&mut h, prev);
    field(&mut h, &seq.to_be_bytes());
    field(&mut h, &at.to_be_bytes());
    field(&mut h, actor.as_bytes());
    field(&mut h, action.as_bytes());
    field(&mut h, detail.as_bytes());
    h.finish().as_ref().to_vec()
}

/// Appends one entry, chained to the last.
pub fn append(
    store: &mut dyn Store,
    at: i64,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<AuditRecord, DbError> {
    let link = |seq: i64, prev: &[u8]| entry_hash(prev, seq, at, actor, action, detail);
    store.append_audit(&AuditDraft {
        at,
        actor,
        action,
        detail,
        link: &link,
    })
}

/// Checks the whole chain: numbering from 1 without gaps, each entry's link to the one
/// before, and each entry's own hash.
pub fn verify_entries(entries: &[AuditRecord]) -> Result<Head, AuditError> {
    let mut prev = vec![0u8; 32];
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        let broken = |why| AuditError::Broken { seq: expected, why };
        if e.seq != expected {
            return Err(broken("an entry is missing"));
        }
        if e.prev_hash != prev {
            return Err(broken("it does not follow the entry before it"));
        }
        if e.hash != entry_hash(&e.prev_hash, e.seq, e.at, &e.actor, &e.action, &e.detail) {
            return Err(broken("its content was changed"));
        }
        prev.clone_from(&e.hash);
    }
    Ok(Head {
        entries: entries.len() as i64,
        hash: hex(&prev),
    })
}

/// Verifies the store's log ([`verify_entries`]); with `expect_head`, also that an entry
/// recorded earlier under that hash is still in it.
pub fn verify(store: &dyn Store, expect_head: Option<&str>) -> Result<Head, AuditError> {
    let entries = store.audit_entries()?;
    let head = verify_entries(&entries)?;
    if let Some(h) = expect_head {
        let h = h.trim().to_ascii_lowercase();
        if !entries.iter().any(|e| hex(&e.hash) == h) {
            return Err(AuditError::HeadMissing(h));
        }
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[test]
    fn the_chain_verifies_and_any_change_breaks_it() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        assert_eq!(verify(&store, None).unwrap().entries, 0);
        for i in 0..4 {
            append(
                &mut store,
                100 + i,
                "operator:a",
                "test.step",
                &format!("n={i}"),
            )
            .unwrap();
        }
        let entries = store.audit_entries().unwrap();
        let head = verify(&store, None).unwrap();
        assert_eq!(head.entries, 4);
        assert_eq!(head.hash, hex(&entries[3].hash));
        let second = hex(&entries[1].hash);
        assert!(verify(&store, Some(&second)).is_ok());

        let mut changed = entries.clone();
        changed[2].detail = "n=9".into();
        assert!(matches!(
            verify_entries(&changed),
            Err(AuditError::Broken { seq: 3, .. })
        ));
        let mut removed = entries.clone();
        removed.remove(1);
        assert!(matches!(
            verify_entries(&removed),
            Err(AuditError::Broken { seq: 2, .. })
        ));
        // Removing the last leaves a valid shorter chain: the recorded head catches it.
        let last = hex(&entries[3].hash);
        assert!(verify_entries(&entries[..3]).is_ok());
        assert!(!entries[..3].iter().any(|e| hex(&e.hash) == last));
    }

    #[test]
    fn the_database_refuses_to_change_or_delete_entries() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        append(&mut store, 1, "cli", "test", "x").unwrap();
        let conn = store.connection();
        assert!(
            conn.execute("UPDATE audit_log SET detail = 'y'", [])
                .is_err()
        );
        assert!(conn.execute("DELETE FROM audit_log", []).is_err());
        assert!(verify(&store, None).is_ok());
    }
}
