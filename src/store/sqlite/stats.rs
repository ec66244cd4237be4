//! `round_stats` and `question_stats`: the staff's counters, written by the
//! writer with each batch (`tally`), read here.

use super::{Result, Sqlite};
use crate::store::{QuestionCounts, RoundCounts, Stats};
use rusqlite::{named_params, Connection};

pub(super) const ADD_ROUND_COUNTS: &str =
    "INSERT INTO round_stats (set_id, round_id, started, submitted, passed, entries)
     VALUES (:set_id, :round_id, :started, :submitted, :passed, :entries)
     ON CONFLICT (set_id, round_id) DO UPDATE SET started = started + excluded.started,
       submitted = submitted + excluded.submitted, passed = passed + excluded.passed,
       entries = entries + excluded.entries";
pub(super) const ADD_QUESTION_COUNTS: &str =
    "INSERT INTO question_stats (set_id, round_id, question_id, answered, correct)
     VALUES (:set_id, :round_id, :question_id, :answered, :correct)
     ON CONFLICT (set_id, round_id, question_id)
     DO UPDATE SET answered = answered + excluded.answered, correct = correct + excluded.correct";

const ROUND_COUNTS: &str = "SELECT COALESCE(SUM(started), 0), COALESCE(SUM(submitted), 0),
     COALESCE(SUM(passed), 0), COALESCE(SUM(entries), 0)
     FROM round_stats WHERE set_id = :set_id AND (:round_id IS NULL OR round_id = :round_id)";
const QUESTION_COUNTS: &str = "SELECT question_id, SUM(answered), SUM(correct) FROM question_stats
     WHERE set_id = :set_id AND (:round_id IS NULL OR round_id = :round_id) GROUP BY question_id";

/// Session and entry counts of a set, optionally of one round.
pub(super) fn round_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<RoundCounts> {
    let mut st = conn.prepare_cached(ROUND_COUNTS)?;
    Ok(st.query_row(
        named_params! {":set_id": set_id, ":round_id": round_id},
        |r| {
            Ok(RoundCounts {
                started: r.get(0)?,
                submitted: r.get(1)?,
                passed: r.get(2)?,
                entries: r.get(3)?,
            })
        },
    )?)
}

/// Per question id: answered and correct.
pub(super) fn question_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<Vec<(String, QuestionCounts)>> {
    let mut st = conn.prepare_cached(QUESTION_COUNTS)?;
    let rows = st.query_map(
        named_params! {":set_id": set_id, ":round_id": round_id},
        |r| {
            Ok((
                r.get(0)?,
                QuestionCounts {
                    answered: r.get(1)?,
                    correct: r.get(2)?,
                },
            ))
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Sqlite {
    pub(in crate::store) async fn stats(
        &self,
        set_id: &str,
        round_id: Option<&str>,
    ) -> Result<Stats> {
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

    pub(in crate::store) async fn round_counts(
        &self,
        set_id: &str,
        rounds: Vec<String>,
    ) -> Result<Vec<RoundCounts>> {
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
