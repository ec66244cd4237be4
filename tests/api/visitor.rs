//! SPEC §3, the visitor's side: every status code.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[engines]
async fn health_and_page_are_served_with_strict_headers() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let r = app.get("/").await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let html = r.text().await.unwrap();
    let js = html
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        js.starts_with("/assets/app.") && js.ends_with(".js"),
        "{js}"
    );
    let asset = app.get(&js).await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert!(asset.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let missing = app.get("/assets/app.000000000000.js").await;
    expect_error(missing, StatusCode::NOT_FOUND, "not_found").await;
}

#[engines]
async fn a_session_serves_questions_without_answers() {
    let app = spawn_app().await;
    let s = app.start().await;
    assert_eq!(
        s["session"].as_str().unwrap().len(),
        quizbooth::quiz::token::TOKEN_HEX_LEN
    );
    assert_eq!(s["set"]["id"], "fixture-valid");
    assert_eq!(s["set"]["title"], "测试题库");
    assert_eq!(s["round"]["id"], "week-1");
    assert_eq!(s["time_limit_secs"], 900);
    assert_eq!(s["pass_percent"], 60);
    assert_eq!(s["boards"].as_array().unwrap().len(), 1);
    let qs = s["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 3);
    let tf = qs.iter().find(|q| q["type"] == "truefalse").unwrap();
    let keys: Vec<&str> = tf["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["T", "F"]);
    let text = s.to_string();
    for leak in ["\"answer\"", "explanation", "12377 是网信部门的举报电话"] {
        assert!(
            !text.contains(leak),
            "the start response must not reveal {leak}"
        );
    }
    assert!(s["result"].is_null());
}

#[engines]
async fn the_language_comes_from_the_body_or_accept_language() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/api/sessions"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["set"]["title"], "Test bank");
    let zh = app
        .post("/api/sessions", json!({"lang": "zh"}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(zh["set"]["title"], "测试题库");
    // The session's language holds for its later responses.
    let again: Value = app
        .get_json(&format!("/api/sessions/{}", s["session"].as_str().unwrap()))
        .await;
    assert_eq!(again["set"]["title"], "Test bank");
}

#[engines]
async fn resuming_gives_the_same_questions_and_option_order() {
    let app = spawn_app().await;
    let s = app.start().await;
    let id = s["session"].as_str().unwrap();
    let again: Value = app.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(again["questions"], s["questions"]);
    assert_eq!(again["expires_at"], s["expires_at"]);
}

#[engines]
async fn unknown_sessions_are_404_everywhere() {
    let app = spawn_app().await;
    for id in ["0123456789abcdef0123456789abcdef", "nope", "../../etc"] {
        expect_error(
            app.get(&format!("/api/sessions/{id}")).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let r = app
            .post(
                &format!("/api/sessions/{id}/answers"),
                json!({"answers": {}}),
            )
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
        let r = app
            .post(
                "/api/entries",
                json!({"session": id, "consent": true, "name": "张三", "phone": "13800138000"}),
            )
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[engines]
async fn submitting_scores_once_and_shows_what_was_right() {
    let app = spawn_app().await;
    let s = app.start().await;
    let id = s["session"].as_str().unwrap();
    let answers = json!({"answers": {"hotline": ["B"], "channels": ["A"], "answer-96110": ["T"]}});
    let r = app
        .post(&format!("/api/sessions/{id}/answers"), answers.clone())
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["score"].as_u64(),
            v["max_score"].as_u64(),
            v["percent"].as_u64()
        ),
        (Some(2), Some(3), Some(66))
    );
    assert_eq!(v["passed"], true);
    let served: Vec<&Value> = s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| &q["id"])
        .collect();
    let results: Vec<&Value> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| &q["id"])
        .collect();
    assert_eq!(results, served, "results in served order");
    let channels = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "channels")
        .unwrap();
    assert_eq!(
        channels["correct"], false,
        "a partial multiple answer is wrong"
    );
    assert_eq!(channels["answer"], json!(["A", "C"]));
    let hotline = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "hotline")
        .unwrap();
    assert_eq!(hotline["explanation"], "12377 是网信部门的举报电话。");

    // The same answers again (a phone that lost the reply): the stored result.
    let again = app
        .post(&format!("/api/sessions/{id}/answers"), answers)
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap(), v, "the same result");
    // Other answers: 409, and the stored result stands.
    let other =
        json!({"answers": {"hotline": ["B"], "channels": ["A", "C"], "answer-96110": ["T"]}});
    let r = app
        .post(&format!("/api/sessions/{id}/answers"), other)
        .await;
    expect_error(r, StatusCode::CONFLICT, "already_submitted").await;
    let resumed: Value = app.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(
        resumed["result"]["score"], 2,
        "the session carries its result"
    );
}

