//! HTTP transport: a small trait the outbox sends through, with two implementations —
//! [`ReqwestClient`] (reqwest over rustls with ring, on a tokio runtime the library owns)
//! and whatever HTTP client the host app supplies through the bindings.
//!
//! Requests carry no personal data outside the sealed body: the URL, headers and user
//! agent are the same for everyone.

use crate::Result;
use crate::error::NetError;

/// The content type of every CBOR body the library sends and reads.
pub const CBOR_CONTENT_TYPE: &str = "application/cbor";

/// Largest response body the library's own client reads for any request (32 MiB): the cap
/// of the largest kind of answer. Each kind has its own, smaller or equal, cap, passed to
/// [`send_limited`]: ingest answers (`upload::protocol::MAX_RESPONSE_BYTES`), exposure
/// lists (`exposure::fetch::MAX_LIST_BYTES`), keyset updates and registries
/// (`venue::fetch`), device certificates (`pass::MAX_CERTIFICATE_BYTES`).
pub const MAX_RESPONSE_BYTES: usize = 32 << 20;

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

/// One header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A GET with the library's user agent and no body.
    pub fn get(url: String) -> Self {
        Self {
            method: "GET".into(),
            url,
            headers: vec![HttpHeader {
                name: "user-agent".into(),
                value: user_agent(),
            }],
            body: Vec::new(),
        }
    }

    /// A POST of a CBOR body with the library's user agent.
    pub fn post_cbor(url: String, body: Vec<u8>) -> Self {
        Self {
            method: "POST".into(),
            url,
            headers: vec![
                HttpHeader {
                    name: "content-type".into(),
                    value: CBOR_CONTENT_TYPE.into(),
                },
                HttpHeader {
                    name: "user-agent".into(),
                    value: user_agent(),
                },
            ],
            body,
        }
    }
}

/// The URL of `path` (which starts with `/`) on the server at `base_url`, whether or not
/// the configured base URL ends with a slash.
pub fn endpoint(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// The user agent: the library name and version only.
pub fn user_agent() -> String {
    format!("khaibao/{}", crate::VERSION)
}

/// How the library's own HTTP client connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    /// Time allowed to open the connection (TCP and TLS).
    pub connect_timeout_ms: u64,
    /// Time allowed for the whole exchange, body included.
    pub request_timeout_ms: u64,
    /// SHA-256 pins of the authority's SubjectPublicKeyInfo (32 bytes each, see
    /// `pinning::spki_sha256`); empty means no pinning.
    pub spki_sha256_pins: Vec<Vec<u8>>,
    /// DER root certificates to trust instead of the platform's (a private authority CA),
    /// or besides the bundled roots when `bundled_roots` is set.
    pub extra_roots_der: Vec<Vec<u8>>,
    /// Verify against the roots bundled in the library (Mozilla's, from `webpki-roots`)
    /// rather than the platform's. Android builds always do: the platform verifier there
    /// needs a JNI initialisation with the app's `Context` that the library does not do.
    pub bundled_roots: bool,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            spki_sha256_pins: Vec::new(),
            extra_roots_der: Vec::new(),
            bundled_roots: false,
        }
    }
}

/// Something that can carry one HTTP exchange.
pub trait HttpClient: Send + Sync {
    /// Sends the request and returns the response, whatever its status. Errors are for
    /// failures before a response arrived (connection, timeout, TLS).
    fn send(&self, request: HttpRequest) -> Result<HttpResponse>;

    /// [`HttpClient::send`], giving up on a response body longer than `max_body` bytes. A
    /// client that can stop reading early does (the library's own stops at the
    /// `content-length` or at the first byte over); this default reads the whole answer
    /// and then checks. Either way [`send_limited`] checks again.
    fn send_limited(&self, request: HttpRequest, _max_body: usize) -> Result<HttpResponse> {
        self.send(request)
    }
}

/// Sends `request` through `client` and refuses an answer whose body is longer than
/// `max_body` bytes ([`NetError::Protocol`]), so a hostile or broken server cannot make
/// the phone hold more than that. Every request of the library goes through here.
pub fn send_limited(
    client: &dyn HttpClient,
    request: HttpRequest,
    max_body: usize,
) -> Result<HttpResponse> {
    let response = client.send_limited(request, max_body)?;
    if response.body.len() > max_body {
        return Err(NetError::Protocol("response too large").into());
    }
    Ok(response)
}

