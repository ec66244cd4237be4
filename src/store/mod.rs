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
//! isolates its work is its own business; the SQL they share is written
//! once in [`sql`]; what they decide alike is in `rules`, the counters both add up in memory in `tally`, and moving a
//! booth's SQLite file into PostgreSQL, which reads one engine and writes
//! the other, in [`migrate`]. The store imports nothing from the quiz: the session's identity and the
//! node's lease it keys on ([`SessionId`], [`NodeLease`]) live in
//! [`crate::ids`], below both.
//!
//! Every operation that writes resolves only after its transaction is
//! committed to disk.

mod contract;
pub mod inspect;
#[cfg(feature = "postgres")]
pub mod migrate;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod records;
mod rules;
pub mod sql;
pub mod sqlite;
mod tally;

pub use crate::ids::{new_secret, NodeLease, SessionId, LEASE_HOLD, NODE_STRIDE, SEQ_BITS};
pub use records::*;

use crate::metrics::{PoolStatus, StoreMeters};
use std::path::Path;

/// Storage errors (cloned to answer each write or read of a batch that
/// failed with one).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The engine said no.
    #[error("database error: {0}")]
    Database(String),
    /// The connection to the database was lost, or reached a server that
    /// shut down, stopped answering or can no longer write (SPEC §10,
    /// failover): a write's outcome is unknown until read back, as the
    /// retry of an idempotent submission or entry does (SPEC §3).
    #[error("database unreachable: {0}")]
    Unreachable(String),
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

/// The submission of this session is already kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadySubmitted;

/// The store (cheap to clone: every clone is the same store).
#[derive(Clone)]
pub struct Store {
    engine: Engines,
    /// Rises with every change this node makes to what a draw shows the
    /// public (commit, reveal, claim, withdrawal), so a cached view of a
    /// draw knows it is stale.
    draw_changes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// What the metrics endpoint reads: starts, submissions and entries
    /// counted here, batches and reachability by the engine.
    meters: StoreMeters,
}

/// The engine a store has, each keeping the whole [`contract::Engine`].
#[derive(Clone)]
enum Engines {
    Sqlite(sqlite::Sqlite),
    #[cfg(feature = "postgres")]
    Postgres(postgres::Postgres),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.engine {
            Engines::Sqlite(_) => f.write_str("Store(sqlite)"),
            #[cfg(feature = "postgres")]
            Engines::Postgres(_) => f.write_str("Store(postgres)"),
        }
    }
}

/// What a build without the `postgres` feature says of a `postgres://` URL.
pub const NO_POSTGRES: &str =
    "this build has no PostgreSQL support; build with --features postgres";

/// `--db` as messages and logs may show it: a URL's password hidden.
pub fn shown_db(db: &str) -> String {
    #[cfg(feature = "postgres")]
    return postgres::redact(db);
    #[cfg(not(feature = "postgres"))]
    return db.to_owned();
}

/// Whether `--db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

impl Store {
    /// Opens the SQLite file (creating it and its folder if needed) and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let meters = StoreMeters::default();
        Ok(Self {
            draw_changes: std::sync::Arc::default(),
            engine: Engines::Sqlite(sqlite::Sqlite::open(path, &meters)?),
            meters,
        })
    }

    /// Opens what `--db` names: a `postgres://` URL (SPEC §10), else a SQLite file.
    pub async fn connect(db: &Path) -> anyhow::Result<Self> {
        match db.to_str().filter(|d| is_postgres_url(d)) {
            #[cfg(not(feature = "postgres"))]
            Some(_) => anyhow::bail!(NO_POSTGRES),
            #[cfg(feature = "postgres")]
            Some(url) => {
                let meters = StoreMeters::default();
                Ok(Self {
                    draw_changes: std::sync::Arc::default(),
                    engine: Engines::Postgres(postgres::Postgres::open(url, &meters).await?),
                    meters,
                })
            }
            None => Self::open(db),
        }
    }

    /// This node's number on a shared store (0 on SQLite).
    pub fn node(&self) -> u64 {
        self.node_number().map_or(0, |n| n.number())
    }

    /// A number that rises with every change this node made to what the
    /// public sees of a draw (other nodes' changes are not counted: a cache
    /// keyed on it also expires by time on a shared store).
    pub fn draw_changes(&self) -> u64 {
        self.draw_changes.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn draws_changed<T>(&self, _: &T) {
        self.draw_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// What this store counted (the metrics endpoint reads it).
    pub fn meters(&self) -> &StoreMeters {
        &self.meters
    }

    /// The connection pool's state, on PostgreSQL.
    pub fn pool_status(&self) -> Option<PoolStatus> {
        match &self.engine {
            Engines::Sqlite(_) => None,
            #[cfg(feature = "postgres")]
            Engines::Postgres(e) => Some(e.pool_status()),
        }
    }

    fn started<T>(&self, _: &T) {
        self.meters.started();
    }

    fn submitted<T>(&self, out: &Result<std::result::Result<(), T>>) {
        if matches!(out, Ok(Ok(()))) {
            self.meters.submitted();
        }
    }

    fn entered<T, E>(&self, out: &Result<std::result::Result<T, E>>) {
        if matches!(out, Ok(Ok(_))) {
            self.meters.entered();
        }
    }
}
