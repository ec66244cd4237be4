//! Group commit on PostgreSQL, in the shape of SQLite's writer
//! (`sqlite/writer.rs`): submissions and entries are queued to one gatherer
//! per node, which takes every write queued (up to [`MAX_BATCH`]) and
//! writes them in one transaction with multi-row statements
//! (`submissions.rs`, `entries.rs`, `stats.rs` keep the SQL), commits
//! once, and only then answers each write. The transaction's statements
//! are pipelined: two trips to the database, not one per statement.
//!
//! - Batches form by themselves: a few are written at a time, and what
//!   arrives meanwhile waits for the next. A write that finds the node idle
//!   goes at once; while the node is busy (a batch in flight, or one sent in
//!   the last [`BUSY`]) a batch of fewer than [`FULL_ENOUGH`] waits up to
//!   [`LINGER`] for more.
//! - The database takes about [`IN_FLIGHT`] write transactions at once well,
//!   and the nodes on it share that: each node writes at most
//!   `IN_FLIGHT / nodes` batches at a time (at least one), counting the
//!   nodes whose lease is live (`nodes.rs`, at every renewal). Two nodes
//!   thus send the database what one would, in batches as big: twice as
//!   many batches of half the size cost it half as much CPU again per write
//!   (98 against 65 µs per entry; BENCHMARKS.md, tenth session).
//! - The database decides every uniqueness rule: rows go in with
//!   `ON CONFLICT DO NOTHING`, and a row it refused is answered as a write
//!   alone would be (`AlreadySubmitted`, `SessionUsed`, `PhoneUsed`, a new
//!   code). The gatherer only keeps a session's second write out of the
//!   batch that holds its first (one statement cannot say which of two
//!   rows it kept): it goes with the next batch, where the database refuses
//!   it.
//! - A batch that fails for another reason is written again write by write,
//!   so one bad row never fails its neighbours; a batch on a connection
//!   that broke is answered with the error (503 with `Retry-After`), and the
//!   connection is discarded. When the commit's outcome is unknown the
//!   retry finds the stored result (SPEC §3).
//!
//! [`BatchStats`] counts the batches, failed and split ones too, for the
//! tests (`Store::write_batches`); each committed batch's size and time also
//! go to the node's metrics (`quizbooth_write_batch_size`, `…_duration`).

use super::keys::KeyCache;
use super::{Result, StoreError};
use crate::store::{
    AlreadySubmitted, BatchCounts, EntryMade, EntryRefused, NewEntry, NewSubmission, SIZE_BUCKETS,
};
use deadpool_postgres::Pool;
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Semaphore};

/// Most writes committed together.
pub const MAX_BATCH: usize = 64;

/// Batches being written at once by all the nodes on one database, each on
/// its own connection.
pub const IN_FLIGHT: usize = 4;

/// Longest a batch waits for more writes, and only while the node is busy.
pub const LINGER: Duration = Duration::from_millis(2);

/// A batch this big goes without waiting.
pub const FULL_ENOUGH: usize = MAX_BATCH / 2;

/// A node that sent a batch this recently is busy: its next batch may wait.
pub const BUSY: Duration = Duration::from_millis(10);

type Reply<T> = oneshot::Sender<Result<T>>;
pub(super) type Submitted = std::result::Result<(), AlreadySubmitted>;
pub(super) type Entered = std::result::Result<EntryMade, EntryRefused>;

/// One queued write and where its answer goes.
enum Write {
    Submission(NewSubmission, Reply<Submitted>),
    Entry(NewEntry, Reply<Entered>),
}

impl Write {
    /// What makes two writes the same one: the session.
    fn session(&self) -> (bool, crate::store::SessionId) {
        match self {
            Write::Submission(s, _) => (false, s.session),
            Write::Entry(e, _) => (true, e.session),
        }
    }

    fn fail(self, e: &StoreError) {
        match self {
            Write::Submission(_, r) => drop(r.send(Err(e.clone()))),
            Write::Entry(_, r) => drop(r.send(Err(e.clone()))),
        }
    }
}

/// What the gatherer's batches need of the engine.
struct Ctx {
    pool: Pool,
    round_keys: Arc<KeyCache>,
    stats: Arc<BatchStats>,
    /// The node's metrics: each committed batch's size and time.
    meters: crate::metrics::StoreMeters,
    /// The nodes sharing the database's [`IN_FLIGHT`] (at least 1); the
    /// reads' gatherer shares the count ([`Batcher::nodes`]).
    nodes: Arc<AtomicUsize>,
}

