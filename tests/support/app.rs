//! `spawn_app()`: a fresh server in the test's process, on port 0, with a
//! temp database and a copy of the test bank, on the test's engine
//! ([`Engine::current`]): its own SQLite file, or a fresh database on the
//! throwaway PostgreSQL cluster.

use super::engine::Engine;
use super::postgres;
use quizbooth::clock::Clock;
use quizbooth::config::Settings;
use quizbooth::limits::LimitSettings;
use quizbooth::startup::Application;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// The staff token every test app uses.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// The fixture bank: answers hotline=B, channels=[A,C], answer-96110=T; pass 60%.
pub const BANK: &str = include_str!("../fixtures/valid.yaml");

/// A running app.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub dir: tempfile::TempDir,
    /// The server's clock: tests move it instead of sleeping.
    pub clock: Clock,
    /// The engine it stores on.
    pub engine: Engine,
    /// Its store, for what only the node itself knows (its write batches).
    pub store: quizbooth::store::Store,
}

impl TestApp {
    /// The SQLite file (tests that read it run on SQLite only: [`sqlite_only`]).
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("data/quizbooth.db")
    }

    /// The text an upload of set `id` was kept as: its file in the banks
    /// folder on SQLite; on PostgreSQL the database's shared copy (nothing
    /// is written into one node's folder there).
    pub fn saved_set(&self, id: &str) -> String {
        if self.engine == Engine::Sqlite {
            return std::fs::read_to_string(self.banks().join(format!("{id}.yaml"))).unwrap();
        }
        assert!(
            !self.banks().join(format!("{id}.yaml")).exists(),
            "on PostgreSQL an upload is not written into the node's folder"
        );
        let sql = format!(
            "SELECT encode(convert_to(v.source, 'UTF8'), 'hex') FROM shared_sets s \
             JOIN set_versions v ON v.version = s.version WHERE s.set_id = '{id}'"
        );
        // In hex, so psql's trimming keeps every byte.
        let source = hex::decode(self.sql(&sql)).unwrap();
        assert!(!source.is_empty(), "set {id} is shared");
        String::from_utf8(source).unwrap()
    }

    /// Runs SQL on this app's PostgreSQL database (psql's unaligned output).
    pub fn sql(&self, sql: &str) -> String {
        self.try_sql(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs SQL behind the service's back, on either engine, as somebody
    /// with the database file or a database login would: psql's output on
    /// PostgreSQL, nothing on SQLite; the engine's refusal as the error.
    pub fn try_sql(&self, sql: &str) -> Result<String, String> {
        if self.engine == Engine::Sqlite {
            let conn = rusqlite::Connection::open(self.db()).unwrap();
            return conn
                .execute_batch(sql)
                .map(|_| String::new())
                .map_err(|e| e.to_string());
        }
        let url = database(self.dir.path());
        let cluster = postgres::cluster().expect("a PostgreSQL app has its cluster");
        cluster.try_psql(url.to_str().unwrap(), sql)
    }

    pub fn banks(&self) -> PathBuf {
        self.dir.path().join("questions")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn staff_get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("GET")
    }

    /// GET, as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.expect("a JSON body")
    }

    /// Staff GET, as JSON.
    pub async fn staff_json(&self, path: &str) -> Value {
        self.staff_get(path)
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    /// Replaces the sources list (SPEC §11) as staff; it must be taken.
    pub async fn list_sources(&self, list: Value) {
        let r = self
            .client
            .put(self.url("/admin/api/sources"))
            .bearer_auth(TOKEN)
            .json(&list)
            .send()
            .await
            .expect("PUT");
        assert_eq!(
            r.status(),
            reqwest::StatusCode::OK,
            "the sources list is taken"
        );
    }

    pub async fn staff_post(&self, path: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("POST")
    }

    /// Uploads a bank as YAML with the staff token (`path` may carry
    /// `?activate=false`).
    pub async fn upload_yaml(&self, path: &str, yaml: &str) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .header("content-type", "application/yaml")
            .body(yaml.to_owned())
            .send()
            .await
            .expect("POST a bank")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE")
    }

    pub async fn staff_delete(&self, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("DELETE")
    }

    /// The staff's search of entries (`POST /admin/api/entries/search`), as JSON.
    pub async fn search(&self, q: &str) -> Value {
        let r = self
            .staff_post("/admin/api/entries/search", json!({ "q": q }))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "search {q}");
        r.json().await.expect("a JSON body")
    }

    /// The staff's CSV export as text.
    pub async fn csv(&self) -> String {
        self.staff_get("/admin/api/entries.csv")
            .await
            .text()
            .await
            .unwrap()
    }

    /// A second server on this one's banks and database, its clock
    /// `ahead_secs` ahead of the system's from its start: the service
    /// started again later.
    pub async fn started_again(
        &self,
        ahead_secs: i64,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let (banks, db) = (self.banks(), database(self.dir.path()));
        start_with_clock(
            tempfile::tempdir().unwrap(),
            move |s| {
                s.questions = banks;
                s.db = db;
                adjust(s);
            },
            ahead_secs,
        )
        .await
    }

    /// Starts a session; returns its JSON.
    pub async fn start(&self) -> Value {
        let r = self.post("/api/sessions", json!({"lang": "zh"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, secs: i64) {
        self.clock.advance(chrono::Duration::seconds(secs));
    }

    /// Submits the right answers for a session.
    pub async fn submit_right(&self, id: &str) -> Response {
        self.post(
            &format!("/api/sessions/{id}/answers"),
            json!({"answers": right_answers()}),
        )
        .await
    }

    /// Starts a session and submits all-right answers; returns the session id.
    pub async fn passed_session(&self) -> String {
        let s = self.start().await;
        let id = s["session"].as_str().unwrap().to_owned();
        let r = self.submit_right(&id).await;
        assert_eq!(r.status(), StatusCode::OK);
        id
    }

    /// Commits a draw (201); returns it.
    pub async fn committed(&self, commit: Value) -> Value {
        let r = self.staff_post("/admin/api/draws", commit).await;
        assert_eq!(r.status(), StatusCode::CREATED, "commit");
        r.json().await.unwrap()
    }

    /// A draw's public `entries.txt`.
    pub async fn entries_txt(&self, id: &Value) -> String {
        let r = self.get(&format!("/api/draws/{id}/entries.txt")).await;
        assert_eq!(r.status(), StatusCode::OK, "entries.txt of draw {id}");
        r.text().await.unwrap()
    }

    /// Commits a draw (201) and reveals it with `seed` (200); returns the
    /// revealed draw as the public sees it.
    pub async fn drawn(&self, commit: Value, seed: &str) -> Value {
        let d = self.committed(commit).await;
        let path = format!("/admin/api/draws/{}/reveal", d["id"]);
        let r = self.staff_post(&path, json!({ "public_seed": seed })).await;
        assert_eq!(r.status(), StatusCode::OK, "reveal");
        r.json().await.unwrap()
    }

    /// `n` entries by distinct made-up entrants (phones 13900000000…); returns the codes.
    pub async fn entries(&self, n: usize) -> Vec<String> {
        let mut codes = Vec::with_capacity(n);
        for i in 0..n {
            codes.push(
                self.entry(&format!("观众{i}"), &format!("1390000{i:04}"))
                    .await,
            );
        }
        codes
    }

    /// A passed session entered with this phone; returns the code.
    pub async fn entry(&self, name: &str, phone: &str) -> String {
        let v = self.entry_made(name, phone, false).await;
        v["code"].as_str().unwrap().to_owned()
    }

    /// A passed session entered with this phone, agreeing or not to the
    /// publication of the masked contact; returns the 201's body (code,
    /// receipt) with `session` added.
    pub async fn entry_made(&self, name: &str, phone: &str, publish: bool) -> Value {
        let id = self.passed_session().await;
        let r = self
            .post(
                "/api/entries",
                json!({"session": id, "consent": true, "name": name, "phone": phone, "publish": publish}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let mut v: Value = r.json().await.unwrap();
        v["session"] = json!(id);
        v
    }
}

pub fn right_answers() -> HashMap<&'static str, Vec<&'static str>> {
    HashMap::from([
        ("hotline", vec!["B"]),
        ("channels", vec!["A", "C"]),
        ("answer-96110", vec!["T"]),
    ])
}

/// Asserts the SPEC's error shape and returns the body.
pub async fn expect_error(r: Response, status: StatusCode, code: &str) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status; body {body}");
    assert_eq!(body["error"], code, "error code; body {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message; body {body}"
    );
    body
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[("valid.yaml", BANK)]).await
}

/// An app whose banks folder holds these files.
pub async fn spawn_app_with(files: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("questions").join(name), text).unwrap();
    }
    start_in(dir).await
}

