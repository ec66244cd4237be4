//! Per-client rate limits, sized for a booth where hundreds of phones share
//! one Wi-Fi NAT address (and mobile carriers' CGNAT does the same).
//!
//! - Session starts, per IP: a burst of 300, then 5 a second. A booth of 300
//!   phones all pressing Start in the same minute fits; a script starting
//!   thousands of sessions a minute does not.
//! - Submissions and entries, per IP: the same ceiling. Each session can
//!   succeed only once anyway; this bounds retries of bad requests.
//! - Per session, submissions and entries together: a burst of 20, then one
//!   every 3 s, for a visitor correcting a phone number.
//! - Failed staff logins, per IP: 10, then one a minute; while an address is
//!   throttled no token from it is even compared, so guessing gains nothing.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The numbers behind the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Visitor requests per IP: burst (0 turns per-IP limits off).
    pub ip_burst: u32,
    /// Visitor requests per IP: sustained per second.
    pub ip_per_sec: u32,
    /// Requests per session: burst.
    pub session_burst: u32,
    /// Failed staff logins per IP before throttling.
    pub login_failures: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            ip_burst: 300,
            ip_per_sec: 5,
            session_burst: 20,
            login_failures: 10,
        }
    }
}

/// The limiters, shared by all workers.
#[derive(Clone)]
pub struct Limits {
    /// Per-IP limits are off (`--ip-limit 0`, e.g. for a load test).
    ip_off: bool,
    starts: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    writes: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Keyed by a hash of the session id: 8 bytes a key rather than a string.
    sessions: Arc<DefaultKeyedRateLimiter<u64>>,
    logins: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    blocked: Arc<Mutex<HashMap<IpAddr, Instant>>>,
}

fn session_key(session: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    session.hash(&mut h);
    h.finish()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn quota(period: Duration, burst: u32) -> Quota {
    Quota::with_period(period)
        .unwrap_or(Quota::per_second(nz(1)))
        .allow_burst(nz(burst))
}

impl Limits {
    /// Builds the limiters.
    pub fn new(s: LimitSettings) -> Self {
        let per_ip = quota(Duration::from_secs(1) / s.ip_per_sec.max(1), s.ip_burst);
        Self {
            ip_off: s.ip_burst == 0,
            starts: Arc::new(DefaultKeyedRateLimiter::keyed(per_ip)),
            writes: Arc::new(DefaultKeyedRateLimiter::keyed(per_ip)),
            sessions: Arc::new(DefaultKeyedRateLimiter::keyed(quota(
                Duration::from_secs(3),
                s.session_burst,
            ))),
            logins: Arc::new(DefaultKeyedRateLimiter::keyed(quota(
                Duration::from_secs(60),
                s.login_failures,
            ))),
            blocked: Arc::default(),
        }
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), Duration> {
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// A session start from `ip`; `Err(wait)` when over the limit.
    pub fn start(&self, ip: IpAddr) -> Result<(), Duration> {
        if self.ip_off {
            return Ok(());
        }
        Self::check(&self.starts, &ip)
    }

    /// A submission or entry from `ip` for `session`.
    pub fn write(&self, ip: IpAddr, session: &str) -> Result<(), Duration> {
        if !self.ip_off {
            Self::check(&self.writes, &ip)?;
        }
        Self::check(&self.sessions, &session_key(session))
    }

    /// Whether `ip` may try a staff token now.
    pub fn login_allowed(&self, ip: IpAddr) -> Result<(), Duration> {
        let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
        match blocked.get(&ip) {
            Some(until) if *until > Instant::now() => Err(*until - Instant::now()),
            Some(_) => {
                blocked.remove(&ip);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a failed staff token from `ip`; too many block it for a while.
    pub fn login_failed(&self, ip: IpAddr) {
        if let Err(wait) = Self::check(&self.logins, &ip) {
            let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
            blocked.insert(ip, Instant::now() + wait.max(Duration::from_secs(1)));
        }
    }

    /// Forgets idle keys (called every few seconds so memory stays flat).
    pub fn shrink(&self) {
        self.starts.retain_recent();
        self.writes.retain_recent();
        self.sessions.retain_recent();
        self.logins.retain_recent();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_bite_after_the_burst_and_per_key() {
        let l = Limits::new(LimitSettings {
            ip_burst: 3,
            ip_per_sec: 1,
            session_burst: 2,
            login_failures: 2,
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!((0..3).all(|_| l.start(a).is_ok()));
        assert!(l.start(a).is_err(), "the fourth start in a burst of 3");
        assert!(l.start(b).is_ok(), "another address has its own bucket");
        assert!(l.write(b, "s1").is_ok() && l.write(b, "s1").is_ok());
        assert!(l.write(b, "s1").is_err(), "per session");
        assert!(l.login_allowed(a).is_ok());
        l.login_failed(a);
        l.login_failed(a);
        assert!(l.login_allowed(a).is_ok(), "two failures are allowed");
        l.login_failed(a);
        let wait = l
            .login_allowed(a)
            .expect_err("blocked after the third failure");
        assert!(
            wait > Duration::from_secs(1) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(l.login_allowed(b).is_ok());
    }
}
