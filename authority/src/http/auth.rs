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
        // The scheme is case-insensitive (RFC 9110 §11.1).
        let (scheme, token) = v.to_str().ok()?.split_once(' ')?;
        let token = token.trim();
        return (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
            .then(|| token.to_owned());
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn token_of(headers: &[(&str, &str)]) -> Option<String> {
        let mut req = Request::builder();
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let (parts, ()) = req.body(()).unwrap().into_parts();
        presented_token(&parts)
    }

    #[test]
    fn the_token_comes_from_the_bearer_header_or_the_session_cookie() {
        assert_eq!(
            token_of(&[("authorization", "Bearer kb_1")]).as_deref(),
            Some("kb_1")
        );
        assert_eq!(
            token_of(&[("authorization", "bearer  kb_1 ")]).as_deref(),
            Some("kb_1")
        );
        assert_eq!(token_of(&[("authorization", "Basic a2I6MQ==")]), None);
        assert_eq!(token_of(&[("authorization", "Bearer ")]), None);
        assert_eq!(
            token_of(&[("cookie", "theme=dark; kb_session=kb_2; x=y")]).as_deref(),
            Some("kb_2")
        );
        assert_eq!(token_of(&[("cookie", "kb_sessionx=kb_3")]), None);
        // A header that is present decides, even when it is not a bearer token.
        assert_eq!(
            token_of(&[("authorization", "Basic x"), ("cookie", "kb_session=kb_2")]),
            None
        );
        assert_eq!(token_of(&[]), None);
    }
}