#[engines]
async fn bad_answers_are_422_and_the_session_stays_open() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    let path = format!("/api/sessions/{id}/answers");
    let cases = [
        ("a question not served", json!({"answers": {"nope": ["A"]}})),
        (
            "a key that is no option",
            json!({"answers": {"hotline": ["Z"]}}),
        ),
        (
            "a letter on true/false",
            json!({"answers": {"answer-96110": ["A"]}}),
        ),
        (
            "two keys on single",
            json!({"answers": {"hotline": ["A", "B"]}}),
        ),
    ];
    for (why, body) in cases {
        let r = app.post(&path, body).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
    }
    let r = app.post(&path, json!({"answers": "everything"})).await;
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;
    let r = app.post(&path, json!({"answers": right_answers()})).await;
    assert_eq!(r.status(), StatusCode::OK, "a corrected try is accepted");
}

#[engines]
async fn a_late_submission_is_410() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    // The fixture allows 900 s, then 30 s of grace.
    app.advance(900 + 31);
    let r = app.submit_right(&id).await;
    expect_error(r, StatusCode::GONE, "expired").await;
}

#[engines]
async fn a_submitted_quiz_sent_again_late_gets_its_result_and_anything_else_is_409() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    // Submitted 2 s before the grace runs out, then sent again after it
    // (the reply was lost): the stored result, not "too late".
    app.advance(900 + 28);
    let first = app.submit_right(&id).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    app.advance(3);
    let r = app.submit_right(&id).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), first);
    let path = format!("/api/sessions/{id}/answers");
    let r = app.post(&path, json!({"answers": {"nope": ["A"]}})).await;
    expect_error(r, StatusCode::CONFLICT, "already_submitted").await;
    let r = app
        .post(&path, json!({"answers": {"hotline": ["A"]}}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "already_submitted").await;
}

#[engines]
async fn within_the_grace_period_a_submission_still_counts() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    // Expired 10 s ago: within the 30 s of grace.
    app.advance(900 + 10);
    let s = app.get_json(&format!("/api/sessions/{id}")).await;
    let expires = chrono::DateTime::parse_from_rfc3339(s["expires_at"].as_str().unwrap()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(s["now"].as_str().unwrap()).unwrap();
    let ago = now - expires;
    assert!((9..=12).contains(&ago.num_seconds()), "expired {ago} ago");
    let r = app.submit_right(&id).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[engines]
async fn no_open_round_is_409_closed() {
    let past = BANK.replace("2099-10-17T18:00:00+08:00", "2021-10-17T18:00:00+08:00");
    let app = spawn_app_with(&[("past.yaml", &past)]).await;
    let r = app.post("/api/sessions", json!({})).await;
    expect_error(r, StatusCode::CONFLICT, "closed").await;
    let set: Value = app.get("/api/set").await.json().await.unwrap();
    assert_eq!(set["open"], false);
}

#[engines]
async fn a_round_opens_and_closes_on_the_servers_clock() {
    // Opens in an hour, closes a day later.
    let fmt = |t: chrono::DateTime<chrono::Local>| t.fixed_offset().to_rfc3339();
    let now = chrono::Local::now();
    let later = BANK
        .replace(
            "2021-10-11T09:00:00+08:00",
            &fmt(now + chrono::Duration::hours(1)),
        )
        .replace(
            "2099-10-17T18:00:00+08:00",
            &fmt(now + chrono::Duration::hours(25)),
        );
    let app = spawn_app_with(&[("later.yaml", &later)]).await;
    let set = app.get_json("/api/set").await;
    assert_eq!(set["open"], false, "not open yet");
    assert_eq!(set["next_round"]["id"], "week-1", "{set}");
    expect_error(
        app.post("/api/sessions", json!({})).await,
        StatusCode::CONFLICT,
        "closed",
    )
    .await;
    app.advance(2 * 3600);
    assert_eq!(app.get_json("/api/set").await["open"], true);
    let s = app.start().await;
    let started = chrono::DateTime::parse_from_rfc3339(s["now"].as_str().unwrap()).unwrap();
    assert!(
        started > now + chrono::Duration::minutes(119),
        "the session starts on the server's clock: {started}"
    );
    app.advance(24 * 3600);
    expect_error(
        app.post("/api/sessions", json!({})).await,
        StatusCode::CONFLICT,
        "closed",
    )
    .await;
}

#[engines]
async fn entering_gives_a_crockford_code() {
    let app = spawn_app().await;
    let code = app.entry("张三", "+86 138-0013-8000").await;
    assert_eq!(code.len(), 9);
    assert_eq!(&code[4..5], "-");
    assert!(
        code.chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c))),
        "{code}"
    );
}

