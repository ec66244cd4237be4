//! Per-client rate limits, sized for a booth where hundreds of phones share
//! one Wi-Fi NAT address (and mobile carriers' CGNAT does the same). Each
//! node keeps its own counts.
//!
//! - Session starts, per address: a burst of 300, then 5 a second. A booth of
//!   300 phones all pressing Start in the same minute fits; a script starting
//!   thousands of sessions a minute does not.
//! - Submissions, per address: the same ceiling. Each session can succeed
//!   only once anyway; this bounds retries of bad requests.
//! - Draw entries, per address, apart from the rest: a burst of 100 (a school
//!   class of 50 entering at once behind one NAT gets through, typos and
//!   all), then one every 10 s.
//! - Per session, submissions and entries together: a burst of 20, then one
//!   every 3 s, for a visitor correcting a phone number.
//! - Wrong staff tokens, per address: 10, then one a minute. Only wrong
//!   tokens are counted and throttled: a request with the right token is
//!   never refused, whoever else sends wrong ones from the same address (a
//!   booth's phones and the staff laptop share one). A token is at least 20
//!   characters (a generated one is 160 bits), so guessing at one a minute
//!   gets nowhere.
//!
//! What one address running a script can still do, with the defaults:
//!
//! - Learn the answer key: yes. A blank submission is scored and its
//!   result shows the right answers, by design (visitors learn from it); a
//!   few dozen sessions cover a bank. Knowing the key is not the attack;
//!   entering thousands of times with it is.
//! - Enter the draw: at most 100 entries at once, then 360 an hour, each with
//!   a distinct valid phone number it must make up, and each from a session
//!   that waited the set's `min_answer_secs` (when the bank sets it) before
//!   submitting. Before these limits a script made about 9,000 an hour
//!   (`bench/stuffing.sh` measures both). Entries it makes after its round's
//!   grace time are refused.
//! - What stuffed entries can win: each needs a phone number of its own, and
//!   the claim desk hands a prize out once, against the entry's private
//!   receipt (or its code and the phone it gave), to a person staff compare
//!   with the name and number and can call back.
//! - Behind a reverse proxy (`--trusted-proxy`), the address is the client's
//!   from `X-Forwarded-For`; elsewhere the header is ignored, so it cannot be
//!   forged to get fresh budgets.

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
    /// Draw entries per IP: burst (0 turns the entry budget off).
    pub entry_burst: u32,
    /// Draw entries per IP: sustained per hour.
    pub entry_per_hour: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            ip_burst: 300,
            ip_per_sec: 5,
            session_burst: 20,
            login_failures: 10,
            entry_burst: 100,
            entry_per_hour: 360,
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
    /// `None` when the entry budget is off.
    entries: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
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
            entries: (s.entry_burst > 0).then(|| {
                Arc::new(DefaultKeyedRateLimiter::keyed(quota(
                    Duration::from_secs(3600) / s.entry_per_hour.max(1),
                    s.entry_burst,
                )))
            }),
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

    /// A submission from `ip` for `session`.
    pub fn write(&self, ip: IpAddr, session: &str) -> Result<(), Duration> {
        if !self.ip_off {
            Self::check(&self.writes, &ip)?;
        }
        Self::check(&self.sessions, &session_key(session))
    }

    /// A draw entry from `ip` for `session`: the per-session limit shared
    /// with submissions, and the entry budget of the address.
    pub fn entry(&self, ip: IpAddr, session: &str) -> Result<(), Duration> {
        Self::check(&self.sessions, &session_key(session))?;
        match &self.entries {
            Some(entries) if !self.ip_off => Self::check(entries, &ip),
            _ => Ok(()),
        }
    }

    /// Whether a wrong staff token from `ip` is answered 429 rather than
    /// 401 (a right token is never asked about).
    pub fn login_throttled(&self, ip: IpAddr) -> Result<(), Duration> {
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
        if let Some(e) = &self.entries {
            e.retain_recent();
        }
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
            entry_burst: 2,
            entry_per_hour: 1,
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!((0..3).all(|_| l.start(a).is_ok()));
        assert!(l.start(a).is_err(), "the fourth start in a burst of 3");
        assert!(l.start(b).is_ok(), "another address has its own bucket");
        assert!(l.write(b, "s1").is_ok() && l.write(b, "s1").is_ok());
        assert!(l.write(b, "s1").is_err(), "per session");
        assert!(l.login_throttled(a).is_ok());
        l.login_failed(a);
        l.login_failed(a);
        assert!(l.login_throttled(a).is_ok(), "two failures are allowed");
        l.login_failed(a);
        let wait = l
            .login_throttled(a)
            .expect_err("blocked after the third failure");
        assert!(
            wait > Duration::from_secs(1) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(l.login_throttled(b).is_ok());
    }

    #[test]
    fn entries_have_a_budget_of_their_own_per_address() {
        let l = Limits::new(LimitSettings {
            entry_burst: 3,
            entry_per_hour: 1,
            ..LimitSettings::default()
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for i in 0..3 {
            assert!(
                l.entry(a, &format!("s{i}")).is_ok(),
                "entry {i} of the burst"
            );
        }
        let wait = l
            .entry(a, "s9")
            .expect_err("the fourth entry from one address");
        assert!(wait > Duration::from_secs(3000), "one an hour: {wait:?}");
        assert!(
            l.entry(b, "s9").is_ok(),
            "another address has its own budget"
        );
        assert!(l.write(a, "s10").is_ok(), "submissions are not entries");
        let off = Limits::new(LimitSettings {
            entry_burst: 0,
            ..LimitSettings::default()
        });
        assert!((0..500).all(|i| off.entry(a, &format!("s{i}")).is_ok()));
    }
}
