//! The SQLite engine: one file in WAL mode, `synchronous=FULL`; migrations by
//! `PRAGMA user_version` ([`migrations`]); one long-lived writer thread that
//! commits concurrent writes together (`writer`); a few read connections
//! beside it. The SQL lives with its aggregate: [`meta`], [`submissions`],
//! [`entries`], [`stats`], [`draws`], each with the operations of
//! [`crate::store::Store`] that touch it.

mod audit;
mod draws;
mod entries;
mod erasure;
pub(in crate::store) mod inspect;
mod keys;
mod meta;
pub mod migrations;
mod sources;
mod stats;
mod submissions;
mod writer;

use super::StoreError;
use crate::store::tally::{self, Counts};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use writer::{Isolation, Writer};

pub use migrations::migrate;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::Error as E;
        match e {
            // A value of another type than the code reads (a row changed by
            // hand): unreadable, as PostgreSQL's `Col::col` says it.
            E::InvalidColumnType(..)
            | E::FromSqlConversionFailure(..)
            | E::IntegralValueOutOfRange(..) => Self::Corrupt(e.to_string()),
            _ => Self::Database(e.to_string()),
        }
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// Whether SQLite refused a statement for a UNIQUE or PRIMARY KEY rule: a
/// duplicate. Any other refusal (a trigger's RAISE, a CHECK, NOT NULL) is
/// the store's trouble, answered 503, never taken for a duplicate.
fn is_duplicate(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.extended_code, SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY))
}

/// Whether `path` is a SQLite database file (by its 16-byte header), so a
/// command given some other file refuses it before opening (and making
/// private) what is not a database.
pub fn is_database_file(path: &Path) -> bool {
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok_and(|()| &header == b"SQLite format 3\0")
}

/// Read connections: at most this many reads run at once (the rest wait),
/// so a thousand connections can't open a thousand SQLite handles and threads.
const READ_POOL: usize = 8;

/// The engine: the writer and a small pool of read connections.
#[derive(Clone)]
pub(super) struct Sqlite {
    path: Arc<PathBuf>,
    writer: Writer,
    /// Idle read connections, each with the generation it was opened in.
    readers: Arc<Mutex<Vec<(u64, Connection)>>>,
    /// Bumped when the writer reopens its connection: SQLite shares one
    /// WAL-index mapping per file within a process, so connections opened
    /// while the file was read-only must all go before writing can resume.
    generation: Arc<AtomicU64>,
    read_permits: Arc<tokio::sync::Semaphore>,
    /// Session starts not yet written.
    starts: Arc<tally::Starts>,
}

/// Opens a connection with the pragmas every connection needs. (Reading
/// through `mmap` was tried: entries +2–11% in the full benchmark, within its
/// noise, for RSS that counts the mapped file and a SIGBUS on a storage
/// error instead of an error code; not kept.)
pub fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The writer's connection: it checkpoints every 64 MB of WAL rather than
/// 4 MB, so the pages every batch rewrites (the counters, the tables' last
/// leaves, the entry indexes) are copied back to the database less often: a
/// tenth more submissions a second, for a longer pause (tens of ms) at each
/// checkpoint. (A page cache of 16 MB instead of 2 MB made no measurable
/// difference to entries, so it stays at SQLite's default.)
///
/// It also zeroes what it deletes (`secure_delete`), so an erased name or
/// phone (SPEC §8) does not linger in a page's free space; only withdrawals
/// and purges delete, so the entry path pays nothing for it.
fn connect_writer(path: &Path) -> rusqlite::Result<Connection> {
    let conn = connect(path)?;
    conn.execute_batch(
        "PRAGMA wal_autocheckpoint = 16384;
         PRAGMA secure_delete = ON;",
    )?;
    Ok(conn)
}

