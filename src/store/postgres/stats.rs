//! `round_stats`, `question_stats`, `question_picks`, `question_secs` and
//! `funnel_stats`: the staff's counters, added in the transaction of what
//! they count, each into one of a few shards, and summed when read.

use super::{shard, Postgres, Result};
use super::{Cached, Col};
use crate::store::contract::Counters;
use crate::store::rules::option_key;
use crate::store::sql::stats::{
    FUNNEL, QUESTION_COUNTS, QUESTION_PICKS, QUESTION_SECS, ROUND_COUNTS,
};
use crate::store::tally::{Counts, Stages};
use crate::store::{FunnelCount, GivenAnswer, QuestionCounts, RoundCounts, Stats};
use deadpool_postgres::GenericClient;
use std::collections::{BTreeMap, HashMap};

/// What [`Adds::write`] sends: prepared before a batch's statements are
/// pipelined ([`super::batch`]).
pub(super) const ADD_STATEMENTS: [&str; 5] =
    [ADD_ROUNDS, ADD_QUESTIONS, ADD_PICKS, ADD_SECS, ADD_FUNNEL];

/// A batch's counts, a row per round: `$1`, `$2` the rounds, `$3` the
/// shard, `$4`…`$7` what each adds (one row per round: a statement cannot
/// update a row twice).
const ADD_ROUNDS: &str =
    "INSERT INTO round_stats (set_id, round_id, shard, started, submitted, passed, entries)
     SELECT u.s, u.r, $3, u.st, u.su, u.pa, u.en
     FROM UNNEST($1::TEXT[], $2::TEXT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[], $7::BIGINT[])
          AS u (s, r, st, su, pa, en)
     ON CONFLICT (set_id, round_id, shard) DO UPDATE SET
       started = round_stats.started + EXCLUDED.started,
       submitted = round_stats.submitted + EXCLUDED.submitted,
       passed = round_stats.passed + EXCLUDED.passed,
       entries = round_stats.entries + EXCLUDED.entries";
/// A batch's answers, a row per question of a round: `$4` the shard, `$7`
/// each row's picks by option slot ([`PICK_SLOTS`], as array text), added
/// slot by slot (a row written before the slots has none: `COALESCE`).
const ADD_QUESTIONS: &str =
    "INSERT INTO question_stats (set_id, round_id, question_id, shard, answered, correct, picks)
     SELECT u.s, u.r, u.q, $4, u.a, u.c, CAST(u.p AS BIGINT[])
     FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $5::BIGINT[], $6::BIGINT[], $7::TEXT[])
          AS u (s, r, q, a, c, p)
     ON CONFLICT (set_id, round_id, question_id, shard) DO UPDATE SET
       answered = question_stats.answered + EXCLUDED.answered,
       correct = question_stats.correct + EXCLUDED.correct,
       picks = ARRAY[
         COALESCE(question_stats.picks[1], 0) + EXCLUDED.picks[1],
         COALESCE(question_stats.picks[2], 0) + EXCLUDED.picks[2],
         COALESCE(question_stats.picks[3], 0) + EXCLUDED.picks[3],
         COALESCE(question_stats.picks[4], 0) + EXCLUDED.picks[4],
         COALESCE(question_stats.picks[5], 0) + EXCLUDED.picks[5],
         COALESCE(question_stats.picks[6], 0) + EXCLUDED.picks[6],
         COALESCE(question_stats.picks[7], 0) + EXCLUDED.picks[7],
         COALESCE(question_stats.picks[8], 0) + EXCLUDED.picks[8],
         COALESCE(question_stats.picks[9], 0) + EXCLUDED.picks[9]]";
/// Per question of a set, of one round (`$2`) or all: the picks of each
/// option slot (1-based), those picked at all.
const QUESTION_PICK_SLOTS: &str =
    "SELECT question_id, CAST(i AS INTEGER), CAST(SUM(picks[i]) AS BIGINT)
     FROM question_stats CROSS JOIN generate_series(1, 9) AS i
     WHERE set_id = $1 AND (CAST($2 AS TEXT) IS NULL OR round_id = $2)
     GROUP BY question_id, i HAVING SUM(picks[i]) > 0";
