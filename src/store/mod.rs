//! The store: every read and write the service makes, as named operations in
//! its own words. Handlers call these and nothing else; what they get back
//! is a record of [`records`] or a refusal (`EntryRefused`, `CommitRefused`,
//! …) for the route to answer as the SPEC says, or a [`StoreError`] when
//! storage itself failed.
//!
//! No engine type appears in a signature here, and two engines sit behind
//! the same operations: [`sqlite`] (one file in WAL mode with
//! `synchronous=FULL`, one group-commit writer thread, a few read
//! connections beside it) for one node, and [`postgres`] for any number of
//! nodes on one database (SPEC §10). How each batches, counts, locks and
//! isolates its work is its own business; what they decide alike is in
//! `rules`, the counters both add up in memory in `tally`, and moving a
//! booth's SQLite file into PostgreSQL, which reads one engine and writes
//! the other, in [`migrate`]. The store imports nothing from the domain
//! above it but the session's identity and the node's lease it keeps.
//!
//! Every operation that writes resolves only after its transaction is
//! committed to disk.

pub mod inspect;
pub mod migrate;
pub mod postgres;
pub mod records;
mod rules;
pub mod sqlite;
mod tally;

pub use records::*;

use std::path::Path;

/// Runs the same call on whichever engine the store has.
macro_rules! on_engine {
    ($store:expr, $e:ident => $call:expr) => {
        match &$store.engine {
            Engine::Sqlite($e) => $call,
            Engine::Postgres($e) => $call,
        }
    };
}

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The engine said no.
    #[error("database error: {0}")]
    Database(String),
    /// The writer is gone (shutting down).
    #[error("the database writer has stopped")]
    WriterGone,
    /// The commit of a batch failed; the job's changes were not kept.
    #[error("database commit failed: {0}")]
    Commit(String),
    /// A blocking task failed.
    #[error("database task failed: {0}")]
    Task(String),
    /// What was stored cannot be read back (it was changed outside the service).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

type Result<T> = std::result::Result<T, StoreError>;

/// The secrets the service keeps in the database, created on first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// The staff token, when none is given on the command line.
    AdminToken,
    /// The key that seals session tokens.
    SessionSecret,
}

/// A fresh random secret for a new database: the key that seals session
/// tokens, the staff token, a round's phone key (64 hex digits).
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Nodes whose session keys can never meet ([`crate::quiz::KeyClock`]):
/// the node numbers a database leases are below this.
pub const NODE_STRIDE: u64 = 256;

/// The submission of this session is already kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadySubmitted;

/// The store (cheap to clone: every clone is the same store).
#[derive(Clone)]
pub struct Store {
    engine: Engine,
    /// Rises with every change this node makes to what a draw shows the
    /// public (commit, reveal, claim, withdrawal), so a cached view of a
    /// draw knows it is stale.
    draw_changes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Clone)]
enum Engine {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.engine {
            Engine::Sqlite(_) => f.write_str("Store(sqlite)"),
            Engine::Postgres(_) => f.write_str("Store(postgres)"),
        }
    }
}