#[engines]
async fn only_a_passed_quiz_may_enter() {
    let app = spawn_app().await;
    let fresh = app.start().await["session"].as_str().unwrap().to_owned();
    let body =
        |id: &str| json!({"session": id, "consent": true, "name": "张三", "phone": "13800138000"});
    expect_error(
        app.post("/api/entries", body(&fresh)).await,
        StatusCode::FORBIDDEN,
        "not_passed",
    )
    .await;
    let failed = app.start().await["session"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/sessions/{failed}/answers"),
        json!({"answers": {}}),
    )
    .await;
    expect_error(
        app.post("/api/entries", body(&failed)).await,
        StatusCode::FORBIDDEN,
        "not_passed",
    )
    .await;
}

#[engines]
async fn an_entry_sent_again_gets_the_same_code_and_receipt_and_stores_nothing() {
    let app = spawn_app().await;
    let first = app.entry_made("张三", "13800138000", false).await;
    let id = first["session"].as_str().unwrap();
    // The same person as typed again: spaces, hyphens and +86 are normalised.
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": " 张三 ", "phone": "+86 138-0013-8000"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let again: Value = r.json().await.unwrap();
    assert_eq!(
        (&again["code"], &again["receipt"], &again["round"]),
        (&first["code"], &first["receipt"], &first["round"])
    );
    let csv = app.csv().await;
    assert_eq!(csv.lines().count(), 2, "one entry stored: {csv}");
    assert_eq!(app.staff_json("/admin/api/stats").await["entries"], 1);
    // Another name or phone on the same session is still refused.
    for (name, phone) in [("张四", "13800138000"), ("张三", "13900139000")] {
        let r = app
            .post(
                "/api/entries",
                json!({"session": id, "consent": true, "name": name, "phone": phone}),
            )
            .await;
        expect_error(r, StatusCode::CONFLICT, "already_entered").await;
    }
    // Withdrawn, nothing is left to compare: the receipt is not handed back.
    let r = app.delete(&format!("/api/sessions/{id}/entry")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": "张三", "phone": "13800138000"}),
        )
        .await;
    let body = expect_error(r, StatusCode::CONFLICT, "already_entered").await;
    assert!(body.get("receipt").is_none(), "{body}");
}

