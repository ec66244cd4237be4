//! A session's timing rules (SPEC §3): when its time is up, until when a
//! submission is still taken, whether it came too fast to enter the draw,
//! and until when a passed session may enter. Pure: every rule is a
//! function of the session's start and mode, the set's `quiz:` settings and
//! its round's close, asked at a given moment.

use super::SessionToken;
use crate::bank::{Bank, QuizSettings, Round};
use chrono::{DateTime, Duration, FixedOffset};

/// Seconds after a session's deadline in which a submission is still taken.
pub const GRACE_SECS: i64 = 30;

/// How long a 长辈版 session without a required time limit may take: no
/// countdown, but not for ever (a session is not a place to keep answers).
pub const UNTIMED_SECS: i64 = 4 * 3600;

/// The timing of one session: its start and mode, the set's rules and its
/// round's close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// When the session started, in ms since the epoch.
    started_ms: i64,
    /// 长辈版 (large text).
    large: bool,
    time_limit_secs: u32,
    time_limit_required: bool,
    entry_grace_secs: u32,
    min_answer_secs: Option<u32>,
    /// The round's close; `None` when it never closes.
    round_closes: Option<DateTime<FixedOffset>>,
}

/// A submission after the session's deadline and its grace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLate;

impl Timing {
    /// The timing of a session started at `started_ms` (large text or not)
    /// on a set with these `quiz:` settings, in `round`.
    pub fn new(quiz: &QuizSettings, round: &Round, started_ms: i64, large: bool) -> Self {
        Self {
            started_ms,
            large,
            time_limit_secs: quiz.time_limit_secs,
            time_limit_required: quiz.time_limit_required,
            entry_grace_secs: quiz.entry_grace_secs,
            min_answer_secs: quiz.min_answer_secs,
            round_closes: round.closes,
        }
    }

    /// The timing of the session `token` names, on `bank` (the version it
    /// runs on); `None` when the bank has no such round.
    pub fn of(token: &SessionToken, bank: &Bank) -> Option<Self> {
        let round = bank.rounds.get(usize::from(token.round))?;
        Some(Self::new(
            &bank.quiz,
            round,
            token.started_ms(),
            token.large,
        ))
    }

    /// Whether the session counts down: always, except in 长辈版 when the
    /// set does not require its time limit.
    pub fn timed(&self) -> bool {
        !self.large || self.time_limit_required
    }

    /// When the session's time is up (its deadline), in the offset of
    /// `now`: the time limit after the start, or [`UNTIMED_SECS`] (at least
    /// the limit) for an untimed session.
    pub fn expires_at(&self, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        let limit = if self.timed() {
            i64::from(self.time_limit_secs)
        } else {
            UNTIMED_SECS.max(i64::from(self.time_limit_secs))
        };
        DateTime::from_timestamp_millis(self.started_ms + limit * 1000)
            .unwrap_or_default()
            .with_timezone(&now.timezone())
    }

    /// Whether a submission at `now` comes too late: after the deadline
    /// and its [`GRACE_SECS`].
    pub fn submission_too_late(&self, now: DateTime<FixedOffset>) -> bool {
        now > self.expires_at(now) + Duration::seconds(GRACE_SECS)
    }

    /// Whole seconds from the session's start to `now` (0 before it): the
    /// most the page's timings may add up to ([`super::seconds::spent`]).
    pub fn elapsed_secs(&self, now: DateTime<FixedOffset>) -> u32 {
        let ms = (now.timestamp_millis() - self.started_ms).max(0);
        u32::try_from(ms / 1000).unwrap_or(u32::MAX)
    }

    /// A submission at `now`, in time, or [`TooLate`].
    pub fn submission_in_time(&self, now: DateTime<FixedOffset>) -> Result<(), TooLate> {
        if self.submission_too_late(now) {
            Err(TooLate)
        } else {
            Ok(())
        }
    }

    /// Whether a submission made at `submitted` came sooner after the start
    /// than the set's `min_answer_secs` allows for entering the draw.
    pub fn too_fast(&self, submitted: DateTime<FixedOffset>) -> bool {
        self.min_answer_secs.is_some_and(|min| {
            submitted.timestamp_millis() - self.started_ms < i64::from(min) * 1000
        })
    }

    /// Entries from this session are taken until `entry_grace_secs` after
    /// the earlier of the session's deadline and its round's close: never
    /// later than the grace after the close, whatever the session's mode
    /// (an untimed 长辈版 session's deadline is hours away, and used to
    /// stretch its window past the close), and a passed token is not a
    /// ticket to enter at any time while a long round is open. The
    /// deadline is in the offset of `now`, a close in the set's.
    pub fn entry_closes(&self, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        let deadline = self.expires_at(now);
        let ends = self
            .round_closes
            .map_or(deadline, |closes| closes.min(deadline));
        ends + Duration::seconds(i64::from(self.entry_grace_secs))
    }

