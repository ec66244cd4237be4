//! The staff's counters (`round_stats`, `question_stats`, the picks and
//! timings of `question_picks` and `question_secs`, and the funnel's
//! `funnel_stats`), added up in memory before they are written, by either
//! engine.
//!
//! On SQLite, writes count inside their own job (`Sqlite::write_counted`),
//! and the writer adds a batch's counts once per batch (a batch of 300
//! submissions touches each question's row once, not 300 times), so a count
//! is committed with the row it counts, or not at all. Session starts write
//! nothing else, so on both engines they wait in [`Starts`] until the next
//! commit or flush; so do visits to the visitor page.
//!
//! The funnel (SPEC §11) counts each stage per (set, round, hour, source),
//! the hour being the event's UTC hour (unix seconds / 3600), beside the
//! round's counters and from the same calls, so the two always agree.

use super::GivenAnswer;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

/// What one round of one set gained.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct RoundDelta {
    set_id: String,
    round_id: String,
    started: i64,
    submitted: i64,
    passed: i64,
    entries: i64,
    /// Question id → (answered, correct).
    questions: HashMap<String, (i64, i64)>,
    /// Question id → the options chosen and the seconds spent.
    picks: HashMap<String, Picks>,
}

/// What a question's answers add beyond answered and correct (SPEC §11):
/// how many chose each option, and how many spent each whole second on it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Picks {
    /// Option key → how many chose it.
    pub options: BTreeMap<char, i64>,
    /// Histogram bucket ([`crate::quiz::seconds::bucket`]) → how many.
    pub secs: BTreeMap<u32, i64>,
}

impl Picks {
    fn add(&mut self, other: Picks) {
        for (k, n) in other.options {
            *self.options.entry(k).or_default() += n;
        }
        for (s, n) in other.secs {
            *self.secs.entry(s).or_default() += n;
        }
    }
}

/// What one round gained: (set, round, [started, submitted, passed,
/// entries], question id → (answered, correct)).
pub type RoundGain<'a> = (&'a str, &'a str, [i64; 4], &'a HashMap<String, (i64, i64)>);

/// The funnel's stages, in order: visits, starts, submitted, passed, entries.
pub type Stages = [i64; 5];

/// What one (set, round, hour, source) of the funnel gained.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct FunnelDelta {
    set_id: String,
    round_id: String,
    hour: i64,
    source: String,
    stages: Stages,
}

/// What one (set, round, hour, source) gained: (set, round, hour, source,
/// [visits, starts, submitted, passed, entries]).
pub type FunnelGain<'a> = (&'a str, &'a str, i64, &'a str, Stages);

/// Counter increments not yet written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    rounds: Vec<RoundDelta>,
    funnel: Vec<FunnelDelta>,
}

/// The UTC hour (unix seconds / 3600) of an RFC 3339 time, as the funnel
/// counts it (0 for a time that does not parse: the store writes only
/// times it made itself).
pub fn hour_of(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp().div_euclid(3600))
        .unwrap_or(0)
}

impl Counts {
    fn round(&mut self, set_id: &str, round_id: &str) -> &mut RoundDelta {
        // A handful of rounds at most: a scan allocates nothing.
        let i = match self
            .rounds
            .iter()
            .position(|r| r.set_id == set_id && r.round_id == round_id)
        {
            Some(i) => i,
            None => {
                self.rounds.push(RoundDelta {
                    set_id: set_id.to_owned(),
                    round_id: round_id.to_owned(),
                    ..RoundDelta::default()
                });
                self.rounds.len() - 1
            }
        };
        &mut self.rounds[i]
    }

    fn funnel(&mut self, set_id: &str, round_id: &str, hour: i64, source: &str) -> &mut Stages {
        // The hours and sources of half a second: a scan, comparing the
        // hour first, allocates nothing for a key already there.
        let i = match self.funnel.iter().position(|f| {
            f.hour == hour && f.source == source && f.round_id == round_id && f.set_id == set_id
        }) {
            Some(i) => i,
            None => {
                self.funnel.push(FunnelDelta {
                    set_id: set_id.to_owned(),
                    round_id: round_id.to_owned(),
                    hour,
                    source: source.to_owned(),
                    stages: Stages::default(),
                });
                self.funnel.len() - 1
            }
        };
        &mut self.funnel[i].stages
    }

