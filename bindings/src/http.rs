//! The host app's HTTP client as a foreign trait, for apps that bring their own networking
//! stack (OkHttp, URLSession, …).

use khaibao_core::error::NetError;
use khaibao_core::net::transport::{HttpClient, HttpRequest, HttpResponse};

/// Why the host's HTTP call failed before a response arrived.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HostHttpError {
    /// Connection refused, reset, DNS, TLS.
    #[error("network: {reason}")]
    Network { reason: String },
    /// The request timed out.
    #[error("timeout")]
    Timeout,
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HostHttpError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Network {
            reason: "unexpected error in host callback".into(),
        }
    }
}

/// Implemented by the host app: send one request and return the response, whatever its
/// status. Throw only when no response arrived.
#[uniffi::export(with_foreign)]
pub trait HostHttpClient: Send + Sync {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HostHttpError>;
}

pub(crate) struct HostClient(pub std::sync::Arc<dyn HostHttpClient>);

impl HttpClient for HostClient {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        self.0.send(request).map_err(|e| match e {
            HostHttpError::Timeout => khaibao_core::Error::Net(NetError::Network("timeout".into())),
            // The host's text may contain a URL or worse; only the kind is kept.
            HostHttpError::Network { .. } => {
                khaibao_core::Error::Net(NetError::Network("host client".into()))
            }
        })
    }
}

impl crate::Khaibao {
    /// Runs the blocking network work `f` on tokio's blocking pool (never on the caller's
    /// thread), under the panic guard named `what`, with the host's HTTP client when one is
    /// given and the library's own otherwise; one such job at a time per handle.
    pub(crate) async fn with_transport<T: Send + 'static>(
        self: std::sync::Arc<Self>,
        what: &'static str,
        client: Option<std::sync::Arc<dyn HostHttpClient>>,
        f: impl FnOnce(&Self, &dyn HttpClient) -> crate::Result<T> + Send + 'static,
    ) -> crate::Result<T> {
        tokio::task::spawn_blocking(move || {
            crate::guard(what, || {
                let host;
                let own;
                let transport: &dyn HttpClient = if let Some(c) = client {
                    host = HostClient(c);
                    &host
                } else {
                    own = self.reqwest()?;
                    own.as_ref()
                };
                let _one = self.one_sync_at_a_time();
                f(&self, transport)
            })
        })
        .await
        .unwrap_or_else(|_| Err(crate::KhaibaoError::internal(what)))
    }
}
