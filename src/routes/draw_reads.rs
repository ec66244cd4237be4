//! What the public draw routes (`GET /api/draws`, `/api/draws/{id}`,
//! `/api/draws/{id}/entries.txt`) share so that anyone may read them without
//! slowing the booth: a budget per address, and the JSON they answered,
//! kept for a moment.
//!
//! A draw's JSON changes after it is revealed only when a winner claims or
//! withdraws, or a re-draw replaces it; the store counts every such change
//! this node makes ([`crate::store::Store::draw_changes`]). A kept answer is
//! served while that count has not moved and for at most [`KEEP`] (what
//! another node of a shared store changed, or a set's new round titles,
//! show after that long at most).

use crate::limits::{client_key, Bucket, LimitSettings};
use actix_web::web::Bytes;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long an answer is kept at most.
pub const KEEP: Duration = Duration::from_secs(2);
/// Most answers kept (pages and draws); past it, the oldest go first.
const KEPT_MAX: usize = 1024;

/// A kept answer: the change count it was built under, when, and its body
/// (with the id a next page starts below, for a full page of the list).
struct Kept {
    changes: u64,
    built: Instant,
    body: Answer,
}

/// A JSON body, and the id a next page starts below (a full page of the list).
pub type Answer = (Bytes, Option<i64>);

/// The public draw routes' budget and kept answers.
pub struct DrawReads {
    /// `None` when per-address limits are off (`--ip-limit 0`).
    budget: Option<Bucket<IpAddr>>,
    kept: Mutex<HashMap<String, Kept>>,
}

impl std::fmt::Debug for DrawReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DrawReads")
    }
}

impl DrawReads {
    /// The budget of an address: twice the visitor burst of `--ip-limit`,
    /// then four times its rate (600, then 20 a second, by default): a
    /// class behind one NAT opening the draw page after the reveal gets
    /// through; a script polling the list as fast as it can does not.
    pub fn new(limits: &LimitSettings) -> Self {
        let budget = (limits.ip_burst > 0).then(|| {
            let per_sec = limits.ip_per_sec.max(1).saturating_mul(4);
            Bucket::new(
                Duration::from_secs(1) / per_sec,
                limits.ip_burst.saturating_mul(2),
            )
        });
        Self {
            budget,
            kept: Mutex::default(),
        }
    }

    /// Spends one read of `ip`'s budget (an IPv6 address counts by its
    /// /64, what one phone or home is given: [`client_key`]); `Err(wait)`
    /// when it is spent.
    pub fn spend(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(budget) = &self.budget else {
            return Ok(());
        };
        budget.take_now(client_key(ip))
    }

    /// The answer kept under `key`, if it was built under `changes` and is
    /// fresh.
    pub fn get(&self, key: &str, changes: u64) -> Option<Answer> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(key)
            .filter(|k| k.changes == changes && k.built.elapsed() < KEEP)
            .map(|k| k.body.clone())
    }

    /// Keeps an answer built under `changes` (read before the store was).
    pub fn keep(&self, key: String, changes: u64, body: Answer) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= KEPT_MAX {
            kept.retain(|_, k| k.changes == changes && k.built.elapsed() < KEEP);
            if kept.len() >= KEPT_MAX {
                kept.clear();
            }
        }
        kept.insert(
            key,
            Kept {
                changes,
                built: Instant::now(),
                body,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_until_a_change_or_its_time() {
        let reads = DrawReads::new(&LimitSettings::default());
        reads.keep("draw:1".into(), 7, (Bytes::from_static(b"{}"), None));
        assert_eq!(
            reads.get("draw:1", 7),
            Some((Bytes::from_static(b"{}"), None))
        );
        assert_eq!(reads.get("draw:1", 8), None, "a change makes it stale");
        assert_eq!(reads.get("draw:2", 7), None);
    }

    #[test]
    fn an_address_has_a_budget_and_an_ipv6_one_counts_by_its_64() {
        let reads = DrawReads::new(&LimitSettings {
            ip_burst: 3,
            ip_per_sec: 1,
            ..LimitSettings::default()
        });
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        for _ in 0..3 {
            assert!(reads.spend(a).is_ok());
            assert!(reads.spend(b).is_ok());
        }
        assert!(reads.spend(a).is_err(), "one /64, one budget of 6");
        assert!(reads.spend(other).is_ok(), "the next /64 has its own");
        let off = DrawReads::new(&LimitSettings {
            ip_burst: 0,
            ..LimitSettings::default()
        });
        assert!((0..10_000).all(|_| off.spend(a).is_ok()));
    }
}
