//! Whether the pooled connections still reach a primary that writes
//! (SPEC §10, failover). A primary can be lost three ways: stopped (its
//! connections close), hung (they stay open and nothing answers), or
//! demoted or made read-only while still up (they answer, and every write
//! fails with SQLSTATE 25006). In each case no pooled connection to it may
//! be used again, and a new one must find the promoted standby.
//!
//! [`Health`] keeps a generation number that every connection task of the
//! pool watches ([`super::pool`]): when the generation moves, every
//! connection opened before ends, so its queries in flight fail at once
//! (answered `503`, a write's outcome unknown: the page's retry of the same
//! submission or entry finds what was stored, SPEC §3) and the pool
//! discards it at its next checkout (`is_closed`). The generation moves
//!
//! - when an operation fails with an error that [`discards`] says ends the
//!   connection's use (the store notices it: [`Health::noticed`]);
//! - when the probe ([`Health::spawn_probe`]), a second of its own on a
//!   connection outside the pool, gets no answer within [`PROBE_TIMEOUT`],
//!   or hears that the server no longer writes.
//!
//! Nothing is asked of the server per checkout: deadpool's `Fast` recycling
//! stays (only `is_closed()`), where a `RecyclingMethod::Custom` check
//! costs a round trip per request.

use crate::store::StoreError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the probe asks the primary whether it still writes.
pub(super) const PROBE_EVERY: Duration = Duration::from_secs(1);

