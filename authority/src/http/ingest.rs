//! `POST /v1/ingest`: a CBOR batch of sealed items; answers one result per item. Items are
//! opened outside the database lock, then stored in one transaction.

use super::answer::{bad_request, storage_unavailable};
use super::state::AppState;
use crate::ingest::open_items;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use khaibao_core::error::FormatError;
use khaibao_core::upload::protocol::{self, IngestItem};
use std::sync::Arc;

/// `POST /v1/ingest`.
pub async fn ingest(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
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
