//! What each node is doing, for Prometheus (README "Metrics"): the
//! instruments the store and the HTTP layer count into, and the registry
//! that names them (`quizbooth_` prefix, units in the names). The endpoint,
//! which reads what is only known at scrape time (the pool, the lease) and
//! encodes the text, is [`crate::routes::metrics`].
//!
//! Built on `prometheus-client`, the Prometheus project's own Rust client:
//! its counters and gauges are atomics, and it writes the text exposition
//! format (0.0.4) that every Prometheus scrapes. On the hot path a request
//! costs one counter of a [`Family`] (a read lock and a hash of its
//! labels); a histogram takes a mutex for a few additions, and is observed
//! once per write batch or pool checkout.
//!
//! No label ever carries what a visitor sent: routes are labelled by their
//! pattern (`/api/sessions/{session}/answers`), never by the path asked for,
//! so no session token, entry code, receipt or phone reaches a scrape.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// Buckets of a write batch's size (jobs committed together): SQLite's
/// writer takes up to 512, PostgreSQL's up to 64.
const BATCH_SIZES: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// Buckets of a commit's or a pool wait's duration, in seconds: from a
/// tenth of a millisecond (an idle SQLite batch) to the pool's 5 s wait.
const SECONDS: [f64; 13] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
];

/// What the store counts into (cheap to clone: every clone counts into the
/// same series). Each store has its own, so two nodes in one process (the
/// tests) count apart.
#[derive(Debug, Clone)]
pub struct StoreMeters {
    starts: Counter,
    submissions: Counter,
    entries: Counter,
    batch_size: Histogram,
    commit: Histogram,
    pool_wait: Histogram,
    reachable: Gauge,
    nodes_live: Gauge,
    batches_at_once: Gauge,
}

impl Default for StoreMeters {
    fn default() -> Self {
        let reachable = Gauge::default();
        // The store opened (and migrated): the database answered.
        reachable.set(1);
        Self {
            starts: Counter::default(),
            submissions: Counter::default(),
            entries: Counter::default(),
            batch_size: Histogram::new(BATCH_SIZES),
            commit: Histogram::new(SECONDS),
            pool_wait: Histogram::new(SECONDS),
            reachable,
            nodes_live: Gauge::default(),
            batches_at_once: Gauge::default(),
        }
    }
}

impl StoreMeters {
    /// A session start was counted.
    pub fn started(&self) {
        self.starts.inc();
    }

    /// A submission was stored (not a retry that found it kept).
    pub fn submitted(&self) {
        self.submissions.inc();
    }

    /// An entry was stored (not a retry that found it kept).
    pub fn entered(&self) {
        self.entries.inc();
    }

    /// A write batch of `jobs` was committed, `took` from its `BEGIN` to
    /// its `COMMIT` answered; the database is reachable.
    pub fn batch(&self, jobs: usize, took: Duration) {
        self.batch_size.observe(jobs as f64);
        self.commit.observe(took.as_secs_f64());
        self.reachable.set(1);
    }

    /// A request waited `took` for a pooled connection.
    pub fn pool_waited(&self, took: Duration) {
        self.pool_wait.observe(took.as_secs_f64());
    }

    /// `nodes` hold a live lease on the database, and this node writes at
    /// most `at_once` batches at a time, its share.
    pub fn shared(&self, nodes: usize, at_once: usize) {
        self.nodes_live.set(gauge(nodes));
        self.batches_at_once.set(gauge(at_once));
    }

    /// Whether the database answered the last write or check.
    pub fn set_reachable(&self, up: bool) {
        self.reachable.set(i64::from(up));
    }

    /// Whether the database answered the last write or check, as last set.
    pub fn reachable(&self) -> bool {
        self.reachable.get() == 1
    }

    /// Session starts, submissions and entries counted so far.
    pub fn totals(&self) -> (u64, u64, u64) {
        (
            self.starts.get(),
            self.submissions.get(),
            self.entries.get(),
        )
    }
}

