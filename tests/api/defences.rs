//! The attacks of issue 11, each tried and shown to fail: a rigged seed, a
//! stuffed pool, a late entry, a locked-out staff, forged client addresses,
//! look-alike tokens and invisible names, and changes behind the service's back.

use crate::support::app::*;
use quizbooth::draw;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn enter(app: &TestApp, session: &str, name: &str, phone: &str) -> reqwest::Response {
    app.post(
        "/api/entries",
        json!({"session": session, "consent": true, "name": name, "phone": phone}),
    )
    .await
}

async fn committed_draw(app: &TestApp, entries: usize) -> i64 {
    app.entries(entries).await;
    let r = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "奖", "winners": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[engines]
async fn a_seed_with_an_invisible_character_is_refused_and_the_stored_seed_is_the_normal_form() {
    let app = spawn_app().await;
    let id = committed_draw(&app, 3).await;
    let path = format!("/admin/api/draws/{id}/reveal");
    let reveal = |seed: &str| app.staff_post(&path, json!({ "public_seed": seed }));
    for rigged in [
        "482\u{200b}13",
        "48213\u{3000}",
        "４８２１３",
        "\u{202e}31284",
        "12\t34",
        "",
    ] {
        let body = expect_error(
            reveal(rigged).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_seed",
        )
        .await;
        assert!(
            !body["message"].as_str().unwrap().is_empty(),
            "{rigged:?}: {body}"
        );
    }
    let still: Value = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(
        still["status"], "committed",
        "a refused seed changes nothing"
    );

    // SPEC §5.2 as amended for issue 21: the seed is the digits typed,
    // spaces and separators dropped (it was the trimmed text before).
    let r = reveal("  48 - 213 ").await;
    assert_eq!(r.status(), StatusCode::OK);
    let d: Value = r.json().await.unwrap();
    assert_eq!(
        d["public_seed"], "48213",
        "spaces and separators dropped, the digits kept"
    );
    let txt = app
        .get(&format!("/api/draws/{id}/entries.txt"))
        .await
        .text()
        .await
        .unwrap();
    let pool = draw::parse_entries_txt(&txt).unwrap();
    let want = draw::pick(
        &pool,
        draw::seed(d["entries_digest"].as_str().unwrap(), "48213"),
        1,
    );
    assert_eq!(
        d["winners"][0]["code"], want[0],
        "the winner follows from the seed shown"
    );
}

#[engines]
async fn a_pool_changed_behind_the_service_is_not_drawn_from() {
    let app = spawn_app().await;
    let id = committed_draw(&app, 3).await;
    app.try_sql(&format!(
        "{} UPDATE draws SET entries_txt = 'ZZZZ-ZZZZ\n';",
        drop_trigger("draws_commitment_fixed", "draws")
    ))
    .unwrap();
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "12345"}),
        )
        .await;
    expect_error(r, StatusCode::INTERNAL_SERVER_ERROR, "pool_corrupt").await;
    let d: Value = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(d["status"], "committed");
    assert_eq!(d["winners"], json!([]));
}

#[engines]
async fn the_database_refuses_winners_written_outside_the_reveal() {
    let app = spawn_app().await;
    let id = committed_draw(&app, 3).await;
    let insert =
        format!("INSERT INTO draw_winners (draw_id, position, code) VALUES ({id}, 0, 'AAAA-AAAA')");
    assert!(app.try_sql(&insert).is_err(), "no winner before the reveal");
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "777"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let more =
        format!("INSERT INTO draw_winners (draw_id, position, code) VALUES ({id}, 1, 'AAAA-AAAA')");
    let cases = [
        (more.as_str(), "a winner added after the reveal"),
        (
            "UPDATE draw_winners SET code = 'AAAA-AAAA'",
            "a winner changed",
        ),
        ("DELETE FROM draw_winners", "a winner removed"),
        ("UPDATE draws SET public_seed = '778'", "the seed changed"),
        ("UPDATE draws SET prize = '大奖'", "the prize changed"),
        (
            "UPDATE draws SET winner_count = 5",
            "the winner count changed",
        ),
        ("DELETE FROM draws", "the draw deleted"),
    ];
    for (sql, why) in cases {
        assert!(app.try_sql(sql).is_err(), "{why}: {sql}");
    }
}

