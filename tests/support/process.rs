//! `quizbooth serve` as a child process (tests/nodes, tests/cli/logs.rs):
//! [`Server`] starts one on a free port and kills it on drop; the request
//! helpers speak to it by its base URL. With `TEST_LOG` set, the child's
//! log goes to the test's stderr; otherwise nowhere unless a test asks.

use super::app::{right_answers, TOKEN};
use super::eventually;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `quizbooth serve` process: killed (and reaped) on drop.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Server {
    /// Starts `quizbooth serve` on a free port over `questions` and `db`
    /// with more `flags`, without waiting for it to answer.
    pub fn spawn(questions: &Path, db: &Path, flags: &[&str]) -> Server {
        let port = free_port();
        let child = serve_command(questions, db, port)
            .args(flags)
            .spawn()
            .expect("the binary starts");
        Server::adopt(child, port)
    }

    /// Starts it and waits until it answers `/healthz`.
    pub async fn up(client: &Client, questions: &Path, db: &Path) -> Server {
        let server = Server::spawn(questions, db, &[]);
        wait_up(client, &server.base).await;
        server
    }

    /// A server started by hand (another user, a lower file limit) on `port`.
    pub fn adopt(child: Child, port: u16) -> Server {
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `quizbooth serve` on 127.0.0.1:`port` with the test token, at
/// `RUST_LOG=warn`; stdout nowhere, stderr to the test's under `TEST_LOG`,
/// else nowhere (a test that reads the log sets its own).
pub fn serve_command(questions: &Path, db: &Path, port: u16) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_quizbooth"));
    c.args(serve_args(questions, db, port))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(if super::test_log() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    c
}

/// A port nobody listens on now (for a server started as a process, or a driver).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client for a server started as a process: requests give up after 10 s.
pub fn process_client() -> Client {
    Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Waits until a server started as a process answers `/healthz` (20 s).
pub async fn wait_up(client: &Client, base: &str) {
    let url = format!("{base}/healthz");
    eventually(Duration::from_secs(20), "the service comes up", || async {
        client.get(&url).send().await.ok().map(drop)
    })
    .await;
}

/// Arguments of `quizbooth serve` on 127.0.0.1:`port` with the test token,
/// for tests that run the binary as a process .
pub fn serve_args(
    questions: &std::path::Path,
    db: &std::path::Path,
    port: u16,
) -> Vec<std::ffi::OsString> {
    let bind = format!("127.0.0.1:{port}");
    // Every request of a test comes from 127.0.0.1: no entry budget per address.
    let args: [&std::ffi::OsStr; 11] = [
        "serve".as_ref(),
        "--entry-limit".as_ref(),
        "0".as_ref(),
        "--bind".as_ref(),
        bind.as_ref(),
        "--admin-token".as_ref(),
        TOKEN.as_ref(),
        "--questions".as_ref(),
        questions.as_ref(),
        "--db".as_ref(),
        db.as_ref(),
    ];
    args.iter().map(|a| a.to_os_string()).collect()
}

/// Starts a session on a server run as a process; returns its id.
pub async fn start_session(client: &Client, base: &str) -> String {
    let r = client
        .post(format!("{base}/api/sessions"))
        .json(&json!({}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    s["session"].as_str().unwrap().to_owned()
}

/// `GET /api/sessions/{session}` on `base`: the visitor's own page as
/// JSON (200).
pub async fn session_view(client: &Client, base: &str, session: &str) -> Value {
    let r = client
        .get(format!("{base}/api/sessions/{session}"))
        .send()
        .await
        .expect("GET the session");
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(
        status,
        StatusCode::OK,
        "GET /api/sessions/{session}: {text}"
    );
    serde_json::from_str(&text).expect("the session as JSON")
}

/// Submits the right answers of `session` on `base` (200).
pub async fn submit(client: &Client, base: &str, session: &str) {
    let r = client
        .post(format!("{base}/api/sessions/{session}/answers"))
        .json(&json!({"answers": right_answers()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

/// Enters `session` on `base` as 测试 with `phone`.
pub async fn enter(client: &Client, base: &str, session: &str, phone: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/entries"))
        .json(&json!({"session": session, "consent": true, "name": "测试", "phone": phone}))
        .send()
        .await
        .unwrap()
}

/// A staff POST of JSON to `base`.
pub async fn staff_post(
    client: &Client,
    base: &str,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    client
        .post(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A bank uploaded through `base`'s console (`path`: `/admin/api/sets…`).
pub async fn upload(client: &Client, base: &str, path: &str, yaml: String) -> reqwest::Response {
    client
        .post(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
        .await
        .unwrap()
}