/// A request's labels: its method, the pattern of the route that took it
/// (`unmatched` when none did) and its status code.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

/// A connection pool's state (PostgreSQL's, read at scrape time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Most connections it may hold.
    pub max: usize,
    /// Connections open.
    pub open: usize,
    /// Connections open and idle.
    pub idle: usize,
    /// Requests waiting for one.
    pub waiting: usize,
}

/// What only a scrape reads: the node's lease and its pool.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NodeView {
    /// This node's number (0 on SQLite).
    pub number: u64,
    /// Seconds since the statement that last confirmed the lease was sent,
    /// `None` on SQLite or once the lease was found taken.
    pub lease_age: Option<f64>,
    /// Whether sessions may start under the lease now.
    pub lease_held: bool,
    /// The pool, on PostgreSQL.
    pub pool: Option<PoolStatus>,
}

/// Gauges set from a [`NodeView`] at each scrape.
#[derive(Debug, Default)]
struct NodeGauges {
    number: Gauge,
    lease_held: Gauge,
    lease_age: Gauge<f64, AtomicU64>,
    pool_max: Gauge,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_waiting: Gauge,
}

/// Every series of one node, named in one registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    store: StoreMeters,
    node: NodeGauges,
}

impl Metrics {
    /// The registry over `store`'s meters; `shared` (PostgreSQL) adds the
    /// lease and the pool.
    pub fn new(store: &StoreMeters, shared: bool) -> Self {
        let mut r = Registry::with_prefix("quizbooth");
        let requests = Family::<RequestLabels, Counter>::default();
        let node = NodeGauges::default();
        r.register(
            "http_requests",
            "HTTP responses by method, route pattern and status code",
            requests.clone(),
        );
        r.register(
            "session_starts",
            "Quiz sessions started on this node",
            store.starts.clone(),
        );
        r.register(
            "submissions",
            "Quiz submissions stored by this node (retries that found theirs kept are not counted)",
            store.submissions.clone(),
        );
        r.register(
            "entries",
            "Draw entries stored by this node (retries that found theirs kept are not counted)",
            store.entries.clone(),
        );
        r.register(
            "write_batch_size",
            "Writes (submissions, entries, other changes) committed together in one transaction",
            store.batch_size.clone(),
        );
        r.register_with_unit(
            "write_batch_duration",
            "Time from a write batch's BEGIN until its COMMIT answered (durable)",
            Unit::Seconds,
            store.commit.clone(),
        );
        r.register(
            "database_reachable",
            "1 when the database answered the last write or health check, else 0",
            store.reachable.clone(),
        );
        r.register(
            "node_number",
            "This node's number (0 on SQLite)",
            node.number.clone(),
        );
        if shared {
            r.register(
                "node_lease_held",
                "1 while this node's lease on its number is confirmed (sessions start), else 0",
                node.lease_held.clone(),
            );
            r.register_with_unit(
                "node_lease_age",
                "Time since the statement that last confirmed this node's lease was sent (renewed every 10 s; no session starts past 30 s)",
                Unit::Seconds,
                node.lease_age.clone(),
            );
            r.register(
                "nodes_live",
                "Nodes holding a live lease on the database, this one included (counted at each renewal)",
                store.nodes_live.clone(),
            );
            r.register(
                "write_batches_max_in_flight",
                "Write batches this node sends at once: its share of what the database takes, by the live nodes",
                store.batches_at_once.clone(),
            );
            r.register(
                "db_pool_max_connections",
                "Most database connections the pool may hold",
                node.pool_max.clone(),
            );
            r.register(
                "db_pool_connections",
                "Database connections open",
                node.pool_open.clone(),
            );
            r.register(
                "db_pool_idle_connections",
                "Database connections open and idle",
                node.pool_idle.clone(),
            );
            r.register(
                "db_pool_waiting_requests",
                "Requests waiting for a database connection",
                node.pool_waiting.clone(),
            );
            r.register_with_unit(
                "db_pool_wait",
                "Time a request waited for a pooled database connection",
                Unit::Seconds,
                store.pool_wait.clone(),
            );
        }
        Self {
            registry: r,
            requests,
            store: store.clone(),
            node,
        }
    }

