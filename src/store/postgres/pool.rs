//! The connection pool and how a connection finds the primary among the
//! URL's hosts (SPEC §10: `postgres://U:P@h1:5432,h2:5432/DB?target_session_attrs=read-write`).
//!
//! tokio-postgres tries the hosts one after the other and applies
//! `connect_timeout` to the socket alone: a hung server whose kernel still
//! accepts the TCP connection (SIGSTOP) holds the startup forever, and the
//! next host is never tried. Here each host is one attempt of its own
//! ([`Hosts::connect`]): the first starts at once, the next after
//! [`CONNECT`] without an answer (or as soon as one fails), and the first
//! that answers as a primary wins; the attempts left over are dropped. The
//! host that answered last is tried first next time, so a dead first host
//! costs nothing once a standby is promoted.
//!
//! Each connection's task ends when [`Health`]'s generation moves (see
//! `health.rs`), closing it under whoever holds it. TCP keepalives and
//! `tcp_user_timeout` end a connection whose server vanished from the
//! network (no reset ever arrives) even when idle.

use super::health::Health;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, Error, Socket};

/// How long one host may take to answer as a primary (socket, startup,
/// `SHOW transaction_read_only`) before the next is tried too, unless the
/// URL's `connect_timeout` says otherwise.
pub(super) const CONNECT: Duration = Duration::from_secs(2);

/// Longest a request waits for a pooled connection (and `audit-verify` for
/// its one).
pub(super) const WAIT: Duration = Duration::from_secs(5);

/// Most connections one node holds.
const POOL_SIZE: usize = 32;

/// The URL's hosts, one [`Config`] each, and the one that answered last.
pub(super) struct Hosts<T> {
    each: Vec<Config>,
    last_good: AtomicUsize,
    tls: T,
    health: Arc<Health>,
    /// Per host, before the next is tried.
    patience: Duration,
}

impl<T> Hosts<T>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::Stream: Sync + Send,
    T::TlsConnect: Sync + Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    pub(super) fn new(config: &Config, tls: T, health: Arc<Health>) -> Self {
        let patience = config.get_connect_timeout().copied().unwrap_or(CONNECT);
        Self {
            each: one_per_host(config, patience),
            last_good: AtomicUsize::new(0),
            tls,
            health,
            patience,
        }
    }

    /// Longest [`Hosts::connect`] takes when every host hangs: each is
    /// given its [`CONNECT`], and the last one too.
    pub(super) fn patience(&self) -> Duration {
        self.patience * u32::try_from(self.each.len()).unwrap_or(1).max(1)
    }

    /// A connection to the first host that answers as the URL asks (a
    /// primary, with `target_session_attrs=read-write`), its task spawned
    /// and watching the generation it was opened in.
    pub(super) async fn connect(&self) -> Result<(Client, tokio::task::JoinHandle<()>), Error> {
        let (at, client, connection) = self.first_answer().await?;
        // Watched from now: a connection found a primary just now is fit,
        // whatever made the generation move while it was being made.
        let mut generation = self.health.watch();
        self.last_good.store(at, Ordering::Relaxed);
        let task = tokio::spawn(async move {
            tokio::select! {
                // The generation first: once it moved, no query more is
                // sent on this connection.
                biased;
                // Opened before the primary was found unfit: it ends, and
                // its queries in flight fail at once.
                _ = generation.changed() => {}
                ended = connection => if let Err(e) = ended {
                    tracing::debug!(error = %e, "a database connection ended");
                },
            }
        });
        Ok((client, task))
    }

    /// Just the client, its connection driven by its own task (the probe's).
    pub(super) async fn connect_client(&self) -> Result<Client, Error> {
        Ok(self.connect().await?.0)
    }

    #[allow(clippy::type_complexity)]
    async fn first_answer(
        &self,
    ) -> Result<
        (
            usize,
            Client,
            tokio_postgres::Connection<Socket, <T as MakeTlsConnect<Socket>>::Stream>,
        ),
        Error,
    > {
        // One config at least (`one_per_host`).
        let n = self.each.len();
        let start = self.last_good.load(Ordering::Relaxed) % n;
        let mut next = (1..n).map(|i| (start + i) % n);
        let mut trying = FuturesUnordered::new();
        trying.push(self.attempt(start));
        loop {
            tokio::select! {
                Some((i, done)) = trying.next() => match done {
                    Ok((client, connection)) => return Ok((i, client, connection)),
                    // Refused, or not a primary: the next host now. After
                    // the last, those still silent have had their time
                    // (each had it before the next was tried).
                    Err(e) => match next.next() {
                        Some(i) => trying.push(self.attempt(i)),
                        None => return Err(e),
                    },
                },
                // No answer yet: the next host is tried beside it.
                () = tokio::time::sleep(self.patience) => {
                    if let Some(i) = next.next() {
                        trying.push(self.attempt(i));
                    }
                }
            }
        }
    }

    async fn attempt(
        &self,
        i: usize,
    ) -> (
        usize,
        Result<
            (
                Client,
                tokio_postgres::Connection<Socket, <T as MakeTlsConnect<Socket>>::Stream>,
            ),
            Error,
        >,
    ) {
        (i, self.each[i].connect(self.tls.clone()).await)
    }
}

