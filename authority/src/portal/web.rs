//! What every portal page shares: the [`Ctx`] extractor (language, CSRF token, the
//! logged-in operator), form parsing and CSRF checking, and the response with its security
//! headers and cookies.

use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use crate::ops::{Operator, Role, authenticate};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

/// The CSRF cookie: a random value every form repeats in its `csrf` field.
pub const CSRF_COOKIE: &str = "kb_csrf";
/// The language cookie (`vi` or `en`).
pub const LANG_COOKIE: &str = "kb_lang";

/// Nothing but this site's stylesheet: no script, no frame, no other origin.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

/// The request as a page sees it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    /// The CSRF cookie was missing: the answer sets it.
    new_csrf: bool,
    pub who: Option<Operator>,
    /// The path and query of this request (for the language link's way back).
    pub path: String,
}

/// The cookies of a request.
pub fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

fn random_hex() -> String {
    khaibao_core::upload::outbox::new_idempotency_key()
        .map(|k| khaibao_core::encoding::codec::hex(&k))
        .unwrap_or_default()
}

impl FromRequestParts<Arc<AppState>> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let jar = cookies(&parts.headers);
        let lang = match jar.get(LANG_COOKIE).map(String::as_str) {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        };
        let (csrf, new_csrf) = match jar.get(CSRF_COOKIE) {
            Some(t) if t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
                (t.clone(), false)
            }
            _ => (random_hex(), true),
        };
        let who = match jar.get(SESSION_COOKIE).cloned() {
            Some(token) => {
                let state = state.clone();
                let now = crate::unix_now();
                tokio::task::spawn_blocking(move || {
                    state.with_db(|db| authenticate(db.store(), &token, now))
                })
                .await
                .ok()
                .and_then(Result::ok)
                .flatten()
            }
            None => None,
        };
        let path = parts
            .uri
            .path_and_query()
            .map_or("/portal", |p| p.as_str())
            .to_owned();
        Ok(Self {
            lang,
            csrf,
            new_csrf,
            who,
            path,
        })
    }
}

impl Ctx {
    /// The text in the page's language.
    pub fn s<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// `vi` or `en`.
    pub fn lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The language the switch link offers.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }

    /// Whether the operator is a provincial department or the ministry.
    pub fn is_department(&self) -> bool {
        self.who
            .as_ref()
            .is_some_and(|o| !matches!(o.role, Role::Unit(_)))
    }

    /// A venue status in the page's language.
    pub fn status(&self, status: &str) -> &'static str {
        match (status, self.lang) {
            ("pending", Lang::Vi) => "Chờ duyệt",
            ("pending", Lang::En) => "Awaiting approval",
            ("approved", Lang::Vi) => "Đã duyệt, chờ ký mã",
            ("approved", Lang::En) => "Approved, awaiting signing",
            ("active", Lang::Vi) => "Đang hoạt động",
            ("active", Lang::En) => "Active",
            ("retired", Lang::Vi) => "Đã ngừng",
            ("retired", Lang::En) => "Retired",
            (_, Lang::Vi) => "Không rõ",
            (_, Lang::En) => "Unknown",
        }
    }

    /// Whether the form's `csrf` field matches the cookie (compared in constant time).
    pub fn csrf_ok(&self, form: &HashMap<String, String>) -> bool {
        let Some(sent) = form.get("csrf") else {
            return false;
        };
        !self.new_csrf
            && sent.len() == self.csrf.len()
            && sent
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Adds the security headers, and the CSRF cookie when the browser had none.
    pub fn finish(&self, mut r: Response) -> Response {
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        if self.new_csrf
            && let Ok(v) = HeaderValue::from_str(&cookie(CSRF_COOKIE, &self.csrf, None))
        {
            h.append(header::SET_COOKIE, v);
        }
        r
    }

    /// An HTML page.
    pub fn page(&self, status: StatusCode, html: Result<String, askama::Error>) -> Response {
        let r = match html {
            Ok(body) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
        self.finish(r)
    }

    /// 303 to `to`, with extra cookies.
    pub fn redirect(&self, to: &str, set: &[String]) -> Response {
        let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response();
        for c in set {
            if let Ok(v) = HeaderValue::from_str(c) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        self.finish(r)
    }
}

/// A `Set-Cookie` value: `HttpOnly`, `Secure`, `SameSite=Strict`, for the whole site;
/// `max_age` in seconds (0 deletes it), or a session cookie.
pub fn cookie(name: &str, value: &str, max_age: Option<i64>) -> String {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Strict{age}")
}

/// The fields of a URL-encoded form body (the last of a repeated name wins).
pub fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// A time as the pages show it: `YYYY-MM-DD HH:MM` in Vietnam.
pub fn time(t: &i64) -> String {
    let (y, m, d, hh, mm) = crate::poster::layout::vietnam_time(*t);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}")
}
