//! Failover (SPEC §10): a primary and a synchronous standby, two
//! `quizbooth serve` nodes on the multi-host URL
//! `postgres://…@P1,P2/db?target_session_attrs=read-write`, and a steady
//! load of visitors (start → submit → enter) on each. The primary is lost
//! one way per test — stopped (`pg_ctl stop -m immediate`), hung (SIGSTOP
//! on the postmaster and its backends) or read-only while still up — and
//! the standby promoted. Then: every node writes again within 15 s of the
//! promotion, no request is ever answered 500 (or a false 409), every 503
//! carries `Retry-After`, and every submission and entry acknowledged
//! before or after is on the new primary, once: a visitor retries each
//! unanswered request as the page does, and a write whose outcome was
//! unknown is found stored (SPEC §3). The figures are printed
//! (`--nocapture`). The stopped primary then comes back as a standby (a
//! demoted one, up and read-only) and a node started afresh passes over
//! it. And a first host that accepts connections and never answers holds
//! a node up no longer than its connect timeout.
//!
//! The three failovers take turns (one pair of clusters at a time on two
//! cores). Locally, without PostgreSQL, they print why and run nothing;
//! under `CI=true` they must run.

use crate::support::app::{right_answers, BANK};
use crate::support::eventually;
use crate::support::postgres::Cluster;
use crate::support::process::{process_client, session_view, wait_up, Server};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Visitors at once on each node.
const VISITORS: usize = 3;

/// Writes each node acknowledges before the primary is lost, and again
/// after it writes again.
const STEADY: usize = 40;

/// SPEC §10: every node writes again this soon after the promotion.
const RECOVERY: Duration = Duration::from_secs(15);

/// Longest a visitor retries one request before the test gives up on it.
const GIVE_UP: Duration = Duration::from_secs(40);

/// One failover at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_primary() {
    failover(Loss::Stopped).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hung_primary() {
    failover(Loss::Hung).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_only_primary() {
    failover(Loss::ReadOnly).await;
}

/// A first host that accepts connections and never answers (a hung
/// server's kernel does so) holds a node up by one connect timeout (2 s),
/// at start and after: the second host is tried beside it.
#[tokio::test]
async fn a_silent_first_host_is_passed_over() {
    let Some(cluster) = crate::support::postgres::cluster() else {
        return;
    };
    let db = cluster.create_database();
    let name = db.rsplit('/').next().unwrap();
    // Bound and never accepted: the kernel completes the handshakes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{name}?target_session_attrs=read-write",
        silent.local_addr().unwrap().port(),
        cluster.port()
    );
    let dir = tempfile::tempdir().unwrap();
    let client = process_client();
    let since = Instant::now();
    let n = node(dir.path(), "a", &url);
    wait_up(&client, &n.base).await;
    let up = since.elapsed();
    let visitor = Visitor {
        client: client.clone(),
        base: n.base.clone(),
        node: 0,
        seen: Arc::default(),
    };
    for i in 0..20 {
        assert!(visitor.visit(&format!("1380000{i:04}")).await.is_some());
    }
    let seen = std::mem::take(&mut *visitor.seen.lock().unwrap());
    assert!(seen.wrong.is_empty(), "{:#?}", seen.wrong);
    assert_eq!((seen.unavailable, seen.entered.len()), (0, 20));
    println!(
        "a silent first host: the node was up in {:.1} s",
        up.as_secs_f64()
    );
    assert!(up < Duration::from_secs(10), "up after {up:?}");
    drop(silent);
}

/// How the primary is lost.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Loss {
    Stopped,
    Hung,
    ReadOnly,
}

/// What the visitors saw, from every task.
#[derive(Default)]
struct Seen {
    /// Sessions whose submission was acknowledged (`200`).
    submitted: Vec<String>,
    /// Entry codes acknowledged (`201`), by session.
    entered: Vec<(String, String)>,
    /// When each node acknowledged a write (submission or entry).
    acks: [Vec<Instant>; 2],
    /// `503`s answered, and those without `Retry-After`.
    unavailable: usize,
    no_retry_after: usize,
    /// Requests that got no answer (connection lost, 10 s without a reply).
    unanswered: usize,
    /// Writes acknowledged only when sent again after a 503 or no answer:
    /// among them those whose first try was stored, its outcome unknown.
    retried_writes: usize,
    /// Anything else: a 500, a 409, a request never answered.
    wrong: Vec<String>,
}

impl Seen {
    fn acks_since(&self, node: usize, since: Instant) -> usize {
        self.acks[node].iter().filter(|&&t| t >= since).count()
    }

    fn first_ack_since(&self, node: usize, since: Instant) -> Option<Instant> {
        self.acks[node]
            .iter()
            .copied()
            .filter(|&t| t >= since)
            .min()
    }
}

