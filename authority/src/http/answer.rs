//! Answers more than one route gives.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// 400 with a short reason (an error code, never the body's content).
pub fn bad_request(reason: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, reason).into_response()
}

/// 503 with `Retry-After`: storage failed; the client retries.
pub fn storage_unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "storage",
    )
        .into_response()
}

/// 200 with a COSE body.
pub fn cose(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/cose")], bytes).into_response()
}
