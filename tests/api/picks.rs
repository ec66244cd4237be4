//! SPEC §11 "what people get wrong": in `GET /admin/api/stats` each
//! question's `picks` (how many submissions chose each option) and
//! `median_secs` (from the page's timings, sent as `"secs"` with the
//! answers: clamped to the session's time, never scored, and never a
//! reason to refuse a submission). The median of an even count is the
//! lower of the two middle times.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Starts a session; its id.
async fn started(app: &TestApp) -> String {
    app.start().await["session"].as_str().unwrap().to_owned()
}

/// Submits `body` for session `id`: 200 and the result.
async fn submitted(app: &TestApp, id: &str, body: Value) -> Value {
    let r = app.post(&format!("/api/sessions/{id}/answers"), body).await;
    assert_eq!(r.status(), StatusCode::OK, "a submission is kept");
    r.json().await.unwrap()
}

/// The stats' entry of question `id` (of `path`, the stats by default).
async fn question(app: &TestApp, path: &str, id: &str) -> Value {
    let s: Value = app.staff_json(path).await;
    s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {s}"))
        .clone()
}

/// A result's `results`, by question id (each session serves its own order).
fn by_id(result: &Value) -> Vec<Value> {
    let mut rs = result["results"].as_array().unwrap().clone();
    rs.sort_by_key(|r| r["id"].as_str().unwrap().to_owned());
    rs
}

#[engines]
async fn picks_count_each_option_chosen_on_single_multiple_and_truefalse_questions() {
    let app = spawn_app().await;
    let sent = [
        json!({"hotline": ["B"], "channels": ["A", "C"], "answer-96110": ["T"]}),
        json!({"hotline": ["A"], "channels": ["B", "A"], "answer-96110": ["F"]}),
        // channels left out: no option of it was chosen.
        json!({"hotline": ["A"], "answer-96110": ["T"]}),
    ];
    for answers in sent {
        let id = started(&app).await;
        submitted(&app, &id, json!({ "answers": answers })).await;
    }
    let hotline = question(&app, "/admin/api/stats", "hotline").await;
    assert_eq!(hotline["picks"], json!({"A": 2, "B": 1, "C": 0}));
    assert_eq!(
        (&hotline["answered"], &hotline["correct"]),
        (&json!(3), &json!(1))
    );
    assert_eq!(hotline["answer"], json!(["B"]));
    assert_eq!(
        hotline["options"][1],
        json!({"key": "B", "text": "12377", "text_en": "12377"})
    );
    // The console in English shows the bank's English; `text` stays Chinese.
    assert_eq!(hotline["text"], "网信部门的违法和不良信息举报电话是多少？");
    assert_eq!(
        hotline["text_en"],
        "What is the CAC hotline for reporting illegal and harmful online content?"
    );
    let channels = question(&app, "/admin/api/stats", "channels").await;
    assert_eq!(channels["picks"], json!({"A": 2, "B": 1, "C": 1}));
    assert_eq!(
        (&channels["answered"], &channels["correct"]),
        (&json!(3), &json!(1))
    );
    let tf = question(&app, "/admin/api/stats", "answer-96110").await;
    assert_eq!(tf["picks"], json!({"T": 2, "F": 1}));
    assert_eq!(tf["median_secs"], Value::Null, "no page sent a timing");
    let other = question(&app, "/admin/api/stats?round=week-9", "hotline").await;
    assert_eq!(other["picks"], json!({"A": 0, "B": 0, "C": 0}));
    assert_eq!(other["median_secs"], Value::Null);
    if on_postgres() {
        // The bank's keys go to their question's row (one upsert per
        // question): no row per option.
        assert_eq!(app.sql("SELECT count(*) FROM question_picks"), "0");
    }
}

#[engines]
async fn a_claimed_time_is_clamped_to_the_sessions_own_time() {
    let app = spawn_app().await;
    let id = started(&app).await;
    app.advance(3);
    let body = json!({"answers": right_answers(), "secs": {"hotline": 10_000, "channels": 2}});
    submitted(&app, &id, body).await;
    let hotline = question(&app, "/admin/api/stats", "hotline").await;
    let median = hotline["median_secs"].as_u64().expect("a median");
    assert!(
        median <= 3,
        "10,000 s claimed after 3 s counts ≤ 3: {median}"
    );
    let channels = question(&app, "/admin/api/stats", "channels").await;
    let sum = median + channels["median_secs"].as_u64().expect("a median");
    assert!(sum <= 3, "the times together fit in the session: {sum}");
    let tf = question(&app, "/admin/api/stats", "answer-96110").await;
    assert_eq!(tf["median_secs"], Value::Null, "not timed: unknown, not 0");
}

