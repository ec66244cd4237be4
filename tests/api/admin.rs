//! SPEC §4: the staff API.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[engines]
async fn staff_endpoints_need_the_token() {
    let app = spawn_app().await;
    let gets = [
        "/admin/api/whoami",
        "/admin/api/sets",
        "/admin/api/stats",
        "/admin/api/entries.csv",
        "/admin/api/rounds",
    ];
    for path in gets {
        expect_error(
            app.get(path).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        let wrong = app
            .client
            .get(app.url(path))
            .bearer_auth("wrong-token-wrong-token")
            .send()
            .await
            .unwrap();
        expect_error(wrong, StatusCode::UNAUTHORIZED, "unauthorized").await;
        assert_eq!(
            app.staff_get(path).await.status(),
            StatusCode::OK,
            "{path} with the token"
        );
    }
    let posts = [
        "/admin/api/sets",
        "/admin/api/reload",
        "/admin/api/draws",
        "/admin/api/draws/1/reveal",
        "/admin/api/sets/fixture-valid/activate",
    ];
    for path in posts {
        expect_error(
            app.post(path, json!({})).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
}

#[engines]
async fn wrong_tokens_are_throttled_but_the_right_one_is_never_refused() {
    let limits = quizbooth::limits::LimitSettings {
        login_failures: 3,
        ..Default::default()
    };
    let app = spawn_app_limited(limits).await;
    let wrong = || {
        app.client
            .get(app.url("/admin/api/whoami"))
            .bearer_auth("guess-guess-guess-guess")
            .send()
    };
    for _ in 0..4 {
        assert_eq!(wrong().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    // The flood of issue 11: a visitor on the booth's Wi-Fi keeps guessing.
    let mut throttled = 0;
    for _ in 0..30 {
        let r = wrong().await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
            throttled += 1;
        }
    }
    assert!(
        throttled >= 25,
        "wrong tokens are throttled: {throttled} of 30"
    );
    // From the same address, at once: the right token works.
    let r = app.staff_get("/admin/api/whoami").await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the right token is never throttled"
    );
    let r = app
        .client
        .get(app.url("/admin/api/whoami"))
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        app.get("/api/set").await.status(),
        StatusCode::OK,
        "visitors are not affected"
    );
}

#[engines]
async fn session_starts_from_one_address_are_limited_after_a_burst() {
    let limits = quizbooth::limits::LimitSettings {
        ip_burst: 5,
        ip_per_sec: 1,
        ..Default::default()
    };
    let app = spawn_app_limited(limits).await;
    for _ in 0..5 {
        app.start().await;
    }
    let r = app.post("/api/sessions", json!({})).await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[engines]
async fn uploading_a_broken_set_lists_its_problems_and_changes_nothing() {
    let app = spawn_app().await;
    let broken = BANK.replace("    answer: B\n", "    anwser: B\n    answer: E\n");
    let body = expect_error(
        app.upload_yaml("/admin/api/sets", &broken).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    let problems = body["problems"].as_array().unwrap();
    assert!(problems.len() >= 2, "{body}");
    let line_of =
        |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    assert!(
        problems
            .iter()
            .any(|p| p["line"] == line_of("anwser")
                && p["message"].as_str().unwrap().contains("anwser")),
        "{body}"
    );
    assert!(
        problems.iter().any(|p| p["line"] == line_of("answer: E")),
        "{body}"
    );
    let sets: Value = app.staff_get("/admin/api/sets").await.json().await.unwrap();
    assert_eq!(sets.as_array().unwrap().len(), 1);
}

#[engines]
async fn an_oversized_upload_is_413_json() {
    let app = spawn_app().await;
    let huge = format!("{BANK}\n# {}\n", "x".repeat(3 * 1024 * 1024));
    expect_error(
        app.upload_yaml("/admin/api/sets", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
    )
    .await;
    let r = app
        .client
        .delete(app.url("/api/sessions"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let body: Value = r
        .json()
        .await
        .expect("a JSON error even for a method actix refuses");
    assert!(body["error"].is_string() && body["message"].is_string());
}

#[engines]
async fn uploading_a_valid_set_saves_and_activates_it() {
    let app = spawn_app().await;
    let yaml = BANK
        .replace("id: fixture-valid", "id: second-set")
        .replace("测试题库", "第二套");
    let r = app.upload_yaml("/admin/api/sets", &yaml).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"], "second-set");
    assert_eq!(v["questions"], 3);
    assert_eq!(
        v["version"].as_str().unwrap(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(yaml.as_bytes()))
    );
    assert_eq!(app.saved_set("second-set"), yaml);
    let s = app.start().await;
    assert_eq!(s["set"]["title"], "第二套");
    let r = app
        .staff_post("/admin/api/sets/fixture-valid/activate", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.start().await["set"]["id"], "fixture-valid");
    let r = app
        .staff_post("/admin/api/sets/nope/activate", json!({}))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let sets: Value = app.staff_get("/admin/api/sets").await.json().await.unwrap();
    let active: Vec<&Value> = sets
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["active"] == true)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["id"], "fixture-valid");
}

#[engines]
async fn a_new_version_from_another_file_name_survives_a_restart() {
    let app = spawn_app().await;
    let v2 = BANK.replace("测试题库", "测试题库 第二版");
    assert_eq!(
        app.upload_yaml("/admin/api/sets", &v2).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.saved_set("fixture-valid"), v2);
    if !on_postgres() {
        assert!(
            !app.banks().join("valid.yaml").exists(),
            "the old file no longer loads"
        );
        assert!(
            app.banks().join("valid.yaml.replaced").exists(),
            "but is kept"
        );
    }
    let restarted = start_in(app.dir).await;
    assert_eq!(restarted.start().await["set"]["title"], "测试题库 第二版");
}

#[engines]
async fn a_draft_of_the_live_set_waits_for_publishing() {
    let app = spawn_app().await;
    let before = app.start().await;
    let v2 = BANK.replace("测试题库", "测试题库 草稿");
    let r = app.upload_yaml("/admin/api/sets?activate=false", &v2).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let up: Value = r.json().await.unwrap();
    assert_eq!(
        (&up["active"], &up["draft"]),
        (&json!(false), &json!(true)),
        "{up}"
    );
    let v2_version = up["version"].as_str().unwrap().to_owned();
    assert_ne!(before["set"]["title"], "测试题库 草稿");

    // Visitors keep the live version, sessions started after the upload too.
    let after = app.start().await;
    assert_eq!(after["set"]["title"], "测试题库", "{after}");
    let sets: Value = app.staff_json("/admin/api/sets").await;
    let live = &sets[0];
    assert_eq!(live["active"], true, "{sets}");
    assert_ne!(live["version"], v2_version.as_str(), "{sets}");
    assert_eq!(live["draft"]["version"], v2_version.as_str(), "{sets}");
    if on_postgres() {
        let shared = app.sql(&format!(
            "SELECT count(*) FROM shared_sets WHERE version = '{v2_version}'"
        ));
        assert_eq!(shared, "0", "the draft is not what the nodes serve");
    } else {
        for file in std::fs::read_dir(app.banks()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            assert!(
                !text.contains("草稿"),
                "the draft is not in the banks folder"
            );
        }
    }

    // A restart keeps serving the live version and keeps the draft waiting.
    let again = app.started_again(0, |_| {}).await;
    assert_eq!(again.start().await["set"]["title"], "测试题库");
    let sets: Value = again.staff_json("/admin/api/sets").await;
    assert_eq!(sets[0]["draft"]["version"], v2_version.as_str(), "{sets}");

    // 发布 makes the draft what visitors get.
    let r = again
        .staff_post("/admin/api/sets/fixture-valid/activate", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let published: Value = r.json().await.unwrap();
    assert_eq!(published["version"], v2_version.as_str(), "{published}");
    assert_eq!(again.start().await["set"]["title"], "测试题库 草稿");
    let sets: Value = again.staff_json("/admin/api/sets").await;
    assert_eq!(sets[0]["version"], v2_version.as_str(), "{sets}");
    assert!(sets[0]["draft"].is_null(), "nothing waits any more: {sets}");
    assert_eq!(app.saved_set("fixture-valid"), v2);

    // Sessions started on the old version are still scored on it.
    let r = again.submit_right(after["session"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[engines]
async fn a_reload_reports_broken_files_and_keeps_serving() {
    let app = spawn_app().await;
    std::fs::write(
        app.banks().join("zz-broken.yaml"),
        "id: broken\ntitle: x\nquestions: [\n",
    )
    .unwrap();
    let r = app.staff_post("/admin/api/reload", json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let broken = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("zz-broken.yaml"))
        .unwrap();
    assert!(broken["id"].is_null());
    assert!(!broken["problems"].as_array().unwrap().is_empty());
    assert_eq!(app.start().await["set"]["id"], "fixture-valid");
}

#[engines]
async fn a_reload_of_a_vanished_banks_folder_is_503_and_visitors_carry_on() {
    let app = spawn_app().await;
    std::fs::remove_dir_all(app.banks()).unwrap();
    let r = app.staff_post("/admin/api/reload", json!({})).await;
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(app.start().await["set"]["id"], "fixture-valid");
}

#[engines]
async fn stats_count_sessions_entries_and_answers() {
    let app = spawn_app().await;
    app.start().await;
    app.entry("张三", "13800138000").await;
    let failed = app.start().await["session"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/sessions/{failed}/answers"),
        json!({"answers": {"hotline": ["B"]}}),
    )
    .await;
    let s: Value = app.staff_json("/admin/api/stats").await;
    assert_eq!(
        s["sessions"],
        json!({"started": 3, "submitted": 2, "passed": 1})
    );
    assert_eq!(s["entries"], 1);
    let hotline = s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "hotline")
        .unwrap();
    assert_eq!(
        (hotline["answered"].as_i64(), hotline["correct"].as_i64()),
        (Some(2), Some(2))
    );
    let channels = s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "channels")
        .unwrap();
    assert_eq!(
        (channels["answered"].as_i64(), channels["correct"].as_i64()),
        (Some(2), Some(1))
    );
    let other: Value = app.staff_json("/admin/api/stats?round=week-9").await;
    assert_eq!(other["sessions"]["started"], 0);
}

#[engines]
async fn stats_of_a_set_no_longer_live_are_still_given_by_its_id() {
    let app = spawn_app().await;
    app.entry("张三", "13800138000").await;
    app.entry("李四", "13900139000").await;
    let yaml = BANK
        .replace("id: fixture-valid", "id: second-set")
        .replace("测试题库", "第二套");
    let r = app.upload_yaml("/admin/api/sets", &yaml).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.entry("王五", "13700137000").await;

    let live: Value = app.staff_json("/admin/api/stats").await;
    assert_eq!(
        (&live["set"], &live["entries"]),
        (&json!("second-set"), &json!(1))
    );
    let old: Value = app.staff_json("/admin/api/stats?set=fixture-valid").await;
    assert_eq!(old["set"], "fixture-valid", "{old}");
    assert_eq!(old["entries"], 2, "{old}");
    assert_eq!(
        old["sessions"],
        json!({"started": 2, "submitted": 2, "passed": 2})
    );
    assert_eq!(old["questions"].as_array().unwrap().len(), 3, "{old}");
    let round: Value = app
        .staff_json("/admin/api/stats?set=fixture-valid&round=week-1")
        .await;
    assert_eq!(
        (&round["round"], &round["entries"]),
        (&json!("week-1"), &json!(2))
    );
    // Removed from the loaded sets, its numbers are still there.
    let r = app.staff_delete("/admin/api/sets/fixture-valid").await;
    assert!(r.status().is_success(), "removed: {}", r.status());
    let gone: Value = app.staff_json("/admin/api/stats?set=fixture-valid").await;
    assert_eq!(
        (&gone["set"], &gone["entries"]),
        (&json!("fixture-valid"), &json!(2)),
        "{gone}"
    );
    let r = app.staff_get("/admin/api/stats?set=no-such-set").await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app.get("/admin/api/stats?set=fixture-valid").await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

/// A time stored in another offset (an older row, another node), and the
/// same instant in this machine's local offset, as the exports write it.
const STORED_AT: &str = "2026-12-01T10:00:00+08:00";

fn local(stored: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(stored)
        .unwrap()
        .with_timezone(&chrono::Local)
        .fixed_offset()
}

/// The first sheet of an xlsx file.
fn first_sheet(bytes: &[u8]) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let name = book.sheet_names()[0].clone();
    book.worksheet_range(&name).expect("its first sheet")
}

#[engines]
async fn exports_write_times_in_the_local_offset_and_excel_gets_text_phones_and_real_times() {
    let app = spawn_app().await;
    let code = app.entry("张三", "13800138000").await;
    app.sql(&format!(
        "UPDATE entries SET created_at = '{STORED_AT}' WHERE code = '{code}'"
    ));
    let want = local(STORED_AT);

    // The CSV: the same header and columns, the time in the local offset.
    let csv = app.csv().await;
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("code,round,name,phone,score,percent,created_at")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        row,
        [
            code.as_str(),
            "week-1",
            "张三",
            "13800138000",
            "3",
            "100",
            &want.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        ]
    );

    // The Excel file: the same columns, phone and code as text, a real date-time.
    let r = app.staff_get("/admin/api/entries.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("entries.xlsx"));
    let sheet = first_sheet(&r.bytes().await.unwrap());
    let header: Vec<String> = (0..7)
        .map(|c| sheet.get((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        header,
        [
            "code",
            "round",
            "name",
            "phone",
            "score",
            "percent",
            "created_at"
        ]
    );
    use calamine::{Data, DataType};
    assert_eq!(sheet.get((1, 0)), Some(&Data::String(code.clone())));
    assert_eq!(
        sheet.get((1, 3)),
        Some(&Data::String("13800138000".into())),
        "the phone is a text cell, never 1.38E+10"
    );
    assert_eq!(sheet.get((1, 4)).and_then(|d| d.as_f64()), Some(3.0));
    let at = sheet.get((1, 6)).unwrap();
    assert!(at.is_datetime(), "a real date-time cell: {at:?}");
    assert_eq!(at.as_datetime(), Some(want.naive_local()), "in local time");

    // Both exports are audited alike, the Excel one as such.
    let log = app.staff_json("/admin/api/audit").await;
    let exports: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "entries_exported")
        .collect();
    assert_eq!(exports.len(), 2, "{log}");
    assert_eq!(exports[0]["fields"]["format"], "xlsx");
    assert_eq!(
        exports[0]["detail"],
        "1 entries, 1 with full name and phone, as Excel file"
    );
    let r = app.get("/admin/api/entries.xlsx").await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[engines]
async fn a_draws_winners_come_as_an_excel_file_with_text_phones_and_local_claim_times() {
    let app = spawn_app().await;
    let made = app.entry_made("张三", "13800138000", false).await;
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "U 盘", "winners": 1}),
            "7",
        )
        .await;
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": made["receipt"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let claimed_at: Value = r.json().await.unwrap();
    let want = local(claimed_at["claimed_at"].as_str().unwrap());

    let r = app
        .staff_get(&format!("/admin/api/draws/{}/winners.xlsx", d["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sheet = first_sheet(&r.bytes().await.unwrap());
    use calamine::{Data, DataType};
    assert_eq!(
        sheet.get((0, 4)).map(|d| d.to_string()),
        Some("claimed_at".into())
    );
    assert_eq!(sheet.get((1, 0)).and_then(|d| d.as_f64()), Some(1.0));
    assert_eq!(
        sheet.get((1, 1)),
        Some(&Data::String(made["code"].as_str().unwrap().into()))
    );
    assert_eq!(sheet.get((1, 3)), Some(&Data::String("13800138000".into())));
    assert_eq!(
        sheet.get((1, 4)).and_then(|d| d.as_datetime()),
        Some(want.naive_local())
    );
    let csv = app
        .staff_get(&format!("/admin/api/draws/{}/winners.csv", d["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&want.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
        "{csv}"
    );
    let r = app.staff_get("/admin/api/draws/99/winners.xlsx").await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[engines]
async fn entries_csv_has_a_bom_a_header_and_full_contacts() {
    let app = spawn_app().await;
    let code = app.entry("张三", "13800138000").await;
    let r = app.staff_get("/admin/api/entries.csv").await;
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("code,round,name,phone,score,percent,created_at")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &row[..6],
        &[code.as_str(), "week-1", "张三", "13800138000", "3", "100"]
    );
}

#[engines]
async fn entries_can_be_searched_by_code_or_phone() {
    let app = spawn_app().await;
    let a = app.entry("张三", "13800138000").await;
    let b = app.entry("李四", "13900139000").await;
    let all: Value = app.staff_json("/admin/api/entries").await;
    assert_eq!(all["total"], 2);
    let by_phone = app.search("0139").await;
    assert_eq!(by_phone["entries"].as_array().unwrap().len(), 1);
    assert_eq!(by_phone["total"], 1, "total counts the matches");
    assert_eq!(by_phone["entries"][0]["code"], b.as_str());
    let by_name = app.search("李四").await;
    assert_eq!(by_name["entries"][0]["code"], b.as_str(), "{by_name}");
    let typed = a.replace('-', "").to_lowercase();
    let by_code = app.search(&typed).await;
    assert_eq!(
        by_code["entries"][0]["phone"], "138****8000",
        "the list is masked: full contacts are in the CSV"
    );
    assert_eq!(by_code["entries"][0]["name"], "张*");
    let empty = app.search("  ").await;
    assert_eq!(empty["total"], 2, "an empty search lists the newest");
}

#[engines]
async fn a_search_in_the_url_is_refused_and_points_to_the_post() {
    let app = spawn_app().await;
    app.entry("张三", "13800138000").await;
    for path in [
        "/admin/api/entries?q=13800138000",
        "/admin/api/entries?limit=5&q=%E5%BC%A0%E4%B8%89",
        "/admin/api/entries?q=",
    ] {
        let body = expect_error(app.staff_get(path).await, StatusCode::GONE, "use_post").await;
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("POST /admin/api/entries/search"),
            "{path}: {body}"
        );
        assert!(
            !body.to_string().contains("张") && !body.to_string().contains("13800138000"),
            "{path}: nothing of the entry answers a URL search: {body}"
        );
    }
    // A broken search body is the SPEC's JSON error, not a 500.
    let r = app
        .client
        .post(app.url("/admin/api/entries/search"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{\"q\": ")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;
    let r = app
        .client
        .post(app.url("/admin/api/entries/search"))
        .json(&json!({"q": "张三"}))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[engines]
async fn the_served_qr_codes_carry_the_public_url() {
    let app = spawn_app().await;
    let png = app.get("/admin/qr.png").await.bytes().await.unwrap();
    assert_eq!(
        decode_qr(&png),
        "http://127.0.0.1:8080",
        "the same code `quizbooth qr` writes"
    );
    let png = app
        .get("/qr.png?path=/draws/3")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(decode_qr(&png), "http://127.0.0.1:8080/draws/3");
    let svg = app.get("/qr.svg").await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    expect_error(
        app.get("/qr.svg?path=https://evil.example").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
}

#[engines]
async fn a_follow_of_the_shared_sets_never_undoes_an_upload_through_this_node() {
    // SPEC §10: a node follows the sets changed through the others. A
    // follow whose reads of the store began before an upload through this
    // node committed must not put the version before it back in memory.
    let app = spawn_app().await;
    let node = || async {
        std::sync::Arc::new(
            quizbooth::sets::Registry::open(
                &app.banks(),
                app.store.clone(),
                None,
                quizbooth::clock::Clock::system(),
            )
            .await
            .unwrap(),
        )
    };
    let (sets, other) = (node().await, node().await);
    // Another node keeps changing another set, so this node's follow
    // always has something to read; and it follows far more often than
    // the real one (every 500 ms).
    let busy = {
        let other = other.clone();
        let bank = BANK.replace("id: fixture-valid", "id: fixture-other");
        tokio::spawn(async move {
            for i in 0.. {
                let text = bank.replace("测试题库", &format!("别的题库 {i}"));
                other
                    .upload(text.into_bytes(), "other.yaml", false)
                    .await
                    .expect("the other node's upload");
            }
        })
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let follower = {
        let (sets, stop) = (sets.clone(), stop.clone());
        // On a thread of its own, as the real follower runs beside the
        // HTTP workers.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    sets.sync().await.expect("the follow reads the store");
                }
            })
        })
    };
    for i in 0..40 {
        let text = BANK.replace("测试题库", &format!("测试题库 第{i}版"));
        let up = sets
            .upload(text.into_bytes(), "valid.yaml", true)
            .await
            .expect("the upload is taken");
        for _ in 0..3 {
            let now = sets.active().map(|b| b.version.clone());
            assert_eq!(
                now.as_deref(),
                Some(up.bank.version.as_str()),
                "upload {i} stays live while the follower runs"
            );
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
    busy.abort();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    // Joined off this thread: the follow's connections may be driven by
    // this test's runtime.
    tokio::task::spawn_blocking(move || follower.join())
        .await
        .unwrap()
        .expect("the follow never failed");
}