/// Whether `--db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl Store {
    /// Opens the SQLite file (creating it and its folder if needed) and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            draw_changes: std::sync::Arc::default(),
            engine: Engine::Sqlite(sqlite::Sqlite::open(path)?),
        })
    }

    /// Opens what `--db` names: a `postgres://` URL (SPEC §10), else a SQLite file.
    pub async fn connect(db: &Path) -> anyhow::Result<Self> {
        match db.to_str().filter(|d| is_postgres_url(d)) {
            Some(url) => Ok(Self {
                draw_changes: std::sync::Arc::default(),
                engine: Engine::Postgres(postgres::Postgres::open(url).await?),
            }),
            None => Self::open(db),
        }
    }

    /// Whether several nodes may share this store (PostgreSQL): sets and
    /// activation then live in it, and session keys carry [`Store::node`].
    pub fn is_shared(&self) -> bool {
        matches!(self.engine, Engine::Postgres(_))
    }

    /// This node's number on a shared store (0 on SQLite).
    pub fn node(&self) -> u64 {
        self.node_number().map_or(0, |n| n.number())
    }

    /// This node's lease on a shared store: its number changes if the lease
    /// is lost, and session keys follow it; no session starts while it is
    /// not confirmed.
    pub fn node_number(&self) -> Option<std::sync::Arc<crate::quiz::NodeLease>> {
        match &self.engine {
            Engine::Sqlite(_) => None,
            Engine::Postgres(e) => Some(e.node()),
        }
    }

    /// Gives back what this node holds in a shared store (its number), as
    /// it stops.
    pub async fn leave(&self) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(()),
            Engine::Postgres(e) => e.leave().await,
        }
    }

    // --- sets shared by the nodes (SPEC §10) --------------------------------

    /// Records that every node serves `version` of the set (or, `removed`,
    /// none of it). Nothing to do on SQLite: the banks folder is the record.
    pub async fn share_set(
        &self,
        set_id: &str,
        version: &str,
        removed: bool,
        at: &str,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(()),
            Engine::Postgres(e) => e.share_set(set_id, version, removed, at).await,
        }
    }

    /// A number that rises with every shared-set change and activation.
    pub async fn sets_generation(&self) -> Result<i64> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(0),
            Engine::Postgres(e) => e.sets_generation().await,
        }
    }

    /// The sets uploaded or removed through the console, by id.
    pub async fn shared_sets(&self) -> Result<Vec<SharedSet>> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(Vec::new()),
            Engine::Postgres(e) => e.shared_sets().await,
        }
    }

    // --- secrets and settings -------------------------------------------

    /// The stored secret, or `make()`'s value stored now if there is none.
    pub async fn meta_or_insert(
        &self,
        key: Secret,
        make: impl FnOnce() -> String + Send + 'static,
    ) -> Result<String> {
        on_engine!(self, e => e.meta_or_insert(key, make).await)
    }

    /// The set last made active, if any.
    pub async fn active_set(&self) -> Result<Option<String>> {
        on_engine!(self, e => e.active_set().await)
    }

    /// Remembers the set made active, for the next start.
    pub async fn remember_active_set(&self, id: &str) -> Result<()> {
        on_engine!(self, e => e.remember_active_set(id).await)
    }

    // --- question sets ----------------------------------------------------

    /// Records (or, `None`, clears) the draft of a live set: a version
    /// uploaded to wait for 发布 while visitors keep the live one.
    pub async fn set_draft(&self, set_id: &str, version: Option<&str>) -> Result<()> {
        on_engine!(self, e => e.set_draft(set_id, version).await)
    }

    /// The drafts waiting for 发布, as (set id, version).
    pub async fn set_drafts(&self) -> Result<Vec<(String, String)>> {
        on_engine!(self, e => e.set_drafts().await)
    }

    /// Keeps a set version's text, so sessions on it can be scored after a
    /// replace or a restart. Keeping a version twice changes nothing.
    pub async fn keep_set_version(
        &self,
        version: &str,
        set_id: &str,
        source: &str,
        at: &str,
    ) -> Result<()> {
        on_engine!(self, e => e.keep_set_version(version, set_id, source, at).await)
    }

    /// A kept set version's text, by its version or the start of it.
    pub async fn set_version_source(&self, version: &str) -> Result<Option<String>> {
        on_engine!(self, e => e.set_version_source(version).await)
    }

    /// The version of a set kept last, so a set no longer in the banks
    /// folder can still be read (its rounds' keeping times).
    pub async fn latest_set_version(&self, set_id: &str) -> Result<Option<String>> {
        on_engine!(self, e => e.latest_set_version(set_id).await)
    }

    // --- sessions and submissions ----------------------------------------

    /// The highest session key with a submission (0 when none), so a clock
    /// set back between runs cannot hand out a key again.
    pub async fn highest_session_key(&self) -> Result<u64> {
        on_engine!(self, e => e.highest_session_key().await)
    }

    /// Counts a session start (written with the next commit).
    pub fn count_start(&self, set_id: &str, round_id: &str) {
        on_engine!(self, e => e.count_start(set_id, round_id));
    }

    /// Resolves once every start counted before the call is committed.
    pub async fn flush_counts(&self) -> Result<()> {
        on_engine!(self, e => e.flush_counts().await)
    }

    /// Keeps a session's submission, once, with its counts.
    pub async fn record_submission(
        &self,
        s: NewSubmission,
    ) -> Result<std::result::Result<(), AlreadySubmitted>> {
        on_engine!(self, e => e.record_submission(s).await)
    }

    /// A session's submitted score (a point read).
    pub async fn submission(&self, session: SessionId) -> Result<Option<Submission>> {
        match &self.engine {
            Engine::Sqlite(e) => e.submission(session),
            Engine::Postgres(e) => e.submission(session).await,
        }
    }

    /// A session's submission with the answers it gave, to score them
    /// again (a point read).
    pub async fn submission_with_answers(
        &self,
        session: SessionId,
    ) -> Result<Option<(Submission, GivenAnswers)>> {
        match &self.engine {
            Engine::Sqlite(e) => e.submission_with_answers(session),
            Engine::Postgres(e) => e.submission_with_answers(session).await,
        }
    }

    // --- entries ------------------------------------------------------------

    /// Keeps a passed session's entry under a fresh random code and private
    /// receipt, unless the session or the phone (in that round) has entered
    /// already.
    pub async fn record_entry(
        &self,
        e: NewEntry,
    ) -> Result<std::result::Result<EntryMade, EntryRefused>> {
        on_engine!(self, engine => engine.record_entry(e).await)
    }

    /// The entry a session made, with the draws that hold it.
    pub async fn entry_of(&self, session: SessionId) -> Result<Option<EntryOf>> {
        match &self.engine {
            Engine::Sqlite(e) => e.entry_of(session),
            Engine::Postgres(e) => e.entry_of(session).await,
        }
    }

    /// The entry a session made with its name and phone as kept (a point
    /// read, asked only when an entry of the session was refused or could
    /// not be taken: a retry gets its first answer again, SPEC §3).
    pub async fn entry_sent(&self, session: SessionId) -> Result<Option<EntrySent>> {
        match &self.engine {
            Engine::Sqlite(e) => e.entry_sent(session),
            Engine::Postgres(e) => e.entry_sent(session).await,
        }
    }

    /// The newest `limit` entries whose code, phone or name contains
    /// `needle`, or whose phone's hash under its round's key is the
    /// needle's (all when `None`), and how many match.
    pub async fn search_entries(
        &self,
        needle: Option<String>,
        limit: i64,
    ) -> Result<(i64, Vec<Entry>)> {
        on_engine!(self, e => e.search_entries(needle, limit).await)
    }

    /// Every entry, oldest first, folded into `acc` one by one (an export
    /// of a million entries holds one row at a time, not a million).
    pub async fn export_entries<A: Send + 'static>(
        &self,
        acc: A,
        each: impl FnMut(&mut A, Entry) + Send + 'static,
    ) -> Result<A> {
        on_engine!(self, e => e.export_entries(acc, each).await)
    }

    // --- personal information (SPEC §8) ------------------------------------

    /// Withdraws the session's entry: its name, phone, phone hash and
    /// published masks are erased at once, and draws committed from now on
    /// leave it out. `None` when the session made no entry. Withdrawing
    /// again changes nothing and answers the same.
    pub async fn withdraw_entry(&self, session: SessionId, at: &str) -> Result<Option<Withdrawn>> {
        let out = on_engine!(self, e => e.withdraw_entry(session, at).await);
        self.draws_changed();
        out
    }

    /// Withdraws the entry under `code` for staff (SPEC §4), exactly as
    /// its entrant would ([`Store::withdraw_entry`]), audited as done by
    /// staff. `None` when no entry has the code.
    pub async fn withdraw_code(
        &self,
        code: &crate::contact::EntryCode,
        at: &str,
    ) -> Result<Option<Withdrawn>> {
        let out = on_engine!(self, e => e.withdraw_code(code.as_ref(), at).await);
        self.draws_changed();
        out
    }

    /// Erases the names and phones of a round's entries, with the phones'
    /// hashes and the round's key (published masks stay), records the
    /// purge and audits it; how many entries it erased. The round's next
    /// entry gets a new key. `how` is `automatic`, `staff` or
    /// `staff, forced`. With `unless_since`, nothing is done (`None`) when
    /// the round was purged at or after that time already: nodes sweeping
    /// one database purge a round once.
    pub async fn purge_round(
        &self,
        set_id: &str,
        round_id: &str,
        at: &str,
        how: &str,
        unless_since: Option<&str>,
    ) -> Result<Option<i64>> {
        on_engine!(self, e => e.purge_round(set_id, round_id, at, how, unless_since).await)
    }

    /// Flushes the write-ahead log into the database file and empties it,
    /// so names and phones just erased are no longer in either file; `false`
    /// when busy readers or writers kept it from finishing.
    pub async fn scrub(&self) -> Result<bool> {
        on_engine!(self, e => e.checkpoint().await)
    }

    /// What the round's keeping time turns on: its last claim deadline,
    /// and its last purge.
    pub async fn keeping(&self, set_id: &str, round_id: &str) -> Result<Keeping> {
        on_engine!(self, e => e.keeping(set_id, round_id).await)
    }

    /// Every (set, round) that has taken an entry, with the set versions
    /// its entries were made on.
    pub async fn rounds_with_entries(&self) -> Result<Vec<RoundEntries>> {
        on_engine!(self, e => e.rounds_with_entries().await)
    }

    /// How many codes a draw of the round committed now would seal: its
    /// entries less earlier winners and withdrawals.
    pub async fn pool_size(&self, set_id: &str, round_id: &str) -> Result<i64> {
        on_engine!(self, e => e.pool_size(set_id, round_id).await)
    }

    // --- the staff's numbers --------------------------------------------------

    /// Sessions, entries and per-question counts of a set, or of one round.
    pub async fn stats(&self, set_id: &str, round_id: Option<&str>) -> Result<Stats> {
        on_engine!(self, e => e.stats(set_id, round_id).await)
    }

    /// Session and entry counts of each of these rounds of a set, in order.
    pub async fn round_counts(
        &self,
        set_id: &str,
        rounds: Vec<String>,
    ) -> Result<Vec<RoundCounts>> {
        on_engine!(self, e => e.round_counts(set_id, rounds).await)
    }

    // --- draws (SPEC §5) ------------------------------------------------------

    /// Commits a draw: the round's pool (every entry that has not won an
    /// earlier draw of the round) becomes its `entries.txt` and digest, in
    /// one transaction with the check that no other draw of the round is pending.
    pub async fn commit_draw(
        &self,
        d: DrawRequest,
    ) -> Result<std::result::Result<Draw, CommitRefused>> {
        let out = on_engine!(self, e => e.commit_draw(d).await);
        self.draws_changed();
        out
    }

    /// Reveals a draw: fixes its public seed and stores the winners that
    /// follow from the committed pool and that seed, in one transaction.
    pub async fn reveal_draw(
        &self,
        id: i64,
        public_seed: &str,
        at: &str,
    ) -> Result<std::result::Result<Draw, RevealRefused>> {
        let out = on_engine!(self, e => e.reveal_draw(id, public_seed, at).await);
        self.draws_changed();
        out
    }

    /// One draw with its winners.
    pub async fn draw(&self, id: i64) -> Result<Option<Draw>> {
        on_engine!(self, e => e.draw(id).await)
    }

    /// Every draw with its winners, newest first.
    pub async fn draws(&self) -> Result<Vec<Draw>> {
        on_engine!(self, e => e.draws().await)
    }

    /// Up to `limit` draws with ids below `before`, newest first, without
    /// their winners (a page of the public list).
    pub async fn draw_page(&self, before: i64, limit: i64) -> Result<Vec<Draw>> {
        on_engine!(self, e => e.draw_page(before, limit).await)
    }

    /// A draw's committed `entries.txt`.
    pub async fn entries_txt(&self, id: i64) -> Result<Option<String>> {
        on_engine!(self, e => e.entries_txt(id).await)
    }

    // --- claims (SPEC §7) and the record --------------------------------------

    /// Hands out a prize: the win of the receipt's entry, or of the code when
    /// the phone matches, once, before the draw's `claim_by`; audited. With
    /// [`ClaimMode::Check`] it only looks the win up (for the desk to compare
    /// the person with the name and phone) and changes nothing.
    pub async fn claim(
        &self,
        by: ClaimBy,
        at: &str,
        mode: ClaimMode,
    ) -> Result<std::result::Result<Claimed, ClaimRefused>> {
        let out = on_engine!(self, e => e.claim(by, at, mode).await);
        self.draws_changed();
        out
    }

    /// A number that rises with every change this node made to what the
    /// public sees of a draw (other nodes' changes are not counted: a cache
    /// keyed on it also expires by time on a shared store).
    pub fn draw_changes(&self) -> u64 {
        self.draw_changes.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn draws_changed(&self) {
        self.draw_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Appends a staff action to the audit log (the draw and claim
    /// operations append their own, in their transaction).
    pub async fn audit(&self, action: AuditAction, detail: &str, at: &str) -> Result<AuditEntry> {
        on_engine!(self, e => e.audit(action, detail, at).await)
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        on_engine!(self, e => e.audit_log().await)
    }
}
