//! What goes into the store and what comes out, in the service's own words:
//! no engine type appears here, so a second engine can take and give the same.

use std::collections::HashMap;

/// A scored submission to keep under its session's key.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// The session key ([`crate::quiz::token`]).
    pub session: u64,
    /// The set it was played on (for the counters).
    pub set_id: String,
    /// The round it was played in (for the counters).
    pub round_id: String,
    /// RFC 3339.
    pub submitted_at: String,
    /// Points scored.
    pub score: u32,
    /// `floor(100 * score / max_score)`.
    pub percent: u32,
    /// Passed.
    pub passed: bool,
    /// Every question served, in served order.
    pub answers: Vec<GivenAnswer>,
}

/// One served question's answer as submitted.
#[derive(Debug, Clone)]
pub struct GivenAnswer {
    /// Question id.
    pub question: String,
    /// The keys given, sorted.
    pub given: Vec<char>,
    /// Whether they were right (for the counters).
    pub correct: bool,
}

/// A submission's score as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// RFC 3339.
    pub submitted_at: String,
    /// Points scored.
    pub score: u32,
    /// Percent.
    pub percent: u32,
    /// Passed.
    pub passed: bool,
}

/// The answers a submission gave: question id → the keys given (one letter
/// a key), to score it again.
pub type GivenAnswers = HashMap<String, Vec<String>>;

/// A passed session's entry to keep; the store picks its code.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The session key it comes from.
    pub session: u64,
    /// Set id.
    pub set_id: String,
    /// Set version.
    pub set_version: String,
    /// Round id.
    pub round_id: String,
    /// Full name, checked.
    pub name: String,
    /// Normalised phone, checked.
    pub phone: String,
    /// Score of the submission.
    pub score: u32,
    /// Percent of the submission.
    pub percent: u32,
    /// RFC 3339.
    pub created_at: String,
}

/// Why an entry was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryRefused {
    /// This session already has an entry.
    SessionUsed,
    /// This phone already entered this round.
    PhoneUsed,
    /// Every random code tried was taken (vanishingly rare; try again).
    NoFreeCode,
}

/// The entry a session made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOf {
    /// `XXXX-XXXX`.
    pub code: String,
    /// Round id.
    pub round_id: String,
}

/// An entry as kept, with full contact details (staff only).
#[derive(Debug, Clone)]
pub struct Entry {
    /// `XXXX-XXXX`.
    pub code: String,
    /// Set id.
    pub set_id: String,
    /// Set version.
    pub set_version: String,
    /// Round id.
    pub round_id: String,
    /// Full name.
    pub name: String,
    /// Normalised phone.
    pub phone: String,
    /// Score.
    pub score: u32,
    /// Percent.
    pub percent: u32,
    /// RFC 3339.
    pub created_at: String,
}

/// Counters of a set (one round or all).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundCounts {
    /// Sessions started.
    pub started: i64,
    /// Sessions submitted.
    pub submitted: i64,
    /// Sessions passed.
    pub passed: i64,
    /// Entries.
    pub entries: i64,
}

/// A question's counters.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QuestionCounts {
    /// Submitted sessions that were served it.
    pub answered: i64,
    /// Of those, answered right.
    pub correct: i64,
}

/// The staff's numbers for a set.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Sessions and entries.
    pub rounds: RoundCounts,
    /// By question id.
    pub questions: HashMap<String, QuestionCounts>,
}

/// A draw to commit.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    /// Set id.
    pub set_id: String,
    /// Round id.
    pub round_id: String,
    /// Prize, checked.
    pub prize: String,
    /// Winners wanted, checked.
    pub winners: i64,
    /// RFC 3339.
    pub at: String,
}

/// Why a draw was not committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitRefused {
    /// This draw of the round is committed and not yet revealed.
    Pending(i64),
    /// No entry of the round is left to draw from.
    EmptyPool,
}

/// Why a draw was not revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealRefused {
    /// No such draw.
    NotFound,
    /// Its seed is already fixed.
    AlreadyRevealed,
    /// The stored `entries.txt` no longer hashes to the committed digest
    /// (or no longer reads as one): nothing is revealed.
    PoolCorrupt,
}

/// A draw as kept, with its winners' full contact details (mask before
/// anything leaves through a public route).
#[derive(Debug, Clone)]
pub struct Draw {
    /// Draw id.
    pub id: i64,
    /// Set id.
    pub set_id: String,
    /// Round id.
    pub round_id: String,
    /// Prize.
    pub prize: String,
    /// Winners wanted.
    pub winners_wanted: i64,
    /// Hex SHA-256 of entries.txt.
    pub entries_digest: String,
    /// Codes in the pool.
    pub entry_count: i64,
    /// RFC 3339.
    pub committed_at: String,
    /// Set at reveal.
    pub public_seed: Option<String>,
    /// RFC 3339, set at reveal.
    pub revealed_at: Option<String>,
    /// In pick order; empty until revealed.
    pub winners: Vec<Winner>,
}

/// A winning entry.
#[derive(Debug, Clone)]
pub struct Winner {
    /// Entry code.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Full phone.
    pub phone: String,
}
