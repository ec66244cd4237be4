//! A throwaway PostgreSQL cluster for the tests: one per test process,
//! started on first use (`initdb` into a temp dir, `pg_ctl start` on a free
//! 127.0.0.1 port, trust auth, user `postgres`), one fresh database per test
//! (`database_url`). Binaries come from the highest `/usr/lib/postgresql/*/bin`
//! or PATH; as root they run as the `postgres` user through `runuser`. Locally
//! a test skips with a printed reason when PostgreSQL is missing; under
//! `CI=true` it must run. A static is never dropped, so a watchdog process
//! holds a pipe from the test process: at its EOF (the test process ended,
//! however, even by SIGKILL) it sends SIGINT (fast shutdown) to the pid in
//! the postmaster's pid file and removes the temp dir.
//!
//! A test may also start a [`Cluster`] of its own (`Cluster::start`), give
//! it a streaming standby (`standby`, `pg_basebackup -R` on a free port) made
//! synchronous (`synchronous`), and lose it as a primary is lost: `crash`
//! (`pg_ctl stop -m immediate`), `freeze` (SIGSTOP on the postmaster and its
//! children) or `make_read_only`, then `promote` the standby
//! (`tests/nodes/failover.rs`).

use std::hash::{BuildHasher, Hasher};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// The server's settings: durable commits, room for many pools.
const SETTINGS: &str = "-c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on \
                        -c max_connections=300 -c shared_buffers=64MB";

/// A running cluster; stopped on drop, or, for the one behind `cluster()`
/// (never dropped), by its watchdog when the test process ends.
pub struct Cluster {
    port: u16,
    bin: PathBuf,
    data: PathBuf,
    log: PathBuf,
    as_postgres: bool,
    postmaster: u32,
    watchdog: Option<Child>,
    _dir: tempfile::TempDir,
}

enum Unavailable {
    /// Not installed: skip locally, panic under CI.
    Missing(String),
    /// Installed but would not start: every caller panics with this.
    Broken(String),
}

/// The process's cluster, started on first call; `None` (with a printed
/// reason) when PostgreSQL is missing outside CI.
#[allow(dead_code)]
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Result<Cluster, Unavailable>> = OnceLock::new();
    available(CLUSTER.get_or_init(Cluster::launch).as_ref())
}

fn available<T>(cluster: Result<T, &Unavailable>) -> Option<T> {
    match cluster {
        Ok(c) => Some(c),
        Err(Unavailable::Broken(why)) => panic!("{why}"),
        Err(Unavailable::Missing(why)) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but {why}; .ci/run installs Debian's postgresql"
            );
            eprintln!("SKIPPED: {why} (apt-get install postgresql)");
            None
        }
    }
}

/// A fresh, empty database on the process's cluster, as a URL.
#[allow(dead_code)]
pub fn database_url() -> Option<String> {
    cluster().map(Cluster::create_database)
}

impl Cluster {
    /// A cluster of the caller's own (to stop, crash or restart), stopped
    /// on drop; `None` as for `cluster()`.
    #[allow(dead_code)]
    pub fn start() -> Option<Cluster> {
        match Cluster::launch() {
            Ok(c) => Some(c),
            Err(e) => available(Err(&e)),
        }
    }

    fn launch() -> Result<Cluster, Unavailable> {
        let Some(bin) = bin_dir() else {
            return Err(Unavailable::Missing(
                "PostgreSQL binaries not found (initdb, pg_ctl, psql in /usr/lib/postgresql/*/bin or on PATH)".into(),
            ));
        };
        let as_postgres = effective_uid() == Some(0);
        if as_postgres {
            // PostgreSQL refuses to run as root.
            let user = Command::new("id").args(["-u", "postgres"]).output();
            if !user.is_ok_and(|o| o.status.success()) || !Path::new("/usr/sbin/runuser").exists() {
                return Err(Unavailable::Missing(
                    "running as root, but no `postgres` user or no runuser to run PostgreSQL as"
                        .into(),
                ));
            }
        }
        Self::boot(bin, as_postgres).map_err(Unavailable::Broken)
    }

