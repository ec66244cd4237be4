//! Group commit (issue 24): many submissions and entries at once, each
//! sent twice, phones shared between sessions. Every answer is the one a
//! write alone would get, and the rows stored are exactly those answered as
//! stored. On PostgreSQL the node's batch counters show that batches formed
//! (SQLite's writer batched all along).

use crate::support::app::*;
use crate::support::engine::on_postgres;
use futures_util::future::join_all;
use quizbooth::limits::LimitSettings;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// Sessions in each test.
const N: usize = 48;

/// An app whose per-address limits are off (every request comes from
/// 127.0.0.1), and whose sessions may be retried many times.
async fn unlimited_app() -> TestApp {
    spawn_app_limited(LimitSettings {
        ip_burst: 0,
        session_burst: 1000,
        ..test_limits()
    })
    .await
}

/// `n` sessions started, one after another.
async fn sessions(app: &TestApp, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(app.start().await["session"].as_str().unwrap().to_owned());
    }
    ids
}

/// Every session's right answers, each sent twice, all at once: each
/// answer is 200 with the same score.
async fn submit_all_twice(app: &TestApp, ids: &[String]) {
    let answers = join_all(
        ids.iter()
            .chain(ids)
            .map(|id| async move { (id, app.submit_right(id).await) }),
    )
    .await;
    for (id, r) in answers {
        assert_eq!(r.status(), StatusCode::OK, "submission of {id}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (&v["score"], &v["passed"]),
            (&json!(3), &json!(true)),
            "{v}"
        );
    }
}

/// An entry's answer: its status and body.
async fn enter(app: &TestApp, id: &str, name: &str, phone: &str) -> (StatusCode, Value) {
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": name, "phone": phone}),
        )
        .await;
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The node's write batches (PostgreSQL), after the calls made.
fn batches(app: &TestApp) -> quizbooth::store::BatchCounts {
    app.store
        .write_batches()
        .expect("a PostgreSQL node counts its batches")
}

#[engines]
async fn concurrent_writes_sent_twice_are_each_stored_once_and_answered_as_alone() {
    let app = unlimited_app().await;
    let ids = sessions(&app, N).await;
    submit_all_twice(&app, &ids).await;
    // Session i enters with phone i % (N / 2): two sessions per phone, each
    // entry sent twice (a retry after a lost reply), all at once.
    let phone = |i: usize| format!("1380000{:04}", i % (N / 2));
    let answers = join_all((0..2 * N).map(|k| {
        let (i, app, ids) = (k % N, &app, &ids);
        async move { (i, enter(app, &ids[i], &format!("观众{i}"), &phone(i)).await) }
    }))
    .await;
    let mut stored: HashMap<usize, Value> = HashMap::new();
    let mut phones_refused = 0;
    for (i, (status, body)) in answers {
        match status {
            StatusCode::CREATED => {
                // The retry gets the first answer: the same code and receipt.
                if let Some(first) = stored.insert(i, body.clone()) {
                    assert_eq!(
                        (&first["code"], &first["receipt"]),
                        (&body["code"], &body["receipt"]),
                        "session {i} answered twice alike"
                    );
                }
            }
            StatusCode::CONFLICT => {
                assert_eq!(body["error"], "phone_used", "session {i}: {body}");
                phones_refused += 1;
            }
            other => panic!("session {i}: {other} {body}"),
        }
    }
    // One session of each phone entered; both sends of the other were refused.
    assert_eq!(stored.len(), N / 2, "entries answered 201");
    assert_eq!(phones_refused, N, "entries answered phone_used");
    let phones: HashSet<usize> = stored.keys().map(|&i| i % (N / 2)).collect();
    assert_eq!(phones.len(), N / 2, "one entry per phone");
    // What is stored is what was answered: the staff's counts and export.
    let stats = app.staff_json("/admin/api/stats").await;
    assert_eq!(stats["entries"], N / 2, "{stats}");
    assert_eq!(stats["sessions"]["submitted"], N, "{stats}");
    assert_eq!(stats["sessions"]["passed"], N, "{stats}");
    let csv = app.csv().await;
    assert_eq!(csv.lines().count(), N / 2 + 1, "{csv}");
    for v in stored.values() {
        let code = v["code"].as_str().unwrap();
        assert!(csv.contains(code), "{code} exported");
    }
    if on_postgres() {
        let b = batches(&app);
        assert!(b.largest > 1, "writes were gathered: {b:?}");
        assert!(
            b.batches < b.writes,
            "fewer transactions than writes: {b:?}"
        );
        assert_eq!(
            (b.failed, b.split),
            (0, 0),
            "refusals are not failures: {b:?}"
        );
        assert_eq!(
            b.sizes.last().copied(),
            Some(b.batches),
            "every batch counted in the histogram: {b:?}"
        );
    }
}