/// Every name and phone is in the database file (and its `-wal` and `-shm`
/// beside it), and so is the session secret: they are the service user's
/// alone. A folder the service creates is 0700; the file is created 0600
/// before SQLite opens it (SQLite gives `-wal` and `-shm` the file's mode),
/// and an older file readable by others loses the group's and others' bits.
fn make_private(path: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        if let Some(dir) = dir {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot create the database {}", path.display()))
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = Path::new(&name);
            let Ok(meta) = std::fs::metadata(file) else {
                continue;
            };
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                // Group and others lose their bits; the owner's stay as they are.
                let private = std::fs::Permissions::from_mode(mode & 0o700);
                if let Err(e) = std::fs::set_permissions(file, private) {
                    tracing::warn!(file = %file.display(), error = %e, "cannot make the database file private");
                }
            }
        }
    }
    #[cfg(not(unix))]
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
    }
    Ok(())
}

/// One node: no shared sets, no lease (the contract's defaults).
impl super::contract::SharedSets for Sqlite {}

/// One node: no shared sets, no lease (the contract's defaults).
impl super::contract::Nodes for Sqlite {}

impl Sqlite {
    /// Opens (creating the folder and file if needed), migrates, and starts the writer.
    pub(super) fn open(path: &Path, meters: &crate::metrics::StoreMeters) -> anyhow::Result<Self> {
        use anyhow::Context;
        let existing = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        anyhow::ensure!(
            !existing || is_database_file(path),
            "{}: not a SQLite database file",
            path.display()
        );
        make_private(path)?;
        let mut conn = connect_writer(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let version = |c: &Connection| -> rusqlite::Result<i64> {
            c.query_row("PRAGMA user_version", [], |r| r.get(0))
        };
        let before = version(&conn)?;
        migrate(&mut conn)
            .with_context(|| format!("cannot migrate the database {}", path.display()))?;
        if version(&conn)? != before {
            // What a migration erased (the phone hashes under the old shared
            // secret) leaves the WAL. Only then: a file made read-only
            // (a full disk, a wrong owner) must still open and serve reads.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let readers: Arc<Mutex<Vec<(u64, Connection)>>> = Arc::default();
        let generation = Arc::new(AtomicU64::new(0));
        let on_reopen = {
            let (readers, generation) = (readers.clone(), generation.clone());
            move || {
                generation.fetch_add(1, Ordering::SeqCst);
                readers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clear();
            }
        };
        let starts = Arc::new(tally::Starts::default());
        let writer = Writer::start(
            conn,
            path.to_path_buf(),
            starts.clone(),
            Box::new(on_reopen),
            meters.clone(),
        );
        Ok(Self {
            path: Arc::new(path.to_path_buf()),
            writer,
            readers,
            generation,
            read_permits: Arc::new(tokio::sync::Semaphore::new(READ_POOL)),
            starts,
        })
    }

    /// Runs a job of several statements on the writer, in its own savepoint;
    /// resolves after its batch is committed.
    async fn write<R, F>(&self, job: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        self.writer
            .run(Isolation::Savepoint, move |c, _| job(c))
            .await
    }

    /// A write of single statements that also counts what it stored for the
    /// staff's numbers; the counts are written with the batch (see [`Writer::run`]).
    async fn write_counted<R, F>(&self, job: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection, &mut Counts) -> Result<R> + Send + 'static,
    {
        self.writer.run(Isolation::Statement, job).await
    }

    /// Runs a read on a pooled read connection, off the async threads.
    async fn read<R, F>(&self, job: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let permit = self.read_permits.clone().acquire_owned().await;
        let engine = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            engine.lookup(job)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs a read on the calling thread. For the visitor's point reads (tens
    /// of microseconds) the hop to a blocking thread costs more than the read
    /// itself; anything that scans belongs in [`Sqlite::read`].
    fn lookup<R>(&self, job: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let current = self.generation.load(Ordering::SeqCst);
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match pooled {
            Some((generation, c)) if generation == current => c,
            _ => connect(&self.path)?,
        };
        let out = job(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < READ_POOL && self.generation.load(Ordering::SeqCst) == current {
            pool.push((current, conn));
        }
        out
    }
}
