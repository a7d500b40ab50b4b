//! The durable outbox: sealed items waiting to reach the authority, sent exactly once.
//!
//! Items are written in the same transaction as the diary change that caused them, each with
//! a random 16-byte idempotency key that is also bound into the seal's AAD. An item moves
//! `pending → in_flight → delivered`, or to `dead` with the server's reason:
//!
//! * Draining claims a batch (`in_flight`, with a lease) in one transaction, sends it, and
//!   settles the answers in another. A process killed in between leaves the batch
//!   `in_flight`; once the lease has run out the next drain puts it back to `pending` and
//!   resends it, and the authority answers "duplicate" with the original receipt.
//! * An accepted or duplicate item is deleted from the outbox and its receipt kept in
//!   `outbox_receipts` (for [`RECEIPT_RETENTION_SECS`]).
//! * A 4xx other than 408/429 is permanent: the batch goes to `dead` with the server's
//!   reason (a 413 first halves the batch). A 5xx, 408, 429, timeout, reset, TLS error or
//!   unreadable answer is retried later: exponential backoff with full jitter under a cap,
//!   or the server's `Retry-After` ([`crate::upload::retry`]).
//! * Draining reports progress (n of m) to a [`DrainListener`] and stops between batches
//!   when its [`CancelToken`] is cancelled.

use crate::error::{NetError, SealError};
use crate::net::transport::{
    HttpClient, HttpRequest, HttpResponse, endpoint, header, send_limited,
};
use crate::storage::lock::StoreAccess;
use crate::storage::store::{Store, query_all};
use crate::upload::protocol::{self, IngestItem, IngestResult, ItemKind, ItemStatus};
use crate::upload::retry::{RetryPolicy, parse_retry_after};
use crate::{Result, UnixTime};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{TransactionBehavior, params};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Receipts of delivered items are kept this long (30 days), then pruned.
pub const RECEIPT_RETENTION_SECS: i64 = 30 * 86_400;

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
        .map_err(|_| SealError::Crypto("random"))?;
    Ok(key)
}

/// Queues items made outside the diary (a staff app's door-log passages) in one
/// transaction, and returns how many were added. An item whose idempotency key is already
/// queued, or was delivered within [`RECEIPT_RETENTION_SECS`], is left out: a caller that
/// crashed after queueing and queues the same items again sends each once.
pub fn enqueue(store: &mut Store, items: &[NewItem], now: UnixTime) -> Result<u64> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut added = 0u64;
    for item in items {
        let delivered: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox_receipts WHERE idem_key = ?1)",
            [item.idempotency_key.as_slice()],
            |r| r.get(0),
        )?;
        if delivered {
            continue;
        }
        added += put(&tx, item, now, "OR IGNORE")? as u64;
    }
    tx.commit()?;
    Ok(added)
}

pub(crate) fn insert(tx: &rusqlite::Transaction<'_>, item: &NewItem, now: UnixTime) -> Result<()> {
    put(tx, item, now, "").map(drop)
}

/// Inserts `item` as pending; `conflict` is the SQL conflict clause (`""` or `"OR IGNORE"`).
fn put(
    tx: &rusqlite::Transaction<'_>,
    item: &NewItem,
    now: UnixTime,
    conflict: &str,
) -> Result<usize> {
    Ok(tx
        .prepare_cached(&format!(
            "INSERT {conflict} INTO outbox (idem_key, kind, body, state, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)"
        ))?
        .execute(params![
            item.idempotency_key.as_slice(),
            item.kind.to_wire() as i64,
            item.body,
            now
        ])?)
}

/// Counts of outbox items by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting to be sent (including those backing off).
    pub pending: u64,
    /// Sent, answer not settled yet (or the sending process died; resent after the lease).
    pub in_flight: u64,
    /// Delivered receipts still kept (the items themselves are deleted).
    pub delivered: u64,
    /// Refused permanently by the authority.
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
            "in_flight" => c.in_flight = n,
            "delivered" => c.delivered += n,
            _ => c.dead = n,
        }
    }
    let receipts: i64 =
        store
            .conn()
            .query_row("SELECT COUNT(*) FROM outbox_receipts", [], |r| r.get(0))?;
    c.delivered += receipts.max(0) as u64;
    Ok(c)
}