#[engines]
async fn an_entry_after_the_round_and_its_grace_is_409_round_closed() {
    // The round closes in an hour, later than the session's own 900 s;
    // entries close 900 s (the default grace) after the earlier of the two,
    // the session's deadline (SPEC §3 as amended by issue 21: a passed
    // session is no ticket to enter at any time while its round is open).
    let closes = (chrono::Local::now() + chrono::Duration::hours(1)).fixed_offset();
    let bank = BANK.replace("2099-10-17T18:00:00+08:00", &closes.to_rfc3339());
    let app = spawn_app_with(&[("b.yaml", &bank)]).await;
    let within = app.passed_session().await;
    let late = app.passed_session().await;
    app.advance(900 + 870);
    let first = enter(&app, &within, "张三", "13800000001").await;
    assert_eq!(first.status(), StatusCode::CREATED, "within the grace");
    let first: serde_json::Value = first.json().await.unwrap();
    app.advance(60);
    let body = expect_error(
        enter(&app, &late, "李四", "13800000002").await,
        StatusCode::CONFLICT,
        "round_closed",
    )
    .await;
    assert!(body["closed_at"].is_string(), "{body}");
    // The entry made in time, sent again after the close (its reply was
    // lost), still gets its code and receipt; another name does not.
    let again = enter(&app, &within, " 张三 ", "138 0000 0001").await;
    assert_eq!(
        again.status(),
        StatusCode::CREATED,
        "a retry of a stored entry"
    );
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(
        (&again["code"], &again["receipt"]),
        (&first["code"], &first["receipt"])
    );
    expect_error(
        enter(&app, &within, "张四", "13800000001").await,
        StatusCode::CONFLICT,
        "round_closed",
    )
    .await;
}

