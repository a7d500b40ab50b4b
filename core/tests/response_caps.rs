//! Every kind of answer the phone downloads has a size cap: a hostile or broken server
//! cannot make it hold more. The library's own client stops reading at the cap (a plain
//! HTTP server on loopback sends declared and undeclared lengths); a host client's answer
//! is checked after the fact.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_core::error::NetError;
use khaibao_core::exposure::{self, MatchOptions};
use khaibao_core::net::transport::{
    self, HttpClient, HttpRequest, HttpResponse, ReqwestClient, TransportConfig,
};
use khaibao_core::pass;
use khaibao_core::seal::DeviceKey;
use khaibao_core::test_support;
use khaibao_core::upload::outbox::{self, NewItem};
use khaibao_core::upload::protocol::{self, ItemKind};
use khaibao_core::venue::{ScannedVenue, fetch as trust_fetch};
use khaibao_core::{Error, diary};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};

const NOW: i64 = 1_767_225_600;

/// A plain HTTP server sending `len` bytes of body to every request, with a
/// `content-length` when `declared`, else chunked; returns its port.
fn server(len: usize, declared: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = vec![b'x'; len];
                if declared {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
                    );
                    let _ = tcp.write_all(head.as_bytes());
                    let _ = tcp.write_all(&body);
                } else {
                    let _ = tcp.write_all(
                        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                    );
                    for part in body.chunks(4096) {
                        let _ = tcp.write_all(format!("{:x}\r\n", part.len()).as_bytes());
                        let _ = tcp.write_all(part);
                        let _ = tcp.write_all(b"\r\n");
                    }
                    let _ = tcp.write_all(b"0\r\n\r\n");
                }
            });
        }
    });
    port
}

fn too_large<T>(r: &khaibao_core::Result<T>) -> bool {
    matches!(r, Err(Error::Net(NetError::Protocol("response too large"))))
}

/// A host client answering every request with `len` bytes, counting requests.
struct Hostile {
    len: usize,
    calls: AtomicUsize,
}

impl HttpClient for Hostile {
    fn send(&self, _request: HttpRequest) -> khaibao_core::Result<HttpResponse> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: vec![0xa0; self.len],
        })
    }
}

fn hostile(len: usize) -> Hostile {
    Hostile {
        len,
        calls: AtomicUsize::new(0),
    }
}

#[test]
fn response_size_capped() {
    // The library's own client, against a real server: at the cap the body is read, one
    // byte over it is refused, whether the length is declared or chunked.
    let client = ReqwestClient::with_config(&TransportConfig {
        connect_timeout_ms: 3000,
        request_timeout_ms: 10_000,
        ..TransportConfig::default()
    })
    .unwrap();
    let cap = 100_000;
    for declared in [true, false] {
        let get = |len: usize| {
            let url = format!("http://127.0.0.1:{}/v1/registry", server(len, declared));
            transport::send_limited(&client, HttpRequest::get(url), cap)
        };
        assert_eq!(get(cap).unwrap().body.len(), cap, "declared {declared}");
        assert!(too_large(&get(cap + 1)), "declared {declared}");
    }
    // The client's own ceiling applies to a plain send too.
    let url = format!(
        "http://127.0.0.1:{}/",
        server(transport::MAX_RESPONSE_BYTES + 1, false)
    );
    assert!(too_large(&client.send(HttpRequest::get(url))));

    // Each kind of answer, through a host client that returns whatever it was sent: one
    // byte over its cap is refused and nothing is applied.
    let base = "https://authority.invalid";
    // Ingest answers: the items stay queued for a later try.
    let mut store = test_support::store_in_memory(NOW);
    let item = NewItem {
        idempotency_key: outbox::new_idempotency_key().unwrap(),
        kind: ItemKind::Declaration,
        body: vec![1; 40],
    };
    let venue = ScannedVenue::Unverified { text: "v".into() };
    diary::check_in(&mut store, &venue, NOW, Some(&item)).unwrap();
    let ingest = hostile(protocol::MAX_RESPONSE_BYTES + 1);
    assert!(too_large(&outbox::drain(
        &mut store, &ingest, base, 50, NOW
    )));
    let counts = outbox::counts(&store).unwrap();
    assert_eq!((counts.pending, counts.delivered), (1, 0));
    // Exposure lists: nothing recorded.
    let (_, key) = test_support::signing_key();
    let lists = hostile(exposure::fetch::MAX_LIST_BYTES + 1);
    assert!(too_large(&exposure::fetch::fetch_and_match(
        &mut store,
        &lists,
        base,
        std::slice::from_ref(&key),
        MatchOptions::default(),
        NOW,
        None,
    )));
    assert_eq!(exposure::last_version(&store).unwrap(), 0);
    // Keyset updates (with a root key configured) and registries.
    let keyset = hostile(trust_fetch::MAX_KEYSET_BYTES + 1);
    let root = [9u8; 32];
    assert!(too_large(&trust_fetch::sync_trust(
        &mut store,
        &keyset,
        base,
        std::slice::from_ref(&key),
        Some(&root),
        NOW,
    )));
    let registry = hostile(trust_fetch::MAX_REGISTRY_BYTES + 1);
    assert!(too_large(&trust_fetch::sync_trust(
        &mut store,
        &registry,
        base,
        &[key],
        None,
        NOW,
    )));
    // Device certificates.
    let device = DeviceKey::generate().unwrap();
    let certs = hostile(pass::MAX_CERTIFICATE_BYTES + 1);
    assert!(too_large(&pass::register_device(
        &device, &certs, base, NOW
    )));
    // Each was asked once: a refused answer is not retried in a loop.
    for c in [&ingest, &lists, &keyset, &registry, &certs] {
        assert_eq!(c.calls.load(Ordering::Relaxed), 1);
    }
}
