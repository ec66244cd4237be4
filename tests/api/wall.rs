//! SPEC §11 the wall over HTTP: `GET /api/wall` counts move with starts,
//! submissions and entries; the league ranks the listed sources by rate,
//! else by entries; the latest revealed draw shows its codes and the masks
//! of winners who chose publish, a committed one nothing; the live set's
//! live version only (no draft, no other set, whatever the query); an
//! unchanged answer is a `304`; and nothing private is in it or the page.

use crate::support::app::*;
use crate::support::eventually;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Starts count within half a second and the answer is kept a second: a
/// change shows well within this.
const SHOWS_WITHIN: Duration = Duration::from_secs(10);

async fn wall(app: &TestApp) -> Value {
    let r = app.get("/api/wall").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The round's counts, and today's, once both equal `want` (starts,
/// passed, entries): every session of these tests is of today and of the
/// fixture's one round.
async fn round_counts_become(app: &TestApp, want: [i64; 3], what: &str) -> Value {
    eventually(SHOWS_WITHIN, what, || async {
        let w = wall(app).await;
        let of =
            |c: &Value| [&c["starts"], &c["passed"], &c["entries"]].map(|v| v.as_i64().unwrap());
        (of(&w["round"]["counts"]) == want && of(&w["today"]) == want).then_some(w)
    })
    .await
}

/// Today's date where the service is (`--tz`, Asia/Shanghai in tests).
fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d")
        .to_string()
}

/// A session started from `src` that passes and enters with `phone`.
async fn entered_from(app: &TestApp, src: &str, phone: &str) {
    let r = app
        .post("/api/sessions", json!({"lang": "zh", "src": src}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    let id = s["session"].as_str().unwrap();
    assert_eq!(app.submit_right(id).await.status(), StatusCode::OK);
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": "李四", "phone": phone}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// The league's source ids in order, once `ready` holds of the answer.
async fn league_when(
    app: &TestApp,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> (Value, Vec<String>) {
    let w = eventually(SHOWS_WITHIN, what, || async {
        let w = wall(app).await;
        ready(&w).then_some(w)
    })
    .await;
    let ids = w["league"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    (w, ids)
}

#[engines]
async fn the_wall_counts_move_with_starts_submissions_and_entries() {
    let app = spawn_app().await;
    let w = wall(&app).await;
    assert_eq!(w["set"]["id"], "fixture-valid", "{w}");
    assert_eq!(w["set"]["title"], "测试题库");
    assert_eq!(w["set"]["title_en"], "Test bank");
    assert_eq!(w["round"]["id"], "week-1");
    assert_eq!(w["round"]["state"], "open");
    assert_eq!(
        w["url"], "http://127.0.0.1:8080",
        "the link the QR code carries"
    );
    assert_eq!(
        w["round"]["counts"],
        json!({"starts": 0, "passed": 0, "entries": 0})
    );
    assert!(w["draw"].is_null(), "no draw yet: {w}");
    assert_eq!(w["today"]["date"], today(), "{w}");

    let s = app.start().await;
    let id = s["session"].as_str().unwrap().to_owned();
    round_counts_become(&app, [1, 0, 0], "a start shows").await;
    assert_eq!(app.submit_right(&id).await.status(), StatusCode::OK);
    round_counts_become(&app, [1, 1, 0], "a pass shows").await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": "王小明", "phone": "13912345678"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    round_counts_become(&app, [1, 1, 1], "an entry shows").await;
    // A start that fails its quiz counts as a start only.
    let s2 = app.start().await;
    let wrong = app
        .post(
            &format!("/api/sessions/{}/answers", s2["session"].as_str().unwrap()),
            json!({"answers": {"hotline": ["A"], "channels": ["B"], "answer-96110": ["F"]}}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    round_counts_become(&app, [2, 1, 1], "a second start, not passed").await;
    // The wall's numbers are the staff's.
    let stats = app.staff_json("/admin/api/stats?round=week-1").await;
    assert_eq!(stats["sessions"]["started"], 2, "{stats}");
    assert_eq!(stats["sessions"]["passed"], 1);
    assert_eq!(stats["entries"], 1);
}

#[engines]
async fn an_unchanged_answer_is_a_304_and_a_change_is_a_new_etag() {
    let app = spawn_app().await;
    let first = app.get("/api/wall").await;
    assert_eq!(first.status(), StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let again = app
        .client
        .get(app.url("/api/wall"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty(), "a 304 has no body");

    app.passed_session().await;
    let changed = eventually(SHOWS_WITHIN, "the answer changes", || async {
        let r = app
            .client
            .get(app.url("/api/wall"))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        (r.status() == StatusCode::OK).then_some(r)
    })
    .await;
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
}

#[engines]
async fn the_league_ranks_the_listed_sources_by_rate_else_by_entries() {
    let app = spawn_app().await;
    let w = wall(&app).await;
    assert_eq!(
        w["league"],
        json!({"by": "entries", "sources": 0, "rows": []}),
        "no list, no league"
    );
    // No headcount: by entries (ynu 2, wuhua 1, kust 0); direct is no unit.
    app.list_sources(json!([
        {"id": "wuhua", "name": "五华区"},
        {"id": "ynu", "name": "云南大学"},
        {"id": "kust", "name": "昆明理工大学"},
    ]))
    .await;
    entered_from(&app, "wuhua", "13900000001").await;
    entered_from(&app, "ynu", "13900000002").await;
    entered_from(&app, "ynu", "13900000003").await;
    entered_from(&app, "nowhere", "13900000004").await;
    let (w, ids) = league_when(&app, "the entries rank", |w| {
        w["league"]["rows"][0]["entries"] == 2 && w["league"]["rows"][1]["entries"] == 1
    })
    .await;
    assert_eq!(w["league"]["by"], "entries", "{w}");
    assert_eq!(w["league"]["sources"], 3);
    assert_eq!(ids, ["ynu", "wuhua", "kust"], "{w}");
    assert!(w["league"]["rows"][0]["rate"].is_null());
    assert_eq!(
        w["round"]["counts"]["entries"], 4,
        "direct counts in the round: {w}"
    );

    // Headcounts: by rate. wuhua 1/10 beats ynu 2/100; kust has none and follows.
    app.list_sources(json!([
        {"id": "wuhua", "name": "五华区", "headcount": 10},
        {"id": "ynu", "name": "云南大学", "headcount": 100},
        {"id": "kust", "name": "昆明理工大学"},
    ]))
    .await;
    let (w, ids) = league_when(&app, "the rates rank", |w| w["league"]["by"] == "rate").await;
    assert_eq!(ids, ["wuhua", "ynu", "kust"], "{w}");
    let rows = &w["league"]["rows"];
    assert_eq!(rows[0]["rate"], 0.1);
    assert_eq!(rows[1]["rate"], 0.02);
    assert!(rows[2]["rate"].is_null());
    assert_eq!(rows[0]["headcount"], 10);
    assert_eq!(rows[0]["name"], "五华区");

    // Every figure is the console's: the funnel by source, and today's row by day.
    let by_source = app.staff_json("/admin/api/funnel?by=source").await;
    for row in rows.as_array().unwrap() {
        let same = by_source["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == row["id"])
            .unwrap_or_else(|| panic!("{row} in {by_source}"));
        assert_eq!(
            (&same["entries"], &same["rate"], &same["headcount"]),
            (&row["entries"], &row["rate"], &row["headcount"]),
            "{by_source}"
        );
    }
    let by_day = app.staff_json("/admin/api/funnel?by=day").await;
    let day = by_day["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == today().as_str())
        .unwrap_or_else(|| panic!("today in {by_day}"))
        .clone();
    assert_eq!(
        [
            &w["today"]["starts"],
            &w["today"]["passed"],
            &w["today"]["entries"]
        ],
        [&day["starts"], &day["passed"], &day["entries"]],
        "{by_day}"
    );
}

/// Every string an entrant or the staff hold privately.
struct Secrets {
    texts: Vec<String>,
}

impl Secrets {
    fn assert_absent(&self, body: &str, what: &str) {
        for s in &self.texts {
            assert!(!body.contains(s.as_str()), "{what} holds `{s}`: {body}");
        }
    }
}

#[engines]
async fn the_latest_revealed_draw_shows_its_codes_and_published_masks_and_nothing_private() {
    let app = spawn_app().await;
    let mut secrets = Secrets {
        texts: vec![TOKEN.to_owned()],
    };
    let mut receipts = Vec::new();
    for i in 0..4 {
        let name = format!("欧阳{}", ["明", "红", "刚", "丽"][i]);
        let phone = format!("1381234{i:04}");
        let e = app.entry_made(&name, &phone, i % 2 == 0).await;
        secrets.texts.push(name);
        secrets.texts.push(phone.clone());
        secrets.texts.push(phone[3..].to_owned());
        receipts.push(e["receipt"].as_str().unwrap().to_owned());
        secrets
            .texts
            .push(e["receipt"].as_str().unwrap().to_owned());
        secrets
            .texts
            .push(e["session"].as_str().unwrap().to_owned());
    }
    // Committed, not revealed: nothing on the wall.
    let committed = app
        .committed(json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 3}))
        .await;
    let w = round_counts_become(&app, [4, 4, 4], "the entries show").await;
    assert!(w["draw"].is_null(), "a committed draw is not shown: {w}");

    let path = format!("/admin/api/draws/{}/reveal", committed["id"]);
    let r = app.staff_post(&path, json!({"public_seed": "31415"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let public = app
        .get_json(&format!("/api/draws/{}", committed["id"]))
        .await;
    let w = eventually(SHOWS_WITHIN, "the revealed draw shows", || async {
        let w = wall(&app).await;
        (!w["draw"].is_null()).then_some(w)
    })
    .await;
    let d = &w["draw"];
    assert_eq!(d["id"], committed["id"]);
    assert_eq!(d["prize"], "纪念 U 盘");
    assert_eq!(d["winners_total"], 3);
    let shown: Vec<(Value, Value, Value)> = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["code"].clone(), w["name"].clone(), w["phone"].clone()))
        .collect();
    let on_page: Vec<(Value, Value, Value)> = public["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["code"].clone(), w["name"].clone(), w["phone"].clone()))
        .collect();
    assert_eq!(shown, on_page, "what the public draw page shows, no more");
    let published = shown.iter().filter(|(_, n, _)| !n.is_null()).count();
    for (_, name, phone) in &shown {
        assert_eq!(name.is_null(), phone.is_null(), "{d}");
        if let Some(p) = phone.as_str() {
            assert!(p.contains("****"), "a phone only masked: {d}");
        }
    }
    let publishers = public["winners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| !w["name"].is_null())
        .count();
    assert_eq!(published, publishers);

    // Nothing private in the answer or the page, whatever is asked.
    for path in [
        "/api/wall",
        "/api/wall?set=fixture-valid&round=week-1",
        "/wall",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body = r.text().await.unwrap();
        secrets.assert_absent(&body, path);
    }
    // A claim shows as claimed.
    let mut claimed = None;
    for r in &receipts {
        let got = app
            .staff_post("/admin/api/claims", json!({"receipt": r}))
            .await;
        if got.status() == StatusCode::OK {
            claimed = Some(got.json::<Value>().await.unwrap()["code"].clone());
            break;
        }
    }
    let code = claimed.expect("three of the four entries won: one receipt claims");
    eventually(SHOWS_WITHIN, "the claim shows", || async {
        let w = wall(&app).await;
        w["draw"]["winners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == code && x["claimed"] == true)
            .then_some(())
    })
    .await;
}

#[engines]
async fn the_wall_shows_the_live_version_only_whatever_the_query() {
    let app = spawn_app().await;
    // A draft of the live set and another set, each with its own title.
    let draft = BANK.replace("测试题库", "草稿题库");
    let r = app
        .upload_yaml("/admin/api/sets?activate=false", &draft)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let other = BANK
        .replace("id: fixture-valid", "id: other-set")
        .replace("测试题库", "别的题库");
    let r = app
        .upload_yaml("/admin/api/sets?activate=false", &other)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    for path in [
        "/api/wall",
        "/api/wall?set=other-set",
        "/api/wall?set=fixture-valid&version=draft",
    ] {
        let w = app.get_json(path).await;
        assert_eq!(w["set"]["id"], "fixture-valid", "{path}: {w}");
        assert_eq!(w["set"]["title"], "测试题库", "{path}: not the draft");
        let text = w.to_string();
        assert!(
            !text.contains("草稿题库") && !text.contains("别的题库"),
            "{path}: {text}"
        );
    }
}
