//! Who is calling an operator route (`/ops/…`): the [`Caller`] extractor reads the token
//! from `Authorization: Bearer kb_…` (or the portal's [`SESSION_COOKIE`]) and answers 401
//! when there is none or it is unknown, expired or its account disabled. Handlers then ask
//! [`Caller::require`] for the scope they are about to touch, which answers 403 outside
//! the caller's role.

use super::answer::storage_unavailable;
use super::state::AppState;
use crate::ops::{Operator, Scope, authenticate};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The cookie a browser session's token may travel in instead of the header.
pub const SESSION_COOKIE: &str = "kb_session";

/// The authenticated operator behind a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Operator);

/// Why an operator route refuses a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 401 with the `WWW-Authenticate` challenge: no valid credentials.
    Unauthorized,
    /// 403: authenticated, but not for this.
    Forbidden,
    /// 503 with `Retry-After`: the database failed.
    Storage,
    /// 500: a worker failed.
    Internal,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "auth.required",
            )
                .into_response(),
            Self::Forbidden => (StatusCode::FORBIDDEN, "auth.scope").into_response(),
            Self::Storage => storage_unavailable(),
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

/// The token a request presents, from the header first, then the cookie.
pub fn presented_token(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        return v
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = presented_token(parts) else {
            return Err(Refusal::Unauthorized);
        };
        let state = state.clone();
        let now = crate::unix_now();
        let found = tokio::task::spawn_blocking(move || {
            state.with_db(|db| authenticate(db.store(), &token, now))
        })
        .await;
        match found {
            Ok(Ok(Some(operator))) => Ok(Self(operator)),
            Ok(Ok(None)) => Err(Refusal::Unauthorized),
            Ok(Err(_)) => Err(Refusal::Storage),
            Err(_) => Err(Refusal::Internal),
        }
    }
}

impl Caller {
    /// Ok when the caller's role covers `scope`, else the 403 answer.
    pub fn require(&self, scope: &Scope) -> Result<(), Refusal> {
        if self.0.role.covers(scope) {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// Ok for the ministry's operators, else the 403 answer.
    pub fn require_admin(&self) -> Result<(), Refusal> {
        if self.0.role == crate::ops::Role::Admin {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }
}
