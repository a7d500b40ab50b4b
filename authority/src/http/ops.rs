//! The operator routes, all under `/ops/` and all behind [`Caller`]: without a valid token
//! they answer 401, outside the caller's role 403.
//!
//! * `GET /ops/whoami`: the caller's name and role, as JSON.
//! * `GET /ops/operators`: every operator (the ministry only).
//! * `GET /ops/audit`: the audit log and whether its chain verifies (the ministry only).
//! * `POST /ops/extractions` (form: `scope=province:79|venue:HEX`, `since`, `until` as Unix
//!   seconds or `YYYY-MM-DD[THH:MM]` Vietnam time, `reason`): request an extraction (201).
//! * `GET /ops/extractions`: the extractions the caller may see; `GET /ops/extractions/{id}`.
//! * `POST /ops/extractions/{id}/approve`, `…/refuse`: decide one.
//! * `GET /ops/extractions/{id}/csv`: the requester downloads an approved one (text/csv).
//!
//! What each step allows is [`crate::extraction`]'s; refusals are 403, an unknown id 404,
//! a step out of order 409, a closed download window 410.

use super::auth::{Caller, Refusal};
use super::state::AppState;
use crate::export::parse_time;
use crate::extraction::{self, Extraction, ExtractionError};
use crate::ops::{Operator, Scope, list_operators};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// The routes of this file, to merge into the server's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/ops/whoami", get(whoami))
        .route("/ops/operators", get(operators))
        .route("/ops/audit", get(audit_log))
        .route("/ops/extractions", post(request).get(list))
        .route("/ops/extractions/{id}", get(show))
        .route("/ops/extractions/{id}/approve", post(approve))
        .route("/ops/extractions/{id}/refuse", post(refuse))
        .route("/ops/extractions/{id}/csv", get(csv))
}

impl IntoResponse for ExtractionError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::NotPending | Self::NotApproved => StatusCode::CONFLICT,
            Self::Expired => StatusCode::GONE,
            Self::BadRange | Self::BadReason => StatusCode::BAD_REQUEST,
            Self::Db(_) | Self::Export(_) => return Refusal::Storage.into_response(),
        };
        (status, self.to_string()).into_response()
    }
}

/// An extraction as the routes show it.
pub fn extraction_json(e: &Extraction) -> serde_json::Value {
    serde_json::json!({
        "id": e.id,
        "requester_id": e.requester_id,
        "scope": e.scope.to_string(),
        "since": e.since,
        "until": e.until,
        "reason": e.reason,
        "requested_at": e.requested_at,
        "state": e.state.as_str(),
        "decided_by": e.decided_by,
        "decided_at": e.decided_at,
        "download_until": e.download_until,
        "downloads": e.downloads,
    })
}

/// Runs an extraction step on the database off the async threads.
async fn step<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&mut crate::db::AuthorityDb) -> Result<T, ExtractionError> + Send + 'static,
) -> Result<T, Response> {
    let state = state.clone();
    match tokio::task::spawn_blocking(move || state.with_db(f)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into_response()),
        Err(_) => Err(Refusal::Internal.into_response()),
    }
}

/// A form body's fields (`application/x-www-form-urlencoded`).
fn form(body: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn bad(what: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, what).into_response()
}

async fn request(State(state): State<Arc<AppState>>, Caller(me): Caller, body: Bytes) -> Response {
    let f = form(&body);
    let Some(scope) = f.get("scope").and_then(|s| Scope::parse(s).ok()) else {
        return bad("form.scope");
    };
    let time = |k: &str| f.get(k).and_then(|t| parse_time(t).ok());
    let (Some(since), Some(until)) = (time("since"), time("until")) else {
        return bad("form.range");
    };
    let reason = f.get("reason").cloned().unwrap_or_default();
    let now = crate::unix_now();
    match step(&state, move |db| {
        extraction::request(db, &me, &scope, (since, until), &reason, now)
    })
    .await
    {
        Ok(e) => (StatusCode::CREATED, json(&extraction_json(&e))).into_response(),
        Err(r) => r,
    }
}

async fn list(State(state): State<Arc<AppState>>, Caller(me): Caller) -> Response {
    match step(&state, move |db| extraction::visible_to(db, &me)).await {
        Ok(all) => json(&serde_json::Value::Array(
            all.iter().map(extraction_json).collect(),
        )),
        Err(r) => r,
    }
}

async fn show(
    State(state): State<Arc<AppState>>,
    Caller(me): Caller,
    Path(id): Path<i64>,
) -> Response {
    let found = step(&state, move |db| {
        let visible = extraction::visible_to(db, &me)?;
        let e = extraction::extraction(db, id)?;
        if visible.iter().any(|v| v.id == id) {
            Ok(e)
        } else {
            Err(ExtractionError::Forbidden)
        }
    })
    .await;
    match found {
        Ok(e) => json(&extraction_json(&e)),
        Err(r) => r,
    }
}

async fn decide(state: Arc<AppState>, me: Operator, id: i64, approve: bool) -> Response {
    let now = crate::unix_now();
    match step(&state, move |db| {
        extraction::decide(db, &me, id, approve, now)
    })
    .await
    {
        Ok(e) => json(&extraction_json(&e)),
        Err(r) => r,
    }
}

async fn approve(
    State(state): State<Arc<AppState>>,
    Caller(me): Caller,
    Path(id): Path<i64>,
) -> Response {
    decide(state, me, id, true).await
}

async fn refuse(
    State(state): State<Arc<AppState>>,
    Caller(me): Caller,
    Path(id): Path<i64>,
) -> Response {
    decide(state, me, id, false).await
}

async fn csv(
    State(state): State<Arc<AppState>>,
    Caller(me): Caller,
    Path(id): Path<i64>,
) -> Response {
    let now = crate::unix_now();
    let keys = state.clone();
    let out = step(&state, move |db| {
        let mut out = Vec::new();
        extraction::download(db, keys.keys().sealing(), &me, id, &mut out, now)?;
        Ok(out)
    })
    .await;
    match out {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(r) => r,
    }
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

async fn audit_log(State(state): State<Arc<AppState>>, caller: Caller) -> Response {
    if let Err(refused) = caller.require_admin() {
        return refused.into_response();
    }
    let read = blocking(&state, |db| {
        let entries = db.store().audit_entries()?;
        let verified = crate::audit::verify_entries(&entries);
        Ok::<_, crate::store::DbError>((entries, verified))
    })
    .await;
    let (entries, verified) = match read {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let hex = khaibao_core::encoding::codec::hex;
    let list: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "detail": e.detail,
                "hash": hex(&e.hash),
            })
        })
        .collect();
    let (ok, head, problem) = match verified {
        Ok(head) => (true, Some(head.hash), None),
        Err(e) => (false, None, Some(e.to_string())),
    };
    json(&serde_json::json!({
        "verified": ok,
        "head": head,
        "problem": problem,
        "entries": list,
    }))
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
