//! The host app's HTTP client as an async foreign trait, for apps that bring their own
//! networking stack (OkHttp, URLSession, …): Kotlin implements a `suspend fun`, Swift an
//! `async` one.

use khaibao_core::error::NetError;
use khaibao_core::net::transport::{HttpClient, HttpHeader, HttpRequest, HttpResponse};
use std::sync::Arc;

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

/// The answer the host's client got: any status, its headers and its body.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HostHttpResponse {
    pub status: i32,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

/// Implemented by the host app: send one request and return the response, whatever its
/// status. Throw only when no response arrived.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HostHttpClient: Send + Sync {
    async fn send(&self, request: HttpRequest) -> Result<HostHttpResponse, HostHttpError>;
}

/// The host's client as core's blocking transport. Core's network jobs run on a library
/// thread (see [`crate::Inner::with_transport`]), where waiting for the host's answer blocks
/// only that thread.
pub(crate) struct HostClient(pub Arc<dyn HostHttpClient>);

impl HttpClient for HostClient {
    fn send(&self, request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        let answer = crate::block_on(self.0.send(request));
        let answer = answer.and_then(|r| {
            Ok(HttpResponse {
                // A status outside HTTP's range is the host's bug: no response to trust.
                status: u16::try_from(r.status).map_err(|_| HostHttpError::Network {
                    reason: String::new(),
                })?,
                headers: r.headers,
                body: r.body,
            })
        });
        answer.map_err(|e| match e {
            HostHttpError::Timeout => khaibao_core::Error::Net(NetError::Network("timeout".into())),
            // The host's text may contain a URL or worse; only the kind is kept.
            HostHttpError::Network { .. } => {
                khaibao_core::Error::Net(NetError::Network("host client".into()))
            }
        })
    }
}

impl crate::Inner {
    /// Runs the blocking network work `f` off the caller's thread (see [`crate::off_thread`]),
    /// with the host's HTTP client when one is given and the library's own otherwise; one
    /// such job at a time per handle.
    pub(crate) async fn with_transport<T: Send + 'static>(
        self: Arc<Self>,
        what: &'static str,
        client: Option<Arc<dyn HostHttpClient>>,
        f: impl FnOnce(&Self, &dyn HttpClient) -> crate::Result<T> + Send + 'static,
    ) -> crate::Result<T> {
        crate::off_thread(what, move || {
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
        .await
    }
}