#[engines]
async fn a_retry_after_a_lost_reply_is_answered_when_the_address_budget_is_spent() {
    let app = spawn_app_limited(quizbooth::limits::LimitSettings {
        ip_burst: 3,
        ip_per_sec: 1,
        entry_burst: 1,
        entry_per_hour: 1,
        login_failures: 1000,
        ..Default::default()
    })
    .await;
    let first = app.entry_made("张三", "13800138000", false).await;
    // The address's one entry is spent: another session is refused...
    let other = app.passed_session().await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": other, "consent": true, "name": "李四", "phone": "13900139000"}),
        )
        .await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // ...but the first one sent again gets its answer.
    let r = app
        .post(
            "/api/entries",
            json!({"session": first["session"], "consent": true, "name": "张三", "phone": "13800138000"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let again: Value = r.json().await.unwrap();
    assert_eq!(
        (&again["code"], &again["receipt"]),
        (&first["code"], &first["receipt"])
    );
    // A third submission spends the address's three at once (one more a
    // second): a retry of the first still gets its result.
    app.passed_session().await;
    let r = app.submit_right(first["session"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["passed"], true);
}

#[engines]
async fn one_entry_per_session_and_per_phone_in_a_round() {
    let app = spawn_app().await;
    let id = app.passed_session().await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": "张三", "phone": "13800138000"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": "张三", "phone": "13900139000"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "already_entered").await;
    let other = app.passed_session().await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": other, "consent": true, "name": "李四", "phone": "0086 138 0013 8000"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "phone_used").await;
    let resumed: Value = app.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(
        resumed["entry"]["round"], "week-1",
        "the session shows its entry after a reload"
    );
}

#[engines]
async fn bad_names_and_phones_are_422_with_fields_and_can_be_fixed() {
    let app = spawn_app().await;
    let id = app.passed_session().await;
    let cases = [
        ("empty name", "   ", "13800138000", vec!["name"]),
        (
            "name too long",
            &"名".repeat(33) as &str,
            "13800138000",
            vec!["name"],
        ),
        ("landline", "张三", "010-12345678", vec!["phone"]),
        ("short phone", "张三", "1380013800", vec!["phone"]),
        ("both", "", "abc", vec!["name", "phone"]),
    ];
    for (why, name, phone, fields) in cases {
        let r = app
            .post(
                "/api/entries",
                json!({"session": id, "consent": true, "name": name, "phone": phone}),
            )
            .await;
        let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields").await;
        let mut got: Vec<&String> = body["fields"].as_object().unwrap().keys().collect();
        got.sort();
        assert_eq!(
            got,
            fields
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>(),
            "{why}"
        );
    }
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": " 张三 ", "phone": "138 0013 8000"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "the session can try again");
}

#[engines]
async fn malformed_json_gets_a_json_error() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/api/entries"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;
    let r = app
        .client
        .post(app.url("/api/sessions"))
        .body("[1,")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;
    let big = format!("{{\"answers\": {{\"x\": [\"{}\"]}}}}", "A".repeat(100_000));
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{id}/answers")))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
}

#[engines]
async fn a_restart_keeps_sessions_and_still_refuses_a_second_submission() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    let r = app.submit_right(&id).await;
    assert_eq!(r.status(), StatusCode::OK);
    let restarted = start_in(app.dir).await;
    let s = restarted.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(s["result"]["passed"], true);
    let r = restarted.submit_right(&id).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the same answers: the stored result"
    );
    let path = format!("/api/sessions/{id}/answers");
    let r = restarted
        .post(&path, json!({"answers": {"hotline": ["A"]}}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "already_submitted").await;
}

#[engines]
async fn a_session_started_before_a_restart_carries_on_after_it() {
    let app = spawn_app().await;
    let s = app.start().await;
    let id = s["session"].as_str().unwrap().to_owned();
    // Reading the numbers commits the counted start.
    let before = app.staff_json("/admin/api/stats").await;
    assert_eq!(before["sessions"]["started"], 1);
    let restarted = start_in(app.dir).await;
    let again = restarted.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(
        again["questions"], s["questions"],
        "same questions, same order"
    );
    assert_eq!(again["expires_at"], s["expires_at"]);
    let r = restarted.submit_right(&id).await;
    assert_eq!(r.status(), StatusCode::OK);
    let stats = restarted.staff_json("/admin/api/stats").await;
    assert_eq!(stats["sessions"]["started"], 1, "the start was kept");
    assert_eq!(stats["sessions"]["submitted"], 1);
}

#[engines]
async fn a_forged_or_altered_token_is_an_unknown_session() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    // Another server's secret, and one changed digit of the seal.
    let other = quizbooth::quiz::token::TokenKey::new(b"not this server's secret");
    let forged = quizbooth::quiz::token::SessionToken::seal(
        &other,
        quizbooth::quiz::SessionId::fresh(1),
        "00",
        0,
        "zh",
    )
    .encode();
    let last = if id.ends_with('0') { "1" } else { "0" };
    let altered = format!("{}{last}", &id[..id.len() - 1]);
    for bad in [forged, altered] {
        let r = app.get(&format!("/api/sessions/{bad}")).await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
        let r = app.submit_right(&bad).await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[engines]
async fn a_replaced_set_still_scores_sessions_started_on_the_old_version() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    let new = BANK.replace("answer: B", "answer: A");
    let r = app.upload_yaml("/admin/api/sets", &new).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = app.submit_right(&id).await.json().await.unwrap();
    assert_eq!(
        v["score"], 3,
        "scored against the version the session was served: {v}"
    );
}

