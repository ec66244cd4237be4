//! SPEC §7: receipts, the visitor's view of their draws, claims at the booth,
//! re-draws of unclaimed places, publication by consent, and the audit log.

use crate::support::app::*;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An app whose round closes in an hour, with `n` entries (even ones publish).
async fn app_with(n: usize) -> (TestApp, Vec<Value>) {
    let app = spawn_app().await;
    let mut made = Vec::new();
    for i in 0..n {
        made.push(
            app.entry_made(&format!("选手{i}"), &format!("1370000{i:04}"), i % 2 == 0)
                .await,
        );
    }
    (app, made)
}

async fn commit(app: &TestApp, body: Value) -> reqwest::Response {
    app.staff_post("/admin/api/draws", body).await
}

/// Commits and reveals a draw of `winners` with a claim deadline `claim_secs` from now.
async fn revealed(app: &TestApp, winners: i64, claim_secs: i64, replaces: Option<i64>) -> Value {
    let by = (chrono::Local::now() + chrono::Duration::seconds(claim_secs)).fixed_offset();
    let by = app_time(app, by);
    let mut body =
        json!({"round": "week-1", "prize": "保温杯", "winners": winners, "claim_by": by});
    if let Some(old) = replaces {
        body["replaces"] = json!(old);
    }
    app.drawn(body, "11 22 33").await
}

/// A wall-clock time moved by however far the app's clock has been advanced.
fn app_time(app: &TestApp, t: chrono::DateTime<chrono::FixedOffset>) -> String {
    let offset = app.clock.now() - chrono::Local::now().fixed_offset();
    (t + offset).to_rfc3339()
}

fn made_by_code<'a>(made: &'a [Value], code: &Value) -> &'a Value {
    made.iter()
        .find(|m| m["code"] == *code)
        .expect("a code we entered")
}

async fn claim(app: &TestApp, body: Value) -> reqwest::Response {
    app.staff_post("/admin/api/claims", body).await
}

#[engines]
async fn an_entry_gets_a_private_receipt_that_no_public_response_shows() {
    let (app, made) = app_with(3).await;
    let receipt = made[0]["receipt"].as_str().unwrap();
    assert_eq!(receipt.len(), 14, "XXXX-XXXX-XXXX: {receipt}");
    assert_ne!(made[0]["receipt"], made[1]["receipt"]);
    let session = made[0]["session"].as_str().unwrap();
    let own = app.get_json(&format!("/api/sessions/{session}")).await;
    assert_eq!(
        own["entry"]["receipt"], receipt,
        "the entrant's page keeps it"
    );
    assert_eq!(own["entry"]["code"], made[0]["code"]);
    let d = revealed(&app, 3, 3600, None).await;
    let public = [
        app.get(&format!("/api/draws/{}", d["id"]))
            .await
            .text()
            .await
            .unwrap(),
        app.get("/api/draws").await.text().await.unwrap(),
        app.get(&format!("/api/draws/{}/entries.txt", d["id"]))
            .await
            .text()
            .await
            .unwrap(),
    ];
    for text in &public {
        for m in &made {
            assert!(
                !text.contains(m["receipt"].as_str().unwrap()),
                "a receipt in {text}"
            );
        }
        assert!(!text.contains("1370000"), "a full phone in {text}");
    }
}