#[engines]
async fn a_refused_entry_in_a_batch_does_not_fail_its_neighbours() {
    let app = unlimited_app().await;
    let ids = sessions(&app, N).await;
    submit_all_twice(&app, &ids).await;
    // Every fourth session sends a phone that entered before; every other
    // fourth one was entered before, with another phone.
    let (first, rest) = ids.split_at(1);
    let (status, _) = enter(&app, &first[0], "先来", "13900000000").await;
    assert_eq!(status, StatusCode::CREATED);
    let spent: Vec<&String> = rest.iter().skip(1).step_by(4).collect();
    for (k, id) in spent.iter().enumerate() {
        let (status, _) = enter(&app, id, "早到", &format!("1370000{k:04}")).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let answers = join_all(rest.iter().enumerate().map(|(i, id)| {
        let app = &app;
        async move {
            let phone = if i % 4 == 0 {
                "13900000000".to_owned()
            } else {
                format!("1360000{i:04}")
            };
            (i, enter(app, id, &format!("观众{i}"), &phone).await)
        }
    }))
    .await;
    let mut made = 0;
    for (i, (status, body)) in answers {
        let want = match i % 4 {
            0 => (StatusCode::CONFLICT, "phone_used"),
            1 => (StatusCode::CONFLICT, "already_entered"),
            _ => (StatusCode::CREATED, ""),
        };
        assert_eq!(status, want.0, "entry {i}: {body}");
        if status == StatusCode::CREATED {
            made += 1;
            assert!(body["code"].is_string(), "{body}");
        } else {
            assert_eq!(body["error"], want.1, "entry {i}: {body}");
        }
    }
    let stats = app.staff_json("/admin/api/stats").await;
    assert_eq!(stats["entries"], 1 + spent.len() + made, "{stats}");
    if on_postgres() {
        let b = batches(&app);
        assert!(b.largest > 1, "writes were gathered: {b:?}");
        assert_eq!((b.failed, b.split), (0, 0), "no batch failed: {b:?}");
    }
}

/// Entries sent all at once each read their own session's submission
/// (on PostgreSQL the reads are gathered into one statement: `reads.rs`):
/// a passed session enters, a failed one and one never submitted are
/// refused, whatever else was read beside them.
#[engines]
async fn concurrent_entries_each_read_their_own_submission() {
    let app = unlimited_app().await;
    let ids = sessions(&app, N).await;
    let wrong = json!({"answers": {"hotline": ["A"], "channels": ["B"], "answer-96110": ["F"]}});
    join_all(ids.iter().enumerate().map(|(i, id)| {
        let (app, wrong) = (&app, &wrong);
        async move {
            let r = match i % 3 {
                0 => app.submit_right(id).await,
                1 => {
                    app.post(&format!("/api/sessions/{id}/answers"), wrong.clone())
                        .await
                }
                _ => return,
            };
            assert_eq!(r.status(), StatusCode::OK, "submission {i}");
        }
    }))
    .await;
    let answers = join_all(ids.iter().enumerate().map(|(i, id)| {
        let app = &app;
        async move {
            (
                i,
                enter(app, id, &format!("观众{i}"), &format!("1350000{i:04}")).await,
            )
        }
    }))
    .await;
    for (i, (status, body)) in &answers {
        if i % 3 == 0 {
            assert_eq!(*status, StatusCode::CREATED, "entry {i}: {body}");
        } else {
            assert_eq!(*status, StatusCode::FORBIDDEN, "entry {i}: {body}");
            assert_eq!(body["error"], "not_passed", "entry {i}: {body}");
        }
    }
    let stats = app.staff_json("/admin/api/stats").await;
    assert_eq!(stats["entries"], N.div_ceil(3), "{stats}");
}

/// SPEC §3 with §10: while the node's connections are cut under its
/// batches (`pg_terminate_backend`), every entry is answered 201 or 503
/// with `Retry-After` (never a 500, a second entry or a false 409), and
/// the retry of one answered 503 gets the entry stored, if its commit
/// happened, or stores it now: one entry per session, its code as the
/// last answer said.
#[engines]
async fn writes_whose_connection_is_cut_answer_503_and_their_retry_finds_them() {
    if !on_postgres() {
        eprintln!("PostgreSQL only (connections cut); its ::postgres twin runs it");
        return;
    }
    let app = unlimited_app().await;
    let stop = Stop::default();
    let cutter = {
        let (stop, url) = (stop.0.clone(), database(app.dir.path()));
        tokio::task::spawn_blocking(move || {
            let cluster = crate::support::postgres::cluster().unwrap();
            let mut cuts = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let cut = cluster.try_psql(
                    url.to_str().unwrap(),
                    "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE datname = current_database() AND application_name = 'quizbooth'",
                );
                cuts += cut.map_or(0, |n| n.trim().parse::<u32>().unwrap_or(0));
            }
            cuts
        })
    };
    let (mut unavailable, mut stored) = (0, HashMap::new());
    for wave in 0..10 {
        let ids = passed_despite_cuts(&app, N / 4).await;
        let answers = join_all(ids.iter().enumerate().map(|(i, id)| {
            let app = &app;
            async move {
                let phone = format!("1350{wave:03}{i:04}");
                let mut refused = 0;
                loop {
                    let r = app
                        .post(
                            "/api/entries",
                            json!({"session": id, "consent": true, "name": "观众", "phone": phone}),
                        )
                        .await;
                    match r.status() {
                        StatusCode::CREATED => {
                            let v: Value = r.json().await.unwrap();
                            return (id.clone(), v, refused);
                        }
                        StatusCode::SERVICE_UNAVAILABLE => {
                            assert!(r.headers().contains_key("retry-after"), "503 says when");
                            refused += 1;
                            assert!(refused < 100, "entry of {id} never stored");
                        }
                        other => panic!("entry of {id}: {other} {}", r.text().await.unwrap()),
                    }
                }
            }
        }))
        .await;
        for (id, v, refused) in answers {
            unavailable += refused;
            stored.insert(id, v);
        }
        if unavailable > 0 && wave > 0 {
            break;
        }
    }
    drop(stop);
    let cuts = cutter.await.unwrap();
    assert!(cuts > 0, "connections were cut");
    assert!(
        unavailable > 0,
        "some writes met a cut connection ({cuts} cuts)"
    );
    // What is stored is one entry per session, under the code last answered
    // (read once the node has its connections again).
    let csv = crate::support::eventually(
        std::time::Duration::from_secs(20),
        "the export answers after the cuts",
        || async {
            let r = app.staff_get("/admin/api/entries.csv").await;
            if r.status() == StatusCode::OK {
                return Some(r.text().await.unwrap());
            }
            assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
            None
        },
    )
    .await;
    assert_eq!(csv.lines().count(), stored.len() + 1, "{csv}");
    for (id, v) in &stored {
        let code = v["code"].as_str().unwrap();
        assert!(
            csv.contains(code),
            "the entry of {id} is stored as answered"
        );
    }
}

