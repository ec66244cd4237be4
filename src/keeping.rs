//! How long a round's names and phones are kept (SPEC §8), and the sweep
//! that erases them when that time is over.
//!
//! A round's contacts are kept until `keep_days` after the later of the
//! round's close and the last `claim_by` of its draws. A round that never
//! closes has no such date: it keeps taking entries, so only staff can purge
//! it. The service checks every round that took entries when it starts and
//! then every [`crate::config::Settings::purge_every`]; since the dates live
//! in the banks and the database, a restart (or a long stop) loses nothing:
//! the first sweep after it erases whatever came due meanwhile. A set no
//! longer in the banks folder is read from its last kept version.

use crate::bank::Bank;
use crate::clock::rfc3339;
use crate::state::AppState;
use crate::store::{Keeping, StoreError};
use chrono::{DateTime, Duration, FixedOffset};
use std::sync::Arc;

/// `how` of a purge the service did by itself.
pub const AUTOMATIC: &str = "automatic";

/// When a round's names and phones are due for erasure: `keep_days` after
/// the later of its close and its last claim deadline; `None` for a round
/// that never closes (or that the bank no longer has).
pub fn erase_after(
    bank: &Bank,
    round_id: &str,
    last_claim_by: Option<&str>,
) -> Option<DateTime<FixedOffset>> {
    let closes = bank.round(round_id)?.closes?;
    let claim_by = last_claim_by.and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let basis = claim_by.map_or(closes, |c| c.max(closes));
    Some(basis + Duration::days(i64::from(bank.privacy.keep_days)))
}

/// A round's keeping time and what has been done about it.
#[derive(Debug, Clone)]
pub struct RoundKeeping {
    /// When the names and phones are due for erasure (see [`erase_after`]).
    pub erase_after: Option<DateTime<FixedOffset>>,
    /// The stored facts it turns on, and the last purge.
    pub kept: Keeping,
}

impl RoundKeeping {
    /// Whether the automatic purge for this date is done: a purge at or
    /// after the date (an earlier, forced purge leaves later entries).
    pub fn purged_when_due(&self) -> bool {
        let (Some(due), Some(p)) = (self.erase_after, &self.kept.last_purge) else {
            return false;
        };
        DateTime::parse_from_rfc3339(&p.at).is_ok_and(|at| at >= due)
    }
}

/// The keeping time of one round of a bank.
pub async fn of_round(
    state: &AppState,
    bank: &Bank,
    round_id: &str,
) -> Result<RoundKeeping, StoreError> {
    let kept = state.store.keeping(&bank.id, round_id).await?;
    Ok(RoundKeeping {
        erase_after: erase_after(bank, round_id, kept.last_claim_by.as_deref()),
        kept,
    })
}

/// The set as loaded, or as last kept when the folder no longer has it.
async fn bank_of(state: &AppState, set_id: &str) -> Result<Option<Arc<Bank>>, StoreError> {
    if let Some(b) = state.sets.get(set_id) {
        return Ok(Some(b));
    }
    match state.store.latest_set_version(set_id).await? {
        Some(v) => state.sets.version(&v).await,
        None => Ok(None),
    }
}

/// Erases the contacts of every round whose keeping time is over and that
/// is not purged since; how many rounds it purged.
pub async fn sweep(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let mut purged = 0;
    for (set_id, round_id) in state.store.rounds_with_entries().await? {
        let Some(bank) = bank_of(state, &set_id).await? else {
            tracing::warn!(set = %set_id, round = %round_id,
                "no version of this set is kept; its contacts are not purged automatically");
            continue;
        };
        let keeping = of_round(state, &bank, &round_id).await?;
        let Some(due) = keeping.erase_after else {
            continue;
        };
        if now < due || keeping.purged_when_due() {
            continue;
        }
        let due_at = rfc3339(due);
        let Some(erased) = state
            .store
            .purge_round(&set_id, &round_id, &rfc3339(now), AUTOMATIC, Some(&due_at))
            .await?
        else {
            // Another node of the database purged it a moment ago.
            continue;
        };
        tracing::info!(set = %set_id, round = %round_id, erased, due = %rfc3339(due),
            "keeping time over: names and phones erased");
        scrub_soon(state.store.clone());
        purged += 1;
    }
    Ok(purged)
}

/// After an erasure, in the background: the WAL is copied into the
/// database and emptied, so the erased values leave the `-wal` file too.
pub fn scrub_soon(store: crate::store::Store) {
    tokio::spawn(async move {
        match store.scrub().await {
            Ok(true) => tracing::debug!("write-ahead log emptied after an erasure"),
            Ok(false) => {
                tracing::debug!("write-ahead log busy; SQLite's next checkpoint empties it")
            }
            Err(e) => tracing::warn!(error = %e, "write-ahead log not emptied after an erasure"),
        }
    });
}

/// Runs [`sweep`] now and then every `every`, for as long as the service runs.
pub fn spawn(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&state).await {
                tracing::error!(error = %e, "the purge of expired contacts failed; it is tried again");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(closes: &str, keep_days: u32) -> Bank {
        let mut bank = crate::bank::parse_bank(include_str!("../tests/fixtures/valid.yaml"))
            .bank
            .expect("valid bank");
        let mut w1 = bank.rounds[0].clone();
        w1.id = "w1".into();
        w1.closes = Some(DateTime::parse_from_rfc3339(closes).unwrap());
        let mut never = w1.clone();
        never.id = "never".into();
        never.closes = None;
        bank.rounds = vec![w1, never];
        bank.privacy.keep_days = keep_days;
        bank
    }

    #[test]
    fn contacts_are_kept_keep_days_after_the_later_of_close_and_last_claim_deadline() {
        let b = bank("2026-11-08T00:00:00+08:00", 30);
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        assert_eq!(
            erase_after(&b, "w1", None),
            Some(t("2026-12-08T00:00:00+08:00"))
        );
        assert_eq!(
            erase_after(&b, "w1", Some("2026-11-20T12:00:00+08:00")),
            Some(t("2026-12-20T12:00:00+08:00")),
            "a later claim deadline moves it"
        );
        assert_eq!(
            erase_after(&b, "w1", Some("2026-11-01T12:00:00+08:00")),
            Some(t("2026-12-08T00:00:00+08:00")),
            "an earlier one does not"
        );
        assert_eq!(
            erase_after(&b, "never", None),
            None,
            "a round that never closes"
        );
        assert_eq!(
            erase_after(&b, "gone", None),
            None,
            "a round the bank lacks"
        );
    }
}