/// Limits for tests: the defaults, but room for the many wrong tokens the 401 tests send.
pub fn test_limits() -> LimitSettings {
    LimitSettings {
        login_failures: 1000,
        entry_burst: 10_000,
        ..Default::default()
    }
}

/// Starts (or restarts) an app over an existing folder.
pub async fn start_in(dir: tempfile::TempDir) -> TestApp {
    start_with_limits(dir, test_limits()).await
}

/// The fixture bank with these rate limits.
pub async fn spawn_app_limited(limits: LimitSettings) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    std::fs::write(dir.path().join("questions/valid.yaml"), BANK).unwrap();
    start_with_limits(dir, limits).await
}

async fn start_with_limits(dir: tempfile::TempDir, limits: LimitSettings) -> TestApp {
    start_with(dir, |s| s.limits = limits).await
}

/// The fixture bank, with the test settings changed by `adjust`.
pub async fn spawn_app_adjusted(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    std::fs::write(dir.path().join("questions/valid.yaml"), BANK).unwrap();
    start_with(dir, adjust).await
}

async fn start_with(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    start_with_clock(dir, adjust, 0).await
}

async fn start_with_clock(
    dir: tempfile::TempDir,
    adjust: impl FnOnce(&mut Settings),
    ahead_secs: i64,
) -> TestApp {
    let mut settings = Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        questions: dir.path().join("questions"),
        db: database(dir.path()),
        public_url: "http://127.0.0.1:8080".into(),
        admin_token: Some(TOKEN.into()),
        set: None,
        limits: test_limits(),
        trusted_proxies: Vec::new(),
        metrics_bind: None,
        purge_every: quizbooth::config::PURGE_EVERY,
        tz: chrono_tz::Asia::Shanghai,
        workers: quizbooth::config::cores(),
    };
    adjust(&mut settings);
    let clock = Clock::system();
    clock.advance(chrono::Duration::seconds(ahead_secs));
    if super::test_log() {
        // The server's log on the test's output (`TEST_LOG=1 cargo test … -- --nocapture`).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info,quizbooth=debug".into()),
            )
            .with_test_writer()
            .try_init();
    }
    let engine = Engine::current();
    let app = Application::build_with_clock(settings, clock.clone())
        .await
        .expect("the app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let store = app.state().store.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: Client::new(),
        dir,
        clock,
        engine,
        store,
    }
}

