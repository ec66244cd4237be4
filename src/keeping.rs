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

/// Why a round has no erase date: it never closes (in a version its
/// entries were made on), so only staff can purge it.
pub const NEVER_CLOSES: &str = "never_closes";
/// Why a round has no erase date: a version its entries were made on is
/// not kept (or lacks the round), so its dates are unknown.
pub const VERSION_MISSING: &str = "version_missing";

/// The erase date of a round whose entries were made on `banks` (the set
/// versions, or the set as loaded when it has no entries yet): the latest
/// of each version's date, so no entry goes before the date its own
/// version gave; with none and why when a version gives none (`missing`:
/// a version could not be read).
pub fn latest_erase_after<'a>(
    banks: impl IntoIterator<Item = &'a Bank>,
    round_id: &str,
    last_claim_by: Option<&str>,
    missing: bool,
) -> Result<DateTime<FixedOffset>, &'static str> {
    let mut latest: Option<DateTime<FixedOffset>> = None;
    let mut why = missing.then_some(VERSION_MISSING);
    for bank in banks {
        match (
            bank.round(round_id),
            erase_after(bank, round_id, last_claim_by),
        ) {
            (None, _) => why = why.or(Some(VERSION_MISSING)),
            (Some(_), None) => why = Some(NEVER_CLOSES),
            (Some(_), Some(at)) => latest = latest.max(Some(at)),
        }
    }
    match (why, latest) {
        (None, Some(at)) => Ok(at),
        (why, _) => Err(why.unwrap_or(VERSION_MISSING)),
    }
}

/// A round's keeping time and what has been done about it.
#[derive(Debug, Clone)]
pub struct RoundKeeping {
    /// When the names and phones are due for erasure (see
    /// [`latest_erase_after`]), or why there is no such date.
    pub erase_after: Result<DateTime<FixedOffset>, &'static str>,
    /// The stored facts it turns on, and the last purge.
    pub kept: Keeping,
}

impl RoundKeeping {
    /// Whether the automatic purge for this date is done: a purge at or
    /// after the date (an earlier, forced purge leaves later entries).
    pub fn purged_when_due(&self) -> bool {
        let (Ok(due), Some(p)) = (self.erase_after, &self.kept.last_purge) else {
            return false;
        };
        DateTime::parse_from_rfc3339(&p.at).is_ok_and(|at| at >= due)
    }
}

/// The keeping time of a round of a set, from the set versions its
/// entries were made on (`versions`; SPEC §8: a later version that renames
/// or drops the round changes nothing), or, before its first entry, from
/// the set as loaded.
pub async fn of_round(
    state: &AppState,
    set_id: &str,
    round_id: &str,
    versions: &[String],
) -> Result<RoundKeeping, StoreError> {
    let kept = state.store.keeping(set_id, round_id).await?;
    let mut banks: Vec<Arc<Bank>> = Vec::new();
    let mut missing = false;
    if versions.is_empty() {
        match state.sets.get(set_id) {
            Some(b) => banks.push(b),
            None => missing = true,
        }
    }
    for v in versions {
        match state.sets.version(v).await? {
            Some(b) => banks.push(b),
            None => missing = true,
        }
    }
    let erase_after = latest_erase_after(
        banks.iter().map(|b| &**b),
        round_id,
        kept.last_claim_by.as_deref(),
        missing,
    );
    Ok(RoundKeeping { erase_after, kept })
}

/// Erases the contacts of every round whose keeping time is over and that
/// is not purged since; how many rounds it purged.
pub async fn sweep(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let mut purged = 0;
    for round in state.store.rounds_with_entries().await? {
        let (set_id, round_id) = (&round.set_id, &round.round_id);
        let keeping = of_round(state, set_id, round_id, &round.versions).await?;
        let Ok(due) = keeping.erase_after else {
            continue;
        };
        if now < due || keeping.purged_when_due() {
            continue;
        }
        let due_at = rfc3339(due);
        let Some(erased) = state
            .store
            .purge_round(set_id, round_id, &rfc3339(now), AUTOMATIC, Some(&due_at))
            .await?
        else {
            // Another node of the database purged it a moment ago.
            continue;
        };
        tracing::info!(set = %set_id, round = %round_id, erased, due = %due_at,
            "keeping time over: names and phones erased");
        scrub_soon(state.store.clone());
        purged += 1;
    }
    Ok(purged)
}

/// Says in the log which rounds hold names and phones that no date will
/// erase (run at start): staff must purge those by hand.
pub async fn warn_undated(state: &AppState) -> Result<(), StoreError> {
    for round in state.store.rounds_with_entries().await? {
        let (set_id, round_id) = (&round.set_id, &round.round_id);
        let keeping = of_round(state, set_id, round_id, &round.versions).await?;
        let Err(why) = keeping.erase_after else {
            continue;
        };
        let purged_at = keeping.kept.last_purge.map(|p| p.at);
        tracing::warn!(set = %set_id, round = %round_id, why, purged_at = purged_at.as_deref().unwrap_or("never"),
            "this round has entries but no erase date: nothing erases their names and phones by itself; erase them in the console (立即删除) when the event is over");
    }
    Ok(())
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

/// Warns of rounds no date will erase, then runs [`sweep`] now and then
/// every `every`, for as long as the service runs.
pub fn spawn(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        if let Err(e) = warn_undated(&state).await {
            tracing::warn!(error = %e, "cannot list the rounds without an erase date");
        }
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

    #[test]
    fn a_round_made_on_several_versions_is_kept_until_the_latest_of_their_dates() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let v1 = bank("2026-11-08T00:00:00+08:00", 30);
        let v2 = bank("2026-11-15T00:00:00+08:00", 10);
        assert_eq!(
            latest_erase_after([&v1, &v2], "w1", None, false),
            Ok(t("2026-12-08T00:00:00+08:00")),
            "no entry goes before its own version's date"
        );
        let mut renamed = v2.clone();
        renamed.rounds[0].id = "week-one".into();
        assert_eq!(
            latest_erase_after([&v1], "w1", None, false),
            Ok(t("2026-12-08T00:00:00+08:00")),
            "the version the entries were made on"
        );
        assert_eq!(
            latest_erase_after([&v1, &renamed], "w1", None, false),
            Err(VERSION_MISSING),
            "a version said to hold the round's entries lacks it"
        );
        assert_eq!(
            latest_erase_after([&v1, &v2], "never", None, false),
            Err(NEVER_CLOSES)
        );
        assert_eq!(
            latest_erase_after([&v1], "w1", None, true),
            Err(VERSION_MISSING),
            "a version that cannot be read"
        );
        assert_eq!(
            latest_erase_after(std::iter::empty(), "w1", None, false),
            Err(VERSION_MISSING)
        );
    }
}
