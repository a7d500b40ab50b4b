//! `GET /v1/health`: `ok` while the server runs.

/// The health handler.
pub async fn health() -> &'static str {
    "ok"
}
