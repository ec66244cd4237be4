//! Accessibility checked by machine (axe-core's WCAG 2.1 AA rules) on every
//! visitor screen and the public draw page, in headless Chromium at 390×844.
//! Locally it skips with a printed reason without Chromium or axe-core;
//! under `CI=true` it must run.

use crate::support::app::*;
use crate::support::chromium::*;
use serde_json::{json, Value};

/// Runs axe on the page and adds what it finds, under the screen's name.
async fn check(b: &Browser, screen: &str, found: &mut Vec<(String, Value)>) -> bool {
    let Some(v) = b.axe().await else { return false };
    for violation in v.as_array().cloned().unwrap_or_default() {
        found.push((screen.to_owned(), violation));
    }
    true
}

#[tokio::test]
async fn every_visitor_screen_passes_wcag_21_aa() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    let mut found = Vec::new();
    b.client.goto(&app.url("/")).await.unwrap();
    b.wait_css("#start").await;
    if !check(&b, "start", &mut found).await {
        return;
    }
    // The checker itself: a picture without a text alternative is caught.
    b.js(
        "const i = document.createElement('img'); i.id = 'probe'; i.src = '/qr.svg'; \
          document.body.appendChild(i); return true;",
    )
    .await;
    let mut probe = Vec::new();
    check(&b, "probe", &mut probe).await;
    assert!(
        probe.iter().any(|(_, v)| v["id"] == "image-alt"),
        "axe runs and sees the page: {probe:?}"
    );
    b.js("document.getElementById('probe').remove(); return true;")
        .await;

    b.click("details.bd summary").await;
    check(&b, "start, a board open", &mut found).await;

    b.click("#start").await;
    // Every question (one of each type), nothing answered.
    for n in 1..=5 {
        b.wait_css("input.option").await;
        check(&b, &format!("question {n}"), &mut found).await;
        if b.client
            .find(fantoccini::Locator::Css("#submit"))
            .await
            .is_ok()
        {
            break;
        }
        b.click("#next").await;
    }
    b.click("#submit").await;
    b.wait_css("#confirm").await;
    check(&b, "unanswered prompt", &mut found).await;
    b.click("#confirm-submit").await;
    b.wait_css("#score").await;
    check(&b, "result (failed)", &mut found).await;
    b.click(".rv .link").await;
    b.wait_js("document.getElementById('board') && !document.getElementById('board').hidden")
        .await;
    check(&b, "board dialog", &mut found).await;
    b.click("#board-close").await;

    // After the result: practice (a question, then answered) and the share card.
    b.click("#practice").await;
    b.wait_css("input.popt").await;
    check(&b, "practice", &mut found).await;
    b.click("input.popt").await;
    b.js("const c = document.getElementById('practice-check'); if (c) c.click(); return true;")
        .await;
    b.wait_css("#practice-feedback").await;
    check(&b, "practice, answered", &mut found).await;
    b.click("#practice-exit").await;
    b.click("#share").await;
    b.wait_css("#share-card").await;
    check(&b, "share card", &mut found).await;
    b.click("#share-back").await;
    b.wait_css("#score").await;

    // A session past its time: the expired screen.
    let s = app.start().await;
    app.advance(3 * 3600);
    b.resume(&app, s["session"].as_str().unwrap()).await;
    b.wait_js("document.getElementById('app').getAttribute('data-screen') === 'expired'")
        .await;
    check(&b, "expired", &mut found).await;
    app.advance(-3 * 3600);

    let session = app.passed_session().await;
    b.resume(&app, &session).await;
    b.wait_css("#name").await;
    check(&b, "result and entry form", &mut found).await;
    b.click("#consent").await;
    b.click("#enter").await;
    b.wait_js("document.querySelector('[data-error]')").await;
    check(&b, "entry form with errors", &mut found).await;
    b.wait_css("#name").await.send_keys("张三").await.unwrap();
    b.wait_css("#phone")
        .await
        .send_keys("13800138000")
        .await
        .unwrap();
    b.click("#enter").await;
    b.wait_css("#entry-code").await;
    check(&b, "code", &mut found).await;

    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "U 盘", "winners": 1}),
            "1 2 3",
        )
        .await;
    b.client
        .goto(&app.url(&format!("/draws/{}", d["id"])))
        .await
        .unwrap();
    b.wait_js("document.querySelector('#winners li')").await;
    check(&b, "public draw page", &mut found).await;

    // The round over: the closed screen.
    app.advance(80 * 366 * 24 * 3600);
    b.js("localStorage.clear(); return true;").await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.wait_js("document.getElementById('app').getAttribute('data-screen') === 'closed'")
        .await;
    check(&b, "closed", &mut found).await;

    let report: Vec<String> = found
        .iter()
        .map(|(screen, v)| {
            format!(
                "{screen}: {} ({}) {}: {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "{} violations:\n{}",
        report.len(),
        report.join("\n")
    );
    b.close().await;
}

/// The console's 来源 section (SPEC §11) with its list and a refused
/// upload's problems on screen.
#[tokio::test]
async fn the_console_sources_section_passes_wcag_21_aa() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    app.list_sources(json!([{"id": "wuhua", "name": "五华区", "headcount": 1200}, {"id": "booth", "name": "展台现场"}])).await;
    b.console(&app).await;
    b.wait_css("#sources-list table").await;
    b.js("document.getElementById('sources-text').value = '编号,名称\\ndirect,直接'; return true;")
        .await;
    b.click("#sources-save").await;
    b.wait_js("!document.getElementById('sources-problems').hidden")
        .await;
    let mut found = Vec::new();
    if !check(&b, "console sources", &mut found).await {
        return;
    }
    assert!(found.is_empty(), "{found:#?}");
    b.close().await;
}