/// The option keys a question's picks are kept under, by slot, in its
/// `question_stats` row (one upsert per question, not one per option:
/// a row upserted costs PostgreSQL ~6 µs, BENCHMARKS.md "Ninth session"):
/// A–H (the bank's letters) and T (true; false is F, whose slot it shares
/// with the letter: a question has letters or T and F, never both). A key
/// outside them, never made by the bank, goes to `question_picks`, a row
/// per option, which is read and added too (as are rows kept before).
const PICK_SLOTS: [char; 9] = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'T'];

/// The slot of option `key`.
fn pick_slot(key: char) -> Option<usize> {
    PICK_SLOTS.iter().position(|&k| k == key)
}

/// A batch's picks, a row per option of a question of a round: `$5` the shard.
const ADD_PICKS: &str =
    "INSERT INTO question_picks (set_id, round_id, question_id, option_key, shard, picks)
     SELECT u.s, u.r, u.q, u.o, $5, u.n
     FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $6::BIGINT[]) AS u (s, r, q, o, n)
     ON CONFLICT (set_id, round_id, question_id, option_key, shard) DO UPDATE SET
       picks = question_picks.picks + EXCLUDED.picks";
/// A batch's timings, a row per second of a question of a round: `$5` the shard.
const ADD_SECS: &str =
    "INSERT INTO question_secs (set_id, round_id, question_id, secs, shard, n)
     SELECT u.s, u.r, u.q, u.t, $5, u.n
     FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::INTEGER[], $6::BIGINT[]) AS u (s, r, q, t, n)
     ON CONFLICT (set_id, round_id, question_id, secs, shard) DO UPDATE SET
       n = question_secs.n + EXCLUDED.n";
/// The funnel's rows, one per (set, round, hour, source): `$1`…`$4` the
/// keys, `$5` the shard, `$6`…`$10` the five stages.
const ADD_FUNNEL: &str = "INSERT INTO funnel_stats
       (set_id, round_id, hour, source, shard, visits, starts, submitted, passed, entries)
     SELECT u.s, u.r, u.h, u.o, $5, u.v, u.st, u.su, u.pa, u.en
     FROM UNNEST($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $6::BIGINT[], $7::BIGINT[],
                 $8::BIGINT[], $9::BIGINT[], $10::BIGINT[])
          AS u (s, r, h, o, v, st, su, pa, en)
     ON CONFLICT (set_id, round_id, hour, source, shard) DO UPDATE SET
       visits = funnel_stats.visits + EXCLUDED.visits,
       starts = funnel_stats.starts + EXCLUDED.starts,
       submitted = funnel_stats.submitted + EXCLUDED.submitted,
       passed = funnel_stats.passed + EXCLUDED.passed,
       entries = funnel_stats.entries + EXCLUDED.entries";

/// The funnel's key: (set, round, hour, source).
type FunnelKey = (String, String, i64, String);

/// What a batch of writes adds to the counters, summed per row, in key
/// order (so two transactions never wait on each other's rows).
#[derive(Default)]
pub(super) struct Adds {
    rounds: BTreeMap<(String, String), [i64; 4]>,
    /// (set, round, question) → answered, correct, picks by [`PICK_SLOTS`].
    questions: BTreeMap<(String, String, String), [i64; 2 + PICK_SLOTS.len()]>,
    /// (set, round, question, option key) → how many chose it.
    picks: BTreeMap<(String, String, String, String), i64>,
    /// (set, round, question, second) → how many spent it.
    secs: BTreeMap<(String, String, String, i32), i64>,
    /// (set, round, UTC hour, source) → the funnel's five stages.
    funnel: BTreeMap<FunnelKey, Stages>,
}

/// Three text columns and the rest of a key.
type Keyed<'a, T> = (Vec<&'a str>, Vec<&'a str>, Vec<&'a str>, Vec<T>);

/// A map's keys as the columns of an `UNNEST`.
fn columns<'a, T: Clone, V>(rows: &'a BTreeMap<(String, String, String, T), V>) -> Keyed<'a, T> {
    let mut cols: Keyed<'a, T> = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (s, r, q, t) in rows.keys() {
        cols.0.push(s);
        cols.1.push(r);
        cols.2.push(q);
        cols.3.push(t.clone());
    }
    cols
}

impl Adds {
    /// Adds `[started, submitted, passed, entries]` to a round.
    pub(super) fn round(&mut self, set_id: &str, round_id: &str, add: [i64; 4]) {
        let row = self
            .rounds
            .entry((set_id.to_owned(), round_id.to_owned()))
            .or_default();
        for (n, a) in row.iter_mut().zip(add) {
            *n += a;
        }
    }

