//! A visitor from a source's poster (SPEC §11): the page opened as
//! `/?src=ID`, reloaded, and gone back to a bare `/` in the same tab still
//! starts from that source, and the session keeps it through a reload
//! mid-quiz to the entry, where it is recorded.

use crate::booth_day::{answer_right_and_submit, enter};
use crate::support::app::*;
use crate::support::chromium::*;
use serde_json::json;

#[tokio::test]
async fn a_visitor_from_a_sources_link_is_counted_for_it_through_reloads() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.list_sources(json!([{"id": "wuhua", "name": "五华区", "headcount": 30}]))
        .await;

    b.client.goto(&app.url("/?src=wuhua")).await.unwrap();
    b.wait_css("#start").await;
    b.client.refresh().await.unwrap();
    b.wait_css("#start").await;
    // The address bar loses the query (a shared link trimmed, a way back to /).
    b.client.goto(&app.url("/")).await.unwrap();
    b.click("#start").await;
    b.wait_css("input.option").await;
    b.client.refresh().await.unwrap();
    answer_right_and_submit(&b).await;
    enter(&b, "张三", "13912345678").await;
    b.wait_css("#entry-code").await;

    let db = rusqlite::Connection::open(app.db()).unwrap();
    let sources: (String, String) = db
        .query_row(
            "SELECT s.source, e.source FROM entries e JOIN submissions s
             ON printf('%016x%016x', s.id, s.nonce) = e.session_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(sources, ("wuhua".to_owned(), "wuhua".to_owned()));
}

/// Sources for the console tests: a unit with a headcount, a long name, a channel.
async fn listed(app: &TestApp) {
    app.list_sources(json!([
        {"id": "wuhua", "name": "五华区", "headcount": 1200},
        {"id": "ynu", "name": "云南大学呈贡校区信息学院", "headcount": 860},
        {"id": "booth", "name": "展台现场"}
    ]))
    .await;
}

/// The console's 来源 section: a pasted list with problems is refused with
/// each problem at its place in the console's language; one pasted from
/// Excel (tab-separated) is saved and listed with its link, QR code and
/// poster; the poster of one source names it and carries its link, and
/// the print of all has a sheet for each.
#[tokio::test]
async fn the_console_keeps_the_sources_and_their_posters() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    listed(&app).await;
    b.console(&app).await;
    b.wait_css("#sources-list table").await;
    assert_eq!(
        b.js("return document.querySelectorAll('#sources-list tbody tr').length;")
            .await,
        3
    );
    b.js("document.getElementById('sources-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-sources-1366.png").await;

    b.js("document.getElementById('sources-text').value = '编号\\t名称\\t人数\\nWu Hua\\t西山区\\t0\\nok\\t\\t12'; return true;")
        .await;
    b.click("#sources-save").await;
    b.wait_js("!document.getElementById('sources-problems').hidden")
        .await;
    let problems = b
        .js("return Array.prototype.map.call(document.querySelectorAll('#sources-problems li'), function (li) { return li.textContent; });")
        .await;
    let problems: Vec<String> = serde_json::from_value(problems).unwrap();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].starts_with("sources.csv:2:1 编号“Wu Hua”不能用"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("sources.csv:3:2 名称是空的"),
        "{problems:?}"
    );
    b.screenshot("console-sources-problems-1366.png").await;

    b.js("document.getElementById('sources-text').value = '编号\\t名称\\t人数\\nwuhua\\t五华区\\t1,200\\npanlong\\t盘龙区, 北片\\t'; return true;")
        .await;
    b.click("#sources-save").await;
    b.wait_js("document.querySelectorAll('#sources-list tbody tr').length === 2")
        .await;
    assert_eq!(
        b.js("return document.getElementById('sources-problems').hidden;")
            .await,
        true
    );
    let list = app.staff_json("/admin/api/sources").await;
    assert_eq!(
        list[1]["name"], "盘龙区, 北片",
        "a comma inside a pasted cell stays"
    );
    assert_eq!(list[0]["headcount"], 1200);

    // One source's poster.
    b.client
        .goto(&app.url("/admin/poster?src=panlong"))
        .await
        .unwrap();
    b.wait_js("!document.querySelector('.poster-source').hidden")
        .await;
    let shown = b
        .js("return {name: document.querySelector('.poster-source').textContent, qr: document.querySelector('.poster-qr').getAttribute('src'), url: document.querySelector('.poster-url').textContent};")
        .await;
    assert!(
        shown["name"]
            .as_str()
            .unwrap()
            .contains("盘龙区, 北片 专属答题码"),
        "{shown}"
    );
    assert_eq!(shown["qr"], "/qr.svg?src=panlong");
    assert!(
        shown["url"].as_str().unwrap().ends_with("/?src=panlong"),
        "{shown}"
    );
    b.screenshot("poster-source.png").await;

    // Every poster at once: a sheet each.
    b.client
        .goto(&app.url("/admin/poster?all=1"))
        .await
        .unwrap();
    b.wait_js("document.querySelectorAll('.sheet-frame').length === 2 && !document.querySelectorAll('.poster-source')[1].hidden")
        .await;
    // An unknown source says so.
    b.client
        .goto(&app.url("/admin/poster?src=nope"))
        .await
        .unwrap();
    b.wait_js("!document.getElementById('poster-error').hidden")
        .await;
    b.close().await;
}

/// The console's 来源 section at a phone's width.
#[tokio::test]
async fn the_console_sources_section_on_a_phone() {
    let Some(b) = browser_at(390, 844).await else {
        return;
    };
    let app = spawn_app().await;
    listed(&app).await;
    b.console(&app).await;
    b.wait_css("#sources-list table").await;
    b.js("document.getElementById('sources-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-sources-390.png").await;
    b.close().await;
}
