//! `quizbooth migrate` (README "Several machines"): an event run on a
//! booth's SQLite file moves into an empty PostgreSQL database, and a
//! service on PostgreSQL carries it on: every entry, draw, claim, withdrawal
//! and audit row arrives, every draw still verifies, the session secret
//! and phone hashes still work, and a second migration into the same
//! database is refused.

use crate::support::app::*;
use crate::support::{eventually, postgres};
use quizbooth::draw;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

fn migrate(from: &std::path::Path, to: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(["migrate", "--from"])
        .arg(from)
        .args(["--to", to])
        .output()
        .unwrap()
}

/// What the staff and the public see of an event, for comparing two
/// services: its audit log first (the CSV export adds a row), then its
/// draws with their `entries.txt`, the entries CSV and the counters (the
/// stats and the funnel by hour and source).
async fn event(app: &TestApp) -> (Value, Vec<Value>, String, Value) {
    let audit = app.staff_json("/admin/api/audit").await;
    let draws: Value = app.get_json("/api/draws").await;
    let mut txts = Vec::new();
    for d in draws.as_array().unwrap() {
        // The list carries summaries; a draw's winners are in its own view.
        let whole = app.get_json(&format!("/api/draws/{}", d["id"])).await;
        txts.push(json!({"draw": whole, "entries": app.entries_txt(&d["id"]).await}));
    }
    let stats = json!({
        "stats": app.staff_json("/admin/api/stats").await,
        "by_hour": app.staff_json("/admin/api/funnel?by=hour").await,
        "by_source": app.staff_json("/admin/api/funnel?by=source").await,
    });
    (audit, txts, app.csv().await, stats)
}

/// The audit log once it has `n` rows (an export's row is written as its
/// download ends).
async fn audit_of(app: &TestApp, n: usize) -> Value {
    let what = format!("the audit log reaches {n} rows");
    eventually(Duration::from_secs(2), &what, move || async move {
        let log = app.staff_json("/admin/api/audit").await;
        (log.as_array().unwrap().len() >= n).then_some(log)
    })
    .await
}