/// How long the probe waits for its answer (or for a connection) before it
/// takes the server for hung. A healthy server answers `SHOW` in well under
/// a millisecond; one busy enough to take seconds is not closed on, as every
/// write in flight would then be answered `503`. A hang stalls requests for
/// up to [`PROBE_EVERY`] and this.
pub(super) const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether a connection that gave `e` must not be used again: it was
/// closed (`57P01` admin shutdown, `57P02` crash shutdown, `57P03` cannot
/// connect now and the rest of class `57P`: the server ended the session),
/// lost (class `08`, any I/O error, the connection task gone), or it
/// reaches a server that no longer writes (`25006` read-only transaction:
/// demoted, or `default_transaction_read_only` turned on). A refusal by a
/// constraint, a bad parameter or a query cancelled by `statement_timeout`
/// leave the connection fit for the next request.
///
/// For code that holds a connection of its own (a batching task): on
/// `true`, drop the connection (`Object::take`) and answer
/// [`StoreError::Unreachable`] (`StoreError::from` this error does), which
/// the store's facade hands to [`Health::noticed`] as for every operation.
pub(super) fn discards(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code == "25006" || code.starts_with("08") || code.starts_with("57P");
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// The pool's health: see the module's doc.
pub(super) struct Health {
    /// Told to every connection task when it moves.
    generation: watch::Sender<u64>,
    /// The same number, read by every operation without a lock.
    now: AtomicU64,
    /// When the generation last moved and was said in the log, in ms since
    /// `since` (one line a second at most, however many requests fail).
    said_at: AtomicU64,
    since: Instant,
    /// Where the probe's finding goes (the metrics' reachability).
    meters: std::sync::OnceLock<crate::metrics::StoreMeters>,
}

impl Health {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self {
            generation: watch::Sender::new(0),
            now: AtomicU64::new(0),
            said_at: AtomicU64::new(0),
            since: Instant::now(),
            meters: std::sync::OnceLock::new(),
        })
    }

    /// Says from now on whether a primary answers (the probe, a lost
    /// connection) to `meters`.
    pub(super) fn report_to(&self, meters: crate::metrics::StoreMeters) {
        let _ = self.meters.set(meters);
    }

    fn reachable(&self, up: bool) {
        if let Some(m) = self.meters.get() {
            m.set_reachable(up);
        }
    }

    /// What a connection task watches from the moment its connection is
    /// made (and found a primary): it ends when the generation moves.
    pub(super) fn watch(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// The generation now: what an operation started under.
    pub(super) fn generation(&self) -> u64 {
        self.now.load(Ordering::Acquire)
    }

    /// Every connection opened before now is unfit (`why`, for the log):
    /// they end, and new ones look for a primary again.
    pub(super) fn lost(&self, why: &str) {
        self.reachable(false);
        let moved = self.now.fetch_add(1, Ordering::AcqRel) + 1;
        self.generation.send_modify(|g| *g = (*g).max(moved));
        let now = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        let said = self.said_at.load(Ordering::Relaxed);
        let due = said == 0 || now.saturating_sub(said) >= 1000;
        if due
            && self
                .said_at
                .compare_exchange(said, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                why,
                "the database primary is lost, hung or read-only: closing every connection to it; requests get 503 with Retry-After until a primary answers"
            );
        }
    }

    /// The outcome of an operation started under generation `since`,
    /// passed through; a [`StoreError::Unreachable`] (what [`discards`]
    /// classes as such) ends every connection of the generation, the one
    /// that failed with them, unless the generation moved meanwhile: then
    /// the failure is that move's doing (its connection was closed under
    /// it), and connections made since to a new primary stay.
    pub(super) fn noticed<T>(
        &self,
        since: u64,
        out: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Err(StoreError::Unreachable(why)) = &out {
            if self.generation() == since {
                self.lost(why);
            }
        }
        out
    }

    /// Every [`PROBE_EVERY`], asks the primary over a connection of the
    /// probe's own (`connect`: the pool's way of finding a primary) whether
    /// it still writes; no answer within [`PROBE_TIMEOUT`] (a hung server),
    /// a lost connection or `transaction_read_only = on` makes the pool's
    /// connections unfit ([`Health::lost`]). Ends with the pool: `connect`
    /// gives `None` once it is gone.
    pub(super) fn spawn_probe<C, F>(self: &Arc<Self>, connect: C)
    where
        C: Fn() -> Option<F> + Send + Sync + 'static,
        F: std::future::Future<Output = Result<tokio_postgres::Client, tokio_postgres::Error>>
            + Send,
    {
        let health = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut client: Option<tokio_postgres::Client> = None;
            let mut every = tokio::time::interval(PROBE_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(health) = health.upgrade() else {
                    return;
                };
                if client.as_ref().is_none_or(|c| c.is_closed()) {
                    let Some(connecting) = connect() else {
                        return;
                    };
                    // No primary to connect to is what requests find out
                    // for themselves; only an open connection can hang.
                    client = tokio::time::timeout(PROBE_TIMEOUT, connecting)
                        .await
                        .ok()
                        .and_then(Result::ok);
                }
                let Some(c) = &client else {
                    health.reachable(false);
                    continue;
                };
                let asked = tokio::time::timeout(
                    PROBE_TIMEOUT,
                    c.simple_query("SHOW transaction_read_only"),
                )
                .await;
                let unfit = match asked {
                    Err(_) => Some(format!(
                        "no answer from the primary within {} s",
                        PROBE_TIMEOUT.as_secs()
                    )),
                    Ok(Err(e)) if discards(&e) => {
                        Some("the connection to the primary was lost".to_owned())
                    }
                    Ok(Err(_)) => None,
                    Ok(Ok(rows)) => rows
                        .iter()
                        .any(|m| match m {
                            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0) == Some("on"),
                            _ => false,
                        })
                        .then(|| "the primary no longer writes (read-only)".to_owned()),
                };
                if let Some(why) = unfit {
                    client = None;
                    health.lost(&why);
                } else {
                    health.reachable(true);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_move_of_the_generation_reaches_every_watcher() {
        let health = Health::new();
        let mut before = health.watch();
        health.lost("test");
        tokio::time::timeout(Duration::from_secs(1), before.changed())
            .await
            .expect("told at once")
            .expect("the sender lives");
        let after = health.watch();
        assert!(!after.has_changed().unwrap());
    }

    #[test]
    fn only_connection_failures_are_noticed() {
        let health = Health::new();
        let watcher = health.watch();
        let since = health.generation();
        let refused: Result<(), _> =
            health.noticed(since, Err(StoreError::Database("23505".into())));
        assert!(refused.is_err());
        assert!(!watcher.has_changed().unwrap());
        let lost: Result<(), _> =
            health.noticed(since, Err(StoreError::Unreachable("25006".into())));
        assert!(lost.is_err());
        assert!(watcher.has_changed().unwrap());
    }

    #[test]
    fn a_failure_the_generation_already_explains_closes_nothing_more() {
        let health = Health::new();
        let since = health.generation();
        health.lost("probe");
        let watcher = health.watch();
        let closed: Result<(), _> = health.noticed(
            since,
            Err(StoreError::Unreachable("connection closed".into())),
        );
        assert!(closed.is_err());
        assert!(!watcher.has_changed().unwrap());
        assert_eq!(health.generation(), since + 1);
    }
}
