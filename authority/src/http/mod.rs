//! The authority's HTTP API (axum on tokio), for loopback use by the demo and the tests: this
//! file builds the router and runs the server; each route group has its file.
//!
//! * [`ingest`]: `POST /v1/ingest` — a CBOR batch of sealed items; one result per item.
//! * [`health`]: `GET /v1/health` — `ok`.
//! * [`devices`]: `POST /v1/devices` — device registration.
//! * [`trust`]: `GET /v1/keyset` (the public keys by purpose, as JSON),
//!   `GET /v1/keyset-update` and `GET /v1/registry` (the root-signed keyset update and the
//!   signed venue registry, from the keys folder).
//! * [`exposures`]: `GET /v1/exposures?since=N` — the signed exposure list.
//! * [`ops`]: `/ops/…` — the operators' routes, behind [`auth::Caller`] (401 without a valid
//!   token, 403 outside the caller's role).
//!
//! Ingest bodies over [`MAX_BODY`] (the largest legal batch) and other bodies over
//! [`MAX_SMALL_BODY`] are refused with 413, malformed ones with 400 and a short reason; no
//! body can make a handler panic. [`listen`] accepts connections (optionally over TLS) under
//! the caps and timeouts of [`limits`], and closes each with a lingering close
//! ([`linger`]); every request has [`limits::Limits::request_timeout`] to be answered (408
//! after).
//!
//! Imports: the database, keys and trust files of this crate, `khaibao_core`, axum, hyper
//! and tokio. Handlers import [`state`], [`answer`], [`limits`] and [`listen::Peer`], never
//! this file or each other.

pub mod answer;
pub mod auth;
pub mod devices;
pub mod exposures;
pub mod health;
pub mod ingest;
pub mod limits;
pub mod linger;
pub mod listen;
pub mod ops;
pub mod state;
pub mod trust;

pub use ingest::{IngestAnswer, decode_ingest, ingest_body, ingest_items};
pub use limits::{Limits, MAX_BODY, MAX_SMALL_BODY};
pub use state::AppState;

use crate::db::AuthorityDb;
use crate::keys::OnlineKeys;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use khaibao_core::upload::protocol;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Path of the public keyset.
pub const KEYSET_PATH: &str = "/v1/keyset";

/// The router.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(protocol::INGEST_PATH, post(ingest::ingest))
        .route(protocol::HEALTH_PATH, get(health::health))
        .route(khaibao_core::pass::REGISTER_PATH, post(devices::register))
        .route(KEYSET_PATH, get(trust::keyset))
        .route(
            khaibao_core::exposure::EXPOSURES_PATH,
            get(exposures::exposures),
        )
        .route(
            khaibao_core::venue::fetch::KEYSET_UPDATE_PATH,
            get(trust::get_keyset_update),
        )
        .route(
            khaibao_core::venue::fetch::REGISTRY_PATH,
            get(trust::get_registry),
        )
        .merge(ops::routes())
        .merge(crate::portal::routes())
        .layer(DefaultBodyLimit::max(MAX_SMALL_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .with_state(state)
}

/// Answers 408 when a request (its body upload included) takes longer than the limit.
async fn time_limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let limit = state.guards().limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "timeout").into_response(),
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, over TLS when `tls` is given.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let guards = state.guards().clone();
    listen::serve(listener, router(state), guards, tls, shutdown).await
}

/// Connections a server opens to a PostgreSQL database by default.
pub const DEFAULT_DB_CONNECTIONS: usize = 8;

/// How [`RunningServer::start_with`] runs a server.
pub struct ServerOptions {
    /// Address to bind (port 0 for a free port).
    pub addr: SocketAddr,
    /// A SQLite file or a PostgreSQL URL.
    pub db: PathBuf,
    pub limits: Limits,
    /// Connections to a PostgreSQL database (SQLite always uses one).
    pub db_connections: usize,
    /// Certificate chain and private key files, for HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// How long declarations are kept, in days (every pooled connection purges by it).
    pub retention_days: i64,
}

impl ServerOptions {
    /// Plain HTTP on `addr` over the database `db`, with the default limits.
    pub fn new(addr: SocketAddr, db: &Path) -> Self {
        Self {
            addr,
            db: db.to_path_buf(),
            limits: Limits::default(),
            db_connections: DEFAULT_DB_CONNECTIONS,
            tls: None,
            retention_days: crate::db::DEFAULT_RETENTION_DAYS,
        }
    }
}

/// A server running on its own thread and runtime; stops when dropped.
pub struct RunningServer {
    addr: SocketAddr,
    https: bool,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `addr` (use port 0 for a free port) and starts serving in the background.
    pub fn start(
        addr: SocketAddr,
        db_path: &Path,
        keys: impl Into<OnlineKeys>,
    ) -> std::io::Result<Self> {
        Self::start_with(ServerOptions::new(addr, db_path), keys)
    }

    /// Starts a server as `options` say, holding the online keys only (given the full set,
    /// it drops the venue key).
    pub fn start_with(
        options: ServerOptions,
        keys: impl Into<OnlineKeys>,
    ) -> std::io::Result<Self> {
        let tls = match &options.tls {
            Some((cert, key)) => {
                Some(listen::tls_acceptor(cert, key).map_err(std::io::Error::other)?)
            }
            None => None,
        };
        let addr = options.addr;
        let https = tls.is_some();
        let mut dbs = vec![AuthorityDb::open(&options.db).map_err(std::io::Error::other)?];
        if dbs[0].is_postgres() {
            for _ in 1..options.db_connections {
                dbs.push(AuthorityDb::open(&options.db).map_err(std::io::Error::other)?);
            }
        }
        for db in &mut dbs {
            db.set_retention_days(options.retention_days);
        }
        let state = AppState::with_pool(dbs, keys, options.limits);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        let thread = std::thread::Builder::new()
            .name("khaibao-authority".into())
            .spawn(move || {
                let _ = runtime.block_on(serve(listener, served, tls, async {
                    let _ = rx.await;
                }));
            })?;
        Ok(Self {
            addr,
            https,
            state,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`, or `https://addr` when serving TLS.
    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The server's state, to inspect what it stored.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stops the server and waits for it to finish.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