    /// Adds `[visits, starts, submitted, passed, entries]` to the funnel's
    /// row of a round, a UTC hour and a source.
    pub(super) fn funnel(
        &mut self,
        (set_id, round_id): (&str, &str),
        hour: i64,
        source: &str,
        add: Stages,
    ) {
        let row = self
            .funnel
            .entry((
                set_id.to_owned(),
                round_id.to_owned(),
                hour,
                source.to_owned(),
            ))
            .or_default();
        for (n, a) in row.iter_mut().zip(add) {
            *n += a;
        }
    }

    /// Adds what `counts` (starts and visits waiting) hold.
    pub(super) fn counts(&mut self, counts: &Counts) {
        for (set_id, round_id, [started, submitted, passed, entries], _) in counts.each_round() {
            self.round(set_id, round_id, [started, submitted, passed, entries]);
        }
        for (set_id, round_id, hour, source, stages) in counts.each_funnel() {
            self.funnel((set_id, round_id), hour, source, stages);
        }
    }

    /// Counts one answer to a question of a round.
    pub(super) fn answer(&mut self, set_id: &str, round_id: &str, question: &str, correct: bool) {
        let row = self
            .questions
            .entry((set_id.to_owned(), round_id.to_owned(), question.to_owned()))
            .or_insert([0; 2 + PICK_SLOTS.len()]);
        row[0] += 1;
        row[1] += i64::from(correct);
    }

    /// Counts the options one answer chose and the seconds it took, if known.
    pub(super) fn picked(&mut self, set_id: &str, round_id: &str, a: &GivenAnswer) {
        let (s, r, q) = (set_id.to_owned(), round_id.to_owned(), a.question.clone());
        for &k in &a.given {
            match pick_slot(k) {
                Some(i) => {
                    let row = (s.clone(), r.clone(), q.clone());
                    self.questions
                        .entry(row)
                        .or_insert([0; 2 + PICK_SLOTS.len()])[2 + i] += 1;
                }
                None => {
                    let row = (s.clone(), r.clone(), q.clone(), k.to_string());
                    *self.picks.entry(row).or_default() += 1;
                }
            }
        }
        if let Some(secs) = a.secs {
            let t = i32::try_from(crate::quiz::seconds::bucket(secs)).unwrap_or(i32::MAX);
            *self.secs.entry((s, r, q, t)).or_default() += 1;
        }
    }

    /// Writes them, into one shard (the statements pipelined).
    pub(super) async fn write(
        &self,
        c: &impl GenericClient,
    ) -> std::result::Result<(), tokio_postgres::Error> {
        let shard = shard();
        let rounds = async {
            if self.rounds.is_empty() {
                return Ok(0);
            }
            let (sets, ids): (Vec<&str>, Vec<&str>) = self
                .rounds
                .keys()
                .map(|(s, r)| (s.as_str(), r.as_str()))
                .unzip();
            let column = |i: usize| -> Vec<i64> { self.rounds.values().map(|v| v[i]).collect() };
            let (st, su, pa, en) = (column(0), column(1), column(2), column(3));
            c.exec(ADD_ROUNDS, &[&sets, &ids, &shard, &st, &su, &pa, &en])
                .await
        };
        let questions = async {
            if self.questions.is_empty() {
                return Ok(0);
            }
            let mut cols: (Vec<&str>, Vec<&str>, Vec<&str>) = Default::default();
            for (s, r, q) in self.questions.keys() {
                cols.0.push(s);
                cols.1.push(r);
                cols.2.push(q);
            }
            let answered: Vec<i64> = self.questions.values().map(|v| v[0]).collect();
            let correct: Vec<i64> = self.questions.values().map(|v| v[1]).collect();
            let picks: Vec<String> = self
                .questions
                .values()
                .map(|v| {
                    let slots: Vec<String> = v[2..].iter().map(i64::to_string).collect();
                    format!("{{{}}}", slots.join(","))
                })
                .collect();
            c.exec(
                ADD_QUESTIONS,
                &[
                    &cols.0, &cols.1, &cols.2, &shard, &answered, &correct, &picks,
                ],
            )
            .await
        };
        let picks = async {
            if self.picks.is_empty() {
                return Ok(0);
            }
            let (sets, rounds, questions, keys) = columns(&self.picks);
            let n: Vec<i64> = self.picks.values().copied().collect();
            c.exec(ADD_PICKS, &[&sets, &rounds, &questions, &keys, &shard, &n])
                .await
        };
        let secs = async {
            if self.secs.is_empty() {
                return Ok(0);
            }
            let (sets, rounds, questions, secs) = columns(&self.secs);
            let n: Vec<i64> = self.secs.values().copied().collect();
            c.exec(ADD_SECS, &[&sets, &rounds, &questions, &secs, &shard, &n])
                .await
        };
        let funnel = async {
            if self.funnel.is_empty() {
                return Ok(0);
            }
            let mut keys: (Vec<&str>, Vec<&str>, Vec<i64>, Vec<&str>) = Default::default();
            for (s, r, h, o) in self.funnel.keys() {
                keys.0.push(s);
                keys.1.push(r);
                keys.2.push(*h);
                keys.3.push(o);
            }
            let column = |i: usize| -> Vec<i64> { self.funnel.values().map(|v| v[i]).collect() };
            let (v, st, su, pa, en) = (column(0), column(1), column(2), column(3), column(4));
            c.exec(
                ADD_FUNNEL,
                &[
                    &keys.0, &keys.1, &keys.2, &keys.3, &shard, &v, &st, &su, &pa, &en,
                ],
            )
            .await
        };
        tokio::try_join!(rounds, questions, picks, secs, funnel)?;
        Ok(())
    }
}

