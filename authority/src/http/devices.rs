//! Device registration: a device proves it holds its Ed25519 key and gets the authority's
//! certificate for it, which staff apps check offline on every personal pass.
//!
//! `POST /v1/devices` with the CBOR request of `khaibao_core::pass::registration_request`;
//! the answer is the certificate (a COSE_Sign1), valid for 30 days, signed with the
//! device-certificate key (its own key, listed for device certificates only). Registrations
//! are rate limited per client and overall ([`super::limits`]): 429 beyond.

use super::answer::{bad_request, cose, too_many_requests};
use super::listen::Peer;
use super::state::AppState;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use khaibao_core::pass;
use std::sync::Arc;

/// The registration handler.
pub async fn register(
    State(state): State<Arc<AppState>>,
    peer: Option<Extension<Peer>>,
    body: Bytes,
) -> Response {
    if let Some(Extension(Peer(client))) = peer
        && !state.guards().registrations.allow(client)
    {
        return too_many_requests();
    }
    let now = crate::unix_now();
    let device = match pass::verify_registration(&body, now) {
        Ok(d) => d,
        Err(e) => return bad_request(e.code().as_str()),
    };
    match pass::certify_device(
        state.keys().device_pkcs8(),
        &device,
        now - 300,
        now + pass::CERTIFICATE_SECONDS,
    ) {
        Ok(cert) => cose(cert),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
