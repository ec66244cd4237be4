//! How many visitors are mid-quiz, roughly: starts minus submissions over
//! the last time limit, counted per minute on this machine. Sessions keep no
//! state on the server (the token is the session), so this is what staff
//! are shown before they switch the live set (SPEC §9's 发布 step): a
//! number to wait for, not a ledger.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Minutes remembered (the longest time limit worth estimating).
const MINUTES: usize = 120;

/// Per-minute counts of starts and submissions, in a ring.
#[derive(Debug)]
pub struct Playing {
    /// Each slot: the minute it holds, its starts, its submissions.
    slots: Vec<(AtomicU64, AtomicU64, AtomicU64)>,
}

impl Default for Playing {
    fn default() -> Self {
        Self {
            slots: (0..MINUTES)
                .map(|_| (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)))
                .collect(),
        }
    }
}

fn minute_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 60)
}

impl Playing {
    fn slot(&self, minute: u64) -> &(AtomicU64, AtomicU64, AtomicU64) {
        let slot = &self.slots[(minute % MINUTES as u64) as usize];
        // A slot last used an age ago starts again (a race loses a count or two).
        if slot.0.swap(minute, Ordering::Relaxed) != minute {
            slot.1.store(0, Ordering::Relaxed);
            slot.2.store(0, Ordering::Relaxed);
        }
        slot
    }

    /// A session started.
    pub fn started(&self) {
        self.slot(minute_now()).1.fetch_add(1, Ordering::Relaxed);
    }

    /// A session submitted.
    pub fn submitted(&self) {
        self.slot(minute_now()).2.fetch_add(1, Ordering::Relaxed);
    }

    /// Starts minus submissions over the last `secs` (at least a minute).
    pub fn now(&self, secs: u64) -> u64 {
        let now = minute_now();
        let minutes = (secs.div_ceil(60)).clamp(1, MINUTES as u64);
        let (mut starts, mut submits) = (0u64, 0u64);
        for m in now + 1 - minutes..=now {
            let slot = &self.slots[(m % MINUTES as u64) as usize];
            if slot.0.load(Ordering::Relaxed) == m {
                starts += slot.1.load(Ordering::Relaxed);
                submits += slot.2.load(Ordering::Relaxed);
            }
        }
        starts.saturating_sub(submits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_not_yet_submitted_are_counted() {
        let p = Playing::default();
        for _ in 0..5 {
            p.started();
        }
        p.submitted();
        p.submitted();
        assert_eq!(p.now(600), 3);
        assert_eq!(Playing::default().now(600), 0);
    }
}