/// Reads a QR code back from a PNG.
pub fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32).0[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the QR code decodes").1
}

/// What `--db` is for an app in `dir`: its SQLite file, or on PostgreSQL a
/// database made for it (named in `dir`, so a restart finds the same one).
pub fn database(dir: &std::path::Path) -> PathBuf {
    if Engine::current() == Engine::Sqlite {
        return dir.join("data/quizbooth.db");
    }
    let named = dir.join("database-url");
    if let Ok(url) = std::fs::read_to_string(&named) {
        return PathBuf::from(url);
    }
    // `Engine::run` started no PostgreSQL test without a cluster.
    let url = postgres::database_url().expect("a PostgreSQL test has its cluster");
    std::fs::write(&named, &url).unwrap();
    PathBuf::from(url)
}

/// SQL that drops a trigger, in the engine's words.
pub fn drop_trigger(name: &str, table: &str) -> String {
    if Engine::current() == Engine::Postgres {
        format!("DROP TRIGGER {name} ON {table};")
    } else {
        format!("DROP TRIGGER {name};")
    }
}

/// Whether this test may run: it reads the SQLite file itself, so on
/// PostgreSQL it says so and stops (its `::sqlite` twin runs it).
pub fn sqlite_only(what: &str) -> bool {
    let sqlite = Engine::current() == Engine::Sqlite;
    if !sqlite {
        eprintln!("SQLite only ({what}); NAME::sqlite runs this test");
    }
    sqlite
}

/// What [`audited_event`] made.
pub struct AuditedEvent {
    /// The revealed draw (its winners, in order).
    pub drawn: Value,
    /// Every entry made (code, receipt, session), the withdrawn one last.
    pub made: Vec<Value>,
    /// The second draw, committed and not revealed.
    pub pending: Value,
}

/// An event with everything the audit speaks of, made through the API: an
/// entry withdrawn, a draw committed and revealed, its first winner's prize
/// handed out, a second draw committed, the round's contacts purged.
pub async fn audited_event(app: &TestApp) -> AuditedEvent {
    let mut made = Vec::new();
    for (i, phone) in ["13800138000", "13900139000", "13700137000", "13600136000"]
        .into_iter()
        .enumerate()
    {
        made.push(app.entry_made(&format!("观众{i}"), phone, i % 2 == 0).await);
    }
    let gone = &made[3]["session"];
    let r = app
        .delete(&format!("/api/sessions/{}/entry", gone.as_str().unwrap()))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "withdrawn");
    let claim_by = (app.clock.now() + chrono::Duration::days(1)).to_rfc3339();
    let drawn = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 2, "claim_by": claim_by}),
            "73915",
        )
        .await;
    let first = drawn["winners"][0]["code"].clone();
    let receipt = made.iter().find(|m| m["code"] == first).unwrap()["receipt"].clone();
    let r = app
        .staff_post("/admin/api/claims", json!({ "receipt": receipt }))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "claimed");
    let pending = app
        .committed(json!({"round": "week-1", "prize": "U 盘", "winners": 1}))
        .await;
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({"force": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "purged");
    AuditedEvent {
        drawn,
        made,
        pending,
    }
}

/// `quizbooth audit-verify --db` on this database.
pub fn audit_verify(db: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(["audit-verify", "--db"])
        .arg(db)
        .output()
        .expect("the binary runs")
}
