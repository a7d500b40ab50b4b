//! Device registration: a device proves it holds its Ed25519 key and gets the authority's
//! certificate for it, which staff apps check offline on every personal pass.
//!
//! `POST /v1/devices` with the CBOR request of `khaibao_core::pass::registration_request`;
//! the answer is the certificate (a COSE_Sign1), valid for 30 days.

use super::answer::{bad_request, cose};
use super::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use khaibao_core::pass;
use std::sync::Arc;

/// The registration handler.
pub async fn register(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let now = crate::unix_now();
    let device = match pass::verify_registration(&body, now) {
        Ok(d) => d,
        Err(e) => return bad_request(e.code().as_str()),
    };
    match pass::certify_device(
        state.keys().signing_pkcs8(),
        &device,
        now - 300,
        now + pass::CERTIFICATE_SECONDS,
    ) {
        Ok(cert) => cose(cert),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