#[engines]
async fn entries_close_with_the_round_not_only_with_the_session() {
    let closes = (chrono::Local::now() + chrono::Duration::minutes(5)).fixed_offset();
    let bank = BANK
        .replace("2099-10-17T18:00:00+08:00", &closes.to_rfc3339())
        .replace("quiz:\n", "quiz:\n  entry_grace_secs: 60\n");
    assert!(
        bank.contains("entry_grace_secs: 60"),
        "the fixture has a quiz block"
    );
    let app = spawn_app_with(&[("b.yaml", &bank)]).await;
    let passed = app.passed_session().await;
    let result = app.get_json(&format!("/api/sessions/{passed}")).await["result"].clone();
    let entry_closes =
        chrono::DateTime::parse_from_rfc3339(result["entry_closes"].as_str().unwrap()).unwrap();
    // The session's own deadline (900 s) is later than the round's close
    // (5 min); entries still close the grace after the round (SPEC §3 as
    // amended by issue 21: never later than that, whatever the session).
    let deadline = chrono::DateTime::parse_from_rfc3339(
        app.get_json(&format!("/api/sessions/{passed}")).await["expires_at"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(deadline > closes, "the session outlasts the round");
    assert!(
        (entry_closes - (closes + chrono::Duration::seconds(60)))
            .num_seconds()
            .abs()
            <= 1,
        "{entry_closes}"
    );
    app.advance(900 + 90);
    expect_error(
        enter(&app, &passed, "张三", "13800000001").await,
        StatusCode::CONFLICT,
        "round_closed",
    )
    .await;
}

#[engines]
async fn a_result_submitted_too_fast_is_scored_but_cannot_enter() {
    let bank = BANK.replace("quiz:\n", "quiz:\n  min_answer_secs: 20\n");
    let app = spawn_app_with(&[("b.yaml", &bank)]).await;
    let set = app.get_json("/api/set").await;
    assert_eq!(set["min_answer_secs"], 20, "the rule is published");

    let fast = app.start().await["session"].as_str().unwrap().to_owned();
    let r = app.submit_right(&fast).await;
    assert_eq!(r.status(), StatusCode::OK, "scored");
    let result: Value = r.json().await.unwrap();
    assert_eq!(
        (result["passed"].clone(), result["too_fast"].clone()),
        (json!(true), json!(true))
    );
    let body = expect_error(
        enter(&app, &fast, "张三", "13800000001").await,
        StatusCode::FORBIDDEN,
        "too_fast",
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("20"), "{body}");

    let patient = app.start().await["session"].as_str().unwrap().to_owned();
    app.advance(21);
    let result: Value = app.submit_right(&patient).await.json().await.unwrap();
    assert_eq!(result["too_fast"], false);
    assert_eq!(
        enter(&app, &patient, "李四", "13800000002").await.status(),
        StatusCode::CREATED
    );
    let again = app.get_json(&format!("/api/sessions/{fast}")).await;
    assert_eq!(
        again["result"]["too_fast"], true,
        "the session says so after a reload"
    );
}

#[engines]
async fn one_address_gets_a_budget_of_entries_apart_from_its_other_requests() {
    let app = spawn_app_limited(quizbooth::limits::LimitSettings {
        entry_burst: 3,
        entry_per_hour: 1,
        login_failures: 1000,
        ..Default::default()
    })
    .await;
    for i in 0..3 {
        app.entry(&format!("选手{i}"), &format!("1380000{i:04}"))
            .await;
    }
    let s = app.passed_session().await;
    let r = enter(&app, &s, "第四人", "13800009999").await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        app.start().await["session"].as_str().map(str::len),
        Some(quizbooth::quiz::token::TOKEN_HEX_LEN),
        "the address can still play"
    );
}

#[engines]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let limits = quizbooth::limits::LimitSettings {
        ip_burst: 2,
        ip_per_sec: 1,
        login_failures: 1000,
        ..Default::default()
    };
    let start = |app: &TestApp, client: &'static str| {
        app.client
            .post(app.url("/api/sessions"))
            .header("x-forwarded-for", client)
            .json(&json!({}))
            .send()
    };
    // No trusted proxy: the header is ignored, so forging it gains nothing.
    let direct = spawn_app_limited(limits).await;
    let forged = ["1.1.1.1", "2.2.2.2", "3.3.3.3"];
    let mut statuses = Vec::new();
    for f in forged {
        statuses.push(start(&direct, f).await.unwrap().status());
    }
    assert_eq!(
        statuses[2],
        StatusCode::TOO_MANY_REQUESTS,
        "one bucket: {statuses:?}"
    );

    // Behind a trusted proxy: each client has its own bucket.
    let proxied = spawn_app_adjusted(|s| {
        s.limits = limits;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for f in forged {
        assert_eq!(
            start(&proxied, f).await.unwrap().status(),
            StatusCode::CREATED,
            "{f}"
        );
    }
    for _ in 0..2 {
        start(&proxied, "9.9.9.9").await.unwrap();
    }
    assert_eq!(
        start(&proxied, "9.9.9.9").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the client behind the proxy is limited"
    );
}

#[engines]
async fn a_session_token_opens_in_one_form_only() {
    let app = spawn_app().await;
    let id = app.start().await["session"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/sessions/{id}")).await.status(),
        StatusCode::OK
    );
    let upper = id.to_ascii_uppercase();
    assert_ne!(upper, id);
    expect_error(
        app.get(&format!("/api/sessions/{upper}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.submit_right(&upper).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[engines]
async fn invisible_names_are_refused_on_name() {
    let app = spawn_app().await;
    let s = app.passed_session().await;
    for name in [
        "\u{200b}",
        "\u{feff}\u{feff}",
        "\u{3164}",
        "\u{2800}\u{2800}",
        "张\u{202e}三",
        "1234",
    ] {
        let body = expect_error(
            enter(&app, &s, name, "13800138000").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
        )
        .await;
        assert!(body["fields"]["name"].is_string(), "{name:?}: {body}");
        assert!(body["fields"]["phone"].is_null(), "{name:?}: {body}");
    }
    assert_eq!(
        enter(&app, &s, "张三", "13800138000").await.status(),
        StatusCode::CREATED
    );
}

#[cfg(unix)]
#[engines]
async fn the_database_and_its_folder_are_the_service_users_alone() {
    if !sqlite_only("the file modes of the SQLite file") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    app.entry("张三", "13800138000").await; // the WAL holds it
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let db = app.db();
    assert_eq!(mode(db.parent().unwrap()), 0o700, "the data folder");
    assert_eq!(mode(&db), 0o600, "the database");
    for suffix in ["-wal", "-shm"] {
        let f = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[cfg(unix)]
#[engines]
async fn an_older_database_readable_by_others_is_made_private() {
    if !sqlite_only("the file modes of the SQLite file") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let db = app.db();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let restarted = start_in(app.dir).await;
    let mode = std::fs::metadata(restarted.db())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

#[engines]
async fn an_upload_never_overwrites_a_file_that_holds_another_set() {
    if !sqlite_only("uploads are files in the banks folder") {
        return;
    }
    let app = spawn_app().await;
    // `other.yaml` holds set `fixture-valid`; upload a set whose id is `other`.
    std::fs::rename(
        app.banks().join("valid.yaml"),
        app.banks().join("other.yaml"),
    )
    .unwrap();
    let before = std::fs::read_to_string(app.banks().join("other.yaml")).unwrap();
    let other = BANK.replace("id: fixture-valid", "id: other");
    let r = app.upload_yaml("/admin/api/sets", &other).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        std::fs::read_to_string(app.banks().join("other.yaml")).unwrap(),
        before,
        "the file of set fixture-valid is untouched"
    );
    assert_eq!(
        std::fs::read_to_string(app.banks().join("other-2.yaml")).unwrap(),
        other
    );
    let reloaded: Value = app
        .staff_post("/admin/api/reload", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = reloaded["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"other") && ids.contains(&"fixture-valid"),
        "{reloaded}"
    );
}

#[engines]
async fn a_set_too_large_to_serve_is_refused_with_the_limit() {
    let app = spawn_app().await;
    let mut big = String::from("id: big\ntitle: 大题库\nquestions:\n");
    for i in 0..5001 {
        big.push_str(&format!(
            "  - {{id: q{i}, type: truefalse, text: 第 {i} 题, answer: true}}\n"
        ));
    }
    let r = app.upload_yaml("/admin/api/sets", &big).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let messages: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("at most 5000")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("questions_per_visitor")),
        "{messages:?}"
    );
    assert_eq!(app.get_json("/api/set").await["set"]["id"], "fixture-valid");
}

/// A session id of the right form that this server never sealed.
fn made_up_session(i: usize) -> String {
    format!(
        "{i:0>width$x}",
        width = quizbooth::quiz::token::TOKEN_HEX_LEN
    )
}

/// Counts the statuses of `responses`; every 429 carries `Retry-After`.
async fn tally(responses: Vec<reqwest::Response>) -> std::collections::BTreeMap<u16, usize> {
    let mut by_status = std::collections::BTreeMap::new();
    for r in responses {
        let status = r.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
        }
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].is_string(), "a JSON error: {body}");
        *by_status.entry(status.as_u16()).or_default() += 1;
    }
    by_status
}

/// Issue 21: 100 entries naming made-up sessions used to spend the
/// address's entry budget, and every honest visitor behind the same NAT got
/// 429. Junk now has a budget of its own.
#[engines]
async fn junk_entries_spend_a_budget_of_their_own_and_honest_entries_from_the_address_go_in() {
    let app = spawn_app_limited(quizbooth::limits::LimitSettings {
        ip_burst: 50,
        ip_per_sec: 1,
        entry_burst: 5,
        entry_per_hour: 1,
        login_failures: 1000,
        ..Default::default()
    })
    .await;
    let mut junk = Vec::new();
    for i in 0..200 {
        junk.push(enter(&app, &made_up_session(i), "张三", &format!("1380000{i:04}")).await);
    }
    let by_status = tally(junk).await;
    let (unknown, limited) = (by_status[&404], by_status[&429]);
    assert!(
        (50..=55).contains(&unknown) && unknown + limited == 200,
        "404 until junk's own budget of 50 is spent, then 429: {by_status:?}"
    );
    // A session that opens but did not pass is junk too.
    let unpassed = app.start().await["session"].as_str().unwrap().to_owned();
    expect_error(
        enter(&app, &unpassed, "张三", "13800001111").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;

    for i in 0..5 {
        let s = app.passed_session().await;
        let r = enter(&app, &s, &format!("观众{i}"), &format!("1390000{i:04}")).await;
        assert_eq!(r.status(), StatusCode::CREATED, "honest entry {i}");
    }
    let s = app.passed_session().await;
    let r = enter(&app, &s, "第六人", "13900009999").await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// The same for submissions: made-up and expired sessions spend junk's budget.
#[engines]
async fn junk_submissions_spend_a_budget_of_their_own_and_honest_submissions_go_through() {
    let app = spawn_app_limited(quizbooth::limits::LimitSettings {
        ip_burst: 50,
        ip_per_sec: 1,
        login_failures: 1000,
        ..Default::default()
    })
    .await;
    let expired = app.start().await["session"].as_str().unwrap().to_owned();
    app.advance(900 + 60);
    expect_error(
        app.submit_right(&expired).await,
        StatusCode::GONE,
        "expired",
    )
    .await;
    let mut junk = Vec::new();
    for i in 0..200 {
        junk.push(app.submit_right(&made_up_session(i)).await);
    }
    let by_status = tally(junk).await;
    let (unknown, limited) = (by_status[&404], by_status[&429]);
    assert!(
        (49..=54).contains(&unknown) && unknown + limited == 200,
        "404 until junk's budget is spent, then 429: {by_status:?}"
    );
    expect_error(
        app.submit_right(&expired).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;

    let mut passed = Vec::new();
    for i in 0..20 {
        let id = app.start().await["session"].as_str().unwrap().to_owned();
        let r = app.submit_right(&id).await;
        assert_eq!(r.status(), StatusCode::OK, "honest submission {i}");
        passed.push(id);
    }
    // A double tap (or a retry after a lost reply) gets the stored
    // result, and spends nothing of the budget.
    for id in &passed {
        let r = app.submit_right(id).await;
        assert_eq!(r.status(), StatusCode::OK, "the stored result");
    }
    for i in 0..25 {
        let id = app.start().await["session"].as_str().unwrap().to_owned();
        let r = app.submit_right(&id).await;
        assert_eq!(r.status(), StatusCode::OK, "honest submission {}", 20 + i);
    }
}

/// Issue 21: one phone's /64 made 1,000 entries in 7.3 s, one budget per
/// /128. Addresses of one /64 now share one budget; an IPv4-mapped address
/// is its IPv4 one.
#[engines]
async fn ipv6_clients_of_one_64_share_a_budget_and_another_64_has_its_own() {
    let app = spawn_app_adjusted(|s| {
        s.limits = quizbooth::limits::LimitSettings {
            entry_burst: 3,
            entry_per_hour: 1,
            login_failures: 1000,
            ..Default::default()
        };
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let phone = std::sync::atomic::AtomicUsize::new(0);
    let enter_from = |client: &'static str| {
        let app = &app;
        let phone = format!(
            "1370000{:04}",
            phone.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        async move {
            let s = app.passed_session().await;
            app.client
                .post(app.url("/api/entries"))
                .header("x-forwarded-for", client)
                .json(&json!({"session": s, "consent": true, "name": "张三", "phone": phone}))
                .send()
                .await
                .unwrap()
        }
    };
    for client in [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:ffff:ffff:ffff:ffff",
    ] {
        assert_eq!(
            enter_from(client).await.status(),
            StatusCode::CREATED,
            "{client}"
        );
    }
    expect_error(
        enter_from("2001:db8:1:2:abcd::9").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    assert_eq!(
        enter_from("2001:db8:1:3::1").await.status(),
        StatusCode::CREATED,
        "another /64"
    );
    for client in ["203.0.113.7", "::ffff:203.0.113.7", "203.0.113.7"] {
        assert_eq!(
            enter_from(client).await.status(),
            StatusCode::CREATED,
            "{client}"
        );
    }
    expect_error(
        enter_from("::ffff:203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}
