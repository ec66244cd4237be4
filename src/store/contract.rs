//! The engine contract: every operation the store offers, stated once with
//! what it promises, for [`super::sqlite`] and [`super::postgres`] to keep.
//!
//! [`Engine`] is the one contract; it is made of a trait per aggregate
//! ([`Meta`], [`SharedSets`], [`Nodes`], [`Submissions`], [`Counters`],
//! [`Entries`], [`Erasing`], [`Draws`], [`Audit`], [`Sources`]) so that each engine keeps
//! its SQL with its aggregate, one file each, as before. What only several
//! nodes need (shared sets, node leases) has default no-ops, which the
//! SQLite engine keeps. The [`super::Store`] facade is written by the same
//! [`contract!`] list: each of its operations runs the same call on the
//! engine the store has (static dispatch through the enum), so no signature
//! is written by hand a third time.
//!
//! Every operation that writes resolves only after its transaction is
//! committed to disk.

use super::{
    AlreadySubmitted, AuditAction, AuditEntry, ClaimBy, ClaimMode, ClaimRefused, Claimed,
    CommitRefused, Draw, DrawRequest, Entry, EntryMade, EntryOf, EntryRefused, EntrySent,
    FunnelCount, GivenAnswers, Keeping, NewEntry, NewSubmission, Result, RevealRefused,
    RoundCounts, RoundEntries, Secret, SessionId, SharedSet, Stats, Store, Submission, Withdrawn,
};
use crate::contact::EntryCode;
use crate::sources::Source;