/// The URL's settings once per host (with its port and `hostaddr`), so each
/// host is one attempt; a URL with no host is kept whole (tokio-postgres
/// then says why it cannot connect).
fn one_per_host(config: &Config, patience: Duration) -> Vec<Config> {
    let hosts = config.get_hosts();
    let addrs = config.get_hostaddrs();
    let n = hosts.len().max(addrs.len());
    let mut base = config.clone();
    base.connect_timeout(patience)
        // A server that vanished (no reset ever comes) ends its
        // connections within seconds, idle or not.
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(2))
        .keepalives_retries(3)
        .tcp_user_timeout(Duration::from_secs(10));
    if n <= 1 {
        return vec![base];
    }
    let ports = config.get_ports();
    (0..n)
        .map(|i| {
            let mut one = Config::new();
            copy_settings(&base, &mut one);
            match hosts.get(i) {
                Some(Host::Tcp(h)) => {
                    one.host(h);
                }
                Some(Host::Unix(p)) => {
                    one.host_path(p);
                }
                None => {}
            }
            if let Some(a) = addrs.get(i) {
                one.hostaddr(*a);
            }
            // One port for all hosts, or one each.
            if let Some(p) = ports.get(i).or(ports.first()) {
                one.port(*p);
            }
            one
        })
        .collect()
}

/// Everything of `from` but its hosts, addresses and ports.
fn copy_settings(from: &Config, to: &mut Config) {
    if let Some(u) = from.get_user() {
        to.user(u);
    }
    if let Some(p) = from.get_password() {
        to.password(p);
    }
    if let Some(d) = from.get_dbname() {
        to.dbname(d);
    }
    if let Some(o) = from.get_options() {
        to.options(o);
    }
    if let Some(a) = from.get_application_name() {
        to.application_name(a);
    }
    if let Some(t) = from.get_connect_timeout() {
        to.connect_timeout(*t);
    }
    if let Some(t) = from.get_tcp_user_timeout() {
        to.tcp_user_timeout(*t);
    }
    to.ssl_mode(from.get_ssl_mode())
        .ssl_negotiation(from.get_ssl_negotiation())
        .keepalives(from.get_keepalives())
        .keepalives_idle(from.get_keepalives_idle())
        .target_session_attrs(from.get_target_session_attrs())
        .channel_binding(from.get_channel_binding());
    if let Some(i) = from.get_keepalives_interval() {
        to.keepalives_interval(i);
    }
    if let Some(r) = from.get_keepalives_retries() {
        to.keepalives_retries(r);
    }
}

/// deadpool's way in: every connection the pool opens goes through
/// [`Hosts::connect`].
struct Connector<T>(Arc<Hosts<T>>);

impl<T> deadpool_postgres::Connect for Connector<T>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::Stream: Sync + Send,
    T::TlsConnect: Sync + Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    fn connect(
        &self,
        _: &Config,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<(Client, tokio::task::JoinHandle<()>), Error>>
                + Send
                + '_,
        >,
    > {
        Box::pin(self.0.connect())
    }
}

/// The pool over `config`'s hosts, with the probe of `health` running on a
/// connection of its own.
pub(super) fn build<T>(config: Config, tls: T, health: &Arc<Health>) -> anyhow::Result<Pool>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::Stream: Sync + Send,
    T::TlsConnect: Sync + Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let hosts = Arc::new(Hosts::new(&config, tls, health.clone()));
    let create = hosts.patience() + Duration::from_secs(1);
    let probe = Arc::downgrade(&hosts);
    health.spawn_probe(move || {
        let hosts = probe.upgrade()?;
        Some(async move { hosts.connect_client().await })
    });
    let manager = Manager::from_connect(
        config,
        Connector(hosts),
        ManagerConfig {
            // Only `is_closed()` per checkout: an unfit connection is
            // closed by its task (see the module's doc).
            recycling_method: RecyclingMethod::Fast,
        },
    );
    // A database that does not answer makes a request fail (503) after a
    // few seconds rather than hang it.
    Ok(Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(create))
        .build()?)
}
