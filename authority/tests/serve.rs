//! `khaibao serve` as a process, attacked and over TLS.
//!
//! * Hostile load: 32 clients at once, each from its own loopback address (so per-client
//!   caps do not shield the server), send oversized and deeply nested ingest bodies while
//!   slow clients trickle headers and bodies; a probe asks `/v1/health` every 100 ms. The
//!   server's peak resident memory (`VmHWM`) must stay under 256 MB and every probe must
//!   be answered within a second.
//! * TLS: `serve --tls-cert --tls-key` answers HTTPS with that certificate.
//! * Keys by purpose: `serve` runs from a server folder holding only the online keys and the
//!   public files, where `venue.pk8` and `root.pk8` are named pipes that would block any
//!   read; what it signs verifies under the root-signed keyset for its own usage only.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::http::MAX_BODY;
use khaibao_core::upload::protocol;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const BIN: &str = env!("CARGO_BIN_EXE_khaibao");

/// A `khaibao serve` process on a fresh keys folder, killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Serve {
    fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let out = Command::new(BIN)
            .args(["keygen", "--keys"])
            .arg(&keys)
            .output()
            .unwrap();
        assert!(out.status.success());
        Self::start_in(dir, &keys, extra)
    }

    /// `serve` on the keys folder `keys` and a database in `dir`.
    fn start_in(dir: tempfile::TempDir, keys: &std::path::Path, extra: &[&str]) -> Self {
        let db = dir.path().join("authority.db");
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
            .arg(keys)
            .arg("--db")
            .arg(&db)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().strip_prefix("listening ").unwrap();
        let addr = url.split_once("://").unwrap().1.parse().unwrap();
        Self {
            child,
            addr,
            _dir: dir,
        }
    }

    /// The server's peak resident set so far, in bytes.
    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .unwrap()
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap();
        kb * 1024
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A connection to `server` from the loopback address 127.0.0.`n`.
async fn connect_from(n: u8, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, n], 0)))?;
    socket.connect(server).await
}

