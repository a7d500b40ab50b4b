//! The authority's HTTP API (axum on tokio), for loopback use by the demo and the tests.
//!
//! * `POST /v1/ingest` — a CBOR batch of sealed items; answers one result per item.
//! * `GET /v1/health` — `ok`.
//! * `GET /v1/keyset` — the authority's public keys (venue signing key, sealing key) as JSON.
//! * `GET /v1/exposures?since=N` — the signed exposure list of everything published after
//!   version `N` ([`crate::exposures`]).
//! * `GET /v1/keyset-update`, `GET /v1/registry` — the root-signed keyset update and the
//!   signed venue registry, from the keys folder ([`crate::trust`]).
//!
//! Bodies over [`MAX_BODY`] are refused with 413, malformed ones with 400 and a short reason;
//! no body can make a handler panic.

use crate::db::AuthorityDb;
use crate::keys::AuthorityKeys;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use khaibao_core::error::FormatError;
use khaibao_core::upload::protocol::{self, IngestItem};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Path of the public keyset.
pub const KEYSET_PATH: &str = "/v1/keyset";

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// Shared server state.
pub struct AppState {
    db: Mutex<AuthorityDb>,
    keys: AuthorityKeys,
}

impl AppState {
    /// State over an open database and the authority's keys.
    pub fn new(db: AuthorityDb, keys: AuthorityKeys) -> Arc<Self> {
        Arc::new(Self {
            db: Mutex::new(db),
            keys,
        })
    }

    /// The authority's keys.
    pub fn keys(&self) -> &AuthorityKeys {
        &self.keys
    }

    /// Runs `f` on the database.
    pub fn with_db<T>(&self, f: impl FnOnce(&mut AuthorityDb) -> T) -> T {
        let mut guard = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// The router.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(protocol::INGEST_PATH, post(ingest))
        .route(protocol::HEALTH_PATH, get(|| async { "ok" }))
        .route(
            khaibao_core::pass::REGISTER_PATH,
            post(crate::register::register),
        )
        .route(KEYSET_PATH, get(keyset))
        .route(khaibao_core::exposure::EXPOSURES_PATH, get(exposures))
        .route(
            khaibao_core::venue::fetch::KEYSET_UPDATE_PATH,
            get(crate::trust::get_keyset_update),
        )
        .route(
            khaibao_core::venue::fetch::REGISTRY_PATH,
            get(crate::trust::get_registry),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

fn bad_request(reason: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, reason).into_response()
}

async fn keyset(State(state): State<Arc<AppState>>) -> Response {
    use khaibao_core::encoding::codec::hex;
    let p = state.keys.public();
    let json = format!(
        "{{\"venue_keys\":[{{\"kid\":\"{}\",\"public_key\":\"{}\"}}],\"sealing_public\":\"{}\"}}",
        hex(&p.venue_key.kid),
        hex(&p.venue_key.public_key),
        hex(&p.sealing_public)
    );
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

async fn exposures(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let mut since = 0u64;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("since", v)) => match v.parse() {
                Ok(n) => since = n,
                Err(_) => return bad_request("query.since"),
            },
            _ => return bad_request("query.unknown"),
        }
    }
    let now = crate::unix_now();
    let result = tokio::task::spawn_blocking(move || {
        state.with_db(|db| db.exposures_since(state.keys.signing_pkcs8(), since, now))
    })
    .await;
    match result {
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, "application/cose")], bytes).into_response(),
        Ok(Err(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "storage",
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn ingest(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let items = match decode_ingest(&body) {
        Ok(items) => items,
        Err(refused) => return refused.into_response(),
    };
    let now = crate::unix_now();
    tokio::task::spawn_blocking(move || ingest_items(&state, &items, now))
        .await
        .unwrap_or(IngestAnswer::Internal)
        .into_response()
}

/// The ingest endpoint's answer to a body, before HTTP framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestAnswer {
    /// 200 with the CBOR response body (one result per item).
    Results(Vec<u8>),
    /// 413: more items than [`protocol::MAX_BATCH`].
    TooLarge,
    /// 400 with the error code of a malformed body.
    BadRequest(&'static str),
    /// 503 with `Retry-After`: the database failed; the client retries.
    Storage,
    /// 500: encoding the response failed or the worker panicked.
    Internal,
}

impl IntoResponse for IngestAnswer {
    fn into_response(self) -> Response {
        match self {
            Self::Results(bytes) => {
                ([(header::CONTENT_TYPE, protocol::CONTENT_TYPE)], bytes).into_response()
            }
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "batch.too_large").into_response(),
            Self::BadRequest(code) => bad_request(code),
            Self::Storage => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "storage",
            )
                .into_response(),
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

/// Decodes an ingest body into its items, or the answer that refuses it.
pub fn decode_ingest(body: &[u8]) -> Result<Vec<IngestItem>, IngestAnswer> {
    match protocol::decode_request(body) {
        Ok(items) => Ok(items),
        Err(khaibao_core::Error::Format(FormatError::InvalidField("batch size"))) => {
            Err(IngestAnswer::TooLarge)
        }
        Err(e) => Err(IngestAnswer::BadRequest(e.code().as_str())),
    }
}

/// Verifies, opens and stores decoded items and encodes the response (blocking: the handler
/// runs it on tokio's blocking pool).
pub fn ingest_items(state: &AppState, items: &[IngestItem], now: i64) -> IngestAnswer {
    // Signature checks and opening run outside the database lock, so concurrent requests
    // use every core; only the inserts are serialised.
    let opened = crate::db::open_items(state.keys.sealing(), items);
    match state.with_db(|db| db.store_opened(items, opened, now)) {
        Ok(results) => match protocol::encode_response(&results) {
            Ok(bytes) => IngestAnswer::Results(bytes),
            Err(_) => IngestAnswer::Internal,
        },
        Err(_) => IngestAnswer::Storage,
    }
}

/// The whole ingest of one body, as the endpoint does it (for the fuzzer and tests).
pub fn ingest_body(state: &AppState, body: &[u8], now: i64) -> IngestAnswer {
    match decode_ingest(body) {
        Ok(items) => ingest_items(state, &items, now),
        Err(refused) => refused,
    }
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
