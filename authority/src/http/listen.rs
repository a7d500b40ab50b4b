//! The listener: accepts TCP connections under the connection caps of [`super::limits`],
//! optionally completes a TLS handshake (rustls on ring), and serves HTTP/1.1 on each with a
//! header-read timeout, telling handlers the client's address ([`Peer`]). Each connection
//! ends with a lingering close ([`super::linger`]), so a client still sending a refused
//! body reads its answer rather than a reset. On shutdown it stops accepting and gives open
//! requests ten seconds to finish.

use super::limits::Guards;
use super::linger::{Lingering, linger};
use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The address of the client a request came from (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("reading {0}: {1}")]
    Read(&'static str, std::io::Error),
    #[error("{0} holds no usable PEM or DER {1}")]
    Parse(&'static str, &'static str),
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// A TLS acceptor for a certificate chain and its private key, each a PEM file (or one DER
/// certificate and a PKCS#8 DER key). TLS 1.2 and 1.3 with rustls's safe defaults, on ring.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let cert_bytes = std::fs::read(cert).map_err(|e| TlsError::Read("certificate", e))?;
    let key_bytes = std::fs::read(key).map_err(|e| TlsError::Read("key", e))?;
    let chain: Vec<CertificateDer<'static>> = if cert_bytes.starts_with(b"-----") {
        CertificateDer::pem_slice_iter(&cert_bytes)
            .collect::<Result<_, _>>()
            .map_err(|_| TlsError::Parse("the certificate file", "certificate"))?
    } else {
        vec![CertificateDer::from(cert_bytes)]
    };
    if chain.is_empty() {
        return Err(TlsError::Parse("the certificate file", "certificate"));
    }
    let key = if key_bytes.starts_with(b"-----") {
        PrivateKeyDer::from_pem_slice(&key_bytes)
            .map_err(|_| TlsError::Parse("the key file", "private key"))?
    } else {
        PrivateKeyDer::try_from(key_bytes)
            .map_err(|_| TlsError::Parse("the key file", "private key"))?
    };
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    guards: Arc<Guards>,
    tls: Option<TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let Ok((tcp, addr)) = accepted else {
            // Out of file descriptors and the like: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // Over a cap, the connection is closed at once: it holds nothing.
        let Ok(permit) = guards.connections.clone().try_acquire_owned() else {
            continue;
        };
        let Some(slot) = guards.connections_per_client.try_take(addr.ip()) else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let peer = Peer(addr.ip());
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(peer);
            tower_service::Service::call(&mut app.clone(), request)
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(guards.limits.header_timeout)
            .max_buf_size(64 * 1024);
        let handshake = guards.limits.handshake_timeout;
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // The slots are held until the connection has lingered too.
            let _held = (permit, slot);
            match tls {
                None => {
                    let (stream, back) = Lingering::new(tcp);
                    let _ = watcher
                        .watch(http.serve_connection(TokioIo::new(stream), service))
                        .await;
                    if let Ok(tcp) = back.await {
                        linger(tcp).await;
                    }
                }
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(handshake, acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    let (stream, back) = Lingering::new(stream);
                    let _ = watcher
                        .watch(http.serve_connection(TokioIo::new(stream), service))
                        .await;
                    if let Ok(tls) = back.await {
                        linger(tls).await;
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}
