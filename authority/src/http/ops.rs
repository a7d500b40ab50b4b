//! The operator routes, all under `/ops/` and all behind [`Caller`]: without a valid token
//! they answer 401, outside the caller's role 403.
//!
//! * `GET /ops/whoami`: the caller's name and role, as JSON.
//! * `GET /ops/operators`: every operator (the ministry only).

use super::auth::{Caller, Refusal};
use super::state::AppState;
use crate::ops::{Operator, list_operators};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// The routes of this file, to merge into the server's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/ops/whoami", get(whoami))
        .route("/ops/operators", get(operators))
}

/// 200 with a JSON body.
pub fn json(value: &serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// An operator as the routes show it (no secret of it exists outside the store's hashes).
pub fn operator_json(o: &Operator) -> serde_json::Value {
    serde_json::json!({
        "id": o.id,
        "name": o.name,
        "role": o.role.to_string(),
        "disabled": o.disabled,
        "created_at": o.created_at,
    })
}

/// Runs `f` on the database off the async threads; a storage failure is 503.
pub async fn blocking<T: Send + 'static, E: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&mut crate::db::AuthorityDb) -> Result<T, E> + Send + 'static,
) -> Result<T, Refusal> {
    let state = state.clone();
    match tokio::task::spawn_blocking(move || state.with_db(f)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(Refusal::Storage),
        Err(_) => Err(Refusal::Internal),
    }
}

async fn whoami(Caller(me): Caller) -> Response {
    json(&operator_json(&me))
}

async fn operators(State(state): State<Arc<AppState>>, caller: Caller) -> Response {
    if let Err(refused) = caller.require_admin() {
        return refused.into_response();
    }
    match blocking(&state, |db| list_operators(db.store())).await {
        Ok(all) => json(&serde_json::Value::Array(
            all.iter().map(operator_json).collect(),
        )),
        Err(r) => r.into_response(),
    }
}
