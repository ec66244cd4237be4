//! What goes into the store and what comes out, in the service's own words:
//! no engine type appears here, so a second engine can take and give the same.

use super::SessionId;
use crate::contact::{EntrantName, EntryCode, Phone, Receipt};
use std::collections::{BTreeMap, HashMap};

/// A scored submission to keep under its session's key.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// The session's identity ([`crate::quiz::token`]).
    pub session: SessionId,
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
    /// The source its token names (SPEC §11; `direct` when none).
    pub source: String,
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
    /// Seconds the page says it was on screen, clamped
    /// ([`crate::quiz::seconds::spent`]); `None` when unknown. Counted,
    /// never kept with the submission nor used for its score.
    pub secs: Option<u32>,
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
    /// The session it comes from.
    pub session: SessionId,
    /// Set id.
    pub set_id: String,
    /// Set version.
    pub set_version: String,
    /// Round id.
    pub round_id: String,
    /// Full name, checked.
    pub name: EntrantName,
    /// Normalised phone, checked.
    pub phone: Phone,
    /// Score of the submission.
    pub score: u32,
    /// Percent of the submission.
    pub percent: u32,
    /// RFC 3339.
    pub created_at: String,
    /// The entrant agreed to the masked name and phone being published.
    pub publish: bool,
    /// The source its session's token names (SPEC §11; `direct` when none).
    pub source: String,
}

/// A kept entry's public code and private receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMade {
    /// `XXXX-XXXX`, public.
    pub code: String,
    /// `XXXX-XXXX-XXXX`, the entrant's alone.
    pub receipt: String,
}

/// The entry a session made, with the name and phone kept for it, to tell
/// a request sent again (a phone that lost the reply) from another entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySent {
    /// Its code and receipt.
    pub made: EntryMade,
    /// Its round.
    pub round_id: String,
    /// The full name; `None` once erased.
    pub name: Option<String>,
    /// The full phone; `None` once erased.
    pub phone: Option<String>,
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

/// The entry a session made, with every draw of its round that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOf {
    /// `XXXX-XXXX`.
    pub code: String,
    /// Round id.
    pub round_id: String,
    /// The private claim code.
    pub receipt: String,
    /// RFC 3339, when the entrant withdrew (name and phone erased).
    pub withdrawn_at: Option<String>,
    /// Draws whose pool holds the code, oldest first.
    pub draws: Vec<EntryDraw>,
}

/// A withdrawal done (SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    /// RFC 3339, when (the first withdrawal's time, if withdrawn before).
    pub at: String,
    /// Committed draws whose pool holds the code (it stays in them, unclaimable).
    pub held_by: Vec<i64>,
}

/// Why a name and phone are no longer kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erased {
    /// The entrant withdrew.
    Withdrawn,
    /// The keeping time ended, or staff purged the round.
    Purged,
}

impl Erased {
    /// As stored and served: `withdrawn`, `purged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Withdrawn => "withdrawn",
            Self::Purged => "purged",
        }
    }

    /// From its stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "withdrawn" => Some(Self::Withdrawn),
            "purged" => Some(Self::Purged),
            _ => None,
        }
    }
}

/// When and why a name and phone were erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// Why.
    pub why: Erased,
    /// RFC 3339.
    pub at: String,
}

/// What a round's keeping time turns on, besides the bank's close and `keep_days`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keeping {
    /// The latest `claim_by` of the round's draws (RFC 3339).
    pub last_claim_by: Option<String>,
    /// The round's last purge: when, how many, and how.
    pub last_purge: Option<Purge>,
}

/// A round that holds entries, and the set versions they were made on,
/// oldest kept first (its keeping time follows them: SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundEntries {
    /// The set.
    pub set_id: String,
    /// The round, as the versions name it.
    pub round_id: String,
    /// The set versions its entries were made on.
    pub versions: Vec<String>,
}

/// A purge done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    /// RFC 3339.
    pub at: String,
    /// Entries whose name and phone it erased.
    pub erased: i64,
    /// `automatic`, `staff` or `staff, forced`.
    pub how: String,
}

/// One draw as an entrant sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraw {
    /// Draw id.
    pub id: i64,
    /// Prize.
    pub prize: String,
    /// Revealed (else committed and pending).
    pub revealed: bool,
    /// Whether the code won; `None` until revealed.
    pub won: Option<bool>,
    /// RFC 3339 claim deadline, if any.
    pub claim_by: Option<String>,
    /// RFC 3339, when the prize was handed out.
    pub claimed_at: Option<String>,
    /// The re-draw of this draw's unclaimed places, if any.
    pub replaced_by: Option<i64>,
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
    /// Full name; `None` once erased.
    pub name: Option<String>,
    /// Normalised phone; `None` once erased.
    pub phone: Option<String>,
    /// When and why the name and phone were erased.
    pub erased: Option<Erasure>,
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

/// The funnel's counts of one UTC hour and one source (SPEC §11), of a set
/// or one of its rounds; [`crate::funnel`] groups them by day, hour or source.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FunnelCount {
    /// The UTC hour: unix seconds / 3600.
    pub hour: i64,
    /// The sessions' source (`direct` when none).
    pub source: String,
    /// Requests for the visitor page.
    pub visits: i64,
    /// Sessions started.
    pub starts: i64,
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
    /// Submissions that chose each option key (a multiple-choice answer
    /// counts each key it chose); keys nobody chose are absent.
    pub picks: BTreeMap<char, i64>,
    /// Timings by whole second ([`crate::quiz::seconds::bucket`]) → how many.
    pub secs: BTreeMap<u32, i64>,
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
    /// RFC 3339 claim deadline, checked to be after `at`.
    pub claim_by: Option<String>,
    /// A re-draw of the places left unclaimed in this draw.
    pub replaces: Option<i64>,
    /// The exact number of digits the reveal's seed must have (1 to 64), checked.
    pub seed_digits: Option<i64>,
}