#[tokio::test]
async fn an_event_moves_from_sqlite_to_postgres_whole() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let booth = spawn_app().await;
    let mut made = Vec::new();
    for i in 0..6 {
        made.push(
            booth
                .entry_made(&format!("选手{i}"), &format!("1370000000{i}"), i % 2 == 0)
                .await,
        );
    }
    let by = (booth.clock.now() + chrono::Duration::hours(2)).to_rfc3339();
    let d = booth
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 2, "claim_by": by,
                   "seed_digits": 6}),
            "11 22 33",
        )
        .await;
    let winner = d["winners"][0]["code"].clone();
    let receipt = made.iter().find(|m| m["code"] == winner).unwrap()["receipt"].clone();
    let r = booth
        .staff_post("/admin/api/claims", json!({"receipt": receipt}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // One entrant withdraws; one visitor is mid-quiz when the booth moves.
    let gone = made.iter().find(|m| m["code"] != winner).unwrap();
    let r = booth
        .delete(&format!(
            "/api/sessions/{}/entry",
            gone["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let mid_quiz = booth.start().await["session"].as_str().unwrap().to_owned();
    assert_eq!(booth.get("/").await.status(), StatusCode::OK);
    let before = event(&booth).await;
    assert_eq!(before.3["by_hour"]["totals"]["visits"], 1, "{}", before.3);
    let booth_audit = audit_of(&booth, before.0.as_array().unwrap().len() + 1).await;

    let url = cluster.create_database();
    let with_password = url.replacen("postgres@", "postgres:hunter2@", 1);
    let out = migrate(&booth.db(), &with_password);
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("entries: 6 rows"), "{printed}");
    assert!(printed.contains("1 draws verify"), "{printed}");

    // A service on PostgreSQL over the same banks carries the event on.
    let banks = booth.banks();
    let moved = spawn_app_adjusted(move |s| {
        s.db = url.clone().into();
        s.questions = banks;
    })
    .await;
    let after = event(&moved).await;
    assert_eq!(
        after.0, booth_audit,
        "the audit log, the booth's export included"
    );
    assert_eq!(after.1, before.1, "draws and their entries.txt");
    assert_eq!(after.2, before.2, "the entries CSV");
    assert_eq!(after.3, before.3, "the counters");
    for d in moved.get_json("/api/draws").await.as_array().unwrap() {
        let d = moved.get_json(&format!("/api/draws/{}", d["id"])).await;
        // Revealed with "11 22 33": the seed is its digits (SPEC §5.2).
        assert_eq!(d["public_seed"], "112233");
        assert_eq!(d["seed_digits"], 6, "seed_digits came along");
        let txt = moved.entries_txt(&d["id"]).await;
        let pool = draw::parse_entries_txt(&txt).unwrap();
        let picked = draw::pick(
            &pool,
            draw::seed(d["entries_digest"].as_str().unwrap(), "112233"),
            2,
        );
        let winners: Vec<&str> = d["winners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(winners, picked, "draw {} verifies", d["id"]);
    }
    let v = moved.staff_json("/admin/api/audit/verify").await;
    assert_eq!(v["verified"], true, "{v}");

    // The secrets came along: a session begun on the booth is submitted
    // here, a receipt and a phone hash still work, and the withdrawal holds.
    assert_eq!(moved.submit_right(&mid_quiz).await.status(), StatusCode::OK);
    let r = moved
        .staff_post("/admin/api/claims", json!({"receipt": receipt}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "already_claimed").await;
    let kept = (0..made.len())
        .find(|&i| made[i]["code"] != winner && made[i]["code"] != gone["code"])
        .unwrap();
    let again = moved.passed_session().await;
    let r = moved
        .post(
            "/api/entries",
            json!({"session": again, "consent": true, "name": "选手", "phone": format!("1370000000{kept}")}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "the phone already entered this round"
    );
    let own = moved
        .get_json(&format!(
            "/api/sessions/{}",
            gone["session"].as_str().unwrap()
        ))
        .await;
    assert!(own["entry"]["withdrawn_at"].is_string(), "{own}");
    let d2 = moved
        .committed(json!({"round": "week-1", "prize": "二等奖", "winners": 1}))
        .await;
    assert!(
        d2["id"].as_i64().unwrap() > d["id"].as_i64().unwrap(),
        "draw ids go on after the moved ones"
    );
    let txt = moved.entries_txt(&d2["id"]).await;
    assert!(
        !txt.contains(gone["code"].as_str().unwrap()) && !txt.contains(winner.as_str().unwrap()),
        "neither the withdrawn entry nor an earlier winner is in a later pool"
    );

    // Into a database that already holds an event: refused, nothing changed.
    let out = migrate(&booth.db(), &with_password);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already holds quizbooth data"), "{err}");
    assert!(
        !err.contains("hunter2"),
        "no password in the message: {err}"
    );
}

/// A booth's file whose draw was tampered with (its refusals dropped, a
/// winner changed, as anyone holding the file can): the copy is checked
/// inside its transaction, refused with the break named, and nothing is
/// kept in PostgreSQL, which then takes the untampered event.
#[tokio::test]
async fn a_tampered_booth_file_is_not_migrated_and_nothing_is_kept() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let booth = spawn_app().await;
    let codes = booth.entries(5).await;
    let d = booth
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 2}),
            "11 22 33",
        )
        .await;
    let won: Vec<&str> = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    let chosen = codes.iter().find(|c| !won.contains(&c.as_str())).unwrap();
    let clean = booth.dir.path().join("clean.db");
    booth
        .try_sql(&format!("VACUUM INTO '{}'", clean.display()))
        .unwrap();
    booth
        .try_sql(&format!(
            "{} UPDATE draw_winners SET code = '{chosen}' WHERE draw_id = {} AND position = 0;",
            drop_trigger("draw_winners_never_changed", "draw_winners"),
            d["id"]
        ))
        .expect("with its trigger dropped, the file takes the forgery");

    let url = cluster.create_database();
    let out = migrate(&booth.db(), &url);
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{printed}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed.contains(&format!("draw {}", d["id"])) && printed.contains("rolled back"),
        "the break is named, and that nothing was kept: {printed}"
    );
    for table in [
        "meta",
        "entries",
        "submissions",
        "draws",
        "draw_winners",
        "claims",
        "audit",
    ] {
        assert_eq!(
            cluster.psql(&url, &format!("SELECT COUNT(*) FROM {table}")),
            "0",
            "{table} is empty after the refused copy"
        );
    }

    // The booth's file as it was before the forgery moves.
    let out = migrate(&clean, &url);
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed.contains("checked before committing: 1 draws verify"),
        "{printed}"
    );
    assert_eq!(cluster.psql(&url, "SELECT COUNT(*) FROM draw_winners"), "2");
}
