//! Gathered point reads: every entry first reads its session's submission
//! (passed? when?), one row by its key. Alone, each read is a round trip
//! and a statement of its own on a pooled connection, which costs the
//! server more than the row is worth; under load the entries' reads are
//! gathered here, as the writes are in [`super::batch`], into one
//! statement over an array of keys (`UNNEST … JOIN`).
//!
//! - A read that finds a free slot goes at once with whatever is queued:
//!   alone when the node is quiet, so nothing waits for company. At most
//!   [`IN_FLIGHT`] statements are out at a time from all the nodes on the
//!   database (each node its share, as for the write batches: one each for
//!   two nodes, whose reads would otherwise go in statements half as big,
//!   costing PostgreSQL ~10 % more per entry), and what arrives meanwhile
//!   goes with the next, up to [`MAX_READS`]. A read alone is the shared
//!   statement `GET_SUBMISSION`, as on SQLite.
//! - It reads what a statement of its own would have read: committed rows,
//!   as of the statement's start, which begins after the read was asked.
//! - A statement that fails answers each of its reads with the error; on a
//!   connection that must not be used again the connection is discarded
//!   (the store's facade tells the pool's health, as for any read).

use super::submissions::submission_row;
use super::{Cached, Col, Result, StoreError};
use crate::store::rules::{key_param, nonce_param};
use crate::store::sql::submissions::GET_SUBMISSION;
use crate::store::{SessionId, Submission};
use deadpool_postgres::Pool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// Most reads in one statement.
pub const MAX_READS: usize = 256;

/// Statements out at once from all the nodes on one database, each on its
/// own connection: shared as the write batches are (`batch::weight`), one
/// each for two nodes.
pub const IN_FLIGHT: usize = 2;

/// The submissions of sessions `$1`/`$2` (keys and nonces): a
/// `GET_SUBMISSION` row and its session's place `n` in the arrays; a
/// session without one has no row.
const GET_SUBMISSIONS: &str = "SELECT s.submitted_at, s.score, s.percent, s.passed, u.n
     FROM UNNEST($1::BIGINT[], $2::BIGINT[]) WITH ORDINALITY AS u (id, nonce, n)
     JOIN submissions s ON s.id = u.id AND s.nonce = u.nonce";

type Reply = oneshot::Sender<Result<Option<Submission>>>;

/// A handle to the node's gatherer of submission reads.
#[derive(Clone)]
pub(super) struct Reads {
    queue: mpsc::UnboundedSender<(SessionId, Reply)>,
}

impl Reads {
    /// Starts the gatherer on the runtime; it ends when every handle is gone.
    /// `nodes`: how many nodes share the database now (kept by the batcher).
    pub(super) fn start(
        pool: Pool,
        meters: crate::metrics::StoreMeters,
        nodes: Arc<AtomicUsize>,
    ) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(gather(rx, Arc::new((pool, meters)), nodes));
        Self { queue }
    }

    /// The score of `session`'s submission, if it has one.
    pub(super) async fn submission(&self, session: SessionId) -> Result<Option<Submission>> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((session, reply))
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// Takes the queued reads into statements while this node's share of
/// [`IN_FLIGHT`] allows.
async fn gather(
    mut rx: mpsc::UnboundedReceiver<(SessionId, Reply)>,
    ctx: Arc<(Pool, crate::metrics::StoreMeters)>,
    nodes: Arc<AtomicUsize>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        let weight = super::batch::weight(IN_FLIGHT, nodes.load(Ordering::Relaxed));
        let Ok(slot) = slots.clone().acquire_many_owned(weight as u32).await else {
            return;
        };
        let Some(first) = rx.recv().await else {
            return;
        };
        let mut reads = vec![first];
        while reads.len() < MAX_READS {
            match rx.try_recv() {
                Ok(r) => reads.push(r),
                Err(_) => break,
            }
        }
        let ctx = ctx.clone();
        tokio::spawn(async move {
            read(&ctx.0, &ctx.1, reads).await;
            drop(slot);
        });
    }
}

/// Reads `reads` in one statement and answers each.
async fn read(pool: &Pool, meters: &crate::metrics::StoreMeters, reads: Vec<(SessionId, Reply)>) {
    let asked = std::time::Instant::now();
    let client = match pool.get().await {
        Ok(c) => c,
        Err(e) => {
            let e = StoreError::from(e);
            return reads.into_iter().for_each(|(_, r)| {
                let _ = r.send(Err(e.clone()));
            });
        }
    };
    meters.pool_waited(asked.elapsed());
    let mut found: Vec<Option<Submission>> = vec![None; reads.len()];
    let rows = if let [(one, _)] = reads.as_slice() {
        let key = [&key_param(one.key) as _, &nonce_param(one.nonce) as _];
        client
            .row_opt(GET_SUBMISSION, &key)
            .await
            .map_err(StoreError::from)
            .and_then(|r| {
                found[0] = r.map(|r| submission_row(&r)).transpose()?;
                Ok(())
            })
    } else {
        gathered(&client, &reads, &mut found).await
    };
    match rows {
        Ok(()) => {
            for ((_, reply), row) in reads.into_iter().zip(found) {
                let _ = reply.send(Ok(row));
            }
        }
        Err(e) => {
            if matches!(e, StoreError::Unreachable(_)) {
                drop(deadpool_postgres::Object::take(client));
            }
            for (_, reply) in reads {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

/// Reads several sessions' submissions in one statement into `found`, by
/// their place in `reads`.
async fn gathered(
    client: &deadpool_postgres::Object,
    reads: &[(SessionId, Reply)],
    found: &mut [Option<Submission>],
) -> Result<()> {
    let ids: Vec<i64> = reads.iter().map(|(s, _)| key_param(s.key)).collect();
    let nonces: Vec<i64> = reads.iter().map(|(s, _)| nonce_param(s.nonce)).collect();
    for r in client.rows(GET_SUBMISSIONS, &[&ids, &nonces]).await? {
        let n: i64 = r.col(4)?;
        let at = usize::try_from(n - 1)
            .ok()
            .filter(|&i| i < found.len())
            .ok_or_else(|| StoreError::Corrupt(format!("a gathered read answered row {n}")))?;
        found[at] = Some(submission_row(&r)?);
    }
    Ok(())
}