    /// The visitor page was asked for, at `hour`, from `source`.
    pub fn visited(&mut self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.funnel(set_id, round_id, hour, source)[0] += 1;
    }

    /// A session started, at `hour`, from `source`.
    pub fn started(&mut self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.round(set_id, round_id).started += 1;
        self.funnel(set_id, round_id, hour, source)[1] += 1;
    }

    /// A session was submitted, at `hour`, from `source`; `per_question` is
    /// (question id, answered right).
    pub fn submitted<'a>(
        &mut self,
        set_id: &str,
        round_id: &str,
        hour: i64,
        source: &str,
        passed: bool,
        per_question: impl IntoIterator<Item = (&'a str, bool)>,
    ) {
        let f = self.funnel(set_id, round_id, hour, source);
        f[2] += 1;
        f[3] += i64::from(passed);
        let r = self.round(set_id, round_id);
        r.submitted += 1;
        r.passed += i64::from(passed);
        for (id, correct) in per_question {
            let q = match r.questions.get_mut(id) {
                Some(q) => q,
                None => r.questions.entry(id.to_owned()).or_default(),
            };
            q.0 += 1;
            q.1 += i64::from(correct);
        }
    }

    /// What a stored submission's `answers` chose, and the seconds each took
    /// when known (a question listed twice, never today, counts once).
    pub fn picked(&mut self, set_id: &str, round_id: &str, answers: &[GivenAnswer]) {
        let r = self.round(set_id, round_id);
        let mut seen = Vec::with_capacity(answers.len());
        for a in answers {
            if seen.contains(&a.question.as_str()) {
                continue;
            }
            seen.push(a.question.as_str());
            let p = match r.picks.get_mut(&a.question) {
                Some(p) => p,
                None => r.picks.entry(a.question.clone()).or_default(),
            };
            for &k in &a.given {
                *p.options.entry(k).or_default() += 1;
            }
            if let Some(secs) = a.secs {
                *p.secs
                    .entry(crate::quiz::seconds::bucket(secs))
                    .or_default() += 1;
            }
        }
    }

    /// An entry was stored, at `hour`, from `source`.
    pub fn entered(&mut self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.round(set_id, round_id).entries += 1;
        self.funnel(set_id, round_id, hour, source)[4] += 1;
    }

    /// Adds `other` to these.
    pub fn merge(&mut self, other: Self) {
        for o in other.rounds {
            let r = self.round(&o.set_id, &o.round_id);
            r.started += o.started;
            r.submitted += o.submitted;
            r.passed += o.passed;
            r.entries += o.entries;
            for (id, (a, c)) in o.questions {
                let q = r.questions.entry(id).or_default();
                q.0 += a;
                q.1 += c;
            }
            for (id, p) in o.picks {
                r.picks.entry(id).or_default().add(p);
            }
        }
        for o in other.funnel {
            let f = self.funnel(&o.set_id, &o.round_id, o.hour, &o.source);
            for (n, a) in f.iter_mut().zip(o.stages) {
                *n += a;
            }
        }
    }

    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.rounds.is_empty() && self.funnel.is_empty()
    }

    /// The funnel's gains, for an engine to write.
    pub fn each_funnel(&self) -> impl Iterator<Item = FunnelGain<'_>> {
        self.funnel.iter().map(|f| {
            (
                f.set_id.as_str(),
                f.round_id.as_str(),
                f.hour,
                f.source.as_str(),
                f.stages,
            )
        })
    }

    /// Each round's picks and timings: (set, round, question id → them).
    pub fn each_pick(&self) -> impl Iterator<Item = (&str, &str, &HashMap<String, Picks>)> {
        self.rounds
            .iter()
            .filter(|r| !r.picks.is_empty())
            .map(|r| (r.set_id.as_str(), r.round_id.as_str(), &r.picks))
    }

    /// Each round's gains, for an engine to write.
    pub fn each_round(&self) -> impl Iterator<Item = RoundGain<'_>> {
        self.rounds.iter().map(|r| {
            (
                r.set_id.as_str(),
                r.round_id.as_str(),
                [r.started, r.submitted, r.passed, r.entries],
                &r.questions,
            )
        })
    }
}

/// Session starts and visits counted since the last commit (shared by the
/// handlers and the writer).
#[derive(Debug, Default)]
pub struct Starts(Mutex<Counts>);

