//! `round_stats`, `question_stats`, `question_picks`, `question_secs` and
//! `funnel_stats`: the staff's counters, added up in [`Counts`] and written
//! by the writer with each batch ([`write_counts`]), read here.

use super::{Result, Sqlite};
use crate::store::contract::Counters;
use crate::store::rules::option_key;
use crate::store::sql::stats::{
    FUNNEL, QUESTION_COUNTS, QUESTION_PICKS, QUESTION_SECS, ROUND_COUNTS,
};
use crate::store::tally::Counts;
use crate::store::{FunnelCount, QuestionCounts, RoundCounts, Stats};
use rusqlite::{named_params, params, Connection};
use std::collections::HashMap;

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
const ADD_PICKS: &str =
    "INSERT INTO question_picks (set_id, round_id, question_id, option_key, picks)
     VALUES (:set_id, :round_id, :question_id, :option_key, :picks)
     ON CONFLICT (set_id, round_id, question_id, option_key)
     DO UPDATE SET picks = picks + excluded.picks";
const ADD_SECS: &str = "INSERT INTO question_secs (set_id, round_id, question_id, secs, n)
     VALUES (:set_id, :round_id, :question_id, :secs, :n)
     ON CONFLICT (set_id, round_id, question_id, secs) DO UPDATE SET n = n + excluded.n";

const ADD_FUNNEL_COUNTS: &str =
    "INSERT INTO funnel_stats (set_id, round_id, hour, source, visits, starts, submitted, passed, entries)
     VALUES (:set_id, :round_id, :hour, :source, :visits, :starts, :submitted, :passed, :entries)
     ON CONFLICT (set_id, round_id, hour, source) DO UPDATE SET visits = visits + excluded.visits,
       starts = starts + excluded.starts, submitted = submitted + excluded.submitted,
       passed = passed + excluded.passed, entries = entries + excluded.entries";

/// Adds `counts` to the stored counters: one upsert per round, per
/// question, per option and second chosen, and per hour and source of the
/// funnel.
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
    for (set_id, round_id, questions) in counts.each_pick() {
        for (id, p) in questions {
            for (key, n) in &p.options {
                conn.prepare_cached(ADD_PICKS)?.execute(named_params! {
                    ":set_id": set_id, ":round_id": round_id, ":question_id": id,
                    ":option_key": key.to_string(), ":picks": n,
                })?;
            }
            for (secs, n) in &p.secs {
                conn.prepare_cached(ADD_SECS)?.execute(named_params! {
                    ":set_id": set_id, ":round_id": round_id, ":question_id": id,
                    ":secs": secs, ":n": n,
                })?;
            }
        }
    }
    for (set_id, round_id, hour, source, [visits, starts, submitted, passed, entries]) in
        counts.each_funnel()
    {
        conn.prepare_cached(ADD_FUNNEL_COUNTS)?
            .execute(named_params! {
                ":set_id": set_id, ":round_id": round_id, ":hour": hour, ":source": source,
                ":visits": visits, ":starts": starts, ":submitted": submitted,
                ":passed": passed, ":entries": entries,
            })?;
    }
    Ok(())
}