#[engines]
async fn a_visitors_page_shows_every_draw_that_holds_their_code() {
    let (app, made) = app_with(4).await;
    let first = made[0]["session"].as_str().unwrap().to_owned();
    let d = revealed(&app, 1, 3600, None).await;
    // An entry made after the first draw's commit is not in its pool.
    let late = app.entry_made("后来者", "13700009999", false).await;
    let r = commit(
        &app,
        json!({"round": "week-1", "prize": "U 盘", "winners": 1}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let pending: Value = r.json().await.unwrap();

    let winner = d["winners"][0]["code"].clone();
    for m in &made {
        let s = app
            .get_json(&format!("/api/sessions/{}", m["session"].as_str().unwrap()))
            .await;
        let draws = s["entry"]["draws"].as_array().unwrap().clone();
        let won = m["code"] == winner;
        assert_eq!(draws[0]["id"], d["id"]);
        assert_eq!(draws[0]["status"], "revealed");
        assert_eq!(draws[0]["won"], won, "{m}");
        assert_eq!(draws[0]["prize"], "保温杯");
        assert!(draws[0]["claim_by"].is_string());
        if won {
            assert_eq!(draws.len(), 1, "a winner is not in the next pool");
        } else {
            assert_eq!(draws[1]["id"], pending["id"]);
            assert_eq!(draws[1]["status"], "committed");
            assert!(draws[1]["won"].is_null(), "not revealed yet");
        }
    }
    let s = app
        .get_json(&format!(
            "/api/sessions/{}",
            late["session"].as_str().unwrap()
        ))
        .await;
    let ids: Vec<&Value> = s["entry"]["draws"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["id"])
        .collect();
    assert_eq!(
        ids,
        vec![&pending["id"]],
        "only the draw committed after it"
    );
    assert!(app.get_json(&format!("/api/sessions/{first}")).await["entry"].is_object());
}

#[engines]
async fn a_claim_by_receipt_hands_out_the_prize_once() {
    let (app, made) = app_with(4).await;
    let d = revealed(&app, 1, 3600, None).await;
    let winner = made_by_code(&made, &d["winners"][0]["code"]);
    let receipt = winner["receipt"].as_str().unwrap();
    // Typed in lower case without hyphens, as at a busy desk.
    let typed = receipt.to_lowercase().replace('-', "");
    let r = claim(&app, json!({"receipt": typed})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["draw"], d["id"]);
    assert_eq!(c["prize"], "保温杯");
    assert_eq!(c["code"], winner["code"]);
    assert!(
        c["name"].as_str().unwrap().starts_with("选手"),
        "the full name: {c}"
    );
    assert!(
        c["phone"].as_str().unwrap().starts_with("1370000"),
        "the full phone: {c}"
    );
    assert!(c["claimed_at"].is_string());

    let body = expect_error(
        claim(&app, json!({"receipt": receipt})).await,
        StatusCode::CONFLICT,
        "already_claimed",
    )
    .await;
    assert_eq!(body["claimed_at"], c["claimed_at"]);
    let public = app.get_json(&format!("/api/draws/{}", d["id"])).await;
    assert_eq!(public["winners"][0]["claimed"], true);
    let own = app
        .get_json(&format!(
            "/api/sessions/{}",
            winner["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(own["entry"]["draws"][0]["claimed"], true);
    let staff = app
        .staff_json(&format!("/admin/api/draws/{}/winners", d["id"]))
        .await;
    assert_eq!(staff["winners"][0]["claimed"], true);
    assert_eq!(
        staff["winners"][0]["phone"], c["phone"],
        "full contacts for staff"
    );
}

#[engines]
async fn a_claim_by_code_needs_the_phone_that_entered_it() {
    let (app, made) = app_with(4).await;
    let d = revealed(&app, 1, 3600, None).await;
    let code = d["winners"][0]["code"].as_str().unwrap();
    let winner = made_by_code(&made, &d["winners"][0]["code"]);
    let loser = made
        .iter()
        .find(|m| m["code"] != d["winners"][0]["code"])
        .unwrap();
    let cases = [
        (
            json!({"code": code, "phone": "13900000000"}),
            "a public code with another phone",
        ),
        (
            json!({"receipt": loser["receipt"]}),
            "the receipt of an entry that did not win",
        ),
        (json!({"receipt": "ZZZZ-ZZZZ-ZZZZ"}), "a receipt nobody has"),
        (
            json!({"code": loser["code"], "phone": "13700000001"}),
            "a code that did not win",
        ),
        (json!({"receipt": "not a receipt"}), "garbage"),
    ];
    for (body, why) in cases {
        let r = claim(&app, body).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{why}");
        expect_error(r, StatusCode::NOT_FOUND, "not_a_winner").await;
    }
    expect_error(
        claim(&app, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_claim",
    )
    .await;
    let own_phone = app
        .staff_json(&format!("/admin/api/draws/{}/winners", d["id"]))
        .await["winners"][0]["phone"]
        .as_str()
        .unwrap()
        .to_owned();
    let spaced = format!("+86 {} {}", &own_phone[..3], &own_phone[3..]);
    let r = claim(&app, json!({"code": code.to_lowercase(), "phone": spaced})).await;
    assert_eq!(r.status(), StatusCode::OK, "the code and its own phone");
    assert!(winner["receipt"].is_string());
}

/// The draw `id` of a visitor's page.
async fn own_draw(app: &TestApp, made: &Value, id: &Value) -> Value {
    let s = app
        .get_json(&format!(
            "/api/sessions/{}",
            made["session"].as_str().unwrap()
        ))
        .await;
    s["entry"]["draws"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == *id)
        .unwrap_or_else(|| panic!("draw {id} on the page: {s}"))
        .clone()
}

/// A winner of a draw's `winners` list, by code.
fn winner_row(winners: &Value, code: &Value) -> Value {
    winners
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == *code)
        .unwrap_or_else(|| panic!("{code} in {winners}"))
        .clone()
}

#[engines]
async fn a_win_past_its_deadline_says_expired_and_a_redrawn_draw_says_so_everywhere() {
    let (app, made) = app_with(5).await;
    let first = revealed(&app, 2, 600, None).await;
    let id = first["id"].clone();
    let (came, absent) = (&first["winners"][0]["code"], &first["winners"][1]["code"]);
    let came_made = made_by_code(&made, came);
    let absent_made = made_by_code(&made, absent);
    let loser = made
        .iter()
        .find(|m| m["code"] != *came && m["code"] != *absent)
        .unwrap();
    assert_eq!(
        claim(&app, json!({"receipt": came_made["receipt"]}))
            .await
            .status(),
        StatusCode::OK
    );
    // Before the deadline, nothing has expired.
    let mine = own_draw(&app, absent_made, &id).await;
    assert_eq!(
        (&mine["won"], &mine["expired"], &mine["redrawn"]),
        (&json!(true), &json!(false), &json!(false)),
        "{mine}"
    );
    let staff = app
        .staff_json(&format!("/admin/api/draws/{id}/winners"))
        .await;
    assert_eq!(winner_row(&staff["winners"], absent)["expired"], false);

    app.advance(601);
    // The one who did not come: expired on their page, the public page and the staff list.
    let mine = own_draw(&app, absent_made, &id).await;
    assert_eq!(
        (&mine["won"], &mine["claimed"], &mine["expired"]),
        (&json!(true), &json!(false), &json!(true)),
        "{mine}"
    );
    assert_eq!(mine["redrawn"], false, "no re-draw yet: {mine}");
    let public = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(
        winner_row(&public["winners"], absent)["expired"],
        true,
        "{public}"
    );
    let staff = app
        .staff_json(&format!("/admin/api/draws/{id}/winners"))
        .await;
    assert_eq!(
        winner_row(&staff["winners"], absent)["expired"],
        true,
        "{staff}"
    );
    // The one who came, and one who did not win, never expire.
    let got = own_draw(&app, came_made, &id).await;
    assert_eq!(
        (&got["claimed"], &got["expired"]),
        (&json!(true), &json!(false)),
        "{got}"
    );
    assert_eq!(
        winner_row(&public["winners"], came)["expired"],
        false,
        "{public}"
    );
    assert_eq!(
        winner_row(&staff["winners"], came)["expired"],
        false,
        "{staff}"
    );
    let lost = own_draw(&app, loser, &id).await;
    assert_eq!(
        (&lost["won"], &lost["expired"]),
        (&json!(false), &json!(false)),
        "{lost}"
    );

    // A re-draw of the place left: every page of the first draw says so.
    let second = revealed(&app, 1, 600, Some(id.as_i64().unwrap())).await;
    for m in [absent_made, came_made, loser] {
        let d = own_draw(&app, m, &id).await;
        assert_eq!(d["redrawn"], true, "{m}: {d}");
    }
    let mine = own_draw(&app, absent_made, &id).await;
    assert_eq!(mine["expired"], true, "{mine}");
    let public = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(public["replaced_by"], second["id"]);
    if let Some(new_winner) = second["winners"][0]["code"].as_str() {
        let d = own_draw(&app, made_by_code(&made, &json!(new_winner)), &second["id"]).await;
        assert_eq!(
            (&d["won"], &d["expired"], &d["redrawn"]),
            (&json!(true), &json!(false), &json!(false)),
            "{d}"
        );
    }
}

#[engines]
async fn a_claim_after_the_deadline_is_410_and_the_places_can_be_redrawn() {
    let (app, made) = app_with(6).await;
    let first = revealed(&app, 2, 600, None).await;
    let id = first["id"].as_i64().unwrap();
    // One of the two winners comes in time.
    let came = made_by_code(&made, &first["winners"][0]["code"]);
    assert_eq!(
        claim(&app, json!({"receipt": came["receipt"]}))
            .await
            .status(),
        StatusCode::OK
    );
    // A re-draw before the deadline is refused.
    let redraw =
        json!({"round": "week-1", "prize": "保温杯（补抽）", "winners": 1, "replaces": id});
    expect_error(
        commit(&app, redraw.clone()).await,
        StatusCode::CONFLICT,
        "claim_open",
    )
    .await;

    app.advance(601);
    let absent = made_by_code(&made, &first["winners"][1]["code"]);
    expect_error(
        claim(&app, json!({"receipt": absent["receipt"]})).await,
        StatusCode::GONE,
        "claim_closed",
    )
    .await;
    let mut too_many = redraw.clone();
    too_many["winners"] = json!(2);
    let body = expect_error(
        commit(&app, too_many).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_many_winners",
    )
    .await;
    assert_eq!(body["unclaimed"], 1);

    let second = revealed(&app, 1, 600, Some(id)).await;
    assert_eq!(second["replaces"], id);
    assert_eq!(
        second["entry_count"], 4,
        "no earlier winner, claimed or not, is drawn again"
    );
    let pool = app
        .get(&format!("/api/draws/{}/entries.txt", second["id"]))
        .await
        .text()
        .await
        .unwrap();
    for w in first["winners"].as_array().unwrap() {
        assert!(!pool.contains(w["code"].as_str().unwrap()));
    }
    let old = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(
        old["replaced_by"], second["id"],
        "the chain shows on both pages"
    );
    let mut again = redraw;
    again["winners"] = json!(1);
    expect_error(
        commit(&app, again).await,
        StatusCode::CONFLICT,
        "claim_open",
    )
    .await;
}

#[engines]
async fn public_pages_show_masked_contacts_only_of_winners_who_chose_it() {
    let (app, made) = app_with(6).await;
    let d = revealed(&app, 6, 3600, None).await;
    for w in d["winners"].as_array().unwrap() {
        // `app_with` made the even entries with `publish: true`.
        let i = made.iter().position(|m| m["code"] == w["code"]).unwrap();
        if i % 2 == 0 {
            assert!(w["name"].as_str().unwrap().ends_with('*'), "{w}");
            assert!(w["phone"].as_str().unwrap().contains("****"), "{w}");
        } else {
            assert!(w["name"].is_null() && w["phone"].is_null(), "{w}");
        }
    }
    let published = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["name"].is_string())
        .count();
    assert_eq!(published, 3, "the even entries chose publication");
}

#[engines]
async fn every_staff_action_is_on_a_chained_record_the_database_keeps() {
    let (app, made) = app_with(3).await;
    let d = revealed(&app, 1, 3600, None).await;
    let winner = made_by_code(&made, &d["winners"][0]["code"]);
    assert_eq!(
        claim(&app, json!({"receipt": winner["receipt"]}))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.staff_get("/admin/api/entries.csv").await.status(),
        StatusCode::OK
    );
    let r = app
        .staff_post("/admin/api/sets/fixture-valid/activate", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let log = app.staff_json("/admin/api/audit").await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "set_activated",
            "entries_exported",
            "prize_claimed",
            "draw_revealed",
            "draw_committed"
        ],
        "newest first"
    );
    let text = log.to_string();
    assert!(
        !text.contains(winner["receipt"].as_str().unwrap()),
        "no receipt in the log"
    );
    assert!(
        !text.contains("1370000"),
        "no full phone in the log: {text}"
    );
    assert!(
        text.contains(d["winners"][0]["code"].as_str().unwrap()),
        "codes are named"
    );
    let seqs: Vec<i64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![5, 4, 3, 2, 1]);
    let v = app.staff_json("/admin/api/audit/verify").await;
    assert_eq!(v["verified"], true, "{v}");
    let verify = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_quizbooth"))
            .args(["audit-verify", "--db"])
            .arg(database(app.dir.path()))
            .output()
            .unwrap()
    };
    let o = verify();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success() && out.contains("5 rows; the chain holds"),
        "{out}"
    );

    for sql in [
        "UPDATE audit SET detail = 'nothing happened' WHERE seq = 3",
        "DELETE FROM audit WHERE seq = 5",
        "UPDATE claims SET claimed_at = '2000-01-01T00:00:00+08:00'",
        "DELETE FROM claims",
    ] {
        assert!(app.try_sql(sql).is_err(), "refused: {sql}");
    }
    // Behind the database's back: the chain shows where.
    app.try_sql(&format!(
        "{} UPDATE audit SET detail = 'nothing happened' WHERE seq = 3;",
        drop_trigger("audit_never_changed", "audit")
    ))
    .unwrap();
    let v = app.staff_json("/admin/api/audit/verify").await;
    assert_eq!(
        (v["verified"].clone(), v["break"]["seq"].clone()),
        (json!(false), json!(3))
    );
    let o = verify();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("row 3: "));
}