/// Stops the cutting when dropped, a failed assertion's unwinding included
/// (the runtime waits for its blocking tasks).
#[derive(Default)]
struct Stop(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for Stop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `n` passed sessions, each step retried while the connections are cut
/// (a 503 with `Retry-After`, nothing else).
async fn passed_despite_cuts(app: &TestApp, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    let mut tries = 0;
    while ids.len() < n {
        tries += 1;
        assert!(
            tries < 100 * n,
            "sessions could not be started and submitted"
        );
        let r = app.post("/api/sessions", json!({"lang": "zh"})).await;
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            continue;
        }
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        let id = v["session"].as_str().unwrap().to_owned();
        loop {
            let r = app.submit_right(&id).await;
            match r.status() {
                StatusCode::OK => break,
                StatusCode::SERVICE_UNAVAILABLE => {
                    tries += 1;
                    assert!(tries < 100 * n, "sessions could not be submitted");
                }
                other => panic!("submission of {id}: {other} {}", r.text().await.unwrap()),
            }
        }
        ids.push(id);
    }
    ids
}

#[engines]
async fn rows_and_their_counters_are_kept_together_or_not_at_all() {
    // On PostgreSQL a batch's COMMIT goes in the same trip as its counters:
    // a counter the database refuses must roll the rows back with it, or a
    // retry would find a submission stored but never counted.
    let app = unlimited_app().await;
    let ids = sessions(&app, N).await;
    let refuse = if on_postgres() {
        "CREATE FUNCTION refuse_counts() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RAISE EXCEPTION 'counters refused'; END $$;
         CREATE TRIGGER refuse_counts BEFORE INSERT OR UPDATE ON round_stats
           FOR EACH ROW WHEN (NEW.submitted > 0) EXECUTE FUNCTION refuse_counts();"
    } else {
        "CREATE TRIGGER refuse_counts BEFORE INSERT ON round_stats WHEN NEW.submitted > 0
           BEGIN SELECT RAISE(ABORT, 'counters refused'); END;
         CREATE TRIGGER refuse_counts_again BEFORE UPDATE ON round_stats WHEN NEW.submitted > 0
           BEGIN SELECT RAISE(ABORT, 'counters refused'); END;"
    };
    app.sql(refuse);
    let answers = join_all(ids.iter().map(|id| app.submit_right(id))).await;
    for (id, r) in ids.iter().zip(answers) {
        assert_eq!(
            r.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "submission of {id} while its counter is refused"
        );
    }
    let stored = app.sql("SELECT count(*) FROM submissions");
    assert!(
        stored.trim().is_empty() || stored.trim() == "0",
        "no submission kept without its counter: {stored}"
    );
    app.sql(if on_postgres() {
        "DROP TRIGGER refuse_counts ON round_stats"
    } else {
        "DROP TRIGGER refuse_counts; DROP TRIGGER refuse_counts_again"
    });
    // The page's retries: each is stored now, and counted once.
    submit_all_twice(&app, &ids).await;
    let stats = app.staff_json("/admin/api/stats").await;
    assert_eq!(stats["sessions"]["submitted"], N, "{stats}");
    assert_eq!(stats["sessions"]["passed"], N, "{stats}");
    if on_postgres() {
        let b = batches(&app);
        assert!(
            b.split > 0,
            "a refused batch was written again write by write: {b:?}"
        );
        assert_eq!(
            app.sql("SELECT count(*) FROM submissions").trim(),
            N.to_string(),
            "every retry stored"
        );
    }
}
