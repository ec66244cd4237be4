//! The staff's counters (`round_stats`, `question_stats`), added up in
//! memory and written once per batch: a batch of 300 submissions touches
//! each question's row once, not 300 times.
//!
//! Writes count inside their own job (`Sqlite::write_counted`), so a
//! count is committed with the row it counts, or not at all. Session starts
//! write nothing else, so they wait in [`Starts`] until the writer's next
//! commit (at most [`super::writer::FLUSH_EVERY`] later).

use super::stats::{ADD_QUESTION_COUNTS, ADD_ROUND_COUNTS};
use crate::store::StoreError;
use rusqlite::{named_params, Connection};
use std::collections::HashMap;
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
}

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
        }
    }

    /// Each round's session starts: (set, round, how many), for an engine
    /// that writes them its own way.
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

    /// Adds these to the stored counters: one upsert per round and per question.
    pub fn write(&self, conn: &Connection) -> Result<(), StoreError> {
        for r in &self.rounds {
            conn.prepare_cached(ADD_ROUND_COUNTS)?
                .execute(named_params! {
                    ":set_id": r.set_id, ":round_id": r.round_id, ":started": r.started,
                    ":submitted": r.submitted, ":passed": r.passed, ":entries": r.entries,
                })?;
            for (id, (answered, correct)) in &r.questions {
                conn.prepare_cached(ADD_QUESTION_COUNTS)?
                    .execute(named_params! {
                        ":set_id": r.set_id, ":round_id": r.round_id, ":question_id": id,
                        ":answered": answered, ":correct": correct,
                    })?;
            }
        }
        Ok(())
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
    use super::super::stats::{question_counts, round_counts};
    use super::*;

    #[test]
    fn counts_fold_and_write_once_per_round_and_question() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
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
        assert_eq!(batch.rounds.len(), 2, "one delta per round");
        batch.write(&conn).unwrap();
        batch.write(&conn).unwrap();
        let r1 = round_counts(&conn, "set", Some("r1")).unwrap();
        assert_eq!(
            (r1.started, r1.submitted, r1.passed, r1.entries),
            (4, 20, 10, 2)
        );
        let all = round_counts(&conn, "set", None).unwrap();
        assert_eq!(all.started, 6);
        let mut q: Vec<(String, i64, i64)> = question_counts(&conn, "set", None)
            .unwrap()
            .into_iter()
            .map(|(id, n)| (id, n.answered, n.correct))
            .collect();
        q.sort();
        assert_eq!(q, vec![("q1".into(), 20, 20), ("q2".into(), 20, 6)]);
    }
}