#[engines]
async fn garbage_timings_never_refuse_a_submission_nor_change_its_score() {
    let app = spawn_app().await;
    let answers = json!({"hotline": ["A"], "channels": ["A", "C"], "answer-96110": ["T"]});
    let plain = {
        let id = started(&app).await;
        submitted(&app, &id, json!({ "answers": answers })).await
    };
    let garbage = [
        json!("12"),
        json!(12),
        json!([1, 2]),
        json!(null),
        json!({"hotline": "7", "channels": -5, "answer-96110": 2.5}),
        json!({"no-such-question": 3, "hotline": {"s": 1}}),
        json!({"hotline": 1e300}),
    ];
    for secs in &garbage {
        let id = started(&app).await;
        app.advance(20);
        let result = submitted(&app, &id, json!({"answers": answers, "secs": secs})).await;
        assert_eq!(result["score"], plain["score"], "{secs}");
        assert_eq!(result["percent"], plain["percent"], "{secs}");
        assert_eq!(result["passed"], plain["passed"], "{secs}");
        assert_eq!(by_id(&result), by_id(&plain), "{secs}");
    }
    // A wild but well-formed timing changes no score either.
    let id = started(&app).await;
    app.advance(20);
    let timed = json!({"answers": answers, "secs": {"hotline": 9, "channels": 4}});
    assert_eq!(submitted(&app, &id, timed).await["score"], plain["score"]);

    let n = 2 + garbage.len() as i64;
    let hotline = question(&app, "/admin/api/stats", "hotline").await;
    assert_eq!(hotline["picks"], json!({"A": n, "B": 0, "C": 0}));
    assert_eq!(
        (&hotline["answered"], &hotline["correct"]),
        (&json!(n), &json!(0))
    );
    assert_eq!(
        hotline["median_secs"], 9,
        "only the one real timing counted"
    );
    let tf = question(&app, "/admin/api/stats", "answer-96110").await;
    assert_eq!(tf["median_secs"], Value::Null);
    assert_eq!(tf["correct"], n);
}

#[engines]
async fn the_median_is_the_middle_time_and_of_an_even_count_the_lower_one() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(started(&app).await);
    }
    app.advance(60);
    let secs = [30, 10, 20, 40];
    for (id, s) in ids.iter().zip(secs).take(3) {
        let body = json!({"answers": right_answers(), "secs": {"hotline": s}});
        submitted(&app, id, body).await;
    }
    let odd = question(&app, "/admin/api/stats", "hotline").await;
    assert_eq!(odd["median_secs"], 20, "of 10, 20, 30");
    let body = json!({"answers": right_answers(), "secs": {"hotline": secs[3]}});
    submitted(&app, &ids[3], body).await;
    let even = question(&app, "/admin/api/stats", "hotline").await;
    assert_eq!(
        even["median_secs"], 20,
        "of 10, 20, 30, 40: the lower middle"
    );
    assert_eq!(even["picks"]["B"], 4);
}

#[engines]
async fn picks_and_timings_of_every_shard_and_node_are_summed() {
    let app = spawn_app().await;
    let id = started(&app).await;
    app.advance(60);
    let body = json!({"answers": right_answers(), "secs": {"hotline": 50}});
    submitted(&app, &id, body).await;
    if !on_postgres() {
        return;
    }
    // Another node's rows: counters in shards this one did not write.
    app.sql(
        "INSERT INTO question_picks (set_id, round_id, question_id, option_key, shard, picks)
         VALUES ('fixture-valid', 'week-1', 'hotline', 'A', 100, 2),
                ('fixture-valid', 'week-1', 'hotline', 'B', 101, 3);
         INSERT INTO question_secs (set_id, round_id, question_id, secs, shard, n)
         VALUES ('fixture-valid', 'week-1', 'hotline', 5, 100, 1),
                ('fixture-valid', 'week-1', 'hotline', 7, 101, 1)",
    );
    let hotline = question(&app, "/admin/api/stats", "hotline").await;
    assert_eq!(hotline["picks"], json!({"A": 2, "B": 4, "C": 0}));
    assert_eq!(hotline["median_secs"], 7, "of 5, 7 and 50");
}
