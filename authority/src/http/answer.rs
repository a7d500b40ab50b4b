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

/// 429 with `Retry-After`: this client has too many requests in flight or made too many.
pub fn too_many_requests() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "10")],
        "rate",
    )
        .into_response()
}

/// 503 with `Retry-After`: the server is at its limit for this kind of request.
pub fn busy() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "busy",
    )
        .into_response()
}
