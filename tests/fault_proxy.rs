//! A faulty HTTP proxy on loopback for fault-injection tests. Each connection carries one
//! request; a seeded random schedule decides what happens to it:
//!
//! * passed through to the authority unharmed;
//! * answered 503 with `Retry-After` in seconds, or 500 with `Retry-After` as an HTTP-date,
//!   without reaching the authority;
//! * dropped before the authority sees it;
//! * forwarded, committed by the authority, and then dropped without an answer;
//! * forwarded, and answered only after the client's timeout;
//! * forwarded, and answered with a truncated body.
//!
//! The first harmed requests use each fault once (in a seeded order), so that even a short
//! run meets every kind; after that the kind is drawn at random.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    Pass,
    Busy503,
    Error500WithDate,
    DropBeforeServer,
    DropAfterCommit,
    DelayPastTimeout,
    TruncatedBody,
}

const FAULTS: [Fault; 6] = [
    Fault::Busy503,
    Fault::Error500WithDate,
    Fault::DropBeforeServer,
    Fault::DropAfterCommit,
    Fault::DelayPastTimeout,
    Fault::TruncatedBody,
];

/// SplitMix64: a small seeded generator, enough for a reproducible schedule.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

struct Shared {
    upstream: SocketAddr,
    rng: Mutex<SplitMix>,
    unused: Mutex<Vec<Fault>>,
    fault_percent: u64,
    delay: Duration,
    seen: Mutex<BTreeMap<Fault, u64>>,
    stop: AtomicBool,
}

/// The running proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream`; `fault_percent` of requests get one of the faults
    /// (chosen uniformly), and delayed answers wait `delay`.
    pub fn start(
        upstream: SocketAddr,
        seed: u64,
        fault_percent: u64,
        delay: Duration,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let mut rng = SplitMix(seed);
        let mut unused = FAULTS.to_vec();
        for i in (1..unused.len()).rev() {
            unused.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        let shared = Arc::new(Shared {
            upstream,
            rng: Mutex::new(rng),
            unused: Mutex::new(unused),
            fault_percent,
            delay,
            seen: Mutex::default(),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = handle(&s, conn);
                });
            }
        });
        Ok(Self {
            addr,
            shared,
            thread: Some(thread),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How often each fault (and `Pass`) happened so far.
    pub fn seen(&self) -> BTreeMap<Fault, u64> {
        lock(&self.shared.seen).clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn pick(s: &Shared) -> Fault {
    let mut rng = lock(&s.rng);
    if rng.chance(s.fault_percent) {
        lock(&s.unused)
            .pop()
            .unwrap_or(FAULTS[(rng.next_u64() % FAULTS.len() as u64) as usize])
    } else {
        Fault::Pass
    }
}

/// Reads one HTTP/1.1 request: the head (with any `Connection` header replaced by
/// `Connection: close`) and the body.
fn read_request(conn: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut length = 0usize;
    let mut out = String::new();
    for (i, line) in head.split("\r\n").enumerate() {
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if i > 0 && lower.starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut request = out.into_bytes();
    request.extend_from_slice(&body);
    Ok(request)
}

fn forward(s: &Shared, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(s.upstream)?;
    up.write_all(request)?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    Ok(response)
}

fn handle(s: &Shared, mut conn: TcpStream) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = read_request(&mut conn)?;
    let fault = pick(s);
    *lock(&s.seen).entry(fault).or_default() += 1;
    match fault {
        Fault::Busy503 => conn.write_all(
            b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy",
        )?,
        Fault::Error500WithDate => {
            let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
            conn.write_all(
                format!("HTTP/1.1 500 Internal Server Error\r\nretry-after: {at}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .as_bytes(),
            )?;
        }
        Fault::DropBeforeServer => {}
        Fault::Pass => conn.write_all(&forward(s, &request)?)?,
        Fault::DropAfterCommit => {
            forward(s, &request)?;
        }
        Fault::DelayPastTimeout => {
            let response = forward(s, &request)?;
            std::thread::sleep(s.delay);
            conn.write_all(&response)?;
        }
        Fault::TruncatedBody => {
            let response = forward(s, &request)?;
            let head = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(0, |p| p + 4);
            let cut = head + (response.len() - head) / 2;
            conn.write_all(&response[..cut])?;
        }
    }
    conn.flush()?;
    conn.shutdown(Shutdown::Both)
}
