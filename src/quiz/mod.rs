//! A visitor's quiz: which questions are served in which option order, and
//! how a submission is scored. Pure functions over a [`Bank`](crate::bank::Bank).

mod scoring;
mod serving;
pub mod token;

pub use scoring::{score, AnswerError, Outcome, QuestionResult};
pub use serving::{serve, Served};
pub use token::{KeyClock, NodeLease, SessionId, SessionToken, TokenKey, NODE_STRIDE};
