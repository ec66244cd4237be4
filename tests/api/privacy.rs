//! SPEC §8 (so far): the notice's facts are published with the set, and
//! nothing is kept without the entrant's consent.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_entry_without_consent_is_422_on_consent_and_keeps_nothing() {
    let app = spawn_app().await;
    let s = app.passed_session().await;
    for consent in [json!(null), json!(false)] {
        let mut body = json!({"session": s, "name": "张三", "phone": "13800138000"});
        if !consent.is_null() {
            body["consent"] = consent.clone();
        }
        let r = app.post("/api/entries", body).await;
        let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields").await;
        assert!(body["fields"]["consent"].is_string(), "{consent}: {body}");
        assert!(body["fields"]["name"].is_null() && body["fields"]["phone"].is_null());
    }
    let csv = app
        .staff_get("/admin/api/entries.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("13800138000"), "nothing kept without consent");
    let r = app
        .post(
            "/api/entries",
            json!({"session": s, "consent": true, "name": "张三", "phone": "13800138000"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "the session may try again");
}

#[tokio::test]
async fn the_set_publishes_who_collects_and_how_long_it_is_kept() {
    let app = spawn_app().await;
    let set = app.get_json("/api/set").await;
    let p = &set["privacy"];
    assert_eq!(p["organizer"], "测试主办方");
    assert!(p["contact"].as_str().unwrap().contains("12377"));
    assert_eq!(p["keep_days"], 30);
    // The fixture's round closes 2099-10-17T18:00:00+08:00: kept 30 days past it.
    assert_eq!(p["keep_until"], "2099-11-16T18:00:00+08:00");
    let en = app.get_json("/api/set?lang=en").await;
    assert_eq!(en["privacy"]["organizer"], "Test organizer");
}