/// The funnel of a set, optionally of one round, per hour and source.
pub(super) fn funnel(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<Vec<FunnelCount>> {
    let mut st = conn.prepare_cached(FUNNEL)?;
    let rows = st.query_map(params![set_id, round_id], |r| {
        Ok(FunnelCount {
            hour: r.get(0)?,
            source: r.get(1)?,
            visits: r.get(2)?,
            starts: r.get(3)?,
            submitted: r.get(4)?,
            passed: r.get(5)?,
            entries: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// Per question id: answered and correct, the options chosen and the seconds spent.
pub(super) fn question_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<HashMap<String, QuestionCounts>> {
    let mut out: HashMap<String, QuestionCounts> = HashMap::new();
    let mut st = conn.prepare_cached(QUESTION_COUNTS)?;
    let mut rows = st.query(params![set_id, round_id])?;
    while let Some(r) = rows.next()? {
        let q = out.entry(r.get(0)?).or_default();
        q.answered = r.get(1)?;
        q.correct = r.get(2)?;
    }
    let mut st = conn.prepare_cached(QUESTION_PICKS)?;
    let mut rows = st.query(params![set_id, round_id])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(1)?;
        if let Some(k) = option_key(&key) {
            out.entry(r.get(0)?).or_default().picks.insert(k, r.get(2)?);
        }
    }
    let mut st = conn.prepare_cached(QUESTION_SECS)?;
    let mut rows = st.query(params![set_id, round_id])?;
    while let Some(r) = rows.next()? {
        let secs = u32::try_from(r.get::<_, i64>(1)?).unwrap_or(u32::MAX);
        out.entry(r.get(0)?)
            .or_default()
            .secs
            .insert(secs, r.get(2)?);
    }
    Ok(out)
}

impl Counters for Sqlite {
    fn count_start(&self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.starts.add(set_id, round_id, hour, source);
    }

    fn count_visit(&self, set_id: &str, round_id: &str, hour: i64, source: &str) {
        self.starts.visit(set_id, round_id, hour, source);
    }

    async fn flush_counts(&self) -> Result<()> {
        self.write(|_| Ok(())).await
    }

    async fn stats(&self, set_id: &str, round_id: Option<&str>) -> Result<Stats> {
        let (set_id, round_id) = (set_id.to_owned(), round_id.map(str::to_owned));
        self.read(move |c| {
            Ok(Stats {
                rounds: round_counts(c, &set_id, round_id.as_deref())?,
                questions: question_counts(c, &set_id, round_id.as_deref())?,
            })
        })
        .await
    }

    async fn funnel(&self, set_id: &str, round_id: Option<&str>) -> Result<Vec<FunnelCount>> {
        let (set_id, round_id) = (set_id.to_owned(), round_id.map(str::to_owned));
        self.read(move |c| funnel(c, &set_id, round_id.as_deref()))
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
            let answers = [("q1", true), ("q2", i < 3)];
            job.submitted("set", "r1", 7, "direct", i % 2 == 0, answers);
            batch.merge(job);
        }
        batch.entered("set", "r1", 8, "wuhua");
        batch.started("set", "r2", 7, "direct");
        let picked = crate::store::GivenAnswer {
            question: "q1".into(),
            given: vec!['A', 'C'],
            correct: true,
            secs: Some(12),
        };
        batch.picked("set", "r1", &[picked]);
        let starts = Starts::default();
        starts.add("set", "r1", 7, "direct");
        starts.add("set", "r1", 7, "direct");
        starts.visit("set", "r1", 7, "wuhua");
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
        let read = question_counts(&conn, "set", None).unwrap();
        assert_eq!(read["q1"].picks, [('A', 2), ('C', 2)].into());
        assert_eq!(read["q1"].secs, [(12, 2)].into());
        assert!(read["q2"].picks.is_empty());
        let mut q: Vec<(String, i64, i64)> = read
            .into_iter()
            .map(|(id, n)| (id, n.answered, n.correct))
            .collect();
        q.sort();
        assert_eq!(q, vec![("q1".into(), 20, 20), ("q2".into(), 20, 6)]);
        let row = |hour, source: &str, [visits, starts, submitted, passed, entries]: [i64; 5]| {
            FunnelCount {
                hour,
                source: source.into(),
                visits,
                starts,
                submitted,
                passed,
                entries,
            }
        };
        assert_eq!(
            funnel(&conn, "set", Some("r1")).unwrap(),
            vec![
                row(7, "direct", [0, 4, 20, 10, 0]),
                row(7, "wuhua", [2, 0, 0, 0, 0]),
                row(8, "wuhua", [0, 0, 0, 0, 2]),
            ]
        );
        let all = funnel(&conn, "set", None).unwrap();
        assert_eq!(all[0], row(7, "direct", [0, 6, 20, 10, 0]), "both rounds");
    }
}
