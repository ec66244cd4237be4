//! What the log may hold (SPEC §6): even at `RUST_LOG=debug`, no line carries
//! a whole session token, a name or a phone number, whoever writes it (our
//! access log, or actix's own extractors, which name the request path).

use crate::support::app::{right_answers, BANK};
use crate::support::process::{free_port, process_client, serve_args, start_session, wait_up};
use crate::support::{eventually_blocking, postgres};
use reqwest::StatusCode;
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn a_debug_log_holds_no_token_name_or_phone() {
    let dir = tempfile::tempdir().unwrap();
    debug_log_holds_no_secret(&dir, dir.path().join("q.db").into()).await;
}

/// On PostgreSQL too, whose client library logs every statement's
/// parameters at debug unless kept quiet.
#[tokio::test]
async fn a_debug_log_on_postgresql_holds_no_token_name_or_phone() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    debug_log_holds_no_secret(&dir, cluster.create_database().into()).await;
}

async fn debug_log_holds_no_secret(dir: &tempfile::TempDir, db: std::ffi::OsString) {
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    std::fs::write(dir.path().join("questions/valid.yaml"), BANK).unwrap();
    let log = dir.path().join("server.log");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(serve_args(&dir.path().join("questions"), db.as_ref(), port))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("the binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = process_client();
    wait_up(&client, &base).await;

    let id = start_session(&client, &base).await;
    let answers = format!("{base}/api/sessions/{id}/answers");
    // Malformed bodies: actix's JSON extractor logs these at debug, with the path.
    for body in ["{not json", r#"{"answers": 7}"#] {
        let r = client
            .post(&answers)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    let r = client
        .post(&answers)
        .json(&json!({"answers": right_answers()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (name, phone) = ("欧阳明月", "13912345678");
    let r = client
        .post(format!("{base}/api/entries"))
        .json(&json!({"session": id, "consent": true, "name": name, "phone": phone}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = client
        .post(format!("{base}/api/entries"))
        .json(&json!({"session": id, "consent": true, "name": name, "phone": "12345"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    // The token with junk after or around it, in one segment or across
    // several, sent as it is (no client tidies `..` away).
    let junk = [
        format!("/api/sessions/{id}xyz/answers"),
        format!("/api/sessions/{id}/../../answers"),
        format!("/api/sessions/x{id}"),
        format!("/api/sessions/{}", id.replacen(&id[..2], "%61", 1)),
        format!("/api/sessions/{id};{id}"),
    ];
    for path in &junk {
        let answer = raw_get(port, path);
        assert!(
            answer.starts_with("HTTP/1.1 4"),
            "{path} is refused: {answer}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let text = std::fs::read_to_string(&log).unwrap();
    for logged in [
        format!("GET /api/sessions/{}…xyz/answers", &id[..6]),
        format!("GET /api/sessions/{}…/../../answers", &id[..6]),
        format!("GET /api/sessions/x{}…", &id[..6]),
    ] {
        assert!(
            text.contains(&logged),
            "the junk request is logged, cut short: {logged}\n{text}"
        );
    }
    assert!(
        text.contains(&format!("/api/sessions/{}…/answers", &id[..6])),
        "the debug access log is on and cuts the token short:\n{text}"
    );
    for (what, secret) in [
        ("session token", id.as_str()),
        ("name", name),
        ("phone", phone),
    ] {
        assert!(!text.contains(secret), "the log holds the {what}:\n{text}");
    }
    // Half a token is no key either: no run of 32 of its digits.
    assert!(
        !text.contains(&id[6..38]),
        "the log holds part of the token:\n{text}"
    );
}

/// A GET sent byte for byte as given (a client library would resolve `..`).
fn raw_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// A flood of requests that do not parse (a bad header, a bad version, no
/// request line) and of bodies that are not JSON writes no line each: they
/// are counted in the traffic line, which the stop writes at once.
#[test]
fn malformed_requests_are_counted_in_the_traffic_line_not_logged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    std::fs::write(dir.path().join("questions/valid.yaml"), BANK).unwrap();
    let log = dir.path().join("server.log");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(serve_args(
            &dir.path().join("questions"),
            &dir.path().join("q.db"),
            port,
        ))
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("the binary starts");
    eventually_blocking(Duration::from_secs(20), "the server starts", || {
        let healthz = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        (!raw(port, healthz).is_empty()).then_some(())
    });
    let junk: [&[u8]; 3] = [
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GARBAGE\r\n\r\n",
    ];
    for i in 0..150 {
        let answer = raw(port, junk[i % junk.len()]);
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    for _ in 0..50 {
        let answer = raw(
            port,
            b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{not ",
        );
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(child.wait().unwrap().success(), "a clean stop");

    let text = std::fs::read_to_string(&log).unwrap();
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("WARN"))
        .collect();
    assert!(
        errors.is_empty(),
        "no line for a malformed request ({} of them):\n{}",
        errors.len(),
        errors.join("\n")
    );
    let line = text
        .lines()
        .find(|l| l.contains("at stop: "))
        .unwrap_or_else(|| panic!("the stop writes the traffic line:\n{text}"));
    assert!(line.contains("150 malformed"), "{line}");
    assert!(line.contains("50 refused"), "{line}");
}

/// Sends bytes as they are on a fresh connection; what came back.
fn raw(port: u16, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    if stream.write_all(request).is_err() {
        return String::new();
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// SPEC §8: a round that holds entries and that no date erases (it never
/// closes) is named at start, for staff to purge by hand.
#[tokio::test]
async fn a_round_with_entries_and_no_erase_date_is_warned_about_at_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    // No rounds: the one round `open`, always open.
    let never = BANK.replace(
        "rounds:\n  - id: week-1\n    opens: 2021-10-11T09:00:00+08:00\n    closes: 2099-10-17T18:00:00+08:00\n",
        "",
    );
    assert_ne!(never, BANK);
    std::fs::write(dir.path().join("questions/valid.yaml"), never).unwrap();
    let db = dir.path().join("q.db");
    let serve = |log: &str| {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_quizbooth"))
            .args(serve_args(&dir.path().join("questions"), &db, port))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join(log)).unwrap())
            .spawn()
            .expect("the binary starts");
        (child, format!("http://127.0.0.1:{port}"))
    };
    let warning = "has entries but no erase date";

    let (mut child, base) = serve("first.log");
    let client = process_client();
    wait_up(&client, &base).await;
    let id = start_session(&client, &base).await;
    let r = client
        .post(format!("{base}/api/sessions/{id}/answers"))
        .json(&json!({"answers": right_answers()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = client
        .post(format!("{base}/api/entries"))
        .json(&json!({"session": id, "consent": true, "name": "欧阳明月", "phone": "13912345678"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    child.kill().unwrap();
    child.wait().unwrap();
    let first = std::fs::read_to_string(dir.path().join("first.log")).unwrap();
    assert!(
        !first.contains(warning),
        "no entries yet at that start:\n{first}"
    );

    let (mut child, base) = serve("second.log");
    wait_up(&client, &base).await;
    let log = dir.path().join("second.log");
    let text = eventually_blocking(Duration::from_secs(5), "the second log warns", || {
        let text = std::fs::read_to_string(&log).unwrap();
        text.contains(warning).then_some(text)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(warning))
        .unwrap_or_else(|| panic!("a warning at start:\n{text}"));
    assert!(
        line.contains("WARN") && line.contains("round=open") && line.contains("never_closes"),
        "{line}"
    );
    assert!(!text.contains("13912345678") && !text.contains("欧阳明月"));
}