    fn boot(bin: PathBuf, as_postgres: bool) -> Result<Cluster, String> {
        let t0 = Instant::now();
        let mut cluster = Cluster::empty(bin, as_postgres)?;
        run(cluster.pg("initdb").arg("-D").arg(&cluster.data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
        ]))?;
        cluster.listen()?;
        eprintln!(
            "postgres: cluster on 127.0.0.1:{} (pid {}) started in {:.1} s",
            cluster.port,
            cluster.postmaster,
            t0.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// A temp dir for a cluster (owned by `postgres` when we are root) and
    /// its watchdog; no data yet, not started.
    fn empty(bin: PathBuf, as_postgres: bool) -> Result<Cluster, String> {
        // As root the dir goes to `postgres`, so every dir above it must let
        // others through (/tmp does).
        let base = std::env::temp_dir();
        let base = if as_postgres && !traversable(&base) {
            PathBuf::from("/tmp")
        } else {
            base
        };
        let dir = tempfile::Builder::new()
            .prefix("quizbooth-pg-")
            .tempdir_in(base)
            .map_err(|e| format!("temp dir for PostgreSQL: {e}"))?;
        let data = dir.path().join("data");
        let sock = dir.path().join("sock");
        let log = dir.path().join("postgres.log");
        std::fs::create_dir(&sock).map_err(|e| format!("{}: {e}", sock.display()))?;
        if as_postgres {
            run(Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(dir.path()))?;
        }
        Ok(Cluster {
            port: 0,
            bin,
            data,
            log,
            as_postgres,
            postmaster: 0,
            watchdog: Some(watchdog(dir.path())?),
            _dir: dir,
        })
    }

    /// Starts the server on its data at a free port (another, should the
    /// port be taken before the server binds it) and reads its pid.
    fn listen(&mut self) -> Result<(), String> {
        let sock = self
            .data
            .parent()
            .ok_or("data dir has a parent")?
            .join("sock");
        let sock = (sock
            .to_str()
            .filter(|s| !s.contains('\''))
            .map(str::to_owned))
        .ok_or("socket dir path unfit for pg_ctl -o")?;
        let mut tries = 0;
        loop {
            tries += 1;
            self.port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("a free port: {e}"))?
                .port();
            let started = run(self
                .pg("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .arg("-o")
                .arg(format!("-p {} -k '{sock}' {SETTINGS}", self.port))
                .arg("-l")
                .arg(&self.log)
                .args(["-w", "-t", "60", "start"]));
            match started {
                Ok(()) => break,
                Err(e) if tries == 3 => {
                    let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                    return Err(format!("{e}\n--- {}:\n{log}", self.log.display()));
                }
                Err(_) => continue,
            }
        }
        let pidfile = self.data.join("postmaster.pid");
        self.postmaster = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.lines().next()?.trim().parse().ok())
            .filter(|&pid: &u32| pid > 0)
            .ok_or_else(|| format!("no pid in {}", pidfile.display()))?;
        Ok(())
    }