#[tokio::test]
async fn the_wall_passes_wcag_21_aa() {
    let app = spawn_app().await;
    crate::wall::a_booth_with_a_draw(&app).await;
    let Some(b) = screen_at(1920, 1080).await else {
        return;
    };
    b.client.goto(&app.url("/wall")).await.unwrap();
    b.wait_js("document.body.getAttribute('data-link') === 'live' && document.querySelectorAll('#draw-winners li').length > 0")
        .await;
    let mut found = Vec::new();
    if !check(&b, "wall", &mut found).await {
        return;
    }
    assert!(found.is_empty(), "{found:#?}");
    b.close().await;
}

/// Three days of a campaign from two sources and direct visits: some
/// visits, starts (one per source a day never submitted), submissions and
/// entries each day.
async fn three_days(app: &TestApp) {
    app.list_sources(json!([{"id": "wuhua", "name": "五华区", "headcount": 40}, {"id": "booth", "name": "展台现场"}])).await;
    let mut phone = 13800138000u64;
    for day in 0..3 {
        for (src, visits, entries) in [("wuhua", 6 + day, 2 + day), ("booth", 4, 1), ("", 3, 1)] {
            let path = if src.is_empty() {
                "/".to_owned()
            } else {
                format!("/?src={src}")
            };
            for _ in 0..visits {
                assert!(app.get(&path).await.status().is_success());
            }
            for i in 0..=entries {
                let r = app
                    .post("/api/sessions", json!({"lang": "zh", "src": src}))
                    .await;
                let s: Value = r.json().await.unwrap();
                let token = s["session"].as_str().unwrap().to_owned();
                if i == entries {
                    continue; // started, never submitted
                }
                assert!(app.submit_right(&token).await.status().is_success());
                phone += 1;
                let r = app
                    .post(
                        "/api/entries",
                        json!({"session": token, "consent": true, "name": "李四", "phone": phone.to_string()}),
                    )
                    .await;
                assert_eq!(r.status(), reqwest::StatusCode::CREATED);
            }
        }
        app.advance(86_400);
    }
}

/// The console's 数据漏斗 section (SPEC §11): by day, then by source, its
/// chart and table, checked by axe at 1366 wide and on a phone.
#[tokio::test]
async fn the_console_funnel_section_passes_wcag_21_aa() {
    for (w, h, name) in [(1366, 900, "console"), (390, 844, "phone")] {
        let Some(b) = browser_at(w, h).await else {
            return;
        };
        let app = spawn_app().await;
        three_days(&app).await;
        b.console(&app).await;
        b.wait_css("#funnel-table table").await;
        let days = b
            .wait_js("document.querySelectorAll('#funnel-table tbody tr').length")
            .await;
        assert_eq!(days, json!(3), "three days");
        assert_eq!(
            b.js("return document.querySelectorAll('#funnel-chart .funnel-row').length;")
                .await,
            json!(3),
            "a row of bars per day"
        );
        b.js("document.getElementById('funnel-section').scrollIntoView(); return true;")
            .await;
        b.screenshot(&format!("funnel-by-day-{name}.png")).await;
        let mut found = Vec::new();
        if !check(&b, &format!("{name} funnel by day"), &mut found).await {
            return;
        }
        b.js("var s = document.getElementById('funnel-by'); s.value = 'source'; s.dispatchEvent(new Event('change')); return true;")
            .await;
        b.wait_js("document.querySelector('#funnel-chart .funnel-row[data-key=\"wuhua\"]')")
            .await;
        let wuhua = b
            .js("return Array.prototype.map.call(document.querySelectorAll('#funnel-table tbody tr')[0].children, function (c) { return c.textContent; });")
            .await;
        // 6+7+8 visits, 3+4+5 starts, 2+3+4 entries of 40 people.
        assert_eq!(
            wuhua,
            json!(["五华区", "21", "12", "9", "9", "9", "40", "22.5%"]),
            "the first source's row"
        );
        b.js("document.getElementById('funnel-section').scrollIntoView(); return true;")
            .await;
        b.screenshot(&format!("funnel-by-source-{name}.png")).await;
        check(&b, &format!("{name} funnel by source"), &mut found).await;
        // The whole console: at 390 px its tables scroll, each a region
        // a keyboard can reach.
        assert!(found.is_empty(), "{found:#?}");
        b.close().await;
    }
}
