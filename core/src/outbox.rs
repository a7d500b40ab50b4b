//! The durable outbox: sealed items waiting to reach the authority.
//!
//! Items are written in the same transaction as the diary change that caused them, each with
//! a random 16-byte idempotency key that is also bound into the seal's AAD. Draining sends
//! pending items in batches to the authority's ingest endpoint; an item the authority
//! accepted (or already had) is marked delivered with the receipt id, one it rejected goes to
//! `dead` with the reason, and anything else stays pending for the next drain. Resending
//! is always safe because the authority deduplicates on the idempotency key.

use crate::protocol::{self, IngestItem, ItemKind, ItemStatus};
use crate::store::Store;
use crate::transport::{HttpClient, HttpRequest};
use crate::{Error, Result, UnixTime};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::params;

/// A new item to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub idempotency_key: [u8; 16],
    pub kind: ItemKind,
    pub body: Vec<u8>,
}

/// A fresh random idempotency key.
pub fn new_idempotency_key() -> Result<[u8; 16]> {
    let mut key = [0u8; 16];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| Error::Crypto("random"))?;
    Ok(key)
}

pub(crate) fn insert(tx: &rusqlite::Transaction<'_>, item: &NewItem, now: UnixTime) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (idem_key, kind, body, state, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)",
        params![item.idempotency_key.as_slice(), item.kind.to_wire() as i64, item.body, now],
    )?;
    Ok(())
}

/// Counts of outbox items by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OutboxCounts {
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
}

/// Counts items by state.
pub fn counts(store: &Store) -> Result<OutboxCounts> {
    let mut c = OutboxCounts::default();
    let mut stmt = store
        .conn()
        .prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (state, n) = row?;
        let n = n.max(0) as u64;
        match state.as_str() {
            "pending" => c.pending = n,
            "delivered" => c.delivered = n,
            _ => c.dead = n,
        }
    }
    Ok(c)
}

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DrainReport {
    /// Items sent in this drain.
    pub sent: u64,
    /// Newly accepted by the authority.
    pub accepted: u64,
    /// The authority already had them (an earlier attempt got through).
    pub duplicates: u64,
    /// Rejected permanently; they are kept as dead with the reason.
    pub rejected: u64,
    /// Receipt ids of accepted and duplicate items, in send order.
    pub receipts: Vec<String>,
    /// Items still pending after this drain.
    pub remaining: u64,
}

type PendingRow = (i64, Vec<u8>, i64, Vec<u8>);

fn pending_batch(store: &Store, limit: usize) -> Result<Vec<PendingRow>> {
    let mut stmt = store.conn().prepare(
        "SELECT id, idem_key, kind, body FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Sends pending items to `base_url` in batches of `batch_size` until none are left or a
/// request fails. A failed request leaves its items pending and is returned as the error
/// once nothing else was sent.
pub fn drain(
    store: &mut Store,
    client: &dyn HttpClient,
    base_url: &str,
    batch_size: usize,
    now: UnixTime,
) -> Result<DrainReport> {
    let batch_size = batch_size.clamp(1, protocol::MAX_BATCH);
    let url = format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        protocol::INGEST_PATH
    );
    let mut report = DrainReport::default();
    loop {
        let batch = pending_batch(store, batch_size)?;
        if batch.is_empty() {
            break;
        }
        let items = batch
            .iter()
            .map(|(_, key, kind, body)| {
                Ok(IngestItem {
                    idempotency_key: key.clone(),
                    kind: ItemKind::from_wire(*kind as u64)?,
                    body: body.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let request = HttpRequest::post_cbor(url.clone(), protocol::encode_request(&items)?);
        let response = client.send(request)?;
        if response.status != 200 {
            return Err(Error::Server {
                status: response.status,
            });
        }
        let results = protocol::decode_response(&response.body)?;
        report.sent += batch.len() as u64;
        let tx = store.conn_mut().transaction()?;
        let mut progressed = false;
        for (id, key, _, _) in &batch {
            let Some(result) = results.iter().find(|r| &r.idempotency_key == key) else {
                continue;
            };
            progressed = true;
            match &result.status {
                ItemStatus::Accepted { receipt } | ItemStatus::Duplicate { receipt } => {
                    if matches!(result.status, ItemStatus::Accepted { .. }) {
                        report.accepted += 1;
                    } else {
                        report.duplicates += 1;
                    }
                    report.receipts.push(receipt.clone());
                    tx.execute(
                        "UPDATE outbox SET state = 'delivered', receipt = ?1, delivered_at = ?2, attempts = attempts + 1 WHERE id = ?3",
                        params![receipt, now, id],
                    )?;
                }
                ItemStatus::Rejected { reason } => {
                    report.rejected += 1;
                    tx.execute(
                        "UPDATE outbox SET state = 'dead', last_error = ?1, attempts = attempts + 1 WHERE id = ?2",
                        params![reason, id],
                    )?;
                }
            }
        }
        tx.commit()?;
        if !progressed {
            return Err(Error::Protocol("response answered no item"));
        }
    }
    report.remaining = counts(store)?.pending;
    Ok(report)
}
