//! `submissions`: one row per submitted session, under the session's
//! identity (its key and nonce: [`crate::quiz::token`]), written with the
//! counters it adds in one transaction: a batch's ([`super::batch`]), many
//! submissions in one statement.

use super::batch::Submitted;
use super::{Cached, Col};
use super::{Postgres, Result};
use crate::store::contract::Submissions;
use crate::store::rules::{decode_given, encode_given, key_param, nonce_param};
use crate::store::sql::submissions::{GET_SUBMISSION_WITH_GIVEN, MAX_SUBMISSION};
use crate::store::{AlreadySubmitted, GivenAnswers, NewSubmission, SessionId, Submission};
use std::collections::HashSet;

/// A batch's submissions: those the primary key refused (kept before) are
/// not returned.
pub(super) const INSERT_SUBMISSIONS: &str =
    "INSERT INTO submissions (id, nonce, submitted_at, score, percent, passed, given, source)
     SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::BIGINT[], $5::BIGINT[],
                          $6::BOOLEAN[], $7::TEXT[], $8::TEXT[])
     ON CONFLICT DO NOTHING
     RETURNING id, nonce";

/// A `GET_SUBMISSION` row (the first four columns).
pub(super) fn submission_row(r: &tokio_postgres::Row) -> Result<Submission> {
    Ok(Submission {
        submitted_at: r.col(0)?,
        score: u32::try_from(r.col::<i64>(1)?).unwrap_or(0),
        percent: u32::try_from(r.col::<i64>(2)?).unwrap_or(0),
        passed: r.col(3)?,
    })
}

/// Keeps a batch's submissions (each session once: [`super::batch`]) in
/// the transaction `tx`, in key order (two transactions never wait on each
/// other's rows); what each got, in the order given.
pub(super) async fn insert_batch(
    tx: &impl Cached,
    batch: &[&NewSubmission],
) -> std::result::Result<Vec<Submitted>, tokio_postgres::Error> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let mut order: Vec<&NewSubmission> = batch.to_vec();
    order.sort_unstable_by_key(|s| (s.session.key, s.session.nonce));
    let ids: Vec<i64> = order.iter().map(|s| key_param(s.session.key)).collect();
    let nonces: Vec<i64> = order.iter().map(|s| nonce_param(s.session.nonce)).collect();
    let at: Vec<&str> = order.iter().map(|s| s.submitted_at.as_str()).collect();
    let score: Vec<i64> = order.iter().map(|s| i64::from(s.score)).collect();
    let percent: Vec<i64> = order.iter().map(|s| i64::from(s.percent)).collect();
    let passed: Vec<bool> = order.iter().map(|s| s.passed).collect();
    let given: Vec<String> = order.iter().map(|s| encode_given(s)).collect();
    let source: Vec<&str> = order.iter().map(|s| s.source.as_str()).collect();
    let stored: HashSet<(i64, i64)> = tx
        .rows(
            INSERT_SUBMISSIONS,
            &[
                &ids, &nonces, &at, &score, &percent, &passed, &given, &source,
            ],
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<std::result::Result<_, tokio_postgres::Error>>()?;
    Ok(batch
        .iter()
        .map(|s| {
            let id = (key_param(s.session.key), nonce_param(s.session.nonce));
            if stored.contains(&id) {
                Ok(())
            } else {
                Err(AlreadySubmitted)
            }
        })
        .collect())
}

/// What a stored submission adds to the counters: a submission to its
/// round, and an answer to each question served (a question served twice,
/// never today, counts once) with the options it chose and its seconds.
pub(super) fn count(s: &NewSubmission, adds: &mut super::stats::Adds) {
    adds.round(&s.set_id, &s.round_id, [0, 1, i64::from(s.passed), 0]);
    let hour = crate::store::tally::hour_of(&s.submitted_at);
    let stages = [0, 0, 1, i64::from(s.passed), 0];
    adds.funnel((&s.set_id, &s.round_id), hour, &s.source, stages);
    let mut answers: Vec<&crate::store::GivenAnswer> = s.answers.iter().collect();
    answers.sort_by(|a, b| a.question.cmp(&b.question));
    answers.dedup_by(|a, b| a.question == b.question);
    for a in answers {
        adds.answer(&s.set_id, &s.round_id, &a.question, a.correct);
        adds.picked(&s.set_id, &s.round_id, a);
    }
}

impl Submissions for Postgres {
    async fn highest_session_key(&self) -> Result<u64> {
        let row = self.client().await?.row(MAX_SUBMISSION, &[]).await?;
        Ok(u64::try_from(row.col::<i64>(0)?).unwrap_or(0))
    }

    async fn record_submission(&self, s: NewSubmission) -> Result<Submitted> {
        self.batcher.submission(s).await
    }

    async fn submission(&self, session: SessionId) -> Result<Option<Submission>> {
        // The score alone: the answers are not read nor decoded (an entry
        // reads this; 6cd796f did the same on SQLite), gathered with the
        // other entries' reads (`reads.rs`).
        self.reads.submission(session).await
    }

    async fn submission_with_answers(
        &self,
        session: SessionId,
    ) -> Result<Option<(Submission, GivenAnswers)>> {
        let row = self
            .client()
            .await?
            .row_opt(
                GET_SUBMISSION_WITH_GIVEN,
                &[&key_param(session.key), &nonce_param(session.nonce)],
            )
            .await?;
        row.map(|r| Ok((submission_row(&r)?, decode_given(&r.col::<String>(4)?)?)))
            .transpose()
    }
}
