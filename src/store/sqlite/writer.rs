//! Group commit: one thread owns the only write connection. Handlers send
//! jobs; the thread takes every job queued (up to [`MAX_BATCH`]), runs them
//! inside one transaction (each in its own savepoint, or as single
//! statements: [`Isolation`]), commits once, and only then answers each job.
//! With `synchronous=FULL` an answer means the write is on disk.
//!
//! The staff's counters ride along: each job's counts ([`Counts`]) and the
//! session starts counted since the last commit are written once, at the end
//! of the batch, in the same transaction.

use crate::metrics::StoreMeters;
use crate::store::tally::{Counts, Starts};
use crate::store::StoreError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Most jobs committed together.
pub const MAX_BATCH: usize = 512;

/// Longest a counted session start waits to be written when no write comes.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// One job of a batch, in two steps: it runs inside the batch's open
/// transaction, then is answered once the batch is committed (or not).
trait Job: Send {
    /// Runs inside the transaction, with the batch's counts; `Err` is why no
    /// transaction could be begun.
    fn run(&mut self, tx: Result<(&Connection, &mut Counts), &str>);
    /// Answers the caller: its outcome, or the commit's error.
    fn answer(self: Box<Self>, commit_error: Option<&str>);
}

/// A caller's closure waiting in the queue, and where its answer goes.
struct Pending<R, F> {
    isolation: Isolation,
    work: Option<F>,
    outcome: Option<Result<R, StoreError>>,
    reply: oneshot::Sender<Result<R, StoreError>>,
}

impl<R, F> Job for Pending<R, F>
where
    R: Send,
    F: FnOnce(&Connection, &mut Counts) -> Result<R, StoreError> + Send,
{
    fn run(&mut self, tx: Result<(&Connection, &mut Counts), &str>) {
        let Some(work) = self.work.take() else {
            return;
        };
        self.outcome = Some(match (tx, self.isolation) {
            (Ok((conn, counts)), Isolation::Savepoint) => in_savepoint(conn, counts, work),
            (Ok((conn, counts)), Isolation::Statement) => work(conn, counts),
            (Err(e), _) => Err(StoreError::Commit(e.to_owned())),
        });
    }

    fn answer(self: Box<Self>, commit_error: Option<&str>) {
        let out = match (self.outcome, commit_error) {
            (Some(Ok(_)), Some(e)) => Err(StoreError::Commit(e.to_owned())),
            (Some(out), _) => out,
            (None, _) => Err(StoreError::WriterGone),
        };
        let _ = self.reply.send(out);
    }
}

/// What a failed job leaves behind: see [`Writer::run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// In its own savepoint.
    Savepoint,
    /// Single statements, each atomic by itself.
    Statement,
}

/// A handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the thread that owns `conn`, the connection to the file at
    /// `path`. `on_reopen` runs whenever the writer opens a new connection
    /// because the old one could not write. `starts` are written with every
    /// commit, and at least every [`FLUSH_EVERY`] while any wait. Each
    /// batch's size and time go to `meters`, and whether it committed.
    pub fn start(
        conn: Connection,
        path: PathBuf,
        starts: Arc<Starts>,
        on_reopen: Box<dyn Fn() + Send>,
        meters: StoreMeters,
    ) -> Self {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, &path, &starts, &*on_reopen, &meters, rx))
            .expect("the writer thread can be spawned");
        Self { tx }
    }

    /// Queues a job and waits until its batch is committed.
    ///
    /// An [`Isolation::Savepoint`] job runs in its own savepoint: when it
    /// fails, its changes and its counts are undone. An [`Isolation::Statement`]
    /// job makes each change in one statement (SQLite undoes a failed
    /// statement by itself) and counts only what it stored; it skips the two
    /// savepoint statements, a twentieth of a submission's cost.
    pub async fn run<R, F>(&self, isolation: Isolation, job: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection, &mut Counts) -> Result<R, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<R, StoreError>>();
        let job = Pending {
            isolation,
            work: Some(job),
            outcome: None,
            reply,
        };
        self.tx
            .send(Box::new(job))
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// Runs one job in a savepoint so its failure undoes only its own changes (and counts).
fn in_savepoint<R>(
    conn: &Connection,
    counts: &mut Counts,
    job: impl FnOnce(&Connection, &mut Counts) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    conn.prepare_cached("SAVEPOINT job")?.execute([])?;
    let mut mine = Counts::default();
    let out = job(conn, &mut mine);
    if out.is_err() {
        conn.prepare_cached("ROLLBACK TO job")?.execute([])?;
    } else {
        counts.merge(mine);
    }
    conn.prepare_cached("RELEASE job")?.execute([])?;
    out
}

/// Least time between attempts to reopen a connection that cannot write.
const REOPEN_EVERY: Duration = Duration::from_secs(1);