/// A handle to the node's gatherer.
#[derive(Clone)]
pub(super) struct Batcher {
    queue: mpsc::UnboundedSender<Write>,
    ctx: Arc<Ctx>,
}

impl Batcher {
    /// Starts the gatherer on the runtime; it ends when every handle is gone.
    pub(super) fn start(
        pool: Pool,
        round_keys: Arc<KeyCache>,
        meters: crate::metrics::StoreMeters,
    ) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        let ctx = Arc::new(Ctx {
            pool,
            round_keys,
            stats: Arc::default(),
            meters,
            nodes: Arc::new(AtomicUsize::new(1)),
        });
        tokio::spawn(gather(rx, ctx.clone()));
        Self { queue, ctx }
    }

    /// How many nodes (this one included) write to the database now.
    pub(super) fn share_with(&self, nodes: usize) {
        let nodes = nodes.max(1);
        self.ctx.nodes.store(nodes, Ordering::Relaxed);
        self.ctx
            .meters
            .shared(nodes, IN_FLIGHT / weight(IN_FLIGHT, nodes));
    }

    /// The count of nodes [`Batcher::share_with`] keeps, for the reads.
    pub(super) fn nodes(&self) -> Arc<AtomicUsize> {
        self.ctx.nodes.clone()
    }

    /// Keeps a submission; resolves after its batch's commit.
    pub(super) async fn submission(&self, s: NewSubmission) -> Result<Submitted> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Write::Submission(s, reply))
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Keeps an entry; resolves after its batch's commit.
    pub(super) async fn entry(&self, e: NewEntry) -> Result<Entered> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Write::Entry(e, reply))
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The batches written so far.
    pub(super) fn counts(&self) -> BatchCounts {
        self.ctx.stats.counts()
    }
}

/// Takes writes off the queue into batches, and writes each batch on a task
/// of its own while this node's share of [`IN_FLIGHT`] allows.
async fn gather(mut rx: mpsc::UnboundedReceiver<Write>, ctx: Arc<Ctx>) {
    // A batch holds `weight` permits: IN_FLIGHT / weight batches at a time.
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    // Writes of a session whose other write is in the batch being formed.
    let mut held: VecDeque<Write> = VecDeque::new();
    let mut last_sent: Option<tokio::time::Instant> = None;
    loop {
        let weight = weight(IN_FLIGHT, ctx.nodes.load(Ordering::Relaxed));
        let Ok(slot) = slots.clone().acquire_many_owned(weight as u32).await else {
            return;
        };
        let first = match held.pop_front() {
            Some(w) => w,
            None => match rx.recv().await {
                Some(w) => w,
                None => return,
            },
        };
        let mut batch = Batch::default();
        batch.push(first, &mut held);
        for _ in 0..held.len() {
            if batch.len() >= MAX_BATCH {
                break;
            }
            if let Some(w) = held.pop_front() {
                batch.push(w, &mut held);
            }
        }
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w, &mut held),
                Err(_) => break,
            }
        }
        // Busy: more writes are on their way, and a bigger batch costs the
        // database less per write than this one alone would.
        let in_flight = slots.available_permits() + weight < IN_FLIGHT;
        let busy = in_flight || last_sent.is_some_and(|at| at.elapsed() < BUSY);
        if batch.len() < FULL_ENOUGH && busy {
            let until = tokio::time::Instant::now() + LINGER;
            while batch.len() < FULL_ENOUGH {
                match tokio::time::timeout_at(until, rx.recv()).await {
                    Ok(Some(w)) => batch.push(w, &mut held),
                    Ok(None) | Err(_) => break,
                }
            }
        }
        last_sent = Some(tokio::time::Instant::now());
        let ctx = ctx.clone();
        tokio::spawn(async move {
            write(&ctx, batch).await;
            drop(slot);
        });
    }
}

/// The permits of `total` one statement holds when `nodes` share the
/// database's `total` at once: each node then sends `total / nodes` at a
/// time, rounded, at least one (the batches here, the reads in `reads`).
pub(super) fn weight(total: usize, nodes: usize) -> usize {
    let share = ((total + nodes / 2) / nodes.max(1)).max(1);
    total.div_ceil(share).min(total)
}

/// The writes of one transaction.
#[derive(Default)]
struct Batch {
    submissions: Vec<(NewSubmission, Reply<Submitted>)>,
    entries: Vec<(NewEntry, Reply<Entered>)>,
    sessions: HashSet<(bool, crate::store::SessionId)>,
}

impl Batch {
    fn len(&self) -> usize {
        self.submissions.len() + self.entries.len()
    }

