//! Sync with progress: the same upload as `Khaibao::sync` / `sync_with`, reporting each
//! answered batch and the outcome to a [`SyncListener`] (a WorkManager or BGTask progress
//! update, a progress bar).

use crate::http::HostClient;
use crate::listeners::{Reporting, notify};
use crate::{HostHttpClient, Khaibao, KhaibaoError, Result, SyncListener, guard};
use khaibao_core::upload::outbox::DrainReport;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

#[uniffi::export(async_runtime = "tokio")]
impl Khaibao {
    /// Uploads queued items through `client` (the host's HTTP client) or, when it is `None`,
    /// the library's own, telling `listener` about each batch and the result. A listener
    /// that throws does not stop the upload.
    pub async fn sync_reporting(
        self: Arc<Self>,
        client: Option<Arc<dyn HostHttpClient>>,
        listener: Arc<dyn SyncListener>,
    ) -> Result<DrainReport> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let result = guard("sync_reporting", || {
                let host;
                let own;
                let inner: &dyn khaibao_core::net::transport::HttpClient = if let Some(c) = client {
                    host = HostClient(c);
                    &host
                } else {
                    own = this.reqwest()?;
                    own.as_ref()
                };
                let reporting = Reporting {
                    inner,
                    listener: listener.clone(),
                    batches: AtomicU32::new(0),
                };
                this.drain_blocking(&reporting)
            });
            let report = result.as_ref().ok().cloned();
            notify(|| listener.on_finished(report));
            result
        })
        .await
        .unwrap_or_else(|_| Err(KhaibaoError::internal("sync_reporting")))
    }
}
