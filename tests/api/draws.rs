//! SPEC §3-§5: commit, entries.txt, reveal, and the draw recomputed from public data.

use crate::helpers::*;
use quizbooth::draw;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// An app with `n` entries; the even ones agreed to the publication of
/// their masked name and phone.
async fn app_with_entries(n: usize) -> (TestApp, Vec<String>) {
    let app = spawn_app().await;
    let mut codes = Vec::new();
    for i in 0..n {
        let made = app
            .entry_made(&format!("选手{i}"), &format!("1380000{i:04}"), i % 2 == 0)
            .await;
        codes.push(made["code"].as_str().unwrap().to_owned());
    }
    (app, codes)
}

/// Whether entry code `code` of [`app_with_entries`] chose publication.
fn published(codes: &[String], code: &str) -> bool {
    codes
        .iter()
        .position(|c| c == code)
        .is_some_and(|i| i % 2 == 0)
}

#[tokio::test]
async fn a_draw_commits_then_reveals_winners_anyone_can_recompute() {
    let (app, mut codes) = app_with_entries(6).await;
    let made_order = codes.clone();
    let r = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "U 盘", "winners": 2}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["status"], "committed");
    assert_eq!(d["entry_count"], 6);
    assert!(d["public_seed"].is_null());
    assert_eq!(d["winners"], json!([]));
    let id = d["id"].as_i64().unwrap();

    let txt = app.get(&format!("/api/draws/{id}/entries.txt")).await;
    assert!(txt.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let txt = txt.text().await.unwrap();
    codes.sort();
    assert_eq!(
        txt,
        codes.iter().map(|c| format!("{c}\n")).collect::<String>()
    );
    assert_eq!(
        d["entries_digest"],
        hex::encode(Sha256::digest(txt.as_bytes()))
    );

    let r = app
        .staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "07 19 23 31"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["status"], "revealed");
    assert_eq!(d["public_seed"], "07 19 23 31");
    let winners: Vec<&str> = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    let pool = draw::parse_entries_txt(&txt).unwrap();
    let expected = draw::pick(
        &pool,
        draw::seed(d["entries_digest"].as_str().unwrap(), "07 19 23 31"),
        2,
    );
    assert_eq!(winners, expected);
    for w in d["winners"].as_array().unwrap() {
        if published(&made_order, w["code"].as_str().unwrap()) {
            assert!(
                w["phone"].as_str().unwrap().contains("****"),
                "masked phone: {w}"
            );
            assert!(
                w["name"].as_str().unwrap().ends_with('*'),
                "masked name: {w}"
            );
        } else {
            assert!(
                w["name"].is_null() && w["phone"].is_null(),
                "by code alone without consent: {w}"
            );
        }
        assert_eq!(w["claimed"], false);
    }
    let public: Value = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(public["winners"], d["winners"]);
    assert!(
        !public.to_string().contains("13800000"),
        "no full phone in public responses"
    );
    let list: Value = app.get("/api/draws").await.json().await.unwrap();
    assert_eq!(list[0]["id"], id);

    let again = app
        .staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "other"}),
        )
        .await;
    expect_error(again, StatusCode::CONFLICT, "already_revealed").await;
    let after = app
        .get(&format!("/api/draws/{id}/entries.txt"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(after, txt, "entries.txt never changes");
}

#[tokio::test]
async fn earlier_winners_leave_the_pool_of_the_next_draw() {
    let (app, _) = app_with_entries(4).await;
    let d: Value = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "一等奖", "winners": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = d["id"].as_i64().unwrap();
    let pending = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "二等奖", "winners": 1}),
        )
        .await;
    expect_error(pending, StatusCode::CONFLICT, "pending_draw").await;
    let d: Value = app
        .staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "1"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let first = d["winners"][0]["code"].as_str().unwrap().to_owned();
    let second: Value = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "二等奖", "winners": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["entry_count"], 3);
    let txt = app
        .get(&format!("/api/draws/{}/entries.txt", second["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !txt.contains(&first),
        "the first winner is not in the second pool"
    );
}

#[tokio::test]
async fn bad_draw_requests_get_clear_errors() {
    let app = spawn_app().await;
    let r = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "奖", "winners": 1}),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "empty_pool").await;
    let r = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-9", "prize": "奖", "winners": 1}),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "unknown_round").await;
    let r = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "奖", "winners": 0}),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_winners").await;
    expect_error(
        app.get("/api/draws/99").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/draws/abc").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/draws/99/entries.txt").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .staff_post("/admin/api/draws/99/reveal", json!({"public_seed": "1"}))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_database_refuses_to_change_a_committed_draw() {
    let (app, _) = app_with_entries(2).await;
    let r = app
        .staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "奖", "winners": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(app.try_sql("UPDATE draws SET entries_txt = 'X\n'").is_err());
    assert!(app.try_sql("DELETE FROM draws").is_err());
}
