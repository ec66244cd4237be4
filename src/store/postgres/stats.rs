//! `round_stats` and `question_stats`: the staff's counters, added in the
//! transaction of what they count, each into one of a few shards, and
//! summed when read.

use super::{shard, Postgres, Result};
use super::{Cached, Col};
use crate::store::contract::Counters;
use crate::store::sql::stats::{QUESTION_COUNTS, ROUND_COUNTS};
use crate::store::{QuestionCounts, RoundCounts, Stats};
use deadpool_postgres::GenericClient;

const ADD_ROUND_COUNTS: &str =
    "INSERT INTO round_stats (set_id, round_id, shard, started, submitted, passed, entries)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (set_id, round_id, shard) DO UPDATE SET
       started = round_stats.started + EXCLUDED.started,
       submitted = round_stats.submitted + EXCLUDED.submitted,
       passed = round_stats.passed + EXCLUDED.passed,
       entries = round_stats.entries + EXCLUDED.entries";
/// Every question of a submission in one statement: `$4` the ids, `$5`
/// 1 or 0 for right or wrong, in the same order.
const ADD_QUESTION_COUNTS: &str =
    "INSERT INTO question_stats (set_id, round_id, question_id, shard, answered, correct)
     SELECT $1, $2, q.id, $3, 1, q.correct FROM UNNEST($4::TEXT[], $5::BIGINT[]) AS q (id, correct)
     ON CONFLICT (set_id, round_id, question_id, shard) DO UPDATE SET
       answered = question_stats.answered + 1,
       correct = question_stats.correct + EXCLUDED.correct";

/// Adds `[started, submitted, passed, entries]` to a round's shard.
pub(super) async fn add_round(
    c: &impl GenericClient,
    set_id: &str,
    round_id: &str,
    shard: i32,
    [started, submitted, passed, entries]: [i64; 4],
) -> Result<()> {
    c.exec(
        ADD_ROUND_COUNTS,
        &[
            &set_id, &round_id, &shard, &started, &submitted, &passed, &entries,
        ],
    )
    .await?;
    Ok(())
}

/// Counts one answer to each question, `(id, correct)`, in the order given
/// (sorted, so two transactions never wait on each other's rows; an id
/// appears once).
pub(super) async fn add_questions(
    c: &impl GenericClient,
    set_id: &str,
    round_id: &str,
    shard: i32,
    answers: &[(&str, bool)],
) -> Result<()> {
    let ids: Vec<&str> = answers.iter().map(|a| a.0).collect();
    let correct: Vec<i64> = answers.iter().map(|a| i64::from(a.1)).collect();
    c.exec(
        ADD_QUESTION_COUNTS,
        &[&set_id, &round_id, &shard, &ids, &correct],
    )
    .await?;
    Ok(())
}

/// Writes counted session starts, in one transaction.
pub(super) async fn add_starts(
    engine: &Postgres,
    starts: &crate::store::tally::Counts,
) -> Result<()> {
    let mut client = engine.client().await?;
    let tx = client.transaction().await?;
    let shard = shard();
    let mut rounds: Vec<_> = starts.starts().collect();
    rounds.sort_unstable();
    for (set_id, round_id, n) in rounds {
        add_round(&tx, set_id, round_id, shard, [n, 0, 0, 0]).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn round_counts(
    c: &impl GenericClient,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<RoundCounts> {
    let r = c.row(ROUND_COUNTS, &[&set_id, &round_id]).await?;
    Ok(RoundCounts {
        started: r.col(0)?,
        submitted: r.col(1)?,
        passed: r.col(2)?,
        entries: r.col(3)?,
    })
}

impl Counters for Postgres {
    fn count_start(&self, set_id: &str, round_id: &str) {
        self.starts.add(set_id, round_id);
    }

    /// Writes the starts counted so far; they are put back if that fails.
    async fn flush_counts(&self) -> Result<()> {
        let taken = self.starts.take();
        if taken.is_empty() {
            return Ok(());
        }
        let written = add_starts(self, &taken).await;
        if written.is_err() {
            self.starts.restore(taken);
        }
        written
    }

    async fn stats(&self, set_id: &str, round_id: Option<&str>) -> Result<Stats> {
        let client = self.client().await?;
        let rounds = round_counts(&client, set_id, round_id).await?;
        let questions = client
            .rows(QUESTION_COUNTS, &[&set_id, &round_id])
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    r.col(0)?,
                    QuestionCounts {
                        answered: r.col(1)?,
                        correct: r.col(2)?,
                    },
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Stats { rounds, questions })
    }

    async fn round_counts(&self, set_id: &str, rounds: Vec<String>) -> Result<Vec<RoundCounts>> {
        let client = self.client().await?;
        let mut out = Vec::with_capacity(rounds.len());
        for r in &rounds {
            out.push(round_counts(&client, set_id, Some(r)).await?);
        }
        Ok(out)
    }
}
