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
    let r = app
        .client
        .put(app.url("/admin/api/sources"))
        .bearer_auth(TOKEN)
        .json(&json!([{"id": "wuhua", "name": "五华区", "headcount": 30}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);

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
