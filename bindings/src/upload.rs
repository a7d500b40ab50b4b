//! The uploads area: one upload call for every case. It honours the outbox's backoff and the
//! authority's `Retry-After`, uses the host's HTTP client or the library's own, reports
//! progress to one listener, and stops between batches when cancelled (through an
//! [`UploadCancel`], or by cancelling the Kotlin coroutine / Swift task awaiting it).
//! Beside it, what a scheduler needs: when to try next, and what the authority refused.

use crate::clock::from_unix_seconds;
use crate::records::{DeadItem, OutboxCounts};
use crate::{HostHttpClient, Inner, Result, off_thread};
use khaibao_core::upload::outbox::{self, CancelToken, DrainListener, DrainOptions, DrainReport};
use std::sync::Arc;
use std::time::SystemTime;

/// Follows an upload, for a progress bar or a WorkManager / BGTask progress update. It is
/// called on a library thread with the database released, so it may call back into the
/// library; one that throws is skipped for that event.
#[uniffi::export(with_foreign)]
pub trait UploadListener: Send + Sync {
    /// `done` of `total` queued items have been sent and answered so far.
    fn on_progress(&self, done: i64, total: i64);
}

struct HostProgress(Option<Arc<dyn UploadListener>>);

impl DrainListener for HostProgress {
    fn progress(&self, done: u64, total: u64) {
        if let Some(l) = &self.0 {
            crate::listeners::notify("UploadListener", || {
                l.on_progress(done as i64, total as i64);
            });
        }
    }
}

/// Cancels an upload between batches (for example when the OS ends background work).
#[derive(uniffi::Object, Default)]
pub struct UploadCancel(CancelToken);

#[uniffi::export]
impl UploadCancel {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stops the upload after the batch in flight; unsent items stay queued.
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// How to upload. Every field has a default: `UploadOptions()` uploads everything due over
/// the library's own HTTP client.
#[derive(uniffi::Record)]
pub struct UploadOptions {
    /// The host's HTTP client; `None` uses the library's own.
    #[uniffi(default = None)]
    pub client: Option<Arc<dyn HostHttpClient>>,
    /// Items per request (1–500).
    #[uniffi(default = 50)]
    pub batch_size: i32,
    /// Told about progress.
    #[uniffi(default = None)]
    pub listener: Option<Arc<dyn UploadListener>>,
    /// Cancels the upload between batches.
    #[uniffi(default = None)]
    pub cancel: Option<Arc<UploadCancel>>,
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct UploadReport {
    /// Items sent in this run.
    pub sent: i64,
    /// Items the authority stored.
    pub accepted: i64,
    /// Items the authority already had (a retry after a lost answer).
    pub duplicates: i64,
    /// Items the authority refused for good (see `dead_items`).
    pub rejected: i64,
    /// The authority's receipts for accepted items.
    pub receipts: Vec<String>,
    /// Items still queued (backing off, or left by a cancel or an error).
    pub remaining: i64,
    /// Whether the run stopped because it was cancelled.
    pub cancelled: bool,
}

impl From<DrainReport> for UploadReport {
    fn from(r: DrainReport) -> Self {
        Self {
            sent: r.sent as i64,
            accepted: r.accepted as i64,
            duplicates: r.duplicates as i64,
            rejected: r.rejected as i64,
            receipts: r.receipts,
            remaining: r.remaining as i64,
            cancelled: r.cancelled,
        }
    }
}

/// Cancels the token when the awaiting coroutine or task is cancelled (uniffi drops the
/// future), so the upload stops after its batch in flight.
struct CancelOnDrop(Option<CancelToken>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.cancel();
        }
    }
}

/// The upload of queued declarations to the authority.
#[derive(uniffi::Object)]
pub struct Uploads(pub(crate) Arc<Inner>);

#[uniffi::export]
impl Uploads {
    /// Uploads the queued items that are due: items still backing off (after a failure or
    /// the authority's `Retry-After`) are left for later (see `next_upload_at`).
    pub async fn upload(self: Arc<Self>, options: UploadOptions) -> Result<UploadReport> {
        let token = options
            .cancel
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let mut on_drop = CancelOnDrop(Some(token.clone()));
        let drain = DrainOptions {
            batch_size: options.batch_size.clamp(1, 500) as u32,
            ..DrainOptions::default()
        };
        let listener = HostProgress(options.listener);
        let report = self
            .0
            .clone()
            .with_transport("Uploads.upload", options.client, move |inner, client| {
                Ok(outbox::drain_with(
                    &inner.store,
                    client,
                    &inner.config.authority_url,
                    &drain,
                    inner.now(),
                    &listener,
                    &token,
                )?)
            })
            .await;
        // Finished: nothing left to cancel.
        on_drop.0 = None;
        Ok(report?.into())
    }

    /// Queued items by state.
    pub async fn counts(self: Arc<Self>) -> Result<OutboxCounts> {
        let inner = self.0.clone();
        off_thread("Uploads.counts", move || {
            Ok(outbox::counts(&inner.store())?.into())
        })
        .await
    }

    /// When the earliest queued item may be sent again, if any is queued: schedule the
    /// next background upload then.
    pub async fn next_upload_at(self: Arc<Self>) -> Result<Option<SystemTime>> {
        let inner = self.0.clone();
        off_thread("Uploads.next_upload_at", move || {
            Ok(outbox::next_attempt_at(&inner.store())?.map(from_unix_seconds))
        })
        .await
    }

    /// Items the authority refused permanently, with its reason.
    pub async fn dead_items(self: Arc<Self>) -> Result<Vec<DeadItem>> {
        let inner = self.0.clone();
        off_thread("Uploads.dead_items", move || {
            Ok(outbox::dead_items(&inner.store())?
                .into_iter()
                .map(DeadItem::from)
                .collect())
        })
        .await
    }
}