/// The load: visitors on both nodes until `stop`, each request retried
/// until answered.
struct Load {
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

async fn failover(loss: Loss) {
    let _turn = TURN.lock().await;
    let t0 = Instant::now();
    let Some(mut primary) = Cluster::start() else {
        return;
    };
    let standby = primary.standby();
    let db = primary.create_database();
    primary.synchronous();
    let name = db.rsplit('/').next().unwrap().to_owned();
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{name}?target_session_attrs=read-write",
        primary.port(),
        standby.port()
    );
    let dir = tempfile::tempdir().unwrap();
    let client = process_client();
    let nodes = [node(dir.path(), "a", &url), node(dir.path(), "b", &url)];
    for n in &nodes {
        wait_up(&client, &n.base).await;
    }
    let bases = [nodes[0].base.clone(), nodes[1].base.clone()];
    let load = Load::start(&client, &bases);
    let ready = Instant::now();
    load.until(STEADY, ready, "steady writes before the loss")
        .await;

    let lost_at = Instant::now();
    match loss {
        Loss::Stopped => primary.crash(),
        Loss::Hung => primary.freeze(),
        Loss::ReadOnly => primary.make_read_only(),
    }
    // Both nodes find out (a 503) before the standby takes over, as when
    // an operator or Patroni promotes it.
    let before = load.seen.lock().unwrap().unavailable;
    eventually(
        Duration::from_secs(20),
        "a 503 once the primary is lost",
        || {
            let seen = load.seen.clone();
            async move { (seen.lock().unwrap().unavailable > before).then_some(()) }
        },
    )
    .await;
    let noticed = lost_at.elapsed();
    standby.promote();
    let promoted = Instant::now();

    let mut recovery = [Duration::ZERO; 2];
    for (i, r) in recovery.iter_mut().enumerate() {
        let seen = load.seen.clone();
        let at = eventually(
            RECOVERY,
            &format!("node {i} acknowledges a write after the promotion"),
            || {
                let seen = seen.clone();
                async move { seen.lock().unwrap().first_ack_since(i, promoted) }
            },
        )
        .await;
        *r = at - promoted;
    }
    load.until(STEADY, promoted, "steady writes after the promotion")
        .await;
    let seen = load.finish().await;

    // Counted on the new primary.
    let on_new = standby.url(&name);
    let codes: HashSet<String> = standby
        .psql(&on_new, "SELECT code FROM entries")
        .lines()
        .map(str::to_owned)
        .collect();
    let submissions: usize = standby
        .psql(&on_new, "SELECT count(*) FROM submissions")
        .parse()
        .unwrap();
    let missing = seen
        .entered
        .iter()
        .filter(|(_, code)| !codes.contains(code))
        .count();
    let leases = standby.psql(
        &on_new,
        "SELECT count(DISTINCT number) FROM node_leases WHERE renewed_at > now() - INTERVAL '60 seconds'",
    );
    println!(
        "failover, {loss:?} primary: noticed in {:.1} s; writes again {:.2} s (node a) and {:.2} s (node b) after the promotion; \
         {} answered 503 (all with Retry-After: {}), {} unanswered, {} writes acknowledged on a retry; \
         acknowledged {} submissions and {} entries, on the new primary {} and {} ({} missing); whole test {:.0} s",
        noticed.as_secs_f64(),
        recovery[0].as_secs_f64(),
        recovery[1].as_secs_f64(),
        seen.unavailable,
        seen.no_retry_after == 0,
        seen.unanswered,
        seen.retried_writes,
        seen.submitted.len(),
        seen.entered.len(),
        submissions,
        codes.len(),
        missing,
        t0.elapsed().as_secs_f64(),
    );
    assert!(seen.wrong.is_empty(), "{:#?}", seen.wrong);
    assert_eq!(seen.no_retry_after, 0, "503s without Retry-After");
    assert!(seen.unavailable > 0, "the loss was never seen");
    assert!(recovery.iter().all(|r| *r <= RECOVERY), "{recovery:?}");
    assert_eq!(
        missing, 0,
        "acknowledged entries missing on the new primary"
    );
    // Each stored once, and each stored one acknowledged (a retry of a
    // write whose outcome was unknown found it).
    assert_eq!(
        codes.len(),
        seen.entered.len(),
        "entries stored vs acknowledged"
    );
    assert_eq!(
        submissions,
        seen.submitted.len(),
        "submissions stored vs acknowledged"
    );
    // Every acknowledged submission is read back through a node.
    for s in seen.submitted.iter().step_by(7) {
        let view = session_view(&client, &bases[0], s).await;
        assert!(view["result"].is_object(), "{s}: {view}");
    }
    // Both nodes' leases survived on the new primary, each its own number.
    assert_eq!(leases, "2", "live node leases on the new primary");
    if loss == Loss::Stopped {
        demoted_first_host_is_passed_over(&mut primary, dir.path(), &url, &client).await;
    }
    drop(nodes);
}

