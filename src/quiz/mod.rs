//! A visitor's quiz: which questions are served in which option order, how
//! a submission is scored, and the session's timing rules. Pure functions
//! over a [`Bank`](crate::bank::Bank).

mod scoring;
mod serving;
mod timing;
pub mod token;

pub use scoring::{score, AnswerError, Outcome, QuestionResult};
pub use serving::{serve, Served};
pub use timing::{Timing, GRACE_SECS, UNTIMED_SECS};
pub use token::{KeyClock, NodeLease, SessionId, SessionToken, TokenKey, NODE_STRIDE};
