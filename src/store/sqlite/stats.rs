//! `round_stats` and `question_stats`: the staff's counters, added up in
//! [`Counts`] and written by the writer with each batch
//! ([`write_counts`]), read here.

use super::{Result, Sqlite};
use crate::store::contract::Counters;
use crate::store::sql::stats::{QUESTION_COUNTS, ROUND_COUNTS};
use crate::store::tally::Counts;
use crate::store::{QuestionCounts, RoundCounts, Stats};
use rusqlite::{named_params, params, Connection};

const ADD_ROUND_COUNTS: &str =
    "INSERT INTO round_stats (set_id, round_id, started, submitted, passed, entries)
     VALUES (:set_id, :round_id, :started, :submitted, :passed, :entries)
     ON CONFLICT (set_id, round_id) DO UPDATE SET started = started + excluded.started,
       submitted = submitted + excluded.submitted, passed = passed + excluded.passed,
       entries = entries + excluded.entries";
const ADD_QUESTION_COUNTS: &str =
    "INSERT INTO question_stats (set_id, round_id, question_id, answered, correct)
     VALUES (:set_id, :round_id, :question_id, :answered, :correct)
     ON CONFLICT (set_id, round_id, question_id)
     DO UPDATE SET answered = answered + excluded.answered, correct = correct + excluded.correct";

/// Adds `counts` to the stored counters: one upsert per round and per question.
pub(super) fn write_counts(conn: &Connection, counts: &Counts) -> Result<()> {
    for (set_id, round_id, [started, submitted, passed, entries], questions) in counts.each_round()
    {
        conn.prepare_cached(ADD_ROUND_COUNTS)?
            .execute(named_params! {
                ":set_id": set_id, ":round_id": round_id, ":started": started,
                ":submitted": submitted, ":passed": passed, ":entries": entries,
            })?;
        for (id, (answered, correct)) in questions {
            conn.prepare_cached(ADD_QUESTION_COUNTS)?
                .execute(named_params! {
                    ":set_id": set_id, ":round_id": round_id, ":question_id": id,
                    ":answered": answered, ":correct": correct,
                })?;
        }
    }
    Ok(())
}

/// Session and entry counts of a set, optionally of one round.
pub(super) fn round_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<RoundCounts> {
    let mut st = conn.prepare_cached(ROUND_COUNTS)?;
    Ok(st.query_row(params![set_id, round_id], |r| {
        Ok(RoundCounts {
            started: r.get(0)?,
            submitted: r.get(1)?,
            passed: r.get(2)?,
            entries: r.get(3)?,
        })
    })?)
}

/// Per question id: answered and correct.
pub(super) fn question_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<Vec<(String, QuestionCounts)>> {
    let mut st = conn.prepare_cached(QUESTION_COUNTS)?;
    let rows = st.query_map(params![set_id, round_id], |r| {
        Ok((
            r.get(0)?,
            QuestionCounts {
                answered: r.get(1)?,
                correct: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Counters for Sqlite {
    fn count_start(&self, set_id: &str, round_id: &str) {
        self.starts.add(set_id, round_id);
    }

    async fn flush_counts(&self) -> Result<()> {
        self.write(|_| Ok(())).await
    }

    async fn stats(&self, set_id: &str, round_id: Option<&str>) -> Result<Stats> {
        let (set_id, round_id) = (set_id.to_owned(), round_id.map(str::to_owned));
        self.read(move |c| {
            Ok(Stats {
                rounds: round_counts(c, &set_id, round_id.as_deref())?,
                questions: question_counts(c, &set_id, round_id.as_deref())?
                    .into_iter()
                    .collect(),
            })
        })
        .await
    }

    async fn round_counts(&self, set_id: &str, rounds: Vec<String>) -> Result<Vec<RoundCounts>> {
        let set_id = set_id.to_owned();
        self.read(move |c| {
            rounds
                .iter()
                .map(|r| round_counts(c, &set_id, Some(r)))
                .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tally::Starts;

    #[test]
    fn counts_are_written_once_per_round_and_question() {
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
        write_counts(&conn, &batch).unwrap();
        write_counts(&conn, &batch).unwrap();
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