/// Sends `head` and then `body` in chunks, and reads the status line's code (0 when the
/// server closed the connection first, which it may do once it has refused the body).
async fn post(n: u8, server: SocketAddr, head: String, body: &[u8], pause: Duration) -> u16 {
    let Ok(mut tcp) = connect_from(n, server).await else {
        return 0;
    };
    if tcp.write_all(head.as_bytes()).await.is_err() {
        return 0;
    }
    for chunk in body.chunks(256 * 1024) {
        if tcp.write_all(chunk).await.is_err() {
            break;
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    let mut answer = vec![0u8; 64];
    let n = tcp.read(&mut answer).await.unwrap_or(0);
    std::str::from_utf8(&answer[..n])
        .ok()
        .and_then(|s| s.get(9..12))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn ingest_head(len: Option<usize>) -> String {
    let length = match len {
        Some(n) => format!("content-length: {n}\r\n"),
        None => "transfer-encoding: chunked\r\n".to_owned(),
    };
    format!(
        "POST {} HTTP/1.1\r\nhost: authority\r\ncontent-type: application/cbor\r\n{length}\r\n",
        protocol::INGEST_PATH
    )
}

/// The body of one of the 32 hostile clients.
fn hostile(i: usize) -> (Option<usize>, Vec<u8>) {
    match i % 4 {
        // Announces four times the largest legal batch.
        0 => (Some(4 * MAX_BODY), vec![0; 1 << 20]),
        // The measured attack: an array of 16 million zeros, chunked (no length to refuse).
        1 => {
            let mut b = vec![0x9a, 0x00, 0xf4, 0x24, 0x00];
            b.resize(16 << 20, 0);
            (None, chunked(&b))
        }
        // Arrays nested 8 million deep.
        2 => (Some(8 << 20), vec![0x81; 8 << 20]),
        // One item that is an array of 8 million zeros.
        _ => {
            let mut b = vec![0x81, 0x9a, 0x00, 0x7a, 0x12, 0x00];
            b.resize(8 << 20, 0);
            (Some(b.len()), b)
        }
    }
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 1024);
    for chunk in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Asks `/v1/health` on a new connection (blocking, on the probe's own thread, so the
/// attackers' tasks cannot delay it); the time to a `200`, or why it failed.
fn health(server: SocketAddr) -> Result<Duration, String> {
    use std::io::{Read, Write};
    let start = Instant::now();
    let mut tcp = std::net::TcpStream::connect_timeout(&server, Duration::from_secs(2))
        .map_err(|e| format!("connect: {e}"))?;
    tcp.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    tcp.write_all(b"GET /v1/health HTTP/1.1\r\nhost: authority\r\nconnection: close\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer)
        .map_err(|e| format!("read: {e}"))?;
    if answer.starts_with(b"HTTP/1.1 200") {
        Ok(start.elapsed())
    } else {
        Err(String::from_utf8_lossy(&answer).into_owned())
    }
}

#[test]
fn hostile_load_keeps_memory_bounded_and_health_answering() {
    let server = Serve::start(&[]);
    let addr = server.addr;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (statuses, hung_up, timed_out, probes) = runtime.block_on(async move {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let probe = {
            let done = done.clone();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    times.push(health(addr));
                    std::thread::sleep(Duration::from_millis(100));
                }
                times
            })
        };
        // Slow clients: headers that never end, one byte every 100 ms (the server hangs
        // up after its 10 s header timeout), and bodies that stall after 600 bytes (408
        // after the 30 s request timeout).
        let mut slow_headers = Vec::new();
        let mut slow_bodies = Vec::new();
        for i in 0..8u8 {
            slow_headers.push(tokio::spawn(async move {
                let start = Instant::now();
                let mut tcp = connect_from(100 + i, addr).await.ok()?;
                tcp.write_all(b"POST /v1/ingest HTTP/1.1\r\nx-slow: ")
                    .await
                    .ok()?;
                while start.elapsed() < Duration::from_secs(25) {
                    if tcp.write_all(b"a").await.is_err() {
                        return Some(start.elapsed());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                None
            }));
            slow_bodies.push(tokio::spawn(async move {
                let head = ingest_head(Some(1 << 20));
                post(120 + i, addr, head, &[0x81; 600], Duration::ZERO).await
            }));
        }
        // 32 hostile clients, three rounds each.
        let mut attacks = Vec::new();
        for i in 0..32usize {
            attacks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                for _ in 0..3 {
                    let (len, body) = hostile(i);
                    got.push(
                        post(10 + i as u8, addr, ingest_head(len), &body, Duration::ZERO).await,
                    );
                }
                got
            }));
        }
        let mut statuses = Vec::new();
        for a in attacks {
            statuses.extend(a.await.unwrap());
        }
        let mut hung_up = Vec::new();
        for s in slow_headers {
            hung_up.push(s.await.unwrap());
        }
        let mut timed_out = Vec::new();
        for s in slow_bodies {
            timed_out.push(s.await.unwrap());
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (statuses, hung_up, timed_out, probe.join().unwrap())
    });

    let peak = server.peak_rss();
    eprintln!(
        "peak RSS {:.1} MB; answers {statuses:?}; slow headers cut after {hung_up:?}; \
         slow bodies {timed_out:?}; {} health probes, slowest {:?}",
        peak as f64 / 1e6,
        probes.len(),
        probes.iter().flatten().max()
    );
    assert!(peak < 256 * 1024 * 1024, "peak RSS {peak} bytes");
    assert!(probes.len() >= 10, "the attack lasted long enough to probe");
    for (i, p) in probes.iter().enumerate() {
        let t = p
            .as_ref()
            .unwrap_or_else(|e| panic!("health probe {i} failed: {e}"));
        assert!(*t < Duration::from_secs(1), "health probe {i} took {t:?}");
    }
    // Every hostile body was refused (413, 400, or 503 while the budget was taken) or the
    // connection was closed on it; none was accepted.
    assert!(
        statuses.iter().all(|s| [0, 400, 413, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(statuses.contains(&413) && statuses.contains(&400));
    // Slow clients were cut off by the timeouts, not left holding their connections.
    for t in &hung_up {
        let t = t.expect("the server hung up on a never-ending header");
        assert!(t < Duration::from_secs(20), "hung up after {t:?}");
    }
    assert!(timed_out.iter().all(|s| *s == 408), "{timed_out:?}");
}

/// The test CA and its leaf for 127.0.0.1/localhost (P-256), shared with core's pinning
/// test.
const CA: &[u8] = include_bytes!("../../core/tests/data/ca.der");
const LEAF: &[u8] = include_bytes!("../../core/tests/data/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("../../core/tests/data/leaf.key.der");

/// `GET /v1/health` over TLS, trusting only the test CA: the answer's status line.
fn https_health(server: SocketAddr) -> String {
    use rustls::pki_types::{CertificateDer, ServerName};
    use std::io::{Read, Write};
    use std::sync::Arc;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(CA.to_vec())).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = std::net::TcpStream::connect(server).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(b"GET /v1/health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn serve_speaks_tls_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("leaf.der"), dir.path().join("leaf.key.der"));
    std::fs::write(&cert, LEAF).unwrap();
    std::fs::write(&key, LEAF_KEY).unwrap();
    let server = Serve::start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(https_health(server.addr), "HTTP/1.1 200 OK");
    // Plain HTTP on the TLS port gets no answer.
    let plain = health(server.addr);
    assert!(plain.is_err(), "{plain:?}");
    // A key that does not parse: serve refuses to start.
    std::fs::write(&key, b"not a key").unwrap();
    let keys = dir.path().join("keys");
    assert!(
        Command::new(BIN)
            .args(["keygen", "--keys"])
            .arg(&keys)
            .status()
            .unwrap()
            .success()
    );
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .arg("--keys")
        .arg(&keys)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("private key"), "{said}");
}

/// One request on a new connection: the status and the body (answers carry a length).
fn request(server: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(server).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: authority\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).unwrap();
    tcp.write_all(body).unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = std::str::from_utf8(&answer[9..12])
        .unwrap()
        .parse()
        .unwrap();
    (status, answer[split + 4..].to_vec())
}

#[test]
fn serve_runs_on_the_online_keys_and_never_opens_the_offline_ones() {
    use khaibao_authority::keys::{self, OnlineKeys};
    use khaibao_core::venue::keyset::{USAGE_DEVICE, USAGE_EXPOSURE, USAGE_VENUE, verify_update};
    let dir = tempfile::tempdir().unwrap();
    // The offline folder: every key, and a venue issued (its registry signed there).
    let offline = dir.path().join("offline");
    let run = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["keygen", "--keys", offline.to_str().unwrap()]);
    let poster = dir.path().join("poster.svg");
    run(&[
        "venue",
        "issue",
        "--keys",
        offline.to_str().unwrap(),
        "--name",
        "Chợ Bến Thành",
        "--province",
        "79",
        "--category",
        "market",
        "--out",
        poster.to_str().unwrap(),
    ]);
    // The server folder: the online keys and the public files; the offline keys' names
    // are named pipes, on which any open for reading would block, so a `serve` that read
    // them would never start.
    let server_keys = dir.path().join("server");
    std::fs::create_dir(&server_keys).unwrap();
    for file in [
        keys::EXPOSURE_FILE,
        keys::DEVICE_FILE,
        keys::SEALING_FILE,
        keys::PUBLIC_FILE,
        "keyset.cose",
        "registry.cose",
    ] {
        std::fs::copy(offline.join(file), server_keys.join(file)).unwrap();
    }
    for file in [keys::VENUE_FILE, "root.pk8", keys::LEGACY_SIGNING_FILE] {
        let made = Command::new("mkfifo")
            .arg(server_keys.join(file))
            .status()
            .unwrap();
        assert!(made.success());
    }
    let server = Serve::start_in(tempfile::tempdir().unwrap(), &server_keys, &[]);
    let addr = server.addr;
    assert_eq!(
        request(addr, "GET", "/v1/health", b""),
        (200, b"ok".to_vec())
    );

    // What a phone that ships only the root key trusts: the served keyset, one usage per key.
    let root = keys::listed_root(&offline).unwrap();
    let (status, update) = request(addr, "GET", "/v1/keyset-update", b"");
    assert_eq!(status, 200);
    let keyset = verify_update(&update, &root, None).unwrap();
    let now = khaibao_authority::unix_now();
    let online = OnlineKeys::load(&server_keys).unwrap().public();
    let kids = |usage| -> Vec<Vec<u8>> {
        keyset
            .valid_keys_for(usage, now)
            .into_iter()
            .map(|k| k.kid)
            .collect()
    };
    assert_eq!(kids(USAGE_EXPOSURE), vec![online.exposure_key.kid.clone()]);
    assert_eq!(kids(USAGE_DEVICE), vec![online.device_key.kid.clone()]);
    assert_eq!(kids(USAGE_VENUE), vec![online.venue_key.kid.clone()]);

    // An exposure list verifies under the exposure key, and under no venue or device key.
    let (status, list) = request(addr, "GET", "/v1/exposures?since=0", b"");
    assert_eq!(status, 200);
    let lists = keyset.valid_keys_for(USAGE_EXPOSURE, now);
    assert!(khaibao_core::exposure::verify_list(&list, &lists).is_ok());
    let others = keyset.valid_keys_for(USAGE_VENUE | USAGE_DEVICE, now);
    assert!(khaibao_core::exposure::verify_list(&list, &others).is_err());

    // A device certificate verifies under the device key only.
    let device = khaibao_core::seal::DeviceKey::generate().unwrap();
    let body = khaibao_core::pass::registration_request(&device, now).unwrap();
    let (status, cert) = request(addr, "POST", "/v1/devices", &body);
    assert_eq!(status, 200);
    let devices = keyset.valid_keys_for(USAGE_DEVICE, now);
    assert_eq!(
        khaibao_core::pass::verify_certificate(&cert, &devices, now).unwrap(),
        device.public_key()
    );
    let others = keyset.valid_keys_for(USAGE_VENUE | USAGE_EXPOSURE, now);
    assert!(khaibao_core::pass::verify_certificate(&cert, &others, now).is_err());

    // The registry signed offline is served and verifies under the venue key.
    let (status, registry) = request(addr, "GET", "/v1/registry", b"");
    assert_eq!(status, 200);
    let reg = khaibao_core::venue::registry::Registry::verify(&registry, &keyset, now, None);
    assert_eq!(reg.unwrap().len(), 1);
}