/// The receipt the authority gave for the item with this idempotency key, if delivered
/// (and not yet pruned).
pub fn receipt_for(store: &Store, idempotency_key: &[u8]) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(store
        .conn()
        .query_row(
            "SELECT receipt FROM outbox_receipts WHERE idem_key = ?1",
            [idempotency_key],
            |r| r.get(0),
        )
        .optional()?)
}

/// One item the authority refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadItem {
    pub idempotency_key: Vec<u8>,
    /// The server's reason (a short code), or the HTTP status.
    pub reason: String,
    pub attempts: u32,
}

/// Every dead item, oldest first.
pub fn dead_items(store: &Store) -> Result<Vec<DeadItem>> {
    query_all(
        store.conn(),
        "SELECT idem_key, COALESCE(last_error, ''), attempts FROM outbox WHERE state = 'dead' ORDER BY id",
        [],
        |r| {
            let (idempotency_key, reason, attempts) = r.try_into()?;
            Ok(DeadItem {
                idempotency_key,
                reason,
                attempts,
            })
        },
    )
}

/// When the earliest pending item may be sent again, if any is waiting; for scheduling the
/// next background drain.
pub fn next_attempt_at(store: &Store) -> Result<Option<UnixTime>> {
    Ok(store.conn().query_row(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE state IN ('pending', 'in_flight')",
        [],
        |r| r.get(0),
    )?)
}

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Items still pending (or in flight) after this drain.
    pub remaining: u64,
    /// The drain stopped early because it was cancelled.
    pub cancelled: bool,
}

/// How a drain behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainOptions {
    /// Items per request (clamped to `1..=protocol::MAX_BATCH`).
    pub batch_size: u32,
    /// Skip items whose backoff has not run out. `false` is for a user's "send now".
    pub honour_backoff: bool,
    /// How long a claimed batch may stay in flight before another drain may resend it.
    pub lease_secs: u32,
    pub retry: RetryPolicy,
}

impl Default for DrainOptions {
    fn default() -> Self {
        Self {
            batch_size: 50,
            honour_backoff: true,
            lease_secs: 120,
            retry: RetryPolicy::default(),
        }
    }
}

/// Told how far a drain has got.
pub trait DrainListener: Send + Sync {
    /// `done` of `total` items have been sent and answered (or failed) so far.
    fn progress(&self, done: u64, total: u64);
}

/// A listener that ignores progress.
pub struct NoProgress;

impl DrainListener for NoProgress {
    fn progress(&self, _done: u64, _total: u64) {}
}

/// Stops a drain between batches; clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the drain to stop after the batch in flight.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Sends every pending item now, ignoring backoff (a user's "send now"), in batches of
/// `batch_size`. See [`drain_with`].
pub fn drain(
    store: impl StoreAccess,
    client: &dyn HttpClient,
    base_url: &str,
    batch_size: usize,
    now: UnixTime,
) -> Result<DrainReport> {
    let options = DrainOptions {
        batch_size: batch_size.min(protocol::MAX_BATCH) as u32,
        honour_backoff: false,
        ..DrainOptions::default()
    };
    drain_with(
        store,
        client,
        base_url,
        &options,
        now,
        &NoProgress,
        &CancelToken::new(),
    )
}