/// Writes counted session starts and visits, in one transaction.
pub(super) async fn add_starts(engine: &Postgres, starts: &Counts) -> Result<()> {
    let mut adds = Adds::default();
    adds.counts(starts);
    let mut client = engine.client().await?;
    let tx = client.transaction().await?;
    adds.write(&tx).await?;
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
    fn count_start(&self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.starts.add(set_id, round_id, hour, source);
    }

    fn count_visit(&self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.starts.visit(set_id, round_id, hour, source);
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

    fn write_batches(&self) -> Option<crate::store::BatchCounts> {
        Some(self.batcher.counts())
    }

    async fn stats(&self, set_id: &str, round_id: Option<&str>) -> Result<Stats> {
        let client = self.client().await?;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&set_id, &round_id];
        let rounds = round_counts(&client, set_id, round_id).await?;
        // The three go out together (tokio-postgres pipelines them).
        let (counted, picked, slots, timed) = tokio::try_join!(
            client.rows(QUESTION_COUNTS, &params),
            client.rows(QUESTION_PICKS, &params),
            client.rows(QUESTION_PICK_SLOTS, &params),
            client.rows(QUESTION_SECS, &params),
        )?;
        let mut questions: HashMap<String, QuestionCounts> = HashMap::new();
        for r in counted {
            let q = questions.entry(r.col(0)?).or_default();
            q.answered = r.col(1)?;
            q.correct = r.col(2)?;
        }
        for r in picked {
            if let Some(k) = option_key(&r.col::<String>(1)?) {
                let q = questions.entry(r.col(0)?).or_default();
                *q.picks.entry(k).or_default() += r.col::<i64>(2)?;
            }
        }
        for r in slots {
            let slot = usize::try_from(r.col::<i32>(1)? - 1).ok();
            if let Some(&k) = slot.and_then(|i| PICK_SLOTS.get(i)) {
                let q = questions.entry(r.col(0)?).or_default();
                *q.picks.entry(k).or_default() += r.col::<i64>(2)?;
            }
        }
        for r in timed {
            let secs = u32::try_from(r.col::<i64>(1)?).unwrap_or(u32::MAX);
            let q = questions.entry(r.col(0)?).or_default();
            q.secs.insert(secs, r.col(2)?);
        }
        Ok(Stats { rounds, questions })
    }

    async fn funnel(&self, set_id: &str, round_id: Option<&str>) -> Result<Vec<FunnelCount>> {
        let client = self.client().await?;
        client
            .rows(FUNNEL, &[&set_id, &round_id])
            .await?
            .into_iter()
            .map(|r| {
                Ok(FunnelCount {
                    hour: r.col(0)?,
                    source: r.col(1)?,
                    visits: r.col(2)?,
                    starts: r.col(3)?,
                    submitted: r.col(4)?,
                    passed: r.col(5)?,
                    entries: r.col(6)?,
                })
            })
            .collect()
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
