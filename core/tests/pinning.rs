//! SPKI pinning against a real TLS server on loopback. The certificates in `tests/data`
//! are throwaway test fixtures: a test CA and a leaf for 127.0.0.1/localhost (P-256), and
//! `pinned.der`, a self-signed P-256 certificate with a key of its own (made with
//! `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -outform DER`,
//! its private key discarded).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_core::Error;
use khaibao_core::encoding::codec::hex;
use khaibao_core::error::{FormatError, NetError};
use khaibao_core::net::pinning::spki_sha256;
use khaibao_core::net::transport::{HttpClient, HttpRequest, ReqwestClient, TransportConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

const CA: &[u8] = include_bytes!("data/ca.der");
const LEAF: &[u8] = include_bytes!("data/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("data/leaf.key.der");
/// A self-signed certificate with a key of its own: the genuine authority certificate
/// whose key an app pins, public like every certificate.
const PINNED: &[u8] = include_bytes!("data/pinned.der");

/// A TLS server answering `200 ok` to every request; returns its port.
fn tls_server() -> u16 {
    tls_server_with_chain(vec![LEAF.to_vec()])
}

/// A TLS server presenting `chain` (signing with the leaf's key).
fn tls_server_with_chain(chain: Vec<Vec<u8>>) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        chain.into_iter().map(CertificateDer::from).collect(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LEAF_KEY.to_vec())),
    )
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                );
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

fn get(port: u16, pins: Vec<Vec<u8>>, roots: Vec<Vec<u8>>) -> khaibao_core::Result<Vec<u8>> {
    get_with(port, pins, roots, false)
}

fn get_with(
    port: u16,
    pins: Vec<Vec<u8>>,
    roots: Vec<Vec<u8>>,
    bundled_roots: bool,
) -> khaibao_core::Result<Vec<u8>> {
    let client = ReqwestClient::with_config(&TransportConfig {
        connect_timeout_ms: 3000,
        request_timeout_ms: 5000,
        spki_sha256_pins: pins,
        extra_roots_der: roots,
        bundled_roots,
    })?;
    let r = client.send(HttpRequest {
        method: "GET".into(),
        url: format!("https://127.0.0.1:{port}/v1/health"),
        headers: vec![],
        body: vec![],
    })?;
    assert_eq!(r.status, 200);
    Ok(r.body)
}

/// The bundled roots (what Android builds always use) are Mozilla's: a private CA is not
/// among them, so it is trusted only when the app adds it, and pins still apply.
#[test]
fn bundled_roots_trust_a_private_ca_only_when_added() {
    let port = tls_server();
    assert!(matches!(
        get_with(port, vec![], vec![], true),
        Err(Error::Net(NetError::Network(_)))
    ));
    assert_eq!(
        get_with(port, vec![], vec![CA.to_vec()], true).unwrap(),
        b"ok"
    );
    let leaf_pin = spki_sha256(LEAF).unwrap().to_vec();
    assert_eq!(
        get_with(port, vec![leaf_pin], vec![CA.to_vec()], true).unwrap(),
        b"ok"
    );
    assert!(get_with(port, vec![vec![7; 32]], vec![CA.to_vec()], true).is_err());
}

#[test]
fn pin_is_the_sha256_of_the_subject_public_key_info() {
    // Computed independently: openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256
    assert_eq!(
        hex(&spki_sha256(LEAF).unwrap()),
        "732f1b85f7d77377ea12f31dc2d875bdb2a2b1c62b4782806fa8de03fde1f4fe"
    );
    assert!(spki_sha256(b"not a certificate").is_err());
}

#[test]
fn matching_pin_connects_and_any_other_key_is_refused() {
    let port = tls_server();
    let leaf_pin = spki_sha256(LEAF).unwrap().to_vec();
    let ca_pin = spki_sha256(CA).unwrap().to_vec();
    let backup = vec![7u8; 32];
    // The chain verifies against the private root; with and without pins.
    assert_eq!(get(port, vec![], vec![CA.to_vec()]).unwrap(), b"ok");
    assert_eq!(
        get(
            port,
            vec![backup.clone(), leaf_pin.clone()],
            vec![CA.to_vec()]
        )
        .unwrap(),
        b"ok"
    );
    // Only a backup pin: refused even though the chain is valid.
    assert!(matches!(
        get(port, vec![backup], vec![CA.to_vec()]),
        Err(Error::Net(NetError::Network(_)))
    ));
    // Only the leaf's key is a pin: the CA's key is not, presented or not.
    assert!(get(port, vec![ca_pin.clone()], vec![CA.to_vec()]).is_err());
    let with_ca = tls_server_with_chain(vec![LEAF.to_vec(), CA.to_vec()]);
    assert_eq!(
        get(with_ca, vec![leaf_pin.clone()], vec![CA.to_vec()]).unwrap(),
        b"ok"
    );
    assert!(get(with_ca, vec![ca_pin], vec![CA.to_vec()]).is_err());
    // A pin never replaces normal verification: the right pin with a chain that does not
    // lead to a trusted root (the leaf's issuer is not among the roots) fails.
    assert!(get(port, vec![leaf_pin], vec![LEAF.to_vec()]).is_err());
    // A pin of the wrong length is a configuration error.
    assert!(matches!(
        ReqwestClient::with_config(&TransportConfig {
            spki_sha256_pins: vec![vec![1; 31]],
            ..TransportConfig::default()
        }),
        Err(Error::Format(FormatError::InvalidField(_)))
    ));
}

#[test]
fn pin_appended_certificate_refused() {
    // The app pins the genuine authority certificate's key. An attacker holds a certificate
    // for the authority's name from a CA the phone trusts (here the test CA's leaf) and
    // appends the public pinned certificate to its chain.
    let pin = spki_sha256(PINNED).unwrap().to_vec();
    let attacker = tls_server_with_chain(vec![LEAF.to_vec(), PINNED.to_vec()]);
    assert!(matches!(
        get(attacker, vec![pin.clone()], vec![CA.to_vec()]),
        Err(Error::Net(NetError::Network(_)))
    ));
    // Appended before the leaf's issuer, or twice: still refused.
    let attacker = tls_server_with_chain(vec![LEAF.to_vec(), PINNED.to_vec(), CA.to_vec()]);
    assert!(get(attacker, vec![pin.clone()], vec![CA.to_vec()]).is_err());
    let attacker = tls_server_with_chain(vec![LEAF.to_vec(), PINNED.to_vec(), PINNED.to_vec()]);
    assert!(get(attacker, vec![pin], vec![CA.to_vec()]).is_err());
    // The chain itself is valid: unpinned, or pinned to the key it really serves, it passes.
    assert_eq!(get(attacker, vec![], vec![CA.to_vec()]).unwrap(), b"ok");
    let leaf_pin = spki_sha256(LEAF).unwrap().to_vec();
    assert_eq!(
        get(attacker, vec![leaf_pin], vec![CA.to_vec()]).unwrap(),
        b"ok"
    );
}
