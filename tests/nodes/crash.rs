//! Durability (SPEC §6): every entry acknowledged with 201 survives the
//! process being killed with SIGKILL mid-load, and the database stays sound.

use crate::support::app::{right_answers, BANK};
use crate::support::process::{free_port, process_client, serve_command, start_session, wait_up};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::process::Child;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sessions passed before each kill; their entries race the kill.
const ENTRIES: usize = 120;
/// Kill-and-restart rounds.
const ROUNDS: usize = 3;

fn start(dir: &std::path::Path, port: u16) -> Child {
    serve_command(&dir.join("questions"), &dir.join("q.db"), port)
        .spawn()
        .expect("the binary starts")
}

async fn passed_session(client: &Client, base: &str) -> String {
    let id = start_session(client, base).await;
    let r = client
        .post(format!("{base}/api/sessions/{id}/answers"))
        .json(&json!({"answers": right_answers()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_entries_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    std::fs::write(dir.path().join("questions/valid.yaml"), BANK).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = process_client();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut killed_mid_load = 0;

    for round in 0..ROUNDS {
        let mut child = start(dir.path(), port);
        wait_up(&client, &base).await;
        let mut sessions = Vec::new();
        for _ in 0..ENTRIES {
            sessions.push(passed_session(&client, &base).await);
        }
        let acked = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = sessions
            .into_iter()
            .enumerate()
            .map(|(i, id)| {
                let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
                tokio::spawn(async move {
                    let phone = format!("13{round}{i:08}");
                    let r = client
                        .post(format!("{base}/api/entries"))
                        .json(&json!({"session": id, "consent": true, "name": "测试", "phone": phone}))
                        .send()
                        .await
                        .ok()?;
                    if r.status() != StatusCode::CREATED {
                        return None;
                    }
                    let v: Value = r.json().await.ok()?;
                    acked.fetch_add(1, Ordering::SeqCst);
                    v["code"].as_str().map(str::to_owned)
                })
            })
            .collect();
        // Kill while the entries are in flight: once about a third are acknowledged.
        let deadline = Instant::now() + Duration::from_secs(10);
        while acked.load(Ordering::SeqCst) < ENTRIES / 3 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let mut this_round = 0;
        for t in tasks {
            if let Some(code) = t.await.unwrap() {
                acknowledged.push(code);
                this_round += 1;
            }
        }
        eprintln!("round {round}: {this_round} of {ENTRIES} entries acknowledged before the kill");
        killed_mid_load += usize::from(this_round < ENTRIES);
    }

    let conn = rusqlite::Connection::open(dir.path().join("q.db")).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut missing = Vec::new();
    for code in &acknowledged {
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM entries WHERE code = ?1",
                [code],
                |r| r.get(0),
            )
            .unwrap();
        if n != 1 {
            missing.push(code.clone());
        }
    }
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(
        !acknowledged.is_empty(),
        "some entries were acknowledged at all"
    );
    assert!(
        killed_mid_load > 0,
        "at least one kill came while entries were in flight"
    );
}
