//! `submissions`: one row per submitted session, under the session's
//! identity: its key and its nonce (0 for a token sealed before the nonce;
//! [`crate::quiz::token`]).
//! The answers given are kept as a JSON object of question id → the letters
//! given (`{"q1":"AC"}`, [`crate::store::rules::encode_given`]).

use super::{is_duplicate, Result, Sqlite};
use crate::store::contract::Submissions;
use crate::store::rules::{decode_given, encode_given, key_param, nonce_param};
use crate::store::sql::submissions::{
    GET_SUBMISSION, GET_SUBMISSION_WITH_GIVEN, INSERT_SUBMISSION, MAX_SUBMISSION,
};
use crate::store::tally::hour_of;
use crate::store::{AlreadySubmitted, GivenAnswers, NewSubmission, SessionId, Submission};
use rusqlite::{params, OptionalExtension};

/// A `GET_SUBMISSION` row (the first four columns).
fn submission_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Submission> {
    Ok(Submission {
        submitted_at: r.get(0)?,
        score: r.get(1)?,
        percent: r.get(2)?,
        passed: r.get(3)?,
    })
}

impl Submissions for Sqlite {
    async fn highest_session_key(&self) -> Result<u64> {
        let max: i64 = self.lookup(|c| {
            Ok(c.prepare_cached(MAX_SUBMISSION)?
                .query_row([], |r| r.get(0))?)
        })?;
        Ok(u64::try_from(max).unwrap_or(0))
    }

    async fn record_submission(
        &self,
        s: NewSubmission,
    ) -> Result<std::result::Result<(), AlreadySubmitted>> {
        let given = encode_given(&s);
        // One statement: SQLite undoes it by itself if it fails, so no savepoint.
        self.write_counted(move |c, counts| {
            let inserted = c.prepare_cached(INSERT_SUBMISSION)?.execute(params![
                key_param(s.session.key),
                nonce_param(s.session.nonce),
                s.submitted_at,
                s.score,
                s.percent,
                s.passed,
                given,
                s.source,
            ]);
            match inserted {
                Ok(_) => {
                    let each = s.answers.iter().map(|a| (a.question.as_str(), a.correct));
                    let hour = hour_of(&s.submitted_at);
                    counts.submitted(&s.set_id, &s.round_id, hour, &s.source, s.passed, each);
                    counts.picked(&s.set_id, &s.round_id, &s.answers);
                    Ok(Ok(()))
                }
                Err(e) if is_duplicate(&e) => Ok(Err(AlreadySubmitted)),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    async fn submission(&self, session: SessionId) -> Result<Option<Submission>> {
        self.lookup(|c| {
            let mut st = c.prepare_cached(GET_SUBMISSION)?;
            let id = params![key_param(session.key), nonce_param(session.nonce)];
            Ok(st.query_row(id, submission_row).optional()?)
        })
    }

    async fn submission_with_answers(
        &self,
        session: SessionId,
    ) -> Result<Option<(Submission, GivenAnswers)>> {
        let row = self.lookup(|c| {
            let mut st = c.prepare_cached(GET_SUBMISSION_WITH_GIVEN)?;
            let id = params![key_param(session.key), nonce_param(session.nonce)];
            Ok(st
                .query_row(id, |r| Ok((submission_row(r)?, r.get::<_, String>(4)?)))
                .optional()?)
        })?;
        row.map(|(s, given)| Ok((s, decode_given(&given)?)))
            .transpose()
    }
}