/// Why a draw was not committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitRefused {
    /// This draw of the round is committed and not yet revealed.
    Pending(i64),
    /// No entry of the round is left to draw from.
    EmptyPool,
    /// The draw to re-draw does not exist.
    ReplacesUnknown,
    /// The draw to re-draw is of another set or round.
    ReplacesOtherRound,
    /// The draw to re-draw is not revealed, or its claim time has not passed.
    ClaimOpen,
    /// More winners than the places left unclaimed (this many).
    TooManyWinners(i64),
}

/// Why a draw was not revealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevealRefused {
    /// No such draw.
    NotFound,
    /// Its seed is already fixed.
    AlreadyRevealed,
    /// Its claim deadline has passed: its winners would forfeit at once.
    ClaimClosed,
    /// The seed is not one this draw takes (not the number of digits it
    /// was committed with).
    InvalidSeed(crate::draw::DigitSeedError),
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
    /// RFC 3339 claim deadline.
    pub claim_by: Option<String>,
    /// The exact number of digits of the reveal's seed, when the commit set it.
    pub seed_digits: Option<i64>,
    /// The draw this one re-draws.
    pub replaces: Option<i64>,
    /// The re-draw of this one's unclaimed places, if any.
    pub replaced_by: Option<i64>,
    /// In pick order; empty until revealed.
    pub winners: Vec<Winner>,
}

/// A winning entry.
#[derive(Debug, Clone)]
pub struct Winner {
    /// Entry code.
    pub code: String,
    /// Full name; `None` once erased.
    pub name: Option<String>,
    /// Full phone; `None` once erased.
    pub phone: Option<String>,
    /// The masked name and phone, when the winner agreed to their
    /// publication (kept through a purge, gone with a withdrawal).
    pub published: Option<(String, String)>,
    /// When and why the name and phone were erased.
    pub erased: Option<Erasure>,
    /// RFC 3339, when the prize was handed out.
    pub claimed_at: Option<String>,
}

/// Who comes to claim a prize.
#[derive(Debug, Clone)]
pub enum ClaimBy {
    /// The entrant's private receipt, parsed (`XXXX-XXXX-XXXX`).
    Receipt(Receipt),
    /// The public code and the phone given, parsed.
    CodeAndPhone(EntryCode, Phone),
}

/// A prize handed out.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Draw id.
    pub draw: i64,
    /// Prize.
    pub prize: String,
    /// Entry code.
    pub code: String,
    /// Full name, for staff to compare with the person; `None` once purged.
    pub name: Option<String>,
    /// Full phone; `None` once purged.
    pub phone: Option<String>,
    /// When and why the name and phone were erased (a purge: the receipt
    /// still proves the win).
    pub erased: Option<Erasure>,
    /// RFC 3339; `None` for a check that hands out nothing.
    pub claimed_at: Option<String>,
}

/// Whether a claim hands the prize out or only looks it up for the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimMode {
    /// Look up the win and who it belongs to; change nothing.
    Check,
    /// Mark it handed out.
    HandOut,
}

/// Why a claim was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimRefused {
    /// The receipt or code won no revealed draw, or the phone does not match.
    NotAWinner,
    /// Handed out already, at this time.
    AlreadyClaimed(String),
    /// The draw's claim deadline has passed.
    Closed,
    /// The winner withdrew their entry (SPEC §8): the prize is not handed out.
    Withdrawn,
    /// A code with a phone, for a winner whose round was purged: nothing
    /// is left to check the phone against; only the receipt can claim.
    PhoneErased,
}

/// What staff did, as the audit log records it (SPEC §7); its names are
/// also the console's `audit_act_*` keys, so the enum lives with them.
pub use crate::ui_keys::AuditAction;

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// 1, 2, 3…
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    /// One of [`AuditAction`]'s names.
    pub action: String,
    /// Ids, counts and masked contacts only.
    pub detail: String,
    /// `SHA-256(PREV\nSEQ\nAT\nACTION\nDETAIL)`, lowercase hex.
    pub hash: String,
}

impl crate::audit::Row for AuditEntry {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn at(&self) -> &str {
        &self.at
    }
    fn action(&self) -> &str {
        &self.action
    }
    fn detail(&self) -> &str {
        &self.detail
    }
    fn hash(&self) -> &str {
        &self.hash
    }
}

/// A set uploaded or removed through the console, as every node of a
/// shared database serves it (SPEC §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSet {
    /// Set id.
    pub set_id: String,
    /// The version uploaded last (kept in the set versions).
    pub version: String,
    /// Removed: no node lists or serves it.
    pub removed: bool,
}

/// Upper bounds of the batch-size buckets of [`BatchCounts::sizes`].
pub const SIZE_BUCKETS: [u64; 7] = [1, 2, 4, 8, 16, 32, 64];

/// A node's write batches so far, on an engine that gathers requests'
/// writes in batches of its own (PostgreSQL's `batch.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchCounts {
    /// Transactions written (a batch written again write by write counts
    /// once, and each write again).
    pub batches: u64,
    /// Submissions and entries they held.
    pub writes: u64,
    /// The most writes one held.
    pub largest: u64,
    /// Batches answered with an error.
    pub failed: u64,
    /// Batches that failed and were written again write by write.
    pub split: u64,
    /// Batches of at most [`SIZE_BUCKETS`]`[i]` writes (cumulative).
    pub sizes: [u64; SIZE_BUCKETS.len()],
    /// Time from taking a connection to the commit's answer, summed.
    pub seconds: f64,
}