    /// Adds `w`, or holds it back for a later batch when its session's
    /// write of the same kind is already in this one.
    fn push(&mut self, w: Write, held: &mut VecDeque<Write>) {
        if !self.sessions.insert(w.session()) {
            held.push_back(w);
            return;
        }
        match w {
            Write::Submission(s, r) => self.submissions.push((s, r)),
            Write::Entry(e, r) => self.entries.push((e, r)),
        }
    }

    fn into_writes(self) -> impl Iterator<Item = Write> {
        let subs = self
            .submissions
            .into_iter()
            .map(|(s, r)| Write::Submission(s, r));
        let entries = self.entries.into_iter().map(|(e, r)| Write::Entry(e, r));
        subs.chain(entries)
    }
}

/// Writes a batch and answers each of its writes after the commit.
async fn write(ctx: &Ctx, batch: Batch) {
    let size = batch.len();
    let began = Instant::now();
    let subs: Vec<&NewSubmission> = batch.submissions.iter().map(|(s, _)| s).collect();
    let entries: Vec<&NewEntry> = batch.entries.iter().map(|(e, _)| e).collect();
    let written = transaction(ctx, &subs, &entries).await;
    ctx.stats.batch(size, began.elapsed());
    match written {
        Ok((subs, entries)) => {
            ctx.meters.batch(size, began.elapsed());
            for ((_, reply), out) in batch.submissions.into_iter().zip(subs) {
                let _ = reply.send(Ok(out));
            }
            for ((_, reply), out) in batch.entries.into_iter().zip(entries) {
                let _ = reply.send(Ok(out));
            }
        }
        Err(Failed::Unavailable(e)) => {
            // Each write's answer logs the error too.
            tracing::warn!(error = %e, writes = size, "a write batch could not be written; answered 503");
            ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
            batch.into_writes().for_each(|w| w.fail(&e));
        }
        Err(Failed::Other(e)) if size > 1 => {
            // One row may be the cause: each write again alone.
            tracing::warn!(error = %e, writes = size, "a write batch failed; writing each alone");
            ctx.stats.split.fetch_add(1, Ordering::Relaxed);
            for w in batch.into_writes() {
                let mut one = Batch::default();
                let mut none = VecDeque::new();
                one.push(w, &mut none);
                Box::pin(write(ctx, one)).await;
            }
        }
        Err(Failed::Other(e)) => {
            tracing::error!(error = %e, "a write failed");
            ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
            batch.into_writes().for_each(|w| w.fail(&e));
        }
    }
}

/// Why a batch was not written.
enum Failed {
    /// No connection, or the one taken broke (it is discarded): whether
    /// the commit happened may be unknown, and a retry finds out. Writing
    /// each alone would only wait longer.
    Unavailable(StoreError),
    /// Anything else: the transaction is rolled back.
    Other(StoreError),
}

/// One transaction: the entries (under their rounds' locks), the
/// submissions, the counters of what was stored, one commit; in two trips
/// to the database, not one per statement. Every statement of a batch is
/// prepared on the connection first, so each below goes to the server when
/// its future is first polled, in that order (tokio-postgres pipelines
/// them): BEGIN, the locks, the rows; then, once the rows stored are known,
/// the counters and COMMIT. A transaction that waited for this node
/// between its statements held its locks and its slot the longer, and
/// under load its node is slow to answer (BENCHMARKS.md, eleventh session).
async fn transaction(
    ctx: &Ctx,
    subs: &[&NewSubmission],
    entries: &[&NewEntry],
) -> std::result::Result<(Vec<Submitted>, Vec<Entered>), Failed> {
    let client = ctx
        .pool
        .get()
        .await
        .map_err(|e| Failed::Unavailable(e.into()))?;
    let open = Open(Some(client));
    let client = open.client();
    // Whether COMMIT was sent: a connection that breaks after it leaves the
    // outcome unknown; before it, nothing was kept.
    let committing = std::sync::atomic::AtomicBool::new(false);
    let out = async {
        prepare(client).await?;
        let (_, entered, submitted) = tokio::try_join!(
            client.batch_execute("BEGIN"),
            super::entries::insert_batch(client, &ctx.round_keys, entries),
            super::submissions::insert_batch(client, subs),
        )?;
        // The counters of what was stored.
        let mut counts = super::stats::Adds::default();
        for (s, out) in subs.iter().zip(&submitted) {
            if out.is_ok() {
                super::submissions::count(s, &mut counts);
            }
        }
        for (e, out) in entries.iter().zip(&entered) {
            if out.is_ok() {
                counts.round(&e.set_id, &e.round_id, [0, 0, 0, 1]);
                let hour = crate::store::tally::hour_of(&e.created_at);
                counts.funnel((&e.set_id, &e.round_id), hour, &e.source, [0, 0, 0, 0, 1]);
            }
        }
        committing.store(true, Ordering::Relaxed);
        // A counter refused aborts the transaction, and the COMMIT behind
        // it then rolls back: its error is the batch's.
        tokio::try_join!(counts.write(client), client.batch_execute("COMMIT"))?;
        Ok::<_, tokio_postgres::Error>((submitted, entered))
    }
    .await;
    match out {
        Ok(written) => {
            open.close();
            Ok(written)
        }
        // `Unreachable` for a connection that must not be used again
        // (`health::discards`): dropped with `open`, and the store's facade
        // tells the pool's health.
        Err(e) => {
            match StoreError::from(e) {
                StoreError::Unreachable(why) => Err(Failed::Unavailable(StoreError::Unreachable(
                    if committing.load(Ordering::Relaxed) {
                        format!("the connection broke during the commit, whose outcome is unknown: {why}")
                    } else {
                        format!("the connection broke before the commit: {why}")
                    },
                ))),
                other => {
                    // Rolled back, unless the COMMIT already ended it (then
                    // PostgreSQL only warns); a connection that cannot say so
                    // is not used again.
                    if client.batch_execute("ROLLBACK").await.is_ok() {
                        open.close();
                    }
                    Err(Failed::Other(other))
                }
            }
        }
    }
}

