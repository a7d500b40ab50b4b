//! Upload controls for apps: a background upload that honours the outbox's backoff and
//! `Retry-After`, reports progress (n of m) to a host callback and can be cancelled between
//! batches; and what a scheduler needs — when to try next, and what the authority refused.

use crate::{Khaibao, Result, guard};
use khaibao_core::upload::outbox::{
    self, CancelToken, DeadItem, DrainListener, DrainOptions, DrainReport,
};
use std::sync::Arc;

/// Implemented by the host app to follow an upload. It is called on a library thread with
/// the database released, so it may call back into the library.
#[uniffi::export(with_foreign)]
pub trait SyncProgress: Send + Sync {
    /// `done` of `total` queued items have been sent and answered so far.
    fn progress(&self, done: u64, total: u64);
}

struct HostProgress(Option<Arc<dyn SyncProgress>>);

impl DrainListener for HostProgress {
    fn progress(&self, done: u64, total: u64) {
        if let Some(p) = &self.0 {
            p.progress(done, total);
        }
    }
}

/// Cancels an upload between batches (for example when the OS ends background work).
#[derive(uniffi::Object, Default)]
pub struct SyncCancel(CancelToken);

#[uniffi::export]
impl SyncCancel {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stops the upload after the batch in flight; unsent items stay queued.
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Khaibao {
    /// A background upload over the library's HTTP client: items still backing off are
    /// left for later (see `next_upload_at`), progress goes to `progress`, and `cancel`
    /// stops it between batches.
    pub async fn sync_in_background(
        self: Arc<Self>,
        batch_size: u32,
        progress: Option<Arc<dyn SyncProgress>>,
        cancel: Option<Arc<SyncCancel>>,
    ) -> Result<DrainReport> {
        self.with_transport("sync_in_background", None, move |this, client| {
            let options = DrainOptions {
                batch_size,
                ..DrainOptions::default()
            };
            let token = cancel.map(|c| c.0.clone()).unwrap_or_default();
            Ok(outbox::drain_with(
                &this.store,
                client,
                &this.config.authority_url,
                &options,
                this.now(),
                &HostProgress(progress),
                &token,
            )?)
        })
        .await
    }

    /// When the earliest queued item may be sent again (Unix seconds), if any is queued.
    pub fn next_upload_at(&self) -> Result<Option<i64>> {
        guard("next_upload_at", || {
            Ok(outbox::next_attempt_at(&self.store())?)
        })
    }

    /// Items the authority refused permanently, with its reason.
    pub fn dead_items(&self) -> Result<Vec<DeadItem>> {
        guard("dead_items", || Ok(outbox::dead_items(&self.store())?))
    }
}
