//! A visitor's quiz: which questions are served in which option order, how
//! a submission is scored, the session's timing rules, the seconds the page
//! says each question took, and what an entrant sends, parsed. Pure functions
//! over a [`Bank`](crate::bank::Bank).

mod answers;
mod entering;
mod scoring;
pub mod seconds;
mod serving;
mod timing;
pub mod token;

pub use answers::{AnswerError, Answers};
pub use entering::{sent_contact, Entrant, InvalidEntry, CONSENT_MISSING};
pub use scoring::{score, Outcome, QuestionResult};
pub use serving::{serve, Served};
pub use timing::{Timing, TooLate, GRACE_SECS, UNTIMED_SECS};
pub use token::{KeyClock, NodeLease, SessionId, SessionToken, TokenKey, NODE_STRIDE};
