//! `POST /v1/ingest`: a CBOR batch of sealed items; answers one result per item. Items are
//! opened outside the database lock, then stored in one transaction.
//!
//! Before anything is parsed: a client with too many ingests in flight gets 429; a
//! `Content-Length` over [`MAX_BODY`] gets 413 unread; the body reserves its size from the
//! server's ingest budget (503 when none frees up in time); and reading stops with 413 as
//! soon as the array head announces more than [`protocol::MAX_BATCH`] items or the bytes
//! pass [`MAX_BODY`]. Decoding then checks the whole shape before allocating
//! ([`protocol::decode_request`]).

use super::answer::{bad_request, busy, storage_unavailable, too_many_requests};
use super::limits::MAX_BODY;
use super::listen::Peer;
use super::state::AppState;
use crate::ingest::open_items;
use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use khaibao_core::error::FormatError;
use khaibao_core::upload::protocol::{self, IngestItem};
use std::sync::Arc;

/// `POST /v1/ingest`.
pub async fn ingest(
    State(state): State<Arc<AppState>>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let guards = state.guards();
    let _slot = match peer {
        Some(Extension(Peer(client))) => match guards.ingest_per_client.try_take(client) {
            Some(slot) => Some(slot),
            None => return too_many_requests(),
        },
        None => None,
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return IngestAnswer::TooLarge.into_response();
    }
    let permits = guards.ingest_permits(declared.unwrap_or(MAX_BODY));
    let budget = tokio::time::timeout(
        guards.limits.ingest_wait,
        guards.ingest_budget.clone().acquire_many_owned(permits),
    )
    .await;
    let Ok(Ok(_budget)) = budget else {
        return busy();
    };
    let bytes = match read_body(body, declared).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused.into_response(),
    };
    let now = crate::unix_now();
    tokio::task::spawn_blocking(move || ingest_body(&state, &bytes, now))
        .await
        .unwrap_or(IngestAnswer::Internal)
        .into_response()
}

/// Reads an ingest body up to [`MAX_BODY`], refusing it as soon as its array head
/// announces too many items.
async fn read_body(mut body: Body, declared: Option<usize>) -> Result<Vec<u8>, IngestAnswer> {
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(MAX_BODY));
    let mut head_checked = false;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| IngestAnswer::BadRequest("body"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if bytes.len() + data.len() > MAX_BODY {
            return Err(IngestAnswer::TooLarge);
        }
        bytes.extend_from_slice(&data);
        if !head_checked && let Some(n) = protocol::declared_batch_len(&bytes) {
            head_checked = true;
            if n > protocol::MAX_BATCH as u64 {
                return Err(IngestAnswer::TooLarge);
            }
        }
    }
    Ok(bytes)
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
            Self::Storage => storage_unavailable(),
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
    let opened = open_items(state.keys().sealing(), items);
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