fn run(
    conn: Connection,
    path: &Path,
    starts: &Starts,
    on_reopen: &dyn Fn(),
    meters: &StoreMeters,
    rx: mpsc::Receiver<Box<dyn Job>>,
) {
    let mut conn = Some(conn);
    let mut last_reopen: Option<Instant> = None;
    let mut open = true;
    while open {
        let mut batch = match rx.recv_timeout(FLUSH_EVERY) {
            Ok(first) => vec![first],
            Err(mpsc::RecvTimeoutError::Timeout) if !starts.is_empty() => Vec::new(),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            // Every handle is gone: write the last starts, then stop.
            Err(mpsc::RecvTimeoutError::Disconnected) if !starts.is_empty() => {
                open = false;
                Vec::new()
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // A connection opened on a read-only file stays read-only, and so does
        // every later one while any connection of this process still has the
        // file open: close them all and open anew, now and then, so writing
        // resumes by itself once the file is writable again.
        let cannot_write = conn
            .as_ref()
            .is_none_or(|c| c.is_readonly(rusqlite::MAIN_DB).unwrap_or(false));
        if cannot_write && last_reopen.is_none_or(|t| t.elapsed() >= REOPEN_EVERY) {
            last_reopen = Some(Instant::now());
            on_reopen();
            conn = None;
            match super::connect_writer(path) {
                Ok(fresh) => {
                    if fresh.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
                        tracing::error!(db = %path.display(), "the database file is read-only; writes are refused until it is writable");
                    }
                    conn = Some(fresh);
                }
                Err(e) => {
                    tracing::error!(error = %e, db = %path.display(), "cannot open the database")
                }
            }
        }
        let began = Instant::now();
        let begun = match conn.as_ref() {
            Some(c) => c
                .execute_batch("BEGIN IMMEDIATE")
                .map(|()| c)
                .map_err(|e| e.to_string()),
            None => Err("the database cannot be opened".to_owned()),
        };
        let c = match begun {
            Ok(c) => c,
            Err(msg) => {
                meters.set_reachable(false);
                // A flush of starts alone retries quietly; the starts stay counted.
                if !batch.is_empty() {
                    tracing::error!(error = %msg, db = %path.display(), "cannot begin a write transaction");
                }
                for mut job in batch {
                    job.run(Err(&msg));
                    job.answer(None);
                }
                continue;
            }
        };
        let mut counts = Counts::default();
        for job in &mut batch {
            job.run(Ok((c, &mut counts)));
        }
        let started = starts.take();
        counts.merge(started.clone());
        let committed = super::stats::write_counts(c, &counts)
            .map_err(|e| e.to_string())
            .and_then(|()| c.execute_batch("COMMIT").map_err(|e| e.to_string()));
        let error = match committed {
            Ok(()) if batch.is_empty() => {
                meters.set_reachable(true);
                None
            }
            Ok(()) => {
                meters.batch(batch.len(), began.elapsed());
                None
            }
            Err(e) => {
                meters.set_reachable(false);
                tracing::error!(error = %e, "commit failed");
                let _ = c.execute_batch("ROLLBACK");
                starts.restore(started);
                Some(e)
            }
        };
        for job in batch {
            job.answer(error.as_deref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::stats::round_counts;
    use super::*;

    #[tokio::test]
    async fn a_failed_job_undoes_only_itself_and_answers_come_after_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = super::super::connect(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER)").unwrap();
        let w = Writer::start(
            conn,
            path.clone(),
            Arc::default(),
            Box::new(|| {}),
            StoreMeters::default(),
        );
        let jobs = (0..50).map(|i| {
            let w = w.clone();
            tokio::spawn(async move {
                w.run(Isolation::Savepoint, move |c, _| {
                    c.execute("INSERT INTO t VALUES (?1)", [i])?;
                    if i % 2 == 1 {
                        return Err(StoreError::Task("odd".into()));
                    }
                    Ok(i)
                })
                .await
            })
        });
        let mut ok = 0;
        for j in jobs {
            let out = j.await.unwrap();
            if let Ok(i) = out {
                ok += 1;
                // Answered only after the commit: a separate connection already sees the row.
                let reader = rusqlite::Connection::open(&path).unwrap();
                let n: i64 = reader
                    .query_row("SELECT COUNT(*) FROM t WHERE v = ?1", [i], |r| r.get(0))
                    .unwrap();
                assert_eq!(n, 1);
            }
        }
        assert_eq!(ok, 25);
        let reader = rusqlite::Connection::open(&path).unwrap();
        let odd: i64 = reader
            .query_row("SELECT COUNT(*) FROM t WHERE v % 2 = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(odd, 0, "failed jobs left nothing behind");
    }

    #[test]
    fn counted_starts_are_written_without_any_write_to_carry_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let mut conn = super::super::connect(&path).unwrap();
        super::super::migrate(&mut conn).unwrap();
        let starts = Arc::new(Starts::default());
        let w = Writer::start(
            conn,
            path.clone(),
            starts.clone(),
            Box::new(|| {}),
            StoreMeters::default(),
        );
        let reader = super::super::connect(&path).unwrap();
        // Waits (at most 10 flushes) until the stored count is `want`.
        let started_becomes = |want: i64| {
            let deadline = Instant::now() + FLUSH_EVERY * 10;
            loop {
                let got = round_counts(&reader, "set", None).unwrap().started;
                if got == want || Instant::now() > deadline {
                    return got;
                }
                std::thread::yield_now();
            }
        };
        starts.add("set", "r1", 1, "direct");
        starts.add("set", "r1", 1, "direct");
        assert_eq!(started_becomes(2), 2, "written by the timer");
        starts.add("set", "r1", 1, "direct");
        drop(w);
        assert_eq!(started_becomes(3), 3, "written when the writer stops");
    }
}