/// Prepares every statement a batch sends, on this connection (at once:
/// cached after its first batch).
async fn prepare(
    client: &deadpool_postgres::Client,
) -> std::result::Result<(), tokio_postgres::Error> {
    let all = super::entries::BATCH_STATEMENTS
        .into_iter()
        .chain([super::submissions::INSERT_SUBMISSIONS])
        .chain(super::stats::ADD_STATEMENTS);
    futures_util::future::try_join_all(all.map(|sql| client.prepare_cached(sql))).await?;
    Ok(())
}

/// A batch's connection while its transaction may be open: dropped before
/// [`Open::close`] (the transaction not ended, or the task cancelled), the
/// connection is closed, never handed back to the pool mid-transaction.
struct Open(Option<deadpool_postgres::Object>);

impl Open {
    fn client(&self) -> &deadpool_postgres::Client {
        self.0.as_ref().expect("open until closed")
    }

    /// The transaction is over: the connection goes back to the pool.
    fn close(mut self) {
        drop(self.0.take());
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            drop(deadpool_postgres::Object::take(client));
        }
    }
}

/// What the node's batches did (the metrics endpoint has the committed
/// ones' sizes and times from `StoreMeters`).
#[derive(Debug, Default)]
pub struct BatchStats {
    batches: AtomicU64,
    writes: AtomicU64,
    largest: AtomicU64,
    failed: AtomicU64,
    split: AtomicU64,
    sizes: [AtomicU64; SIZE_BUCKETS.len()],
    micros: AtomicU64,
}

impl BatchStats {
    fn batch(&self, size: usize, took: Duration) {
        let size = size as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(size, Ordering::Relaxed);
        self.largest.fetch_max(size, Ordering::Relaxed);
        let bucket = SIZE_BUCKETS
            .iter()
            .position(|&b| size <= b)
            .unwrap_or(SIZE_BUCKETS.len() - 1);
        self.sizes[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn counts(&self) -> BatchCounts {
        let mut sizes = [0; SIZE_BUCKETS.len()];
        let mut below = 0;
        for (i, n) in self.sizes.iter().enumerate() {
            below += n.load(Ordering::Relaxed);
            sizes[i] = below;
        }
        BatchCounts {
            batches: self.batches.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            largest: self.largest.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            split: self.split.load(Ordering::Relaxed),
            sizes,
            seconds: self.micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_share_the_batches_in_flight() {
        let at_once = |nodes| IN_FLIGHT / weight(IN_FLIGHT, nodes);
        assert_eq!(at_once(0), 4, "a node that has not counted yet");
        assert_eq!(at_once(1), 4);
        assert_eq!(at_once(2), 2);
        assert_eq!(at_once(3), 1);
        assert_eq!(at_once(9), 1, "never none");
    }

    #[test]
    fn nodes_share_the_reads_in_flight() {
        let total = crate::store::postgres::reads::IN_FLIGHT;
        let at_once = |nodes| total / weight(total, nodes);
        assert_eq!(at_once(1), 2);
        assert_eq!(at_once(2), 1, "one each for two nodes");
        assert_eq!(at_once(5), 1, "never none");
    }
}