/// Writes the contract's traits and the facade's operations from one list:
/// each trait with its operations (`async fn`, or `sync fn` for one that
/// only touches memory) and their docs, `= { … }` for the default where one
/// engine has nothing to do, and `=> draws_changed` where the facade counts
/// a change to what the public sees of a draw after the call (`=> started`,
/// `submitted`, `entered`: what the metrics count), given the outcome.
macro_rules! contract {
    ($(
        $(#[$tdoc:meta])*
        trait $trait:ident {
            $(
                $(#[$doc:meta])*
                $mode:ident fn $name:ident $([$($gen:tt)*])? (&self $(, $arg:ident : $ty:ty)*)
                    $(-> $ret:ty)? $(= $default:block)? $(=> $after:ident)?;
            )*
        }
    )*) => {
        $(
            $(#[$tdoc])*
            pub(crate) trait $trait {
                $(
                    trait_fn! {
                        $(#[$doc])*
                        $mode [$name $(<$($gen)*>)? (&self $(, $arg: $ty)*) $(-> $ret)?]
                        $($default)?
                    }
                )*
            }

            impl Store {
                $(
                    facade_fn! {
                        $(#[$doc])*
                        $mode [$name $(<$($gen)*>)? (&self $(, $arg: $ty)*) $(-> $ret)?]
                        {
                            let out = match &self.engine {
                                super::Engines::Sqlite(e) => call!($mode $trait::$name(e $(, $arg)*)),
                                #[cfg(feature = "postgres")]
                                super::Engines::Postgres(e) => noticed!($mode e, $trait::$name(e $(, $arg)*)),
                            };
                            $(self.$after(&out);)?
                            out
                        }
                    }
                )*
            }
        )*
    };
}

/// One operation of a trait: required (no body) or with its default body.
macro_rules! trait_fn {
    ($(#[$doc:meta])* async [$($sig:tt)*]) => { $(#[$doc])* async fn $($sig)*; };
    ($(#[$doc:meta])* async [$($sig:tt)*] $body:block) => {
        $(#[$doc])*
        #[allow(unused_variables)]
        async fn $($sig)* $body
    };
    ($(#[$doc:meta])* sync [$($sig:tt)*]) => { $(#[$doc])* fn $($sig)*; };
    ($(#[$doc:meta])* sync [$($sig:tt)*] $body:block) => {
        $(#[$doc])*
        #[allow(unused_variables)]
        fn $($sig)* $body
    };
}

/// One operation of the facade.
macro_rules! facade_fn {
    ($(#[$doc:meta])* async [$($sig:tt)*] $body:block) => { $(#[$doc])* pub async fn $($sig)* $body };
    ($(#[$doc:meta])* sync [$($sig:tt)*] $body:block) => { $(#[$doc])* pub fn $($sig)* $body };
}

/// A call to an engine, awaited when the operation is async.
macro_rules! call {
    (async $e:expr) => {
        $e.await
    };
    (sync $e:expr) => {
        $e
    };
}

/// A call to the PostgreSQL engine, whose outcome its pool's health sees
/// (a lost connection closes the others to the same server: failover,
/// `postgres/health.rs`).
#[cfg(feature = "postgres")]
macro_rules! noticed {
    (async $engine:ident, $e:expr) => {{
        let since = $engine.generation();
        $engine.noticed(since, $e.await)
    }};
    (sync $engine:ident, $e:expr) => {
        $e
    };
}

/// The whole contract: an engine keeps every part of it.
pub(crate) trait Engine:
    Meta + SharedSets + Nodes + Submissions + Counters + Entries + Erasing + Draws + Audit + Sources
{
}

impl<E> Engine for E where
    E: Meta
        + SharedSets
        + Nodes
        + Submissions
        + Counters
        + Entries
        + Erasing
        + Draws
        + Audit
        + Sources
{
}

contract! {
    /// Secrets, settings and the question sets' kept versions.
    trait Meta {
        /// The stored secret, or `make()`'s value stored now if there is none.
        async fn meta_or_insert(&self, key: Secret, make: impl FnOnce() -> String + Send + 'static)
            -> Result<String>;

        /// The set last made active, if any.
        async fn active_set(&self) -> Result<Option<String>>;

        /// Remembers the set made active, for the next start.
        async fn remember_active_set(&self, id: &str) -> Result<()>;

        /// Records (or, `None`, clears) the draft of a live set: a version
        /// uploaded to wait for 发布 while visitors keep the live one.
        async fn set_draft(&self, set_id: &str, version: Option<&str>) -> Result<()>;

        /// The drafts waiting for 发布, as (set id, version).
        async fn set_drafts(&self) -> Result<Vec<(String, String)>>;

        /// Keeps a set version's text, so sessions on it can be scored after a
        /// replace or a restart. Keeping a version twice changes nothing.
        async fn keep_set_version(&self, version: &str, set_id: &str, source: &str, at: &str)
            -> Result<()>;

        /// A kept set version's text, by its version or the start of it.
        async fn set_version_source(&self, version: &str) -> Result<Option<String>>;

        /// The version of a set kept last, so a set no longer in the banks
        /// folder can still be read (its rounds' keeping times).
        async fn latest_set_version(&self, set_id: &str) -> Result<Option<String>>;
    }

    /// Sets shared by the nodes (SPEC §10): nothing to do on one node,
    /// where the banks folder is the record.
    trait SharedSets {
        /// Records that every node serves `version` of the set (or, `removed`,
        /// none of it).
        async fn share_set(&self, set_id: &str, version: &str, removed: bool, at: &str)
            -> Result<()> = { Ok(()) };

        /// A number that rises with every shared-set change and activation.
        async fn sets_generation(&self) -> Result<i64> = { Ok(0) };

        /// The sets uploaded or removed through the console, by id.
        async fn shared_sets(&self) -> Result<Vec<SharedSet>> = { Ok(Vec::new()) };
    }

    /// A node's place among several sharing one store.
    trait Nodes {
        /// Whether several nodes may share this store (PostgreSQL): sets and
        /// activation then live in it, and session keys carry [`Store::node`].
        sync fn is_shared(&self) -> bool = { false };

        /// This node's lease on a shared store: its number changes if the lease
        /// is lost, and session keys follow it; no session starts while it is
        /// not confirmed.
        sync fn node_number(&self) -> Option<std::sync::Arc<crate::store::NodeLease>> = { None };

        /// Gives back what this node holds in a shared store (its number), as
        /// it stops.
        async fn leave(&self) -> Result<()> = { Ok(()) };
    }

    /// Sessions' submissions.
    trait Submissions {
        /// The highest session key with a submission (0 when none), so a clock
        /// set back between runs cannot hand out a key again.
        async fn highest_session_key(&self) -> Result<u64>;

        /// Keeps a session's submission, once, with its counts.
        async fn record_submission(&self, s: NewSubmission)
            -> Result<std::result::Result<(), AlreadySubmitted>> => submitted;

        /// A session's submitted score (a point read; the answers are not
        /// read).
        async fn submission(&self, session: SessionId) -> Result<Option<Submission>>;

        /// A session's submission with the answers it gave, to score them
        /// again (a point read).
        async fn submission_with_answers(&self, session: SessionId)
            -> Result<Option<(Submission, GivenAnswers)>>;
    }

    /// The staff's numbers.
    trait Counters {
        /// Counts a session start at `hour` (UTC, unix seconds / 3600) from
        /// `source` (written with the next commit).
        sync fn count_start(&self, set_id: &str, round_id: &str, hour: i64, source: &str) => started;

        /// Counts a request for the visitor page at `hour` from `source`,
        /// for the round it serves (written with the next commit, as starts).
        sync fn count_visit(&self, set_id: &str, round_id: &str, hour: i64, source: &str);

        /// Resolves once every start counted before the call is committed.
        async fn flush_counts(&self) -> Result<()>;

        /// Sessions, entries and per-question counts of a set, or of one round.
        async fn stats(&self, set_id: &str, round_id: Option<&str>) -> Result<Stats>;

        /// The funnel of a set, or of one round, per UTC hour and source,
        /// oldest hour first (SPEC §11).
        async fn funnel(&self, set_id: &str, round_id: Option<&str>) -> Result<Vec<FunnelCount>>;

        /// Session and entry counts of each of these rounds of a set, in order.
        async fn round_counts(&self, set_id: &str, rounds: Vec<String>)
            -> Result<Vec<RoundCounts>>;

        /// The write batches of this node so far, on an engine that gathers
        /// submissions and entries in its own batches (PostgreSQL; SQLite's
        /// writer counts none).
        sync fn write_batches(&self) -> Option<super::BatchCounts> = { None };
    }

    /// Entries to the draws.
    trait Entries {
        /// Keeps a passed session's entry under a fresh random code and private
        /// receipt, unless the session or the phone (in that round) has entered
        /// already.
        async fn record_entry(&self, e: NewEntry)
            -> Result<std::result::Result<EntryMade, EntryRefused>> => entered;

        /// The entry a session made, with the draws that hold it.
        async fn entry_of(&self, session: SessionId) -> Result<Option<EntryOf>>;

        /// The entry a session made with its name and phone as kept (a point
        /// read, asked only when an entry of the session was refused or could
        /// not be taken: a retry gets its first answer again, SPEC §3).
        async fn entry_sent(&self, session: SessionId) -> Result<Option<EntrySent>>;

        /// The newest `limit` entries whose code, phone or name contains
        /// `needle`, or whose phone's hash under its round's key is the
        /// needle's (all when `None`), and how many match.
        async fn search_entries(&self, needle: Option<String>, limit: i64)
            -> Result<(i64, Vec<Entry>)>;

        /// Every entry, oldest first, folded into `acc` one by one (an export
        /// of a million entries holds one row at a time, not a million).
        async fn export_entries[A: Send + 'static](&self, acc: A,
            each: impl FnMut(&mut A, Entry) + Send + 'static) -> Result<A>;
    }

    /// Personal information (SPEC §8).
    trait Erasing {
        /// Withdraws the session's entry: its name, phone, phone hash and
        /// published masks are erased at once, and draws committed from now on
        /// leave it out. `None` when the session made no entry. Withdrawing
        /// again changes nothing and answers the same.
        async fn withdraw_entry(&self, session: SessionId, at: &str) -> Result<Option<Withdrawn>> => draws_changed;

        /// Withdraws the entry under `code` for staff (SPEC §4), exactly as
        /// its entrant would ([`Store::withdraw_entry`]), audited as done by
        /// staff. `None` when no entry has the code.
        async fn withdraw_code(&self, code: &EntryCode, at: &str) -> Result<Option<Withdrawn>> => draws_changed;

        /// Erases the names and phones of a round's entries, with the phones'
        /// hashes and the round's key (published masks stay), records the
        /// purge and audits it; how many entries it erased. The round's next
        /// entry gets a new key. `how` is `automatic`, `staff` or
        /// `staff, forced`. With `unless_since`, nothing is done (`None`) when
        /// the round was purged at or after that time already: nodes sweeping
        /// one database purge a round once.
        async fn purge_round(&self, set_id: &str, round_id: &str, at: &str, how: &str,
            unless_since: Option<&str>) -> Result<Option<i64>>;

        /// Makes what was just erased unreadable in the engine's files too
        /// (SQLite: flushes the write-ahead log into the database file and
        /// empties it; PostgreSQL: vacuums the tables that held it); `false`
        /// when busy readers or writers kept it from finishing.
        async fn scrub(&self) -> Result<bool>;

        /// What the round's keeping time turns on: its last claim deadline,
        /// and its last purge.
        async fn keeping(&self, set_id: &str, round_id: &str) -> Result<Keeping>;

        /// Every (set, round) that has taken an entry, with the set versions
        /// its entries were made on.
        async fn rounds_with_entries(&self) -> Result<Vec<RoundEntries>>;
    }

    /// Draws (SPEC §5) and claims (SPEC §7).
    trait Draws {
        /// How many codes a draw of the round committed now would seal: its
        /// entries less earlier winners and withdrawals.
        async fn pool_size(&self, set_id: &str, round_id: &str) -> Result<i64>;

        /// Commits a draw: the round's pool (every entry that has not won an
        /// earlier draw of the round) becomes its `entries.txt` and digest, in
        /// one transaction with the check that no other draw of the round is pending.
        async fn commit_draw(&self, d: DrawRequest)
            -> Result<std::result::Result<Draw, CommitRefused>> => draws_changed;

        /// Reveals a draw: fixes its public seed and stores the winners that
        /// follow from the committed pool and that seed, in one transaction.
        async fn reveal_draw(&self, id: i64, public_seed: &str, at: &str)
            -> Result<std::result::Result<Draw, RevealRefused>> => draws_changed;

        /// One draw with its winners.
        async fn draw(&self, id: i64) -> Result<Option<Draw>>;

        /// Every draw with its winners, newest first.
        async fn draws(&self) -> Result<Vec<Draw>>;

        /// Up to `limit` draws with ids below `before`, newest first, without
        /// their winners (a page of the public list).
        async fn draw_page(&self, before: i64, limit: i64) -> Result<Vec<Draw>>;

        /// A draw's committed `entries.txt`.
        async fn entries_txt(&self, id: i64) -> Result<Option<String>>;

        /// Hands out a prize: the win of the receipt's entry, or of the code when
        /// the phone matches, once, before the draw's `claim_by`; audited. With
        /// [`ClaimMode::Check`] it only looks the win up (for the desk to compare
        /// the person with the name and phone) and changes nothing.
        async fn claim(&self, by: ClaimBy, at: &str, mode: ClaimMode)
            -> Result<std::result::Result<Claimed, ClaimRefused>> => draws_changed;
    }

    /// The audit log (SPEC §7).
    trait Audit {
        /// Appends a staff action to the audit log (the draw and claim
        /// operations append their own, in their transaction).
        async fn audit(&self, action: AuditAction, detail: &str, at: &str) -> Result<AuditEntry>;

        /// The audit log, newest first.
        async fn audit_log(&self) -> Result<Vec<AuditEntry>>;
    }

    /// The campaign's sources (SPEC §11), one list every node shares.
    trait Sources {
        /// The list, in the order staff gave it.
        async fn sources(&self) -> Result<Vec<Source>>;

        /// Replaces the whole list, in one transaction (a session already
        /// started keeps the source its token names whatever happens here).
        async fn replace_sources(&self, list: Vec<Source>) -> Result<()>;
    }
}

/// Both engines keep the whole contract (checked when the crate builds).
const _: fn() = || {
    fn keeps<E: Engine>() {}
    keeps::<super::sqlite::Sqlite>();
    #[cfg(feature = "postgres")]
    keeps::<super::postgres::Postgres>();
};
