//! The authority's HTTP API (axum on tokio), for loopback use by the demo and the tests: this
//! file builds the router and runs the server; each route group has its file.
//!
//! * [`ingest`]: `POST /v1/ingest` — a CBOR batch of sealed items; one result per item.
//! * [`health`]: `GET /v1/health` — `ok`.
//! * [`devices`]: `POST /v1/devices` — device registration.
//! * [`trust`]: `GET /v1/keyset` (the public keys as JSON), `GET /v1/keyset-update` and
//!   `GET /v1/registry` (the root-signed keyset update and the signed venue registry, from
//!   the keys folder).
//! * [`exposures`]: `GET /v1/exposures?since=N` — the signed exposure list.
//! * [`ops`]: `/ops/…` — the operators' routes, behind [`auth::Caller`] (401 without a valid
//!   token, 403 outside the caller's role).
//!
//! Bodies over [`MAX_BODY`] are refused with 413, malformed ones with 400 and a short reason;
//! no body can make a handler panic.
//!
//! Imports: the database, keys and trust files of this crate, `khaibao_core`, axum and
//! tokio. Handlers import [`state`] and [`answer`], never this file or each other.

pub mod answer;
pub mod auth;
pub mod devices;
pub mod exposures;
pub mod health;
pub mod ingest;
pub mod ops;
pub mod state;
pub mod trust;

pub use ingest::{IngestAnswer, decode_ingest, ingest_body, ingest_items};
pub use state::AppState;

use crate::db::AuthorityDb;
use crate::keys::AuthorityKeys;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use khaibao_core::upload::protocol;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Path of the public keyset.
pub const KEYSET_PATH: &str = "/v1/keyset";

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

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
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A server running on its own thread and runtime; stops when dropped.
pub struct RunningServer {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `addr` (use port 0 for a free port) and starts serving in the background.
    pub fn start(addr: SocketAddr, db_path: &Path, keys: AuthorityKeys) -> std::io::Result<Self> {
        let db = AuthorityDb::open(db_path).map_err(std::io::Error::other)?;
        let state = AppState::new(db, keys);
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
                let _ = runtime.block_on(serve(listener, served, async {
                    let _ = rx.await;
                }));
            })?;
        Ok(Self {
            addr,
            state,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
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