    /// A streaming standby of this cluster (`pg_basebackup -R -X stream`)
    /// on a free port of its own, stopped on drop. Made before
    /// [`Cluster::synchronous`], so its copy of the settings waits for no
    /// standby once promoted.
    #[allow(dead_code)]
    pub fn standby(&self) -> Cluster {
        let t0 = Instant::now();
        let mut standby = Cluster::empty(self.bin.clone(), self.as_postgres).unwrap();
        run(standby
            .pg("pg_basebackup")
            .arg("-D")
            .arg(&standby.data)
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                // Not a spread checkpoint's minutes.
                "--checkpoint=fast",
                "-p",
            ])
            .arg(self.port.to_string()))
        .unwrap();
        standby.listen().unwrap();
        eprintln!(
            "postgres: standby of 127.0.0.1:{} on 127.0.0.1:{} (pid {}) in {:.1} s",
            self.port,
            standby.port,
            standby.postmaster,
            t0.elapsed().as_secs_f64()
        );
        standby
    }

    /// Makes every commit wait for a standby (`synchronous_standby_names =
    /// '*'`) and waits until one is synchronous.
    #[allow(dead_code)]
    pub fn synchronous(&self) {
        self.psql(
            "postgres",
            "ALTER SYSTEM SET synchronous_standby_names = '*'",
        );
        self.psql("postgres", "SELECT pg_reload_conf()");
        super::eventually_blocking(
            std::time::Duration::from_secs(30),
            "a synchronous standby",
            || {
                let sync = self.psql(
                    "postgres",
                    "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
                );
                (sync == "1").then_some(())
            },
        );
    }

    /// Promotes this standby to a primary and waits until it is one.
    #[allow(dead_code)]
    pub fn promote(&self) {
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "-t", "60", "promote"]))
        .unwrap();
    }

    /// Stops the server at once, as a machine losing power would
    /// (`pg_ctl stop -m immediate`: no checkpoint, connections cut).
    #[allow(dead_code)]
    pub fn crash(&self) {
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"]))
        .unwrap();
    }

    /// Hangs the server: SIGSTOP to the postmaster, then to every process
    /// it started, so connections stay open and nothing answers (a new
    /// connection is still accepted by the kernel, then hears nothing).
    #[allow(dead_code)]
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Turns a live primary read-only without a restart, as a demoted one
    /// answers: every session's next transaction is read-only, so writes
    /// fail with SQLSTATE 25006.
    #[allow(dead_code)]
    pub fn make_read_only(&self) {
        self.psql(
            "postgres",
            "ALTER SYSTEM SET default_transaction_read_only = on",
        );
        self.psql("postgres", "SELECT pg_reload_conf()");
    }

    /// Sends `sig` (`-STOP`, `-CONT`…) to the postmaster, then to its
    /// children (the backends, checkpointer, WAL sender…); a process gone
    /// meanwhile is no error.
    fn signal(&self, sig: &str) {
        if self.postmaster == 0 {
            return;
        }
        let _ = Command::new("kill")
            .arg(sig)
            .arg(self.postmaster.to_string())
            .stderr(Stdio::null())
            .status();
        let children = children_of(self.postmaster);
        if !children.is_empty() {
            let _ = Command::new("kill")
                .arg(sig)
                .args(children.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
        }
    }

    /// Stops the server (fast shutdown: open connections are cut), as a
    /// database that goes away under a running service.
    #[allow(dead_code)]
    pub fn stop(&mut self) {
        let out = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Writes files into the data folder (private to the server's user) and
    /// appends `conf` to `postgresql.conf`; takes effect at the next
    /// [`Cluster::restart`] (a server's certificate and key, `ssl = on`).
    #[allow(dead_code)]
    pub fn configure(&self, files: &[(&str, &[u8])], conf: &str) {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        for (name, bytes) in files {
            let path = self.data.join(name);
            std::fs::write(&path, bytes).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            if self.as_postgres {
                run(Command::new("chown").arg("postgres:postgres").arg(&path)).unwrap();
            }
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data.join("postgresql.conf"))
            .unwrap();
        writeln!(f, "{conf}").unwrap();
    }

    /// Starts the server again on the same port and data.
    #[allow(dead_code)]
    pub fn restart(&mut self) {
        let sock = self.data.parent().unwrap().join("sock");
        let out = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-o")
            .arg(format!(
                "-p {} -k '{}' {SETTINGS}",
                self.port,
                sock.display()
            ))
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "start"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pidfile = self.data.join("postmaster.pid");
        self.postmaster = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.lines().next()?.trim().parse().ok())
            .unwrap_or(0);
    }

    #[allow(dead_code)]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The postmaster's pid.
    #[allow(dead_code)]
    pub fn pid(&self) -> u32 {
        self.postmaster
    }

    /// `postgres://postgres@127.0.0.1:PORT/DB`.
    #[allow(dead_code)]
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates an empty database `t_<random hex>`; its URL.
    #[allow(dead_code)]
    pub fn create_database(&self) -> String {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNT.fetch_add(1, Ordering::Relaxed));
        h.write_u32(std::process::id());
        h.write_u128(
            std::time::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .as_nanos(),
        );
        let name = format!("t_{:016x}", h.finish());
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs SQL with psql (unaligned, tuples only) on a database, by name
    /// or URL; its trimmed output. Panics with psql's stderr on failure.
    #[allow(dead_code)]
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.try_psql(db, sql)
            .unwrap_or_else(|e| panic!("psql -c {sql:?} on {db}: {e}"))
    }

    /// The same, with psql's stderr as the error when the SQL fails.
    #[allow(dead_code)]
    pub fn try_psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let mut cmd = Command::new(self.bin.join("psql"));
        if db.contains("://") {
            cmd.arg("-d").arg(db);
        } else {
            cmd.args(["-h", "127.0.0.1", "-U", "postgres", "-d", db])
                .arg("-p")
                .arg(self.port.to_string());
        }
        let out = cmd
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"));
        if !out.status.success() {
            return Err(format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// A cluster binary, as `postgres` when we are root, run from the
    /// temp dir (`postgres` may not be able to enter the current one).
    fn pg(&self, name: &str) -> Command {
        let exe = self.bin.join(name);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("/usr/sbin/runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        cmd.current_dir(self._dir.path()).stdin(Stdio::null());
        cmd
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A frozen server hears the stop below only once woken.
        self.signal("-CONT");
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        if self.data.join("postmaster.pid").exists() {
            let _ = self
                .pg("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "fast", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A process, in its own group and deaf to terminal signals, that waits
/// for EOF on a pipe only this process writes (its end is close-on-exec),
/// then stops the postmaster named in `dir`'s pid file (fast, immediate
/// after 10 s) and removes `dir`. Started before `initdb`; an `initdb` or
/// `pg_ctl start` orphaned mid-way may still write there, hence the rounds.
/// A zombie still answers `kill -0`; the pid file, gone with the
/// postmaster, does not.
fn watchdog(dir: &Path) -> Result<Child, String> {
    const SCRIPT: &str = r#"trap '' INT TERM HUP
read _ || :
pidfile="$1/data/postmaster.pid"
up() { kill -0 "$pid" 2>/dev/null && [ -e "$pidfile" ]; }
round=0
while [ -e "$1" ] && [ $round -lt 20 ]; do
  [ $round -eq 0 ] || sleep 0.5
  round=$((round+1))
  pid=$(head -n 1 "$pidfile" 2>/dev/null) || pid=
  case "$pid" in ''|*[!0-9]*) pid=0 ;; esac
  if [ "$pid" -gt 0 ]; then
    kill -INT "$pid" 2>/dev/null
    i=0; while up && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    if up; then kill -QUIT "$pid"; sleep 2; fi
  fi
  rm -rf "$1"
done"#;
    Command::new("/bin/sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("pg-watchdog")
        .arg(dir)
        .current_dir("/")
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("PostgreSQL watchdog: {e}"))
}

/// The highest `/usr/lib/postgresql/N/bin`, else where PATH's `initdb`
/// really lives; it must hold initdb, pg_ctl and psql.
fn bin_dir() -> Option<PathBuf> {
    let complete = |d: &Path| {
        ["initdb", "pg_ctl", "psql"]
            .iter()
            .all(|b| d.join(b).is_file())
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e
                .file_name()
                .to_str()?
                .split('.')
                .map(|n| n.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .filter_map(|d| std::fs::canonicalize(d.join("initdb")).ok())
        .filter_map(|exe| exe.parent().map(Path::to_path_buf))
        .find(|bin| complete(bin))
}

/// From `/proc/self/status`'s `Uid: real effective saved fs`, else `id -u`.
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let from_proc = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1)?.parse().ok());
    from_proc.or_else(|| {
        let out = Command::new("id").arg("-u").output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    })
}

/// The processes whose parent is `pid` (from `/proc/*/stat`).
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // `pid (comm) state ppid …`; comm may hold spaces and parens.
            let ppid: u32 = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (ppid == pid).then_some(child)
        })
        .collect()
}

/// Every dir from `/` down to `dir` lets others pass (`o+x`).
fn traversable(dir: &Path) -> bool {
    dir.ancestors()
        .all(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let what = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