/// The stopped primary started again as a standby (`standby.signal`: the
/// other form of a demoted primary, up and read-only): a node started now
/// tries it first, as the URL lists it, passes over it, and writes on the
/// promoted one without a 503.
async fn demoted_first_host_is_passed_over(
    old: &mut Cluster,
    dir: &std::path::Path,
    url: &str,
    client: &Client,
) {
    old.configure(&[("standby.signal", b"")], "");
    old.restart();
    let fresh = node(dir, "c", url);
    wait_up(client, &fresh.base).await;
    let visitor = Visitor {
        client: client.clone(),
        base: fresh.base.clone(),
        node: 0,
        seen: Arc::default(),
    };
    for i in 0..5 {
        assert!(visitor.visit(&format!("1370000{i:04}")).await.is_some());
    }
    let seen = std::mem::take(&mut *visitor.seen.lock().unwrap());
    assert!(seen.wrong.is_empty(), "{:#?}", seen.wrong);
    assert_eq!((seen.unavailable, seen.entered.len()), (0, 5));
    assert_eq!(
        old.try_psql("postgres", "SELECT pg_is_in_recovery()")
            .as_deref(),
        Ok("t"),
        "the old primary is a standby now"
    );
}

/// A node on `url` with its own copy of the bank and no per-address limit
/// (every visitor comes from 127.0.0.1).
fn node(dir: &std::path::Path, name: &str, url: &str) -> Server {
    let questions = dir.join(name);
    std::fs::create_dir_all(&questions).unwrap();
    std::fs::write(questions.join("valid.yaml"), BANK).unwrap();
    Server::spawn(&questions, url.as_ref(), &["--ip-limit", "0"])
}

impl Load {
    fn start(client: &Client, bases: &[String; 2]) -> Load {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let phones = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for (node, base) in bases.iter().enumerate() {
            for _ in 0..VISITORS {
                let visitor = Visitor {
                    client: client.clone(),
                    base: base.clone(),
                    node,
                    seen: seen.clone(),
                };
                let (stop, phones) = (stop.clone(), phones.clone());
                tasks.push(tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let phone = format!("139{:08}", phones.fetch_add(1, Ordering::Relaxed));
                        if visitor.visit(&phone).await.is_none() {
                            return;
                        }
                    }
                }));
            }
        }
        Load { seen, stop, tasks }
    }

    /// Waits until each node acknowledged `n` writes since `since`.
    async fn until(&self, n: usize, since: Instant, what: &str) {
        eventually(Duration::from_secs(30), what, || {
            let seen = self.seen.clone();
            async move {
                let seen = seen.lock().unwrap();
                (0..2).all(|i| seen.acks_since(i, since) >= n).then_some(())
            }
        })
        .await;
    }

    /// Stops the visitors once each finished (every request answered).
    async fn finish(self) -> Seen {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            t.await.unwrap();
        }
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// One visitor's requests to one node.
struct Visitor {
    client: Client,
    base: String,
    node: usize,
    seen: Arc<Mutex<Seen>>,
}

impl Visitor {
    /// Start, submit the right answers, enter with `phone`; `None` when a
    /// request got an answer it must never get.
    async fn visit(&self, phone: &str) -> Option<()> {
        let started = self
            .answered("start", StatusCode::CREATED, || {
                self.client
                    .post(format!("{}/api/sessions", self.base))
                    .json(&json!({}))
            })
            .await?;
        let session = started["session"].as_str()?.to_owned();
        self.answered("submit", StatusCode::OK, || {
            self.client
                .post(format!("{}/api/sessions/{session}/answers", self.base))
                .json(&json!({"answers": right_answers()}))
        })
        .await?;
        {
            let mut seen = self.seen.lock().unwrap();
            seen.submitted.push(session.clone());
            seen.acks[self.node].push(Instant::now());
        }
        let entry = self
            .answered("enter", StatusCode::CREATED, || {
                self.client.post(format!("{}/api/entries", self.base)).json(
                    &json!({"session": session, "consent": true, "name": "测试", "phone": phone}),
                )
            })
            .await?;
        let code = entry["code"].as_str()?.to_owned();
        let mut seen = self.seen.lock().unwrap();
        seen.entered.push((session, code));
        seen.acks[self.node].push(Instant::now());
        Some(())
    }

    /// The body of `request`'s `want` answer, sent again (the same request:
    /// the page's retry) after a 503 or no answer; `None`, noted as wrong,
    /// for any other answer or none within [`GIVE_UP`].
    async fn answered(
        &self,
        what: &str,
        want: StatusCode,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Option<Value> {
        let since = Instant::now();
        let mut tries = 0;
        loop {
            tries += 1;
            if since.elapsed() > GIVE_UP {
                self.wrong(format!("{what}: no answer for {GIVE_UP:?}"));
                return None;
            }
            match request().send().await {
                Err(_) => self.seen.lock().unwrap().unanswered += 1,
                Ok(r) if r.status() == want => {
                    if tries > 1 && what != "start" {
                        self.seen.lock().unwrap().retried_writes += 1;
                    }
                    return r.json().await.ok();
                }
                Ok(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => {
                    let mut seen = self.seen.lock().unwrap();
                    seen.unavailable += 1;
                    if r.headers().get("retry-after").is_none() {
                        seen.no_retry_after += 1;
                    }
                }
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    self.wrong(format!("{what} on node {}: {status} {body}", self.node));
                    return None;
                }
            }
            // The page waits Retry-After; the test asks again sooner, to
            // time the recovery to a tenth of a second.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn wrong(&self, what: String) {
        self.seen.lock().unwrap().wrong.push(what);
    }
}
