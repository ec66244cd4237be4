//! `submissions`: one row per submitted session, under the session's
//! identity (its key and nonce: [`crate::quiz::token`]), written with the
//! counters it adds in one transaction.

use super::{shard, unique_violation, Postgres, Result};
use super::{Cached, Col};
use crate::store::contract::Submissions;
use crate::store::rules::{decode_given, encode_given, key_param, nonce_param};
use crate::store::sql::submissions::{
    GET_SUBMISSION, GET_SUBMISSION_WITH_GIVEN, INSERT_SUBMISSION, MAX_SUBMISSION,
};
use crate::store::{AlreadySubmitted, GivenAnswers, NewSubmission, SessionId, Submission};

/// A `GET_SUBMISSION` row (the first four columns).
fn submission_row(r: &tokio_postgres::Row) -> Result<Submission> {
    Ok(Submission {
        submitted_at: r.col(0)?,
        score: u32::try_from(r.col::<i64>(1)?).unwrap_or(0),
        percent: u32::try_from(r.col::<i64>(2)?).unwrap_or(0),
        passed: r.col(3)?,
    })
}

impl Submissions for Postgres {
    async fn highest_session_key(&self) -> Result<u64> {
        let row = self.client().await?.row(MAX_SUBMISSION, &[]).await?;
        Ok(u64::try_from(row.col::<i64>(0)?).unwrap_or(0))
    }

    async fn record_submission(
        &self,
        s: NewSubmission,
    ) -> Result<std::result::Result<(), AlreadySubmitted>> {
        let given = encode_given(&s);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let inserted = tx
            .exec(
                INSERT_SUBMISSION,
                &[
                    &key_param(s.session.key),
                    &nonce_param(s.session.nonce),
                    &s.submitted_at,
                    &i64::from(s.score),
                    &i64::from(s.percent),
                    &s.passed,
                    &given,
                    &s.source,
                ],
            )
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if unique_violation(&e).is_some() => return Ok(Err(AlreadySubmitted)),
            Err(e) => return Err(e.into()),
        }
        let shard = shard();
        super::stats::add_round(
            &tx,
            &s.set_id,
            &s.round_id,
            shard,
            [0, 1, i64::from(s.passed), 0],
        )
        .await?;
        // In question order, so two transactions never wait on each other's rows.
        let mut answers: Vec<(&str, bool)> = s
            .answers
            .iter()
            .map(|a| (a.question.as_str(), a.correct))
            .collect();
        answers.sort_unstable();
        // One statement cannot update a row twice: a question served twice
        // (never, today) counts once.
        answers.dedup_by(|a, b| a.0 == b.0);
        super::stats::add_questions(&tx, &s.set_id, &s.round_id, shard, &answers).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn submission(&self, session: SessionId) -> Result<Option<Submission>> {
        // The score alone: the answers are not read nor decoded (an entry
        // reads this; 6cd796f did the same on SQLite).
        self.client()
            .await?
            .row_opt(
                GET_SUBMISSION,
                &[&key_param(session.key), &nonce_param(session.nonce)],
            )
            .await?
            .map(|r| submission_row(&r))
            .transpose()
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
