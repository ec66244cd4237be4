//! The PostgreSQL engine (SPEC §10): any number of nodes share one
//! database. Every write is a transaction on a pooled connection
//! (`deadpool-postgres` over `tokio-postgres`), with `synchronous_commit`
//! on, so an answer means the commit is durable on the server (and on its
//! synchronous standby, when one is configured). Submissions and entries,
//! the booth's many writes, are gathered from concurrent requests into
//! batches, many in one transaction, as SQLite's writer does ([`batch`]).
//!
//! What one SQLite writer thread decided by going first is decided here by
//! the database: `UNIQUE` constraints for codes, receipts, sessions and
//! phones per round; a partial unique index for one pending draw per
//! round; and transaction-scoped advisory locks for the orderings a
//! constraint cannot state ([`Lock`]). The SQL lives with its aggregate,
//! as in the SQLite engine: [`meta`], [`submissions`], [`entries`],
//! [`stats`], [`draws`], [`erasure`], [`audit`], [`sets`].

mod audit;
pub mod batch;
mod draws;
mod entries;
mod erasure;
mod health;
pub(in crate::store) mod inspect;
mod keys;
mod meta;
mod nodes;
mod pool;
mod reads;
pub mod schema;
mod sets;
mod sources;
mod stats;
mod submissions;
pub(in crate::store) mod tls;

use super::contract::Counters;
use super::StoreError;
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

type Result<T> = std::result::Result<T, StoreError>;

impl From<tokio_postgres::Error> for StoreError {
    /// [`StoreError::Unreachable`] for what ends a connection's use
    /// ([`health::discards`]), else [`StoreError::Database`].
    fn from(e: tokio_postgres::Error) -> Self {
        let kind = if health::discards(&e) {
            Self::Unreachable
        } else {
            Self::Database
        };
        kind(said(&e))
    }
}

/// The server's own message when it gave one ("duplicate key…"), not just
/// "db error"; "error connecting to server" says more with its cause.
fn said(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    /// No connection could be had: no pooled one is in use, so nothing is
    /// [`StoreError::Unreachable`] (a request answered so wrote nothing).
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => {
                Self::Database(format!("no database connection: {}", said(&e)))
            }
            other => Self::Database(format!("no database connection: {other}")),
        }
    }
}

/// Statements by their text, each prepared once per connection and kept
/// (a statement sent as text is parsed and planned again every time: it
/// was most of the server's work per request).
pub(super) trait Cached: deadpool_postgres::GenericClient + Sync {
    fn exec<'a>(
        &'a self,
        sql: &'a str,
        params: &'a [&'a (dyn ToSql + Sync)],
    ) -> impl std::future::Future<Output = std::result::Result<u64, tokio_postgres::Error>> + Send + 'a
    {
        async move {
            let st = self.prepare_cached(sql).await?;
            self.execute(&st, params).await
        }
    }

    fn rows<'a>(
        &'a self,
        sql: &'a str,
        params: &'a [&'a (dyn ToSql + Sync)],
    ) -> impl std::future::Future<Output = std::result::Result<Vec<Row>, tokio_postgres::Error>>
           + Send
           + 'a {
        async move {
            let st = self.prepare_cached(sql).await?;
            self.query(&st, params).await
        }
    }

    fn row_opt<'a>(
        &'a self,
        sql: &'a str,
        params: &'a [&'a (dyn ToSql + Sync)],
    ) -> impl std::future::Future<Output = std::result::Result<Option<Row>, tokio_postgres::Error>>
           + Send
           + 'a {
        async move {
            let st = self.prepare_cached(sql).await?;
            self.query_opt(&st, params).await
        }
    }

    fn row<'a>(
        &'a self,
        sql: &'a str,
        params: &'a [&'a (dyn ToSql + Sync)],
    ) -> impl std::future::Future<Output = std::result::Result<Row, tokio_postgres::Error>> + Send + 'a
    {
        async move {
            let st = self.prepare_cached(sql).await?;
            self.query_one(&st, params).await
        }
    }
}

impl<T: deadpool_postgres::GenericClient + Sync> Cached for T {}

/// Reading a row's columns without panicking: a column of another type
/// than the code expects (schema drift, a row changed by hand) is the
/// store's [`StoreError::Corrupt`], answered 503 as any store failure, not a
/// worker taken down.
pub(super) trait Col {
    /// Column `idx`, decoded as `T`.
    fn col<'a, T: tokio_postgres::types::FromSql<'a>>(&'a self, idx: usize) -> Result<T>;
}

impl Col for Row {
    fn col<'a, T: tokio_postgres::types::FromSql<'a>>(&'a self, idx: usize) -> Result<T> {
        self.try_get(idx)
            .map_err(|e| StoreError::Corrupt(format!("column {idx}: {e}")))
    }
}

/// The constraint a statement broke, when it broke a `UNIQUE` one.
fn unique_violation(e: &tokio_postgres::Error) -> Option<&str> {
    let db = e.as_db_error()?;
    (*db.code() == SqlState::UNIQUE_VIOLATION).then(|| db.constraint().unwrap_or(""))
}

/// The orderings that advisory locks keep, each taken inside a
/// transaction and released by its end. A transaction that takes both
/// takes the round's first, so two never wait for each other.
#[derive(Debug, Clone, Copy)]
enum Lock<'a> {
    /// Entries and withdrawals of a round hold it shared; a draw's commit
    /// holds it alone, so its pool is read when no entry of the round is
    /// half-written, and every entry written after it has a higher `seq`.
    Round(&'a str, &'a str),
    /// The audit chain: one append at a time across nodes.
    Audit,
    /// Node numbers: one lease taken at a time.
    Nodes,
}

