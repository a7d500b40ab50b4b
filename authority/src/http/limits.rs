//! What keeps hostile or merely slow clients from taking the server down: connection caps
//! (overall and per client address), header and request timeouts, a memory budget for
//! ingest bodies with a per-client cap on ingests in flight, and a rate limit on device
//! registration. [`Limits`] holds the figures; [`Guards`] the counters the server shares.
//!
//! A client is its IP address. Phones behind carrier-grade NAT share addresses, so the
//! per-client figures are generous; they stop one machine from holding every slot, not a
//! busy network.

use khaibao_core::upload::protocol;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Largest ingest body accepted: the largest legal batch ([`protocol::MAX_REQUEST_BYTES`]).
pub const MAX_BODY: usize = protocol::MAX_REQUEST_BYTES;

/// Largest body of every other route (device registration and the like).
pub const MAX_SMALL_BODY: usize = 64 * 1024;

/// The server's limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open connections at once, over all clients; more are closed on accept.
    pub max_connections: usize,
    /// Open connections at once from one client address.
    pub max_connections_per_client: usize,
    /// Time to send a request's headers (also the idle time between keep-alive requests).
    pub header_timeout: Duration,
    /// Time from a request's headers to its answer, body upload included; 408 after.
    pub request_timeout: Duration,
    /// TLS handshake time.
    pub handshake_timeout: Duration,
    /// Ingest body bytes held in memory at once, over all requests. A body reserves its
    /// `Content-Length` (or the largest legal batch, when chunked) before it is read.
    pub ingest_budget: usize,
    /// How long an ingest waits for budget before it is answered 503.
    pub ingest_wait: Duration,
    /// Ingest requests in flight from one client; 429 beyond.
    pub ingest_per_client: usize,
    /// Device registrations one client may make per minute (burst: the same number).
    pub registrations_per_client_minute: u32,
    /// Device registrations per second over all clients (burst: ten seconds' worth).
    pub registrations_per_second: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_connections_per_client: 256,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            ingest_budget: 2 * MAX_BODY,
            ingest_wait: Duration::from_secs(10),
            ingest_per_client: 8,
            registrations_per_client_minute: 20,
            registrations_per_second: 200,
        }
    }
}

/// Counters the connections and handlers share.
pub struct Guards {
    pub limits: Limits,
    pub connections: Arc<Semaphore>,
    pub connections_per_client: ClientSlots,
    /// Ingest budget, one permit per KiB.
    pub ingest_budget: Arc<Semaphore>,
    pub ingest_per_client: ClientSlots,
    pub registrations: RateLimit,
}

impl Guards {
    /// Counters for `limits`.
    pub fn new(limits: Limits) -> Self {
        let per_client_minute = f64::from(limits.registrations_per_client_minute.max(1));
        let global = f64::from(limits.registrations_per_second.max(1));
        Self {
            connections: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            connections_per_client: ClientSlots::new(limits.max_connections_per_client),
            ingest_budget: Arc::new(Semaphore::new(budget_permits(limits.ingest_budget))),
            ingest_per_client: ClientSlots::new(limits.ingest_per_client),
            registrations: RateLimit::new(
                (per_client_minute, per_client_minute / 60.0),
                (global * 10.0, global),
            ),
            limits,
        }
    }

    /// The budget permits a body of `len` bytes takes (never more than the whole budget).
    pub fn ingest_permits(&self, len: usize) -> u32 {
        budget_permits(len)
            .max(1)
            .min(budget_permits(self.limits.ingest_budget)) as u32
    }
}

fn budget_permits(bytes: usize) -> usize {
    bytes
        .div_ceil(1024)
        .min(Semaphore::MAX_PERMITS)
        .min(u32::MAX as usize)
}

/// A per-client count with a cap: [`ClientSlots::try_take`] gives a slot back when dropped.
#[derive(Clone)]
pub struct ClientSlots {
    cap: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One slot of a [`ClientSlots`], released when dropped.
pub struct Slot {
    client: IpAddr,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl ClientSlots {
    fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            held: Arc::default(),
        }
    }

    /// A slot for `client`, or `None` when it already holds the cap.
    pub fn try_take(&self, client: IpAddr) -> Option<Slot> {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = held.entry(client).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(Slot {
            client,
            held: self.held.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = held.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.client);
            }
        }
    }
}

/// Token buckets: one per client and one over all clients, each `(burst, per second)`.
pub struct RateLimit {
    per_client: (f64, f64),
    global: (f64, f64),
    buckets: Mutex<(Bucket, HashMap<IpAddr, Bucket>)>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Refills at `rate` up to `burst` and takes one token if there is one.
    fn take(&mut self, (burst, rate): (f64, f64), now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Clients remembered at most; past it, the full buckets are forgotten.
const MAX_TRACKED_CLIENTS: usize = 100_000;

impl RateLimit {
    fn new(per_client: (f64, f64), global: (f64, f64)) -> Self {
        let now = Instant::now();
        Self {
            per_client,
            global,
            buckets: Mutex::new((
                Bucket {
                    tokens: global.0,
                    at: now,
                },
                HashMap::new(),
            )),
        }
    }

    /// Whether `client` may go ahead now (taking a token from its bucket and the global one).
    pub fn allow(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut guard = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (global, clients) = &mut *guard;
        if clients.len() >= MAX_TRACKED_CLIENTS {
            let per_client = self.per_client;
            clients.retain(|_, b| {
                let mut probe = *b;
                probe.take(per_client, now);
                probe.tokens + 1.0 < per_client.0
            });
        }
        let bucket = clients.entry(client).or_insert(Bucket {
            tokens: self.per_client.0,
            at: now,
        });
        let mut probe = *bucket;
        if !probe.take(self.per_client, now) {
            *bucket = probe;
            return false;
        }
        if !global.take(self.global, now) {
            return false;
        }
        *bucket = probe;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_slots_cap_each_client_and_come_back_when_dropped() {
        let slots = ClientSlots::new(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = slots.try_take(a).unwrap();
        let _second = slots.try_take(a).unwrap();
        assert!(slots.try_take(a).is_none());
        assert!(slots.try_take(b).is_some());
        drop(first);
        assert!(slots.try_take(a).is_some());
    }

    #[test]
    fn registrations_are_limited_per_client_and_overall() {
        let limit = RateLimit::new((3.0, 0.0), (5.0, 0.0));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let c: IpAddr = [10, 0, 0, 3].into();
        assert_eq!((0..4).filter(|_| limit.allow(a)).count(), 3);
        // The global bucket has two tokens left.
        assert_eq!((0..4).filter(|_| limit.allow(b)).count(), 2);
        assert!(!limit.allow(c));
    }
}