/// Sends pending items to `base_url` in batches until none are left, the drain is
/// cancelled, or a request fails in a retryable way.
///
/// A retryable failure (no response, 5xx, 408, 429, an unreadable answer) puts the batch
/// back to `pending` with its next attempt scheduled, and is returned as the error: the
/// authority is most likely unreachable, so the rest waits for the next drain. Items are
/// claimed in id order and each at most once per drain.
///
/// The store is taken for each step (claim, settle) and released while a request is out
/// and while `listener` runs ([`crate::storage::lock`]); items queued meanwhile are sent in
/// the same drain when they come after the last batch claimed.
pub fn drain_with(
    mut store: impl StoreAccess,
    client: &dyn HttpClient,
    base_url: &str,
    options: &DrainOptions,
    now: UnixTime,
    listener: &dyn DrainListener,
    cancel: &CancelToken,
) -> Result<DrainReport> {
    let mut batch_size = (options.batch_size as usize).clamp(1, protocol::MAX_BATCH);
    let url = endpoint(base_url, protocol::INGEST_PATH);
    let total = store.with_store(|s| {
        recover_and_prune(s, now)?;
        eligible_count(s, options, now)
    })?;
    let mut report = DrainReport::default();
    let mut done = 0u64;
    let mut cursor = 0i64;
    loop {
        if cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        let batch = store.with_store(|s| claim(s, cursor, batch_size, options, now))?;
        let Some(last) = batch.last() else { break };
        let last_id = last.id;
        let items = batch
            .iter()
            .map(|c| {
                Ok(IngestItem {
                    idempotency_key: c.key.clone(),
                    kind: ItemKind::from_wire(c.kind as u64)?,
                    body: c.body.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let request = HttpRequest::post_cbor(url.clone(), protocol::encode_request(&items)?);
        let response = match send_limited(client, request, protocol::MAX_RESPONSE_BYTES) {
            Ok(r) => r,
            Err(e) => {
                let error = e.to_string();
                store.with_store(|s| retry_later(s, &batch, options, now, None, &error))?;
                return Err(e);
            }
        };
        match response.status {
            200 => {
                let results = match protocol::decode_response(&response.body) {
                    Ok(r) => r,
                    Err(e) => {
                        store.with_store(|s| {
                            retry_later(s, &batch, options, now, None, "unreadable response")
                        })?;
                        return Err(e);
                    }
                };
                let answered =
                    store.with_store(|s| settle(s, &batch, &results, options, now, &mut report))?;
                if answered == 0 {
                    return Err(NetError::Protocol("response answered no item").into());
                }
                report.sent += batch.len() as u64;
            }
            413 if batch.len() > 1 => {
                // Too large for the server: same items again, in smaller requests.
                store.with_store(|s| unclaim(s, &batch))?;
                batch_size = (batch.len() / 2).max(1);
                continue;
            }
            status @ 400..=499 if status != 408 && status != 429 => {
                let reason = server_reason(&response);
                store.with_store(|s| bury(s, &batch, &reason))?;
                report.sent += batch.len() as u64;
                report.rejected += batch.len() as u64;
            }
            status => {
                let retry_after = header(&response.headers, "retry-after")
                    .and_then(|v| parse_retry_after(v, now));
                let error = format!("http {status}");
                store.with_store(|s| retry_later(s, &batch, options, now, retry_after, &error))?;
                return Err(NetError::Server { status }.into());
            }
        }
        cursor = last_id;
        done += batch.len() as u64;
        listener.progress(done, total.max(done));
    }
    let c = store.with_store(|s| counts(s))?;
    report.remaining = c.pending + c.in_flight;
    Ok(report)
}

struct Claimed {
    id: i64,
    key: Vec<u8>,
    kind: i64,
    body: Vec<u8>,
    attempts: u32,
}

/// Puts batches whose lease ran out back to pending, and drops old receipts.
fn recover_and_prune(store: &mut Store, now: UnixTime) -> Result<()> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE outbox SET state = 'pending' WHERE state = 'in_flight' AND next_attempt_at <= ?1",
        [now],
    )?;
    tx.execute(
        "DELETE FROM outbox_receipts WHERE delivered_at < ?1",
        [now.saturating_sub(RECEIPT_RETENTION_SECS)],
    )?;
    tx.commit()?;
    Ok(())
}

const ELIGIBLE: &str = "state = 'pending' AND id > ?1 AND (?2 = 0 OR next_attempt_at <= ?3)";

fn eligible_count(store: &Store, options: &DrainOptions, now: UnixTime) -> Result<u64> {
    let n: i64 = store.conn().query_row(
        &format!("SELECT COUNT(*) FROM outbox WHERE {ELIGIBLE}"),
        params![0i64, options.honour_backoff, now],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}

/// Marks the next batch after `cursor` in flight, with a lease, and returns it.
fn claim(
    store: &mut Store,
    cursor: i64,
    limit: usize,
    options: &DrainOptions,
    now: UnixTime,
) -> Result<Vec<Claimed>> {
    let tx = store
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let batch = query_all(
        &tx,
        &format!(
            "SELECT id, idem_key, kind, body, attempts FROM outbox WHERE {ELIGIBLE} ORDER BY id LIMIT ?4"
        ),
        params![cursor, options.honour_backoff, now, limit as i64],
        |r| {
            let (id, key, kind, body, attempts) = r.try_into()?;
            Ok(Claimed {
                id,
                key,
                kind,
                body,
                attempts,
            })
        },
    )?;
    {
        let mut update = tx
            .prepare("UPDATE outbox SET state = 'in_flight', next_attempt_at = ?1 WHERE id = ?2")?;
        let lease_end = now.saturating_add(i64::from(options.lease_secs));
        for c in &batch {
            update.execute(params![lease_end, c.id])?;
        }
    }
    tx.commit()?;
    Ok(batch)
}

/// Back to pending, sendable at once, as if never claimed.
fn unclaim(store: &mut Store, batch: &[Claimed]) -> Result<()> {
    let tx = store.conn_mut().transaction()?;
    {
        let mut stmt =
            tx.prepare("UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE id = ?1")?;
        for c in batch {
            stmt.execute([c.id])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn schedule_retry(
    tx: &rusqlite::Transaction<'_>,
    c: &Claimed,
    options: &DrainOptions,
    now: UnixTime,
    retry_after: Option<i64>,
    error: &str,
) -> Result<()> {
    let delay = options.retry.delay(c.attempts, retry_after);
    tx.execute(
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?1, last_error = ?2 WHERE id = ?3",
        params![now.saturating_add(delay), truncate(error, 100), c.id],
    )?;
    Ok(())
}

fn retry_later(
    store: &mut Store,
    batch: &[Claimed],
    options: &DrainOptions,
    now: UnixTime,
    retry_after: Option<i64>,
    error: &str,
) -> Result<()> {
    let tx = store.conn_mut().transaction()?;
    for c in batch {
        schedule_retry(&tx, c, options, now, retry_after, error)?;
    }
    tx.commit()?;
    Ok(())
}

fn bury(store: &mut Store, batch: &[Claimed], reason: &str) -> Result<()> {
    let tx = store.conn_mut().transaction()?;
    {
        let mut stmt = tx.prepare(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?1 WHERE id = ?2",
        )?;
        for c in batch {
            stmt.execute(params![reason, c.id])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Applies per-item answers in one transaction; returns how many items were answered.
/// Items the response left out are retried later.
fn settle(
    store: &mut Store,
    batch: &[Claimed],
    results: &[IngestResult],
    options: &DrainOptions,
    now: UnixTime,
    report: &mut DrainReport,
) -> Result<usize> {
    let tx = store.conn_mut().transaction()?;
    let mut answered = 0;
    for c in batch {
        let Some(result) = results.iter().find(|r| r.idempotency_key == c.key) else {
            schedule_retry(&tx, c, options, now, None, "not answered")?;
            continue;
        };
        answered += 1;
        match &result.status {
            ItemStatus::Accepted { receipt } | ItemStatus::Duplicate { receipt } => {
                if matches!(result.status, ItemStatus::Accepted { .. }) {
                    report.accepted += 1;
                } else {
                    report.duplicates += 1;
                }
                report.receipts.push(receipt.clone());
                tx.execute(
                    "INSERT OR REPLACE INTO outbox_receipts (idem_key, receipt, delivered_at) VALUES (?1, ?2, ?3)",
                    params![c.key, receipt, now],
                )?;
                tx.execute("DELETE FROM outbox WHERE id = ?1", [c.id])?;
            }
            ItemStatus::Rejected { reason } => {
                report.rejected += 1;
                tx.execute(
                    "UPDATE outbox SET state = 'dead', last_error = ?1, attempts = attempts + 1 WHERE id = ?2",
                    params![truncate(reason, 100), c.id],
                )?;
            }
        }
    }
    tx.commit()?;
    Ok(answered)
}

/// The server's short reason from a 4xx body (printable ASCII only), or the status.
fn server_reason(response: &HttpResponse) -> String {
    let text: String = String::from_utf8_lossy(&response.body)
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect();
    let text = text.trim();
    if text.is_empty() {
        format!("http {}", response.status)
    } else {
        format!("http {}: {text}", response.status)
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
