//! `GET /v1/exposures?since=N`: the signed exposure list of everything published after
//! version `N` ([`crate::exposures`]), signed with the exposure-list key; lists are signed
//! once per version pair and reused for a few minutes.

use super::answer::{bad_request, cose, storage_unavailable};
use super::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `GET /v1/exposures?since=N`.
pub async fn exposures(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
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
        state.with_db(|db| {
            db.exposures_since_cached(
                state.keys().exposure_pkcs8(),
                since,
                now,
                state.exposure_lists(),
            )
        })
    })
    .await;
    match result {
        Ok(Ok(bytes)) => cose(bytes),
        Ok(Err(_)) => storage_unavailable(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
