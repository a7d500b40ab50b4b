//! What phones fetch to trust the authority's keys: `GET /v1/keyset` (the public keys by
//! purpose, as JSON), `GET /v1/keyset-update` (the root-signed keyset update) and
//! `GET /v1/registry` (the signed venue registry). The last two are the files of the keys folder
//! ([`crate::trust`]), read on each request; a missing file is 404.

use super::answer::{cose, storage_unavailable};
use super::state::AppState;
use crate::trust::{KEYSET_FILE, REGISTRY_FILE};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `GET /v1/keyset`: the authority's public keys by purpose, as JSON (`venue_keys`,
/// `exposure_keys`, `device_keys`, each a list of `{kid, public_key}`, and
/// `sealing_public`). Phones trust them through the root-signed keyset update, which says
/// what each key may sign; this list is for people and configuration tools.
pub async fn keyset(State(state): State<Arc<AppState>>) -> Response {
    use khaibao_core::encoding::codec::hex;
    let p = state.keys().public();
    let one = |k: &khaibao_core::venue::TrustedKey| {
        format!(
            "[{{\"kid\":\"{}\",\"public_key\":\"{}\"}}]",
            hex(&k.kid),
            hex(&k.public_key)
        )
    };
    let json = format!(
        "{{\"venue_keys\":{},\"exposure_keys\":{},\"device_keys\":{},\"sealing_public\":\"{}\"}}",
        one(&p.venue_key),
        one(&p.exposure_key),
        one(&p.device_key),
        hex(&p.sealing_public)
    );
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

async fn serve_file(state: Arc<AppState>, name: &'static str) -> Response {
    let Some(dir) = state.keys().dir() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = dir.join(name);
    let read = tokio::task::spawn_blocking(move || std::fs::read(path)).await;
    let Ok(read) = read else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match read {
        Ok(bytes) => cose(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (StatusCode::NOT_FOUND, "not published").into_response()
        }
        Err(_) => storage_unavailable(),
    }
}

/// `GET /v1/keyset-update`: the root-signed keyset update.
pub async fn get_keyset_update(State(state): State<Arc<AppState>>) -> Response {
    serve_file(state, KEYSET_FILE).await
}

/// `GET /v1/registry`: the signed venue registry.
pub async fn get_registry(State(state): State<Arc<AppState>>) -> Response {
    serve_file(state, REGISTRY_FILE).await
}
