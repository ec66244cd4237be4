//! Per-client rate limits, sized for a booth where hundreds of phones share
//! one Wi-Fi NAT address (and mobile carriers' CGNAT does the same). Each
//! node keeps its own counts. A client is its IPv4 address, or the /64 of
//! its IPv6 address (one phone or one home gets a whole /64, so counting by
//! /128 gave one phone as many budgets as it cared to make up); an
//! IPv4-mapped IPv6 address counts as the IPv4 one ([`client_key`]).
//!
//! - Session starts, per address: a burst of 300, then 5 a second. A booth of
//!   300 phones all pressing Start in the same minute fits; a script starting
//!   thousands of sessions a minute does not.
//! - Submissions, per address: the same ceiling, spent only by a submission
//!   that is stored.
//! - Draw entries, per address, apart from the rest: spent only by an entry
//!   that is stored. 300 an hour, of which 230 may come at once: a busy
//!   booth behind one NAT (300 entries in an hour, up to 20 in a minute, in
//!   any order — even all of them in its first quarter hour) is never
//!   refused ([`booth_burst`]).
//! - Junk, per address, in a budget of its own: a request naming a session
//!   whose token does not open, that ran out of time, that did not pass (or
//!   has not been submitted), that entered too fast or too late, or that was
//!   already submitted or entered. Junk is refused (404, 410, 403, 409) until
//!   its budget (the same ceiling as starts) is spent, then 429; it never
//!   spends what valid requests from the same address need, so a script
//!   sending made-up sessions cannot lock a booth's Wi-Fi out of the draw.
//! - Per session, submissions and entries together: a burst of 20, then one
//!   every 3 s, for a visitor correcting a phone number. Only a session whose
//!   token opens is counted.
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
//! - Enter the draw: at most 230 entries at once, then 300 an hour (530 in
//!   its first hour, 300 in each one after), each with a distinct valid phone
//!   number it must make up, and each from a session that waited the set's
//!   `min_answer_secs` (when the bank sets it) before submitting. Before the
//!   entry budget a script made about 9,000 an hour; with 100 at once and 360
//!   an hour, 460 in its first hour (`bench/stuffing.sh` measures it). No
//!   budget can tell a script from a booth that enters at the same pace: 530
//!   is the least any one-bucket budget can give a script while never
//!   refusing the booth above. Entries it makes after its round's grace time
//!   are refused.
//! - Lock others out: junk has its own budget; what an address may do with
//!   valid sessions is spent only by valid work.
//! - What stuffed entries can win: each needs a phone number of its own, and
//!   the claim desk hands a prize out once, against the entry's private
//!   receipt (or its code and the phone it gave), to a person staff compare
//!   with the name and number and can call back.
//! - Behind a reverse proxy (`--trusted-proxy`), the address is the client's
//!   from `X-Forwarded-For`; elsewhere the header is ignored, so it cannot be
//!   forged to get fresh budgets.
//!
//! The budgets are token buckets (GCRA: one instant per client, the time its
//! bucket is next full), kept here rather than in a crate because a refused
//! store write gives back what it took ([`Limits::give_back_write`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The numbers behind the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Visitor requests per IP: burst (0 turns per-IP limits off). Starts,
    /// submissions and junk each have a bucket of this size.
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
    /// Open connections per IP (0: no cap); connections from a trusted
    /// proxy are not capped ([`crate::connections`]).
    pub conn_per_ip: u32,
}

/// Default [`LimitSettings::entry_per_hour`].
pub const ENTRIES_PER_HOUR: u32 = 300;

/// Default [`LimitSettings::conn_per_ip`]: a booth's NAT with a few hundred
/// phones holds far fewer at once (a phone keeps one or two, each closed
/// after 5 s idle).
pub const CONNECTIONS_PER_IP: u32 = 256;

/// The entry burst that lets a booth make `per_hour` entries in an hour,
/// `per_hour / 15` a minute, however it spreads them: the worst case is all
/// of them in the hour's first quarter, `per_hour / 15` at the start of each
/// of 15 minutes, when the bucket has refilled for 14 minutes (`per_hour ×
/// 14 / 60`). For 300 an hour (20 a minute), 230.
pub fn booth_burst(per_hour: u32) -> u32 {
    per_hour - per_hour * 14 / 60
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            ip_burst: 300,
            ip_per_sec: 5,
            session_burst: 20,
            login_failures: 10,
            entry_burst: booth_burst(ENTRIES_PER_HOUR),
            entry_per_hour: ENTRIES_PER_HOUR,
            conn_per_ip: CONNECTIONS_PER_IP,
        }
    }
}