/// Random bytes, broken JSON and JSON of the wrong shape at every visitor
/// route: always a JSON error below 500, never a crash.
#[engines]
async fn garbage_bodies_never_get_a_5xx() {
    use rand::{Rng, SeedableRng};
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    let routes = [
        "/api/sessions".to_owned(),
        format!("/api/sessions/{id}/answers"),
        "/api/entries".to_owned(),
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let shapes = [
        json!(null),
        json!([]),
        json!({"answers": null}),
        json!({"answers": {"hotline": "B"}}),
        json!({"answers": {"hotline": [1, 2]}}),
        json!({"answers": {"": [""]}}),
        json!({"session": 5}),
        json!({"session": id, "consent": true, "name": 7, "phone": []}),
        json!({"session": id, "consent": true, "name": "\u{0}", "phone": "\u{202e}13800138000"}),
        json!({"lang": {"x": 1}}),
        json!({"answers": {"hotline": vec!["B"; 1000]}}),
    ];
    for (i, route) in routes.iter().cycle().take(240).enumerate() {
        let body: Vec<u8> = match i % 3 {
            0 => (0..rng.random_range(0..200))
                .map(|_| rng.random())
                .collect(),
            1 => shapes[rng.random_range(0..shapes.len())]
                .to_string()
                .into_bytes(),
            _ => {
                let mut s = shapes[rng.random_range(0..shapes.len())]
                    .to_string()
                    .into_bytes();
                let cut = rng.random_range(0..=s.len());
                s.truncate(cut);
                s
            }
        };
        let r = app
            .client
            .post(app.url(route))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or_else(|_| {
            panic!(
                "{route}: a JSON body for {:?}",
                String::from_utf8_lossy(&body)
            )
        });
        assert!(
            status.as_u16() < 500,
            "{route}: {status} {v} for {:?}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

/// 长辈版 (SPEC §2 extension `time_limit_required`): a large-text session
/// has no countdown unless the bank requires its limit, and the server
/// grants the same.
#[engines]
async fn a_large_text_session_is_not_timed_unless_the_bank_requires_it() {
    let app = spawn_app().await;
    let start = |large: bool| {
        let app = &app;
        async move {
            let r = app
                .post("/api/sessions", json!({"lang": "zh", "large": large}))
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Value>().await.unwrap()
        }
    };
    let large = start(true).await;
    let normal = start(false).await;
    assert_eq!(
        (large["large"].clone(), large["timer"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(normal["timer"], true);
    // Well past the set's time limit: the timed session is over, the other is not.
    app.advance(i64::from(large["time_limit_secs"].as_u64().unwrap() as u32) + 600);
    let r = app.submit_right(large["session"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK, "no countdown in 长辈版");
    let r = app.submit_right(normal["session"].as_str().unwrap()).await;
    expect_error(r, StatusCode::GONE, "expired").await;
    let again = app
        .get_json(&format!(
            "/api/sessions/{}",
            large["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(again["large"], true, "remembered in the session");

    // A bank that makes the limit part of the contest times everyone.
    let strict = spawn_app_with(&[(
        "strict.yaml",
        &BANK.replace("quiz:\n", "quiz:\n  time_limit_required: true\n"),
    )])
    .await;
    let r = strict
        .post("/api/sessions", json!({"lang": "zh", "large": true}))
        .await;
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["timer"], true, "{s}");
    strict.advance(i64::from(s["time_limit_secs"].as_u64().unwrap() as u32) + 600);
    let r = strict.submit_right(s["session"].as_str().unwrap()).await;
    expect_error(r, StatusCode::GONE, "expired").await;
}

/// SPEC §3: an entry is never taken later than `entry_grace_secs` after the
/// round's close, whatever the session's mode: a 长辈版 session (untimed,
/// hours to finish) started before the close enters within the grace and
/// is refused after it (it used to enter until 4 h after its start).
#[engines]
async fn a_large_text_session_enters_no_later_than_the_grace_after_its_round_closed() {
    let closes = chrono::Local::now().fixed_offset() + chrono::Duration::minutes(30);
    let bank = BANK.replace("2099-10-17T18:00:00+08:00", &closes.to_rfc3339());
    let app = spawn_app_with(&[("closing.yaml", &bank)]).await;
    let grace = chrono::Duration::seconds(900);
    let mut passed = Vec::new();
    for large in [true, true] {
        let r = app
            .post("/api/sessions", json!({"lang": "zh", "large": large}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let s: Value = r.json().await.unwrap();
        let id = s["session"].as_str().unwrap().to_owned();
        let r = app.submit_right(&id).await;
        assert_eq!(r.status(), StatusCode::OK);
        let result: Value = r.json().await.unwrap();
        let entry_closes =
            chrono::DateTime::parse_from_rfc3339(result["entry_closes"].as_str().unwrap()).unwrap();
        assert!(
            (entry_closes - (closes + grace)).num_seconds().abs() <= 1,
            "large {large}: entries close {entry_closes}, the grace after the round's close"
        );
        passed.push(id);
    }
    let enter = |session: String, phone: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/entries",
                json!({"session": session, "consent": true, "name": "王奶奶", "phone": phone}),
            )
            .await
        }
    };
    // Ten minutes after the close: within the grace.
    app.advance(40 * 60);
    let r = enter(passed[0].clone(), "13800000001").await;
    assert_eq!(r.status(), StatusCode::CREATED, "within the grace");
    // Past the grace (the 长辈版 session itself has hours left): refused.
    app.advance(6 * 60);
    let body = expect_error(
        enter(passed[1].clone(), "13800000002").await,
        StatusCode::CONFLICT,
        "round_closed",
    )
    .await;
    let closed_at =
        chrono::DateTime::parse_from_rfc3339(body["closed_at"].as_str().unwrap()).unwrap();
    assert!(
        (closed_at - (closes + grace)).num_seconds().abs() <= 1,
        "{body}"
    );
    // Still refused hours later, while the session itself has not expired.
    app.advance(2 * 3600);
    expect_error(
        enter(passed[1].clone(), "13800000002").await,
        StatusCode::CONFLICT,
        "round_closed",
    )
    .await;
}

/// The session secret the app seals tokens with, read from its database.
fn session_secret(app: &TestApp) -> String {
    let sql = "SELECT value FROM meta WHERE key = 'session_secret'";
    if on_postgres() {
        return app.sql(sql);
    }
    rusqlite::Connection::open(app.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

async fn enter_as(app: &TestApp, session: &str, phone: &str) -> Value {
    let r = app
        .post(
            "/api/entries",
            json!({"session": session, "consent": true, "name": "王五", "phone": phone}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{session}");
    r.json().await.unwrap()
}

/// Issue 21: two tokens whose keys meet (two nodes on one number, a clock
/// set back) are two sessions, and a token sealed before the nonce (every
/// token out there at the upgrade) plays on: served, submitted, entered.
#[engines]
async fn tokens_that_share_a_key_are_different_sessions_and_old_tokens_still_play() {
    use quizbooth::quiz::token::{SessionId, SessionToken, TokenKey, LEGACY_TOKEN_HEX_LEN};
    let app = spawn_app().await;
    let key = TokenKey::new(session_secret(&app).as_bytes());
    let new = app.start().await["session"].as_str().unwrap().to_owned();
    let opened = SessionToken::open(&key, &new).expect("sealed under the stored secret");
    let reseal = |id: SessionId| {
        SessionToken::seal(&key, id, &opened.version, opened.round, opened.lang).encode()
    };
    let legacy = reseal(SessionId::legacy(opened.id.key));
    let twin = reseal(SessionId {
        key: opened.id.key,
        nonce: opened.id.nonce ^ 1,
    });
    assert_eq!(legacy.len(), LEGACY_TOKEN_HEX_LEN);
    assert_eq!(
        (&legacy[..16], &twin[..16]),
        (&new[..16], &new[..16]),
        "one key"
    );

    // The token of the old layout: its quiz, its result, its entry.
    let s = app.get_json(&format!("/api/sessions/{legacy}")).await;
    assert_eq!(s["session"], legacy.as_str());
    assert!(!s["questions"].as_array().unwrap().is_empty(), "{s}");
    assert_eq!(app.submit_right(&legacy).await.status(), StatusCode::OK);
    let entered = enter_as(&app, &legacy, "13700137001").await;

    // Neither the new token nor its twin sees that result or that entry.
    for other in [&new, &twin] {
        let s = app.get_json(&format!("/api/sessions/{other}")).await;
        assert!(s["result"].is_null(), "{other}: {s}");
        assert!(s["entry"].is_null(), "{other}: {s}");
        let r = app.delete(&format!("/api/sessions/{other}/entry")).await;
        expect_error(r, StatusCode::NOT_FOUND, "no_entry").await;
    }
    // Each plays and enters on its own.
    assert_eq!(app.submit_right(&twin).await.status(), StatusCode::OK);
    let twin_entry = enter_as(&app, &twin, "13700137002").await;
    assert_ne!(twin_entry["code"], entered["code"]);
    let s = app.get_json(&format!("/api/sessions/{new}")).await;
    assert!(s["result"].is_null() && s["entry"].is_null(), "{s}");
    let own = app.get_json(&format!("/api/sessions/{legacy}")).await;
    assert_eq!(own["entry"]["code"], entered["code"]);
    assert_eq!(own["entry"]["receipt"], entered["receipt"]);
    let own = app.get_json(&format!("/api/sessions/{twin}")).await;
    assert_eq!(own["entry"]["code"], twin_entry["code"]);
}