impl Starts {
    /// Counts one start, at `hour`, from `source`.
    pub fn add(&self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .started(set_id, round_id, hour, source);
    }

    /// Counts one visit to the visitor page, at `hour`, from `source`.
    pub fn visit(&self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .visited(set_id, round_id, hour, source);
    }

    /// Takes every start counted so far.
    pub fn take(&self) -> Counts {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts back starts whose commit failed.
    pub fn restore(&self, counts: Counts) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .merge(counts);
    }

    /// No start waits to be written.
    pub fn is_empty(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_fold_one_delta_per_round_and_question() {
        let mut batch = Counts::default();
        for i in 0..10 {
            let mut job = Counts::default();
            let hour = 10 + i64::from(i >= 5);
            let answers = [("q1", true), ("q2", i < 3)];
            job.submitted("set", "r1", hour, "direct", i % 2 == 0, answers);
            batch.merge(job);
        }
        batch.entered("set", "r1", 11, "wuhua");
        batch.started("set", "r2", 11, "direct");
        let starts = Starts::default();
        starts.add("set", "r1", 10, "direct");
        starts.add("set", "r1", 10, "direct");
        starts.visit("set", "r1", 10, "wuhua");
        batch.merge(starts.take());
        assert!(starts.is_empty());
        let rounds: Vec<_> = batch.each_round().collect();
        assert_eq!(rounds.len(), 2, "one delta per round");
        let (set, round, counts, questions) = rounds[0];
        assert_eq!((set, round, counts), ("set", "r1", [2, 10, 5, 1]));
        assert_eq!(questions["q1"], (10, 10));
        assert_eq!(questions["q2"], (10, 3));
        let mut funnel: Vec<_> = batch.each_funnel().collect();
        funnel.sort();
        assert_eq!(
            funnel,
            vec![
                ("set", "r1", 10, "direct", [0, 2, 5, 3, 0]),
                ("set", "r1", 10, "wuhua", [1, 0, 0, 0, 0]),
                ("set", "r1", 11, "direct", [0, 0, 5, 2, 0]),
                ("set", "r1", 11, "wuhua", [0, 0, 0, 0, 1]),
                ("set", "r2", 11, "direct", [0, 1, 0, 0, 0]),
            ],
            "one delta per (set, round, hour, source), each stage where it happened"
        );
    }

    fn answer(q: &str, given: &str, secs: Option<u32>) -> GivenAnswer {
        GivenAnswer {
            question: q.into(),
            given: given.chars().collect(),
            correct: false,
            secs,
        }
    }

    #[test]
    fn picks_count_each_chosen_option_and_each_second() {
        let mut batch = Counts::default();
        for (given, secs) in [
            ("A", Some(4)),
            ("AC", Some(4)),
            ("C", None),
            ("", Some(900)),
        ] {
            let mut job = Counts::default();
            job.picked("set", "r1", &[answer("q1", given, secs)]);
            batch.merge(job);
        }
        batch.picked(
            "set",
            "r1",
            &[answer("q2", "B", Some(1)), answer("q2", "B", Some(1))],
        );
        let rounds: Vec<_> = batch.each_pick().collect();
        assert_eq!(rounds.len(), 1);
        let (set, round, picks) = rounds[0];
        assert_eq!((set, round), ("set", "r1"));
        assert_eq!(picks["q1"].options, BTreeMap::from([('A', 2), ('C', 2)]));
        assert_eq!(
            picks["q1"].secs,
            BTreeMap::from([(4, 2), (crate::quiz::seconds::CAP_SECS, 1)])
        );
        assert_eq!(
            picks["q2"].options,
            BTreeMap::from([('B', 1)]),
            "once per submission"
        );
        assert_eq!(picks["q2"].secs, BTreeMap::from([(1, 1)]));
    }

    #[test]
    fn an_hour_is_the_utc_hour_of_the_time_whatever_its_offset() {
        // 2026-12-07T16:00:00Z, written in Beijing time and in UTC.
        assert_eq!(hour_of("2026-12-08T00:00:00+08:00"), 1_796_659_200 / 3600);
        assert_eq!(hour_of("2026-12-07T16:59:59Z"), 1_796_659_200 / 3600);
        assert_eq!(hour_of("not a time"), 0);
    }
}