/// What one client is counted as: an IPv4 address (an IPv4-mapped IPv6
/// one included), or the /64 an IPv6 address is in.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

/// A keyed token bucket (GCRA): per key, the instant its bucket is full
/// again; a take is allowed while that is at most `slack` ahead of now.
pub struct Bucket<K> {
    every: Duration,
    slack: Duration,
    full_at: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq> Bucket<K> {
    /// `burst` at once, then one every `every`.
    pub fn new(every: Duration, burst: u32) -> Self {
        Self {
            every,
            slack: every * burst.max(1).saturating_sub(1),
            full_at: Mutex::default(),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<K, Instant>> {
        self.full_at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes one for `key` now; `Err(wait)` when the bucket is empty.
    pub fn take_now(&self, key: K) -> Result<(), Duration> {
        self.take(key, Instant::now())
    }

    /// Takes one for `key` at `now`; `Err(wait)` when the bucket is empty.
    fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        let mut map = self.map();
        let at = map.get(&key).map_or(now, |t| (*t).max(now));
        let ahead = at - now;
        if ahead > self.slack {
            return Err(ahead - self.slack);
        }
        map.insert(key, at + self.every);
        Ok(())
    }

    /// Gives one back to `key` (a take whose work was refused after all).
    fn give_back(&self, key: &K, now: Instant) {
        if let Some(t) = self.map().get_mut(key) {
            *t = t.checked_sub(self.every).map_or(now, |t| t.max(now));
        }
    }

    /// Forgets keys whose bucket is full: they are as if never seen.
    fn forget_full(&self, now: Instant) {
        self.map().retain(|_, t| *t > now);
    }
}

/// The limiters, shared by all workers.
#[derive(Clone)]
pub struct Limits(Arc<Inner>);

struct Inner {
    /// Per-IP limits are off (`--ip-limit 0`, e.g. for a load test).
    ip_off: bool,
    starts: Bucket<IpAddr>,
    writes: Bucket<IpAddr>,
    junk: Bucket<IpAddr>,
    /// `None` when the entry budget is off.
    entries: Option<Bucket<IpAddr>>,
    /// Keyed by a hash of the session id: 8 bytes a key rather than a string.
    sessions: Bucket<u64>,
    logins: Bucket<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

fn session_key(session: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    session.hash(&mut h);
    h.finish()
}

impl Limits {
    /// Builds the limiters.
    pub fn new(s: LimitSettings) -> Self {
        let per_ip = || Bucket::new(Duration::from_secs(1) / s.ip_per_sec.max(1), s.ip_burst);
        Self(Arc::new(Inner {
            ip_off: s.ip_burst == 0,
            starts: per_ip(),
            writes: per_ip(),
            junk: per_ip(),
            entries: (s.entry_burst > 0).then(|| {
                Bucket::new(
                    Duration::from_secs(3600) / s.entry_per_hour.max(1),
                    s.entry_burst,
                )
            }),
            sessions: Bucket::new(Duration::from_secs(3), s.session_burst),
            logins: Bucket::new(Duration::from_secs(60), s.login_failures),
            blocked: Mutex::default(),
        }))
    }

    /// A session start from `ip`; `Err(wait)` when over the limit.
    pub fn start(&self, ip: IpAddr) -> Result<(), Duration> {
        self.per_ip(&self.0.starts, ip)
    }

    /// A request for a session whose token opened (a submission, an entry,
    /// a withdrawal): the per-session limit.
    pub fn session(&self, session: &str) -> Result<(), Duration> {
        self.0.sessions.take(session_key(session), Instant::now())
    }

    /// A submission from `ip` about to be stored: the address's budget of
    /// submissions.
    pub fn write(&self, ip: IpAddr) -> Result<(), Duration> {
        self.per_ip(&self.0.writes, ip)
    }

    /// Gives back what [`Limits::write`] took: the store refused the submission.
    pub fn give_back_write(&self, ip: IpAddr) {
        if !self.0.ip_off {
            self.0.writes.give_back(&client_key(ip), Instant::now());
        }
    }

    /// An entry from `ip` about to be stored: the address's entry budget.
    pub fn entry(&self, ip: IpAddr) -> Result<(), Duration> {
        self.entry_at(ip, Instant::now())
    }

    fn entry_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        match &self.0.entries {
            Some(entries) if !self.0.ip_off => entries.take(client_key(ip), now),
            _ => Ok(()),
        }
    }

    /// Gives back what [`Limits::entry`] took: the store refused the entry.
    pub fn give_back_entry(&self, ip: IpAddr) {
        match &self.0.entries {
            Some(entries) if !self.0.ip_off => entries.give_back(&client_key(ip), Instant::now()),
            _ => {}
        }
    }

    /// A request from `ip` that names no session it may use: its own
    /// budget; `Err(wait)` once that is spent.
    pub fn junk(&self, ip: IpAddr) -> Result<(), Duration> {
        self.per_ip(&self.0.junk, ip)
    }

    fn per_ip(&self, bucket: &Bucket<IpAddr>, ip: IpAddr) -> Result<(), Duration> {
        if self.0.ip_off {
            return Ok(());
        }
        bucket.take(client_key(ip), Instant::now())
    }

    /// Whether a wrong staff token from `ip` is answered 429 rather than
    /// 401 (a right token is never asked about).
    pub fn login_throttled(&self, ip: IpAddr) -> Result<(), Duration> {
        let ip = client_key(ip);
        let mut blocked = self
            .0
            .blocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
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
        let ip = client_key(ip);
        if let Err(wait) = self.0.logins.take(ip, Instant::now()) {
            let mut blocked = self
                .0
                .blocked
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            blocked.insert(ip, Instant::now() + wait.max(Duration::from_secs(1)));
        }
    }

    /// Forgets idle keys (called every few seconds so memory stays flat).
    pub fn shrink(&self) {
        let now = Instant::now();
        let i = &self.0;
        for b in [&i.starts, &i.writes, &i.junk, &i.logins] {
            b.forget_full(now);
        }
        if let Some(e) = &i.entries {
            e.forget_full(now);
        }
        i.sessions.forget_full(now);
        i.blocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, until| *until > now);
    }
}

/// Entries a client making them at `arrivals` (offsets from the first)
/// gets refused by the entry budget of `settings`: the budget replayed on a
/// clock of its own, so an hour takes no time (`examples/stuff.rs` prints
/// the booth's figure with it).
pub fn entries_refused(settings: LimitSettings, arrivals: &[Duration]) -> usize {
    let limits = Limits::new(settings);
    let t0 = Instant::now();
    let ip = IpAddr::from([192, 0, 2, 1]);
    arrivals
        .iter()
        .filter(|at| limits.entry_at(ip, t0 + **at).is_err())
        .count()
}

/// The busy booth of issue 21, at its worst: `per_minute` entries at the
/// start of each minute until `per_hour` are made, then nothing until the
/// next hour, for `hours` hours.
pub fn booth_arrivals(per_hour: u32, per_minute: u32, hours: u32) -> Vec<Duration> {
    (0..hours)
        .flat_map(|h| {
            (0..per_hour).map(move |i| {
                Duration::from_secs(u64::from(h) * 3600 + u64::from(i / per_minute.max(1)) * 60)
            })
        })
        .collect()
}

/// How many entries a script taking one the moment it is allowed gets in
/// each of `hours` hours from one address, on the entry budget of `settings`.
pub fn script_entries(settings: LimitSettings, hours: u32) -> Vec<u32> {
    let limits = Limits::new(settings);
    let t0 = Instant::now();
    let ip = IpAddr::from([192, 0, 2, 2]);
    let mut per_hour = vec![0; hours as usize];
    // One try every 100 ms: the budget's period is seconds.
    for tick in 0..u64::from(hours) * 36_000 {
        let at = Duration::from_millis(tick * 100);
        while limits.entry_at(ip, t0 + at).is_ok() {
            per_hour[(at.as_secs() / 3600) as usize] += 1;
        }
    }
    per_hour
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn limits_bite_after_the_burst_and_per_key() {
        let l = Limits::new(LimitSettings {
            ip_burst: 3,
            ip_per_sec: 1,
            session_burst: 2,
            login_failures: 2,
            entry_burst: 2,
            entry_per_hour: 1,
            conn_per_ip: 1,
        });
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        assert!((0..3).all(|_| l.start(a).is_ok()));
        assert!(l.start(a).is_err(), "the fourth start in a burst of 3");
        assert!(l.start(b).is_ok(), "another address has its own bucket");
        assert!(l.session("s1").is_ok() && l.session("s1").is_ok());
        assert!(l.session("s1").is_err(), "per session");
        assert!(l.session("s2").is_ok(), "another session");
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
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        for i in 0..3 {
            assert!(l.entry(a).is_ok(), "entry {i} of the burst");
        }
        let wait = l.entry(a).expect_err("the fourth entry from one address");
        assert!(wait > Duration::from_secs(3000), "one an hour: {wait:?}");
        assert!(l.entry(b).is_ok(), "another address has its own budget");
        assert!(l.write(a).is_ok(), "submissions are not entries");
        let off = Limits::new(LimitSettings {
            entry_burst: 0,
            ..LimitSettings::default()
        });
        assert!((0..500).all(|_| off.entry(a).is_ok()));
    }

    #[test]
    fn junk_spends_its_own_budget_and_a_refused_write_gives_back() {
        let l = Limits::new(LimitSettings {
            ip_burst: 2,
            ip_per_sec: 1,
            entry_burst: 1,
            entry_per_hour: 1,
            ..LimitSettings::default()
        });
        let a = ip("10.0.0.1");
        assert!(l.junk(a).is_ok() && l.junk(a).is_ok());
        assert!(l.junk(a).is_err(), "junk has a budget");
        assert!(l.write(a).is_ok(), "valid work has its own");
        l.give_back_write(a);
        assert!(
            l.write(a).is_ok() && l.write(a).is_ok() && l.write(a).is_err(),
            "given back: the burst of two again"
        );
        assert!(l.entry(a).is_ok() && l.entry(a).is_err());
        l.give_back_entry(a);
        assert!(l.entry(a).is_ok(), "a refused entry gave its place back");
        l.give_back_entry(a);
        l.give_back_entry(a);
        assert!(
            l.entry(a).is_ok() && l.entry(a).is_err(),
            "giving back never fills a bucket past its burst"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(client_key(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(client_key(ip("10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(client_key(ip("::1")), ip("::"), "loopback is a /64 too");
        let l = Limits::new(LimitSettings {
            ip_burst: 2,
            ip_per_sec: 1,
            entry_burst: 2,
            entry_per_hour: 1,
            login_failures: 1,
            ..LimitSettings::default()
        });
        let (one, two, other) = (
            ip("2001:db8:1:2::1"),
            ip("2001:db8:1:2:ffff::9"),
            ip("2001:db8:1:3::1"),
        );
        for (what, take) in [
            (
                "starts",
                &(|ip| l.start(ip)) as &dyn Fn(IpAddr) -> Result<(), Duration>,
            ),
            ("writes", &|ip| l.write(ip)),
            ("entries", &|ip| l.entry(ip)),
            ("junk", &|ip| l.junk(ip)),
        ] {
            assert!(take(one).is_ok() && take(two).is_ok(), "{what}");
            assert!(take(two).is_err(), "{what}: one /64, one budget");
            assert!(take(other).is_ok(), "{what}: another /64");
        }
        l.login_failed(one);
        l.login_failed(one);
        assert!(l.login_throttled(two).is_err(), "logins by /64");
        assert!(l.login_throttled(other).is_ok());
        let (v4, mapped) = (ip("10.9.9.9"), ip("::ffff:10.9.9.9"));
        assert!(l.start(v4).is_ok() && l.start(mapped).is_ok());
        assert!(l.start(v4).is_err(), "a mapped address is the IPv4 one");
    }

    /// Issue 21: 300 honest entries an hour from one NAT, up to 20 a minute,
    /// in any order. The old budget (100 at once, then one every 10 s) held
    /// 20 a minute for 6 minutes only; the new one holds the whole hour's
    /// worth in its first quarter, hour after hour, while a script taking
    /// every entry the moment it may gets about 530 in its first hour, 300 after.
    #[test]
    fn a_busy_booth_behind_one_nat_is_never_refused_and_a_script_stays_low() {
        let booth = booth_arrivals(300, 20, 8);
        assert_eq!(booth.len(), 8 * 300);
        assert_eq!(entries_refused(LimitSettings::default(), &booth), 0);
        let spread: Vec<Duration> = (0..8 * 300).map(|i| Duration::from_secs(i * 12)).collect();
        assert_eq!(entries_refused(LimitSettings::default(), &spread), 0);
        let old = LimitSettings {
            entry_burst: 100,
            entry_per_hour: 360,
            ..LimitSettings::default()
        };
        let refused = entries_refused(old, &booth_arrivals(300, 20, 1));
        assert!(refused > 0, "the old budget refused the booth");
        let one_more = LimitSettings {
            entry_burst: booth_burst(300) - 1,
            ..LimitSettings::default()
        };
        assert!(
            entries_refused(one_more, &booth) > 0,
            "230 is the least burst that serves the booth"
        );

        let script = script_entries(LimitSettings::default(), 3);
        // 230 at once and one every 12 s (the 530th at 3,600 s), then 300 an hour.
        assert_eq!(script, [529, 300, 300], "a script's entries, hour by hour");
        assert_eq!(script_entries(old, 2), [459, 360], "the old budget's");
    }
}
