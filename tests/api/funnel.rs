//! SPEC §11 numbers over HTTP: the funnel counts visits (`GET /`, by their
//! `src`, an unlisted one as `direct`), starts, submissions, passes and
//! entries per source and per hour; by source it joins the list's name and
//! headcount into a rate; its totals equal `GET /admin/api/stats` and the
//! CSV's sums; a bad `by`, an unknown set or round are clear 4xx.

use crate::support::app::*;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

const STAGES: [&str; 5] = ["visits", "starts", "submitted", "passed", "entries"];

/// Moves the server's clock to one minute past the next hour that is not
/// the last of a day in Beijing, so what follows within the hour falls in
/// one hour and the next hour in the same day.
fn to_the_start_of_an_hour(app: &TestApp) {
    let now = chrono::Utc::now().timestamp();
    let mut ahead = 3600 - now.rem_euclid(3600) + 60;
    // 15:00 UTC is 23:00 in Beijing.
    if (now + ahead).div_euclid(3600).rem_euclid(24) == 15 {
        ahead += 3600;
    }
    app.advance(ahead);
}

async fn start_from(app: &TestApp, src: Option<&str>) -> String {
    let body = match src {
        Some(s) => json!({"lang": "zh", "src": s}),
        None => json!({"lang": "zh"}),
    };
    let r = app.post("/api/sessions", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    s["session"].as_str().unwrap().to_owned()
}

async fn visit(app: &TestApp, path: &str) {
    let r = app.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
}

async fn enter(app: &TestApp, token: &str, phone: &str) {
    let r = app
        .post(
            "/api/entries",
            json!({"session": token, "consent": true, "name": "李四", "phone": phone}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn fail(app: &TestApp, token: &str) {
    let r = app
        .post(
            &format!("/api/sessions/{token}/answers"),
            json!({"answers": {}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["passed"], false, "{body}");
}

/// The five stages of a row (or of the totals).
fn stages(row: &Value) -> [i64; 5] {
    STAGES.map(|k| row[k].as_i64().unwrap_or_else(|| panic!("{k} in {row}")))
}

fn row<'a>(f: &'a Value, key: &str) -> &'a Value {
    f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("a row {key} in {f}"))
}

fn keys(f: &Value) -> Vec<&str> {
    f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect()
}

/// The CSV's data rows (not the header, not the totals) summed, and its
/// totals row.
fn csv_sums(csv: &str) -> ([i64; 5], [i64; 5], usize) {
    let csv = csv.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let lines: Vec<&str> = csv.lines().collect();
    let numbers = |line: &str| -> [i64; 5] {
        let cells: Vec<&str> = line.split(',').collect();
        std::array::from_fn(|i| cells[i + 1].parse().unwrap())
    };
    let data = &lines[1..lines.len() - 1];
    let mut sum = [0; 5];
    for l in data {
        for (s, n) in sum.iter_mut().zip(numbers(l)) {
            *s += n;
        }
    }
    let last = lines[lines.len() - 1];
    assert!(last.starts_with("合计 total,"), "{last}");
    (sum, numbers(last), data.len())
}

/// One hour: visits with and without `src` (an unlisted one counts as
/// `direct`), starts, a failed and two passed submissions, two entries;
/// the next hour one more of each from wuhua.
async fn two_hours(app: &TestApp) {
    let list = json!([
        {"id": "wuhua", "name": "五华区", "headcount": 4},
        {"id": "kunming-u", "name": "昆明大学"},
    ]);
    app.list_sources(list).await;
    to_the_start_of_an_hour(app);
    for path in ["/", "/", "/?src=wuhua", "/?src=wuhua", "/?src=wuhua"] {
        visit(app, path).await;
    }
    visit(app, "/?src=nosuch").await;
    // Not the visitor page: no visits.
    visit(app, "/kiosk").await;
    let entered = start_from(app, Some("wuhua")).await;
    assert_eq!(app.submit_right(&entered).await.status(), StatusCode::OK);
    enter(app, &entered, "13800138001").await;
    let failed = start_from(app, Some("wuhua")).await;
    fail(app, &failed).await;
    let _left = start_from(app, Some("wuhua")).await;
    let direct = start_from(app, Some("nosuch")).await;
    assert_eq!(app.submit_right(&direct).await.status(), StatusCode::OK);
    enter(app, &direct, "13800138002").await;

    app.advance(3600);
    visit(app, "/?src=wuhua").await;
    let later = start_from(app, Some("wuhua")).await;
    assert_eq!(app.submit_right(&later).await.status(), StatusCode::OK);
    enter(app, &later, "13800138003").await;
}

#[engines]
async fn the_funnel_counts_each_stage_by_hour_and_by_source() {
    let app = spawn_app().await;
    two_hours(&app).await;

    let by_hour = app.staff_json("/admin/api/funnel?by=hour").await;
    assert_eq!(by_hour["tz"], "Asia/Shanghai");
    let hours = keys(&by_hour);
    assert_eq!(hours.len(), 2, "{by_hour}");
    assert!(
        hours.iter().all(|h| h.ends_with(":00:00+08:00")),
        "hours of Beijing: {hours:?}"
    );
    let rows = by_hour["rows"].as_array().unwrap();
    assert_eq!(stages(&rows[0]), [6, 4, 3, 2, 2], "{by_hour}");
    assert_eq!(stages(&rows[1]), [1, 1, 1, 1, 1], "{by_hour}");
    assert_eq!(stages(&by_hour["totals"]), [7, 5, 4, 3, 3]);

    let by_source = app.staff_json("/admin/api/funnel?by=source").await;
    assert_eq!(
        keys(&by_source),
        vec!["wuhua", "kunming-u", "direct", "share"],
        "the list's order, then direct and share"
    );
    let wuhua = row(&by_source, "wuhua");
    assert_eq!(stages(wuhua), [4, 4, 3, 2, 2]);
    assert_eq!(wuhua["name"], "五华区");
    assert_eq!(wuhua["headcount"], 4);
    assert_eq!(wuhua["rate"], 0.5, "2 entries of 4 people");
    let kunming = row(&by_source, "kunming-u");
    assert_eq!(stages(kunming), [0; 5]);
    assert_eq!(kunming["rate"], Value::Null, "no headcount, no rate");
    let direct = row(&by_source, "direct");
    assert_eq!(
        stages(direct),
        [3, 1, 1, 1, 1],
        "a bare / and an unlisted src are direct"
    );
    assert_eq!(direct["name"], Value::Null);

    let by_day = app.staff_json("/admin/api/funnel?by=day").await;
    assert_eq!(keys(&by_day).len(), 1, "{by_day}");
    assert_eq!(stages(&by_day["rows"][0]), [7, 5, 4, 3, 3]);
    assert_eq!(
        app.staff_json("/admin/api/funnel").await,
        by_day,
        "by day unless asked"
    );
    let round = app
        .staff_json("/admin/api/funnel?set=fixture-valid&round=week-1&by=day")
        .await;
    assert_eq!(round, by_day, "the set's one round");
}

#[engines]
async fn the_funnels_totals_equal_the_stats_and_the_csv() {
    let app = spawn_app().await;
    two_hours(&app).await;
    let stats = app.staff_json("/admin/api/stats").await;
    let sessions = &stats["sessions"];
    for by in ["day", "hour", "source"] {
        let f = app.staff_json(&format!("/admin/api/funnel?by={by}")).await;
        let totals = stages(&f["totals"]);
        assert_eq!(
            totals[1..],
            [
                sessions["started"].as_i64().unwrap(),
                sessions["submitted"].as_i64().unwrap(),
                sessions["passed"].as_i64().unwrap(),
                stats["entries"].as_i64().unwrap(),
            ],
            "by {by}: {f} against {stats}"
        );
        let mut sum = [0; 5];
        for r in f["rows"].as_array().unwrap() {
            for (s, n) in sum.iter_mut().zip(stages(r)) {
                *s += n;
            }
        }
        assert_eq!(sum, totals, "by {by}: the rows add up to the totals");

        let r = app
            .staff_get(&format!("/admin/api/funnel.csv?by={by}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = r.text().await.unwrap();
        let (csv_sum, csv_total, csv_rows) = csv_sums(&csv);
        assert_eq!(csv_rows, f["rows"].as_array().unwrap().len(), "{csv}");
        assert_eq!(csv_sum, totals, "by {by}: {csv}");
        assert_eq!(csv_total, totals, "by {by}: {csv}");
    }
    let csv = app
        .staff_get("/admin/api/funnel.csv?by=source")
        .await
        .text()
        .await
        .unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("\u{feff}来源 source,访问 visits,"),
        "Chinese first: {header}"
    );
    assert!(
        csv.contains("\r\nwuhua,4,4,3,2,2,五华区,4,0.5000\r\n"),
        "{csv}"
    );
}

#[engines]
async fn a_bad_by_an_unknown_set_or_round_and_no_token_are_refused_clearly() {
    let app = spawn_app().await;
    expect_error(
        app.staff_get("/admin/api/funnel?by=week").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    expect_error(
        app.staff_get("/admin/api/funnel.csv?by=week").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    expect_error(
        app.staff_get("/admin/api/funnel?set=nosuch").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.staff_get("/admin/api/funnel?round=nosuch").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/admin/api/funnel").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let empty = app.staff_json("/admin/api/funnel?by=hour").await;
    assert_eq!(empty["rows"], json!([]), "nothing counted yet");
    assert_eq!(stages(&empty["totals"]), [0; 5]);
}
