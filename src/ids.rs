//! Identities the quiz mints and the store keys on, below both so neither
//! imports the other: a session's identity ([`SessionId`]: the quiz seals
//! it into the token, the store keeps the submission and the entry under
//! it), a node's leased number ([`NodeLease`]: the quiz's `KeyClock` reads
//! it, the PostgreSQL engine renews it) and fresh random secrets
//! ([`new_secret`]). Pure but for the operating system's random generator.

use rand::RngCore;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Bits of the key below the start time in milliseconds.
pub const SEQ_BITS: u32 = 20;

/// A fresh random secret for a new database: the key that seals session
/// tokens, the staff token, a round's phone key (64 hex digits).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Nodes whose session keys can never meet (`crate::quiz::KeyClock`):
/// the node numbers a database leases are below this.
pub const NODE_STRIDE: u64 = 256;

/// What a session is stored under: its submission's primary key and its
/// entry's `session_id` (see `crate::quiz::token` for why both parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    /// The start time in milliseconds, shifted left by [`SEQ_BITS`], plus a
    /// sequence number (`crate::quiz::KeyClock`).
    pub key: u64,
    /// Random and never 0 in a token of the current layout; 0 in one sealed
    /// before the nonce, whose identity is its key alone.
    pub nonce: u64,
}

impl SessionId {
    /// `key` with a fresh random nonce (never 0).
    pub fn fresh(key: u64) -> Self {
        let mut rng = rand::rng();
        loop {
            let nonce = rng.next_u64();
            if nonce != 0 {
                return Self { key, nonce };
            }
        }
    }

    /// The identity of a token sealed before the nonce: its key alone.
    pub fn legacy(key: u64) -> Self {
        Self { key, nonce: 0 }
    }

    /// When the session started, in milliseconds since the Unix epoch.
    pub fn started_ms(&self) -> i64 {
        i64::try_from(self.key >> SEQ_BITS).unwrap_or(i64::MAX)
    }

    /// The identity as text, ordered by start time: the key in 16 hex
    /// digits, then the nonce in 16 more (none for a token sealed before the
    /// nonce, as its entry was stored then).
    pub fn hex(&self) -> String {
        if self.nonce == 0 {
            format!("{:016x}", self.key)
        } else {
            format!("{:016x}{:016x}", self.key, self.nonce)
        }
    }
}

/// How long a confirmed lease lets a node start sessions, counted from
/// when the statement that confirmed it was sent: half the 60 s after
/// which another node may take the number (`store/postgres/nodes.rs`),
/// which leaves room for a slow statement and clocks that run apart.
pub const LEASE_HOLD: Duration = Duration::from_secs(30);

/// A node's number on a shared database, and until when this node may
/// start sessions under it (renewals of the lease push that on).
#[derive(Debug)]
pub struct NodeLease {
    /// `until << 8 | number`, `until` in milliseconds after `origin`; 0
    /// once the lease is lost or could not be confirmed in time.
    state: AtomicU64,
    origin: Instant,
}

impl NodeLease {
    /// A lease on `number`, confirmed by a statement sent at `sent`.
    pub fn new(number: u64, sent: Instant) -> Self {
        let lease = Self {
            state: AtomicU64::new(number % NODE_STRIDE),
            origin: sent,
        };
        lease.confirm(number, sent);
        lease
    }

    /// A number confirmed for good: for a tool that writes sessions of a
    /// number no live node holds (the benchmark's seed).
    pub fn fixed(number: u64) -> Self {
        Self {
            state: AtomicU64::new((u64::MAX << 8) | (number % NODE_STRIDE)),
            origin: Instant::now(),
        }
    }

    /// The number, confirmed or not.
    pub fn number(&self) -> u64 {
        self.state.load(Ordering::SeqCst) & 0xff
    }

    /// The database confirmed `number` for this node, by a statement sent
    /// at `sent`.
    pub fn confirm(&self, number: u64, sent: Instant) {
        let until = sent.saturating_duration_since(self.origin) + LEASE_HOLD;
        let until = u64::try_from(until.as_millis()).unwrap_or(u64::MAX >> 8);
        self.state
            .store((until << 8) | (number % NODE_STRIDE), Ordering::SeqCst);
    }

    /// The lease is lost (another node holds the number): no more sessions
    /// under it.
    pub fn lapse(&self) {
        self.state.store(self.number(), Ordering::SeqCst);
    }

    /// How long ago, at `now`, the statement that last confirmed the lease
    /// was sent; `None` once it lapsed (or for a [`NodeLease::fixed`] one).
    pub fn age(&self, now: Instant) -> Option<Duration> {
        let until = self.state.load(Ordering::SeqCst) >> 8;
        let hold = u64::try_from(LEASE_HOLD.as_millis()).unwrap_or(0);
        if until == 0 || until == u64::MAX >> 8 {
            return None;
        }
        let sent = self.origin + Duration::from_millis(until.saturating_sub(hold));
        Some(now.saturating_duration_since(sent))
    }

    /// The number, if this node may start sessions under it at `now`.
    pub fn confirmed(&self, now: Instant) -> Option<u64> {
        let state = self.state.load(Ordering::SeqCst);
        let until = state >> 8;
        let now = u64::try_from(now.saturating_duration_since(self.origin).as_millis())
            .unwrap_or(u64::MAX);
        (now < until).then_some(state & 0xff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_lease_ages_from_its_last_confirmation() {
        let t0 = Instant::now();
        let lease = NodeLease::new(3, t0);
        assert_eq!(
            lease.age(t0 + Duration::from_secs(4)),
            Some(Duration::from_secs(4))
        );
        lease.confirm(3, t0 + Duration::from_secs(10));
        assert_eq!(
            lease.age(t0 + Duration::from_secs(12)),
            Some(Duration::from_secs(2))
        );
        // Past its hold it still ages (renewals failing), but no longer holds.
        let late = t0 + Duration::from_secs(45);
        assert_eq!(lease.age(late), Some(Duration::from_secs(35)));
        assert_eq!(lease.confirmed(late), None);
        lease.lapse();
        assert_eq!(lease.age(late), None);
        assert_eq!(NodeLease::fixed(1).age(late), None);
    }

    #[test]
    fn an_identity_as_text_keeps_the_start_time_order_and_the_nonce() {
        let a = SessionId {
            key: 0x10,
            nonce: 0xffff_ffff_ffff_ffff,
        };
        let b = SessionId {
            key: 0x11,
            nonce: 1,
        };
        assert_eq!(a.hex(), "0000000000000010ffffffffffffffff");
        assert_eq!(b.hex(), "00000000000000110000000000000001");
        assert!(a.hex() < b.hex());
        assert_eq!(SessionId::legacy(0x10).hex(), "0000000000000010");
        let nonces: HashSet<u64> = (0..100_000).map(|_| SessionId::fresh(1).nonce).collect();
        assert_eq!(nonces.len(), 100_000, "fresh nonces do not repeat");
        assert!(!nonces.contains(&0), "and are never the old layout's 0");
    }
}