    /// Whether entries from this session are closed at `now`.
    pub fn entry_closed(&self, now: DateTime<FixedOffset>) -> bool {
        now > self.entry_closes(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-01T10:00:00+08:00, the sessions' start, in ms.
    fn start() -> i64 {
        at("2026-11-01T10:00:00+08:00").timestamp_millis()
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("a time")
    }

    fn quiz() -> QuizSettings {
        QuizSettings {
            questions_per_visitor: 6,
            pass_percent: 80,
            time_limit_secs: 600,
            shuffle_options: true,
            time_limit_required: false,
            entry_grace_secs: 900,
            min_answer_secs: None,
        }
    }

    fn round(closes: Option<&str>) -> Round {
        Round {
            id: "w1".into(),
            opens: None,
            closes: closes.map(at),
            title: None,
            notice: None,
        }
    }

    #[test]
    fn a_session_expires_after_its_time_limit_in_the_offset_of_now() {
        let t = Timing::new(&quiz(), &round(None), start(), false);
        let now = at("2026-11-01T10:01:00+08:00");
        assert!(t.timed());
        assert_eq!(t.expires_at(now), at("2026-11-01T10:10:00+08:00"));
        assert_eq!(
            t.expires_at(now).offset(),
            now.offset(),
            "shown in now's offset"
        );
    }

    #[test]
    fn a_submission_is_taken_until_the_deadline_plus_grace() {
        let t = Timing::new(&quiz(), &round(None), start(), false);
        assert!(
            !t.submission_too_late(at("2026-11-01T10:10:00+08:00")),
            "at the deadline"
        );
        assert!(
            !t.submission_too_late(at("2026-11-01T10:10:30+08:00")),
            "at the end of the grace"
        );
        assert!(
            t.submission_too_late(at("2026-11-01T10:10:31+08:00")),
            "after the grace"
        );
    }

    #[test]
    fn large_text_is_untimed_unless_the_set_requires_its_limit() {
        let untimed = Timing::new(&quiz(), &round(None), start(), true);
        let now = at("2026-11-01T10:00:00+08:00");
        assert!(!untimed.timed());
        assert_eq!(
            untimed.expires_at(now),
            at("2026-11-01T14:00:00+08:00"),
            "UNTIMED_SECS"
        );
        assert!(!untimed.submission_too_late(at("2026-11-01T13:00:00+08:00")));

        let long = QuizSettings {
            time_limit_secs: 5 * 3600,
            ..quiz()
        };
        let t = Timing::new(&long, &round(None), start(), true);
        assert_eq!(
            t.expires_at(now),
            at("2026-11-01T15:00:00+08:00"),
            "never shorter than the limit"
        );

        let required = QuizSettings {
            time_limit_required: true,
            ..quiz()
        };
        let t = Timing::new(&required, &round(None), start(), true);
        assert!(t.timed());
        assert_eq!(t.expires_at(now), at("2026-11-01T10:10:00+08:00"));
    }

    #[test]
    fn entries_close_entry_grace_after_the_deadline_in_a_round_that_never_closes() {
        let t = Timing::new(&quiz(), &round(None), start(), false);
        let now = at("2026-11-01T10:05:00+08:00");
        assert_eq!(t.entry_closes(now), at("2026-11-01T10:25:00+08:00"));
        assert!(!t.entry_closed(at("2026-11-01T10:25:00+08:00")));
        assert!(t.entry_closed(at("2026-11-01T10:25:01+08:00")));
    }

    #[test]
    fn entries_close_entry_grace_after_the_round_when_it_closes_first() {
        let r = round(Some("2026-11-01T10:04:00+08:00"));
        let t = Timing::new(&quiz(), &r, start(), false);
        let now = at("2026-11-01T10:05:00+08:00");
        assert_eq!(t.entry_closes(now), at("2026-11-01T10:19:00+08:00"));
        assert!(t.entry_closed(at("2026-11-01T10:19:01+08:00")));
    }

    #[test]
    fn entries_close_at_the_earlier_of_deadline_and_round_close() {
        let later_close = round(Some("2026-11-01T18:00:00+08:00"));
        let t = Timing::new(&quiz(), &later_close, start(), false);
        let now = at("2026-11-01T10:05:00+08:00");
        assert_eq!(
            t.entry_closes(now),
            at("2026-11-01T10:25:00+08:00"),
            "the deadline is earlier"
        );

        // An untimed 长辈版 session's deadline (14:00) does not stretch its
        // window past a close at 12:00.
        let noon = round(Some("2026-11-01T12:00:00+08:00"));
        let t = Timing::new(&quiz(), &noon, start(), true);
        assert_eq!(
            t.entry_closes(now),
            at("2026-11-01T12:15:00+08:00"),
            "the close is earlier"
        );
        assert!(t.entry_closed(at("2026-11-01T12:15:01+08:00")));
    }

    #[test]
    fn a_submission_sooner_than_min_answer_secs_is_too_fast() {
        let t = Timing::new(&quiz(), &round(None), start(), false);
        assert!(
            !t.too_fast(at("2026-11-01T10:00:01+08:00")),
            "no minimum set"
        );

        let min = QuizSettings {
            min_answer_secs: Some(20),
            ..quiz()
        };
        let t = Timing::new(&min, &round(None), start(), false);
        assert!(t.too_fast(at("2026-11-01T10:00:19.999+08:00")));
        assert!(!t.too_fast(at("2026-11-01T10:00:20+08:00")));
    }
}