    /// Counts one response: `route` is the matched pattern (never the path
    /// asked for), `None` when no route matched.
    pub fn request(&self, method: &actix_web::http::Method, route: Option<String>, status: u16) {
        let labels = RequestLabels {
            method: method_label(method),
            route: route.unwrap_or_else(|| "unmatched".to_owned()),
            status,
        };
        self.requests.get_or_create(&labels).inc();
    }

    /// The store's meters.
    pub fn store(&self) -> &StoreMeters {
        &self.store
    }

    /// Every series in the Prometheus text format, with `view` read now.
    pub fn render(&self, view: NodeView) -> String {
        let n = &self.node;
        n.number.set(gauge(view.number));
        n.lease_held.set(i64::from(view.lease_held));
        n.lease_age.set(view.lease_age.unwrap_or(0.0));
        if let Some(p) = view.pool {
            n.pool_max.set(gauge(p.max));
            n.pool_open.set(gauge(p.open));
            n.pool_idle.set(gauge(p.idle));
            n.pool_waiting.set(gauge(p.waiting));
        }
        let mut out = String::with_capacity(8 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// A method as a label: the standard ones by name, anything else `OTHER`
/// (a client cannot grow the series by inventing methods).
fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::HEAD, "HEAD"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN
        .iter()
        .find(|(k, _)| k == m)
        .map_or("OTHER", |(_, name)| name)
}

fn gauge(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::Method;

    #[test]
    fn series_are_named_by_prometheus_conventions_and_move() {
        let store = StoreMeters::default();
        let m = Metrics::new(&store, true);
        store.started();
        store.entered();
        store.batch(3, Duration::from_millis(2));
        store.pool_waited(Duration::from_micros(50));
        store.shared(2, 2);
        m.request(
            &Method::POST,
            Some("/api/sessions/{session}/answers".into()),
            200,
        );
        m.request(&Method::from_bytes(b"BREW").unwrap(), None, 404);
        let text = m.render(NodeView {
            number: 3,
            lease_age: Some(4.5),
            lease_held: true,
            pool: Some(PoolStatus {
                max: 32,
                open: 2,
                idle: 1,
                waiting: 0,
            }),
        });
        for line in [
            "quizbooth_session_starts_total 1",
            "quizbooth_entries_total 1",
            "quizbooth_submissions_total 0",
            "quizbooth_write_batch_size_count 1",
            "quizbooth_write_batch_size_sum 3.0",
            "quizbooth_write_batch_duration_seconds_count 1",
            "quizbooth_db_pool_wait_seconds_count 1",
            "quizbooth_database_reachable 1",
            "quizbooth_node_number 3",
            "quizbooth_node_lease_held 1",
            "quizbooth_node_lease_age_seconds 4.5",
            "quizbooth_db_pool_max_connections 32",
            "quizbooth_db_pool_connections 2",
            "quizbooth_nodes_live 2",
            "quizbooth_write_batches_max_in_flight 2",
            "quizbooth_http_requests_total{method=\"POST\",route=\"/api/sessions/{session}/answers\",status=\"200\"} 1",
            "quizbooth_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1",
            "# TYPE quizbooth_write_batch_size histogram",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert!(
            !text.contains("# EOF"),
            "the Prometheus format, not OpenMetrics"
        );
    }

    #[test]
    fn sqlite_has_no_lease_nor_pool() {
        let m = Metrics::new(&StoreMeters::default(), false);
        let text = m.render(NodeView::default());
        assert!(text.contains("quizbooth_node_number 0"), "{text}");
        assert!(!text.contains("lease") && !text.contains("pool"), "{text}");
    }
}
