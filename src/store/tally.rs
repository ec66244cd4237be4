//! The staff's counters (`round_stats`, `question_stats`, and the picks and
//! timings of `question_picks` and `question_secs`), added up in
//! memory before they are written, by either engine.
//!
//! On SQLite, writes count inside their own job (`Sqlite::write_counted`),
//! and the writer adds a batch's counts once per batch (a batch of 300
//! submissions touches each question's row once, not 300 times), so a count
//! is committed with the row it counts, or not at all. Session starts write
//! nothing else, so on both engines they wait in [`Starts`] until the next
//! commit or flush.

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

/// Counter increments not yet written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    rounds: Vec<RoundDelta>,
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

    /// A session started.
    pub fn started(&mut self, set_id: &str, round_id: &str) {
        self.round(set_id, round_id).started += 1;
    }

    /// A session was submitted; `per_question` is (question id, answered right).
    pub fn submitted<'a>(
        &mut self,
        set_id: &str,
        round_id: &str,
        passed: bool,
        per_question: impl IntoIterator<Item = (&'a str, bool)>,
    ) {
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

    /// An entry was stored.
    pub fn entered(&mut self, set_id: &str, round_id: &str) {
        self.round(set_id, round_id).entries += 1;
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
    }

    /// Each round's session starts: (set, round, how many), for an engine
    /// that writes them its own way.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn starts(&self) -> impl Iterator<Item = (&str, &str, i64)> {
        self.rounds
            .iter()
            .filter(|r| r.started > 0)
            .map(|r| (r.set_id.as_str(), r.round_id.as_str(), r.started))
    }

    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.rounds.is_empty()
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

/// Session starts counted since the last commit (shared by the handlers and the writer).
#[derive(Debug, Default)]
pub struct Starts(Mutex<Counts>);

impl Starts {
    /// Counts one start.
    pub fn add(&self, set_id: &str, round_id: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .started(set_id, round_id);
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
            job.submitted("set", "r1", i % 2 == 0, [("q1", true), ("q2", i < 3)]);
            batch.merge(job);
        }
        batch.entered("set", "r1");
        batch.started("set", "r2");
        let starts = Starts::default();
        starts.add("set", "r1");
        starts.add("set", "r1");
        batch.merge(starts.take());
        assert!(starts.is_empty());
        let rounds: Vec<_> = batch.each_round().collect();
        assert_eq!(rounds.len(), 2, "one delta per round");
        let (set, round, counts, questions) = rounds[0];
        assert_eq!((set, round, counts), ("set", "r1", [2, 10, 5, 1]));
        assert_eq!(questions["q1"], (10, 10));
        assert_eq!(questions["q2"], (10, 3));
        assert_eq!(
            batch.starts().collect::<Vec<_>>(),
            vec![("set", "r1", 2), ("set", "r2", 1)]
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
}