impl Lock<'_> {
    fn key(self) -> i64 {
        match self {
            Lock::Audit => 0x7175_697a_0002,
            Lock::Nodes => 0x7175_697a_0003,
            Lock::Round(set, round) => {
                let digest = Sha256::digest(format!("round\0{set}\0{round}").as_bytes());
                i64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
            }
        }
    }
}

async fn lock(tx: &deadpool_postgres::Transaction<'_>, l: Lock<'_>) -> Result<()> {
    tx.exec("SELECT pg_advisory_xact_lock($1)", &[&l.key()])
        .await?;
    Ok(())
}

async fn lock_shared(tx: &deadpool_postgres::Transaction<'_>, l: Lock<'_>) -> Result<()> {
    tx.exec("SELECT pg_advisory_xact_lock_shared($1)", &[&l.key()])
        .await?;
    Ok(())
}

/// Counter rows are split in this many shards.
const SHARDS: i32 = 64;

/// A shard for one transaction's counter updates.
fn shard() -> i32 {
    rand::random_range(0..SHARDS)
}

/// The engine: a pool of connections to one database.
#[derive(Clone)]
pub(super) struct Postgres {
    pool: Pool,
    /// Whether the pool's connections still reach a primary (`health.rs`).
    health: Arc<health::Health>,
    /// Session starts not yet written (counted as on SQLite: no allocation
    /// per start).
    starts: Arc<crate::store::tally::Starts>,
    /// The rounds' phone keys this node has read (`keys.rs`).
    round_keys: Arc<keys::KeyCache>,
    /// This node's number, leased from `node_leases` (`nodes.rs`), and
    /// whether it is confirmed (no session starts otherwise).
    node: Arc<crate::store::NodeLease>,
    /// Who holds the lease: this process, by a random name.
    holder: Arc<str>,
    /// Pool waits go here (and batches, and reachability from `health`).
    meters: crate::metrics::StoreMeters,
    /// Gathers submissions and entries into batches (`batch.rs`).
    batcher: batch::Batcher,
    /// Gathers the entries' reads of their submissions (`reads.rs`).
    reads: reads::Reads,
}

/// Where an URL's password is, replaced for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

impl Postgres {
    /// Connects, migrates (one node at a time), and leases this node's number.
    pub(super) async fn open(
        url: &str,
        meters: &crate::metrics::StoreMeters,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        let shown = redact(url);
        let (url, tls) =
            tls::from_url(url).with_context(|| format!("cannot read the database URL {shown}"))?;
        let mut config: tokio_postgres::Config = url
            .parse()
            .with_context(|| format!("cannot read the database URL {shown}"))?;
        config.options("-c synchronous_commit=on");
        if config.get_application_name().is_none() {
            config.application_name("quizbooth");
        }
        let health = health::Health::new();
        health.report_to(meters.clone());
        let pool = match tls {
            tls::Tls::Off => pool::build(config, NoTls, &health),
            tls::Tls::On(connector) => pool::build(config, connector, &health),
        }
        .context("cannot build the connection pool")?;
        let mut client = pool
            .get()
            .await
            .map_err(StoreError::from)
            .with_context(|| format!("cannot connect to {shown}"))?;
        schema::migrate(&mut client)
            .await
            .map_err(StoreError::from)
            .with_context(|| format!("cannot migrate the database {shown}"))?;
        let holder: Arc<str> = crate::store::new_secret()[..16].into();
        let sent = std::time::Instant::now();
        let node = nodes::lease(&mut client, &holder).await?;
        // Counted again at each renewal: a first count that fails is 1.
        let live = nodes::live(&client).await.unwrap_or(1);
        drop(client);
        let round_keys: Arc<keys::KeyCache> = Arc::default();
        let batcher = batch::Batcher::start(pool.clone(), round_keys.clone(), meters.clone());
        batcher.share_with(live);
        let reads = reads::Reads::start(pool.clone(), meters.clone(), batcher.nodes());
        let engine = Self {
            batcher,
            reads,
            pool,
            health,
            starts: Arc::default(),
            round_keys,
            node: Arc::new(crate::store::NodeLease::new(node, sent)),
            holder,
            meters: meters.clone(),
        };
        engine.spawn_lease_renewal();
        engine.spawn_start_flusher();
        Ok(engine)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        let asked = std::time::Instant::now();
        let got = self.pool.get().await;
        self.meters.pool_waited(asked.elapsed());
        Ok(got?)
    }

    /// The pool's state, for the metrics.
    pub(super) fn pool_status(&self) -> crate::metrics::PoolStatus {
        let s = self.pool.status();
        crate::metrics::PoolStatus {
            max: s.max_size,
            open: s.size,
            idle: s.available,
            waiting: s.waiting,
        }
    }

    /// The pool's generation, for [`Postgres::noticed`]: taken before an
    /// operation starts.
    pub(super) fn generation(&self) -> u64 {
        self.health.generation()
    }

    /// The outcome of an operation started under generation `since`, after
    /// the pool's health noticed it: a lost connection, or one to a server
    /// that no longer writes ([`StoreError::Unreachable`]), closes every
    /// connection opened before (`health.rs`). The store's facade passes
    /// every operation through here, so code under it need only answer
    /// `Unreachable` (`StoreError::from` a `tokio_postgres::Error` does);
    /// code holding a connection of its own (a batching task) asks
    /// [`health::discards`] of a `tokio_postgres::Error` whether to drop it.
    pub(super) fn noticed<T>(&self, since: u64, out: Result<T>) -> Result<T> {
        self.health.noticed(since, out)
    }

    /// Session starts are written every half second, as on SQLite.
    fn spawn_start_flusher(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(500));
            loop {
                every.tick().await;
                if let Err(e) = engine.flush_counts().await {
                    tracing::warn!(error = %e, "cannot write the session starts yet");
                }
            }
        });
    }
}
