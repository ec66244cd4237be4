//! SPEC §11 sources over HTTP: the list as JSON, CSV or a workbook, each
//! bad row named by its row and cell; each source's QR; a session keeps
//! the source it started from through its token, and its submission and
//! entry rows carry it; an unknown source is `direct`; a token's source
//! cannot be changed; tokens sealed before sources still play.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use quizbooth::quiz::token::{SessionId, SessionToken, TokenKey};
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn put(app: &TestApp, kind: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .put(app.url("/admin/api/sources"))
        .bearer_auth(TOKEN)
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn put_json(app: &TestApp, list: Value) -> Value {
    let r = put(app, "application/json", list.to_string().into_bytes()).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The service's public URL, which links and QR codes carry.
async fn public_url(app: &TestApp) -> String {
    let w = app.staff_json("/admin/api/whoami").await;
    w["public_url"].as_str().unwrap().to_owned()
}

/// One text value read with SQL, on either engine.
fn scalar(app: &TestApp, sql: &str) -> String {
    if on_postgres() {
        return app.sql(sql);
    }
    rusqlite::Connection::open(app.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn session_secret(app: &TestApp) -> String {
    scalar(app, "SELECT value FROM meta WHERE key = 'session_secret'")
}

/// The source kept with the session's submission and with its entry.
fn recorded(app: &TestApp, token: &str) -> (String, String) {
    let t = SessionToken::open(&TokenKey::new(session_secret(app).as_bytes()), token).unwrap();
    let key = i64::from_be_bytes(t.id.key.to_be_bytes());
    let nonce = i64::from_be_bytes(t.id.nonce.to_be_bytes());
    let submission = scalar(
        app,
        &format!("SELECT source FROM submissions WHERE id = {key} AND nonce = {nonce}"),
    );
    let entry = scalar(
        app,
        &format!(
            "SELECT source FROM entries WHERE session_id = '{}'",
            t.id.hex()
        ),
    );
    (submission, entry)
}

async fn start_from(app: &TestApp, src: &str) -> String {
    let r = app
        .post("/api/sessions", json!({"lang": "zh", "src": src}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    s["session"].as_str().unwrap().to_owned()
}

/// Submits right answers and enters with `phone`.
async fn play_and_enter(app: &TestApp, token: &str, phone: &str) {
    assert_eq!(app.submit_right(token).await.status(), StatusCode::OK);
    let r = app
        .post(
            "/api/entries",
            json!({"session": token, "consent": true, "name": "李四", "phone": phone}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
}

fn workbook(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("题目").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("来源").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

#[engines]
async fn sources_upload_as_json_csv_or_a_workbook_and_read_back() {
    let app = spawn_app().await;
    assert_eq!(app.staff_json("/admin/api/sources").await, json!([]));

    let list = put_json(
        &app,
        json!([{"id": "wuhua", "name": "五华区", "headcount": 1200}, {"id": "ynu", "name": "云南大学"}]),
    )
    .await;
    assert_eq!(list[0]["id"], "wuhua");
    assert_eq!(list[0]["headcount"], 1200);
    assert_eq!(list[1]["headcount"], Value::Null);
    assert_eq!(
        list[0]["link"],
        format!("{}/?src=wuhua", public_url(&app).await)
    );
    assert_eq!(app.staff_json("/admin/api/sources").await, list);

    // A CSV file (GB18030, as Chinese Excel saves it) replaces the list.
    let (csv, _, _) =
        encoding_rs::GB18030.encode("编号,名称,人数\nkm-1,昆明一中,\"3,200\"\n\nbooth,展台现场,\n");
    let r = put(&app, "text/csv", csv.into_owned()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = r.json().await.unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["km-1", "booth"]);
    assert_eq!(list[0]["name"], "昆明一中");
    assert_eq!(list[0]["headcount"], 3200);

    // A workbook's 来源 sheet, numbers as Excel keeps them.
    let book = workbook(&[
        ["编号", "名称", "人数"],
        ["wuhua", "五华区", "1200"],
        ["panlong", "盘龙区", ""],
    ]);
    let r = put(&app, XLSX, book).await;
    assert_eq!(r.status(), StatusCode::OK);
    let list = app.staff_json("/admin/api/sources").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["headcount"], 1200);
    assert_eq!(list[1]["name"], "盘龙区");

    // The template workbook's 来源 sheet reads as a list too.
    let template = app
        .staff_get("/admin/api/template.xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let r = put(&app, XLSX, template.to_vec()).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // Each change is audited.
    let log = app.staff_json("/admin/api/audit").await;
    let changes = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "sources_changed")
        .count();
    assert_eq!(changes, 4, "{log}");
}

#[engines]
async fn each_bad_row_is_named_by_its_row_and_cell_and_changes_nothing() {
    let app = spawn_app().await;
    let kept = put_json(&app, json!([{"id": "wuhua", "name": "五华区"}])).await;

    let csv = "编号,名称,人数\nwuhua,五华区,1200\nWu Hua,西山区,0\nwuhua,,x\nshare,分享,\ndirect,直接,-5\n";
    let r = put(&app, "text/csv", csv.as_bytes().to_vec()).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let at: Vec<(&str, &str)> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["at"].as_str().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        at,
        [
            ("sources.csv:3:1", "bad_id"),
            ("sources.csv:3:3", "bad_headcount"),
            ("sources.csv:4:1", "duplicate_id"),
            ("sources.csv:4:2", "empty_name"),
            ("sources.csv:4:3", "bad_headcount"),
            ("sources.csv:5:1", "reserved_id"),
            ("sources.csv:6:1", "reserved_id"),
            ("sources.csv:6:3", "bad_headcount"),
        ]
    );
    let first = &body["problems"][0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(1))
    );
    let message = body["problems"][2]["message"].as_str().unwrap();
    assert!(
        message.starts_with("编号“wuhua”重复了，第 2 行已经用过")
            && message.contains("first on row 2"),
        "Chinese first, then English: {message}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("sources.csv:3:1"),
        "{body}"
    );

    // In a workbook: sheet and cell.
    let book = workbook(&[
        ["编号", "名称", "人数"],
        ["ok", "好", "3"],
        ["", "无编号", ""],
    ]);
    let body = expect_error(
        put(&app, XLSX, book).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert_eq!(body["problems"][0]["at"], "sources.xlsx:来源!A3");
    assert_eq!(body["problems"][0]["sheet"], "来源");
    assert_eq!(body["problems"][0]["cell"], "A3");
    assert_eq!(body["problems"][0]["kind"], "empty_id");

    // A header without 名称, and JSON that is not a list.
    let body = expect_error(
        put(&app, "text/csv", "编号,人数\na,1\n".as_bytes().to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert_eq!(body["problems"][0]["kind"], "missing_column");
    let body = expect_error(
        put(&app, "application/json", b"{\"id\":\"a\"}".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert_eq!(body["problems"][0]["kind"], "unreadable");
    let body = expect_error(
        put(
            &app,
            "application/json",
            json!([{"id": "a", "name": "甲", "headcount": -1}])
                .to_string()
                .into_bytes(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert_eq!(body["problems"][0]["at"], "sources.json[0].headcount");

    // Nothing of a refused list was kept.
    assert_eq!(app.staff_json("/admin/api/sources").await, kept);
}

#[engines]
async fn sources_are_for_staff_only() {
    let app = spawn_app().await;
    let r = app.get("/admin/api/sources").await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = app
        .client
        .put(app.url("/admin/api/sources"))
        .json(&json!([{"id": "a", "name": "甲"}]))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = app.get("/admin/api/sources/qr.zip").await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(app.staff_json("/admin/api/sources").await, json!([]));
}

#[engines]
async fn each_source_has_its_qr_and_an_unknown_one_is_refused() {
    let app = spawn_app().await;
    put_json(
        &app,
        json!([{"id": "wuhua", "name": "五华区"}, {"id": "ynu", "name": "云南大学"}]),
    )
    .await;
    let r = app.get("/qr.png?src=wuhua").await;
    assert_eq!(r.status(), StatusCode::OK);
    let png = r.bytes().await.unwrap();
    assert_eq!(
        decode_qr(&png),
        format!("{}/?src=wuhua", public_url(&app).await)
    );
    let svg = app.get("/qr.svg?src=ynu").await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert!(svg.text().await.unwrap().contains("<svg"));
    // The share card's source needs no listing.
    assert_eq!(app.get("/qr.png?src=share").await.status(), StatusCode::OK);
    for bad in ["nope", "direct", "WUHUA", "a%20b"] {
        let r = app.get(&format!("/qr.png?src={bad}")).await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    let r = app.get("/qr.svg?src=wuhua&path=/draws").await;
    expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;

    // All at once: a PNG and an SVG each, and an index.
    let r = app.staff_get("/admin/api/sources/qr.zip").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "sources.csv",
            "wuhua.png",
            "wuhua.svg",
            "ynu.png",
            "ynu.svg"
        ]
    );
    let mut png = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("ynu.png").unwrap(), &mut png).unwrap();
    assert_eq!(
        decode_qr(&png),
        format!("{}/?src=ynu", public_url(&app).await)
    );
}

#[engines]
async fn a_session_keeps_its_source_and_its_rows_carry_it() {
    let app = spawn_app().await;
    put_json(
        &app,
        json!([{"id": "wuhua", "name": "五华区", "headcount": 10}]),
    )
    .await;
    let key = TokenKey::new(session_secret(&app).as_bytes());

    let from_wuhua = start_from(&app, "wuhua").await;
    let opened = SessionToken::open(&key, &from_wuhua).unwrap();
    assert_eq!(opened.source.as_deref(), Some("wuhua"));
    // Read again (a reload): the same token, the same session.
    let again = app.get_json(&format!("/api/sessions/{from_wuhua}")).await;
    assert_eq!(again["session"], from_wuhua.as_str());

    // The list changes while the session is under way: it keeps its source.
    put_json(&app, json!([{"id": "ynu", "name": "云南大学"}])).await;
    play_and_enter(&app, &from_wuhua, "13800138001").await;
    assert_eq!(
        recorded(&app, &from_wuhua),
        ("wuhua".into(), "wuhua".into())
    );

    // No longer listed at its start, unknown, or missing: direct.
    let late = start_from(&app, "wuhua").await;
    assert_eq!(SessionToken::open(&key, &late).unwrap().source, None);
    play_and_enter(&app, &late, "13800138002").await;
    assert_eq!(recorded(&app, &late), ("direct".into(), "direct".into()));
    for (src, phone) in [("nope", "13800138003"), ("direct", "13800138004")] {
        let t = start_from(&app, src).await;
        play_and_enter(&app, &t, phone).await;
        assert_eq!(
            recorded(&app, &t),
            ("direct".into(), "direct".into()),
            "{src}"
        );
    }
    let plain = app.passed_session().await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": plain, "consent": true, "name": "赵六", "phone": "13800138005"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(recorded(&app, &plain), ("direct".into(), "direct".into()));

    // The listed one now, and the share card's.
    for (src, phone) in [("ynu", "13800138006"), ("share", "13800138007")] {
        let t = start_from(&app, src).await;
        play_and_enter(&app, &t, phone).await;
        assert_eq!(recorded(&app, &t), (src.into(), src.into()));
    }
}

#[engines]
async fn a_tokens_source_cannot_be_changed_and_old_tokens_still_play() {
    let app = spawn_app().await;
    put_json(
        &app,
        json!([{"id": "wuhua", "name": "五华区"}, {"id": "ynu", "name": "云南大学"}]),
    )
    .await;
    let key = TokenKey::new(session_secret(&app).as_bytes());
    let token = start_from(&app, "wuhua").await;

    // Another listed source written into the token: not a session.
    let tail = 32; // the MAC's 16 bytes
    let edited = token.replace(&hex::encode("wuhua"), &hex::encode("ynu-1"));
    assert_ne!(edited, token);
    let cut = format!(
        "{}{}",
        &token[..token.len() - tail - 2 * "wuhua".len()],
        &token[token.len() - tail..]
    );
    let forged = SessionToken::seal_from(
        &TokenKey::new(b"not the secret"),
        SessionToken::open(&key, &token).unwrap().id,
        &SessionToken::open(&key, &token).unwrap().version,
        0,
        "zh",
        false,
        Some("ynu"),
    )
    .encode();
    for bad in [&edited, &cut, &forged] {
        let r = app.get(&format!("/api/sessions/{bad}")).await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
        let r = app
            .post(
                &format!("/api/sessions/{bad}/answers"),
                json!({"answers": right_answers()}),
            )
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }

    // A token sealed before sources (no source in it) plays on as direct,
    // and so does one of the layout before the nonce.
    let opened = SessionToken::open(&key, &token).unwrap();
    let before = SessionToken::seal(
        &key,
        SessionId::fresh(opened.id.key),
        &opened.version,
        opened.round,
        opened.lang,
    )
    .encode();
    let legacy = SessionToken::seal(
        &key,
        SessionId::legacy(opened.id.key),
        &opened.version,
        opened.round,
        opened.lang,
    )
    .encode();
    for (old, phone) in [(&before, "13900139001"), (&legacy, "13900139002")] {
        let s = app.get_json(&format!("/api/sessions/{old}")).await;
        assert_eq!(s["session"], old.as_str());
        play_and_enter(&app, old, phone).await;
        assert_eq!(recorded(&app, old), ("direct".into(), "direct".into()));
    }
    // The sourced token itself still plays, as wuhua.
    play_and_enter(&app, &token, "13900139003").await;
    assert_eq!(recorded(&app, &token), ("wuhua".into(), "wuhua".into()));
}