#[cfg(feature = "http")]
pub use reqwest_client::ReqwestClient;

#[cfg(feature = "http")]
mod reqwest_client {
    use super::{HttpClient, HttpHeader, HttpRequest, HttpResponse, TransportConfig};
    use crate::error::NetError;
    use crate::{Error, Result};
    use std::time::Duration;

    /// reqwest over rustls (ring provider), driven by a small tokio runtime owned here.
    pub struct ReqwestClient {
        runtime: tokio::runtime::Runtime,
        client: reqwest::Client,
    }

    impl ReqwestClient {
        /// A client with connect and whole-request timeouts.
        pub fn new(connect_timeout: Duration, request_timeout: Duration) -> Result<Self> {
            Self::with_config(&TransportConfig {
                connect_timeout_ms: connect_timeout.as_millis() as u64,
                request_timeout_ms: request_timeout.as_millis() as u64,
                ..TransportConfig::default()
            })
        }

        /// A client with timeouts and, optionally, private roots and SPKI pins.
        pub fn with_config(config: &TransportConfig) -> Result<Self> {
            // reqwest is built without a default crypto provider; ring (see tls_provider) is
            // ours. If the host process already installed one, that one stays.
            let _ = crate::net::tls_provider::provider().install_default();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("khaibao-http")
                .enable_all()
                .build()
                .map_err(|_| NetError::Network("runtime".into()))?;
            let mut builder = reqwest::Client::builder()
                .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
                .timeout(Duration::from_millis(config.request_timeout_ms))
                .user_agent(super::user_agent());
            // Always our own rustls configuration: reqwest's default would reach for the
            // platform verifier, which panics on Android without its JNI initialisation.
            builder = builder.tls_backend_preconfigured(crate::net::pinning::client_config(
                &config.spki_sha256_pins,
                &config.extra_roots_der,
                config.bundled_roots,
            )?);
            let client = builder
                .build()
                .map_err(|_| NetError::Network("client setup".into()))?;
            Ok(Self { runtime, client })
        }
    }

    impl HttpClient for ReqwestClient {
        fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
            self.send_limited(request, super::MAX_RESPONSE_BYTES)
        }

        fn send_limited(&self, request: HttpRequest, max_body: usize) -> Result<HttpResponse> {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|_| Error::InvalidState("http method"))?;
            let mut builder = self.client.request(method, &request.url);
            for h in &request.headers {
                builder = builder.header(h.name.as_str(), h.value.as_str());
            }
            let fut = async move {
                let mut resp = builder.body(request.body).send().await?;
                let status = resp.status().as_u16();
                let headers = resp
                    .headers()
                    .iter()
                    .filter_map(|(k, v)| {
                        v.to_str().ok().map(|v| HttpHeader {
                            name: k.as_str().to_owned(),
                            value: v.to_owned(),
                        })
                    })
                    .collect();
                // Read no further than the cap: a declared length over it is refused before
                // reading, and an undeclared one at the first chunk past it.
                let too_large = Ok(Err(NetError::Protocol("response too large")));
                if resp.content_length().is_some_and(|n| n > max_body as u64) {
                    return too_large;
                }
                let mut body = Vec::new();
                while let Some(chunk) = resp.chunk().await? {
                    if body.len() + chunk.len() > max_body {
                        return too_large;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok::<_, reqwest::Error>(Ok(HttpResponse {
                    status,
                    headers,
                    body,
                }))
            };
            // The error kind only: reqwest's text can include the URL.
            let answer = self.runtime.block_on(fut).map_err(|e| {
                let kind = if e.is_timeout() {
                    "timeout"
                } else if e.is_connect() {
                    "connect"
                } else if e.is_body() || e.is_decode() {
                    "body"
                } else {
                    "request"
                };
                Error::Net(NetError::Network(kind.into()))
            })?;
            Ok(answer?)
        }
    }
}

/// Finds a header by case-insensitive name.
pub fn header<'a>(headers: &'a [HttpHeader], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_only_the_library() {
        let r = HttpRequest::post_cbor("http://127.0.0.1:1/v1/ingest".into(), vec![]);
        assert_eq!(
            header(&r.headers, "User-Agent"),
            Some(user_agent().as_str())
        );
        assert!(user_agent().starts_with("khaibao/"));
    }
}
