//! When to try an upload again: exponential backoff with full jitter under a cap, and the
//! server's `Retry-After` (delta-seconds or HTTP-date) when it sends one.

use crate::UnixTime;
use ring::rand::{SecureRandom, SystemRandom};

/// Backoff settings. Delays are whole seconds because every time in the core is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first retry waits up to this long.
    pub base_secs: u32,
    /// No backoff waits longer than this.
    pub cap_secs: u32,
    /// A `Retry-After` longer than this is cut to it.
    pub max_retry_after_secs: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_secs: 5,
            cap_secs: 3600,
            max_retry_after_secs: 6 * 3600,
        }
    }
}

impl RetryPolicy {
    /// The largest delay after `attempts` failed attempts: `base * 2^attempts`, capped.
    pub fn ceiling(&self, attempts: u32) -> u64 {
        let base = u64::from(self.base_secs.max(1));
        base.saturating_mul(1u64 << attempts.min(40))
            .min(u64::from(self.cap_secs.max(1)))
    }

    /// "Full jitter": a uniform delay in `0..=ceiling(attempts)`, from `random`.
    pub fn jittered(&self, attempts: u32, random: u64) -> i64 {
        let ceiling = self.ceiling(attempts);
        (random % (ceiling + 1)) as i64
    }

    /// The delay before the next attempt: the server's `Retry-After` when given (capped),
    /// otherwise the jittered backoff.
    pub fn delay(&self, attempts: u32, retry_after: Option<i64>) -> i64 {
        match retry_after {
            Some(secs) => secs.clamp(0, i64::from(self.max_retry_after_secs)),
            None => self.jittered(attempts, random_u64().unwrap_or(u64::MAX)),
        }
    }
}

/// Eight random bytes from the system RNG.
fn random_u64() -> Option<u64> {
    let mut b = [0u8; 8];
    SystemRandom::new().fill(&mut b).ok()?;
    Some(u64::from_le_bytes(b))
}

/// Seconds to wait according to a `Retry-After` value at `now`: delta-seconds, or an
/// HTTP-date (a date in the past means "now"). `None` for anything unreadable.
pub fn parse_retry_after(value: &str, now: UnixTime) -> Option<i64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<i64>().unwrap_or(i64::MAX));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some((secs - now).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_inside() {
        let p = RetryPolicy {
            base_secs: 2,
            cap_secs: 60,
            max_retry_after_secs: 100,
        };
        assert_eq!(
            (0..7).map(|a| p.ceiling(a)).collect::<Vec<_>>(),
            vec![2, 4, 8, 16, 32, 60, 60]
        );
        assert_eq!(p.ceiling(u32::MAX), 60);
        assert_eq!(p.jittered(3, 0), 0);
        assert_eq!(p.jittered(3, 16), 16);
        assert_eq!(p.jittered(3, 17), 0);
        for _ in 0..200 {
            let d = p.delay(4, None);
            assert!((0..=32).contains(&d), "{d}");
        }
        assert_eq!(p.delay(0, Some(30)), 30);
        assert_eq!(p.delay(0, Some(10_000)), 100, "Retry-After is capped");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after(" 120 ", now), Some(120));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now),
            Some(120)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
