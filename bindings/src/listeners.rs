//! Listeners the host registers for sync progress. (Exposure alerts arrive through
//! `ExposureListener`, next to `process_exposure_list`.)
//!
//! Listener callbacks are notifications: whatever a host listener does (including
//! throwing), the library carries on. A listener that throws is skipped for that event.

use khaibao_core::net::transport::{HttpClient, HttpRequest, HttpResponse};
use khaibao_core::upload::outbox::DrainReport;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Progress of one sync, for a progress bar or a WorkManager / BGTask progress update.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// One batch went to the authority and got an answer with `http_status`.
    /// `batch` counts from 1.
    fn on_batch(&self, batch: u32, http_status: u16);
    /// The sync finished (also when it ends with an error: then `report` is `None`).
    fn on_finished(&self, report: Option<DrainReport>);
}

/// Calls a listener, ignoring a panic (a throwing foreign listener surfaces as one).
pub(crate) fn notify(f: impl FnOnce()) {
    let _ = crate::panic_policy::quietly("SyncListener", f);
}

/// An [`HttpClient`] that reports each answered request to a [`SyncListener`].
pub(crate) struct Reporting<'a> {
    pub inner: &'a dyn HttpClient,
    pub listener: Arc<dyn SyncListener>,
    pub batches: AtomicU32,
}

impl HttpClient for Reporting<'_> {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        Ok(self.report(self.inner.send(request)?))
    }

    fn send_limited(
        &self,
        request: HttpRequest,
        max_body: usize,
    ) -> khaibao_core::Result<HttpResponse> {
        Ok(self.report(self.inner.send_limited(request, max_body)?))
    }
}

impl Reporting<'_> {
    fn report(&self, response: HttpResponse) -> HttpResponse {
        let batch = self.batches.fetch_add(1, Ordering::Relaxed) + 1;
        let status = response.status;
        notify(|| self.listener.on_batch(batch, status));
        response
    }
}
