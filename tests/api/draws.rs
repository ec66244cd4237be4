//! SPEC §3-§5: commit, entries.txt, reveal, and the draw recomputed from public data.

use crate::support::app::*;
use quizbooth::draw;
use quizbooth::limits::LimitSettings;
use quizbooth_test_macros::engines;
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

#[engines]
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
    assert_eq!(
        d["public_seed"], "07192331",
        "the seed is the digits of the call (SPEC §5.2 since issue 21)"
    );
    let winners: Vec<&str> = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    let pool = draw::parse_entries_txt(&txt).unwrap();
    let expected = draw::pick(
        &pool,
        draw::seed(d["entries_digest"].as_str().unwrap(), "07192331"),
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
            json!({"public_seed": "12345"}),
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

#[engines]
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

#[engines]
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

#[engines]
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

/// Commits a draw of one winner from `entries` fresh entries; returns it.
async fn committed_with(app: &TestApp, entries: usize, extra: Value) -> Value {
    app.entries(entries).await;
    let mut body = json!({"round": "week-1", "prize": "纪念品", "winners": 1});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.committed(body).await
}

/// The winners a reveal with `seed` must give, recomputed from public data.
async fn expected_winners(app: &TestApp, d: &Value, seed: &str) -> Vec<String> {
    let txt = app.entries_txt(&d["id"]).await;
    let pool = draw::parse_entries_txt(&txt).unwrap();
    let wanted = d["winners_wanted"].as_u64().unwrap() as usize;
    draw::pick(
        &pool,
        draw::seed(d["entries_digest"].as_str().unwrap(), seed),
        wanted,
    )
}

fn codes(d: &Value) -> Vec<String> {
    d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_owned())
        .collect()
}

/// SPEC §5.2: the audience calls 7-3-9-1-5; however staff type it down,
/// the draw is revealed with the seed `73915` and its winners.
#[engines]
async fn five_forms_of_one_call_reveal_as_the_same_seed_and_winners() {
    for form in ["73915", "7 3 9 1 5", "739,15", "7.3.9.1.5", "7-3-9-1-5"] {
        let app = spawn_app().await;
        let d = committed_with(&app, 4, json!({"seed_digits": 5})).await;
        let want = expected_winners(&app, &d, "73915").await;
        let path = format!("/admin/api/draws/{}/reveal", d["id"]);
        let r = app.staff_post(&path, json!({ "public_seed": form })).await;
        assert_eq!(r.status(), StatusCode::OK, "{form:?}");
        let revealed: Value = r.json().await.unwrap();
        assert_eq!(revealed["public_seed"], "73915", "{form:?}");
        assert_eq!(codes(&revealed), want, "{form:?}: the winners of 73915");
        let public = app.get_json(&format!("/api/draws/{}", d["id"])).await;
        assert_eq!(public["public_seed"], "73915", "{form:?}: published");
    }
}

/// The red team's attack of issue 21: the pool and its digest are public
/// at commit, so an operator can try every way of typing the call offline
/// and reveal with the one that makes a chosen code win. Under the rule of
/// before (the typed text was hashed) the forms below reached most of the
/// pool; now every form is the seed `73915`, so the operator has one
/// choice, and the chosen code wins only if `73915` picks it anyway.
#[engines]
async fn trying_many_forms_of_one_call_leaves_the_operator_one_choice() {
    let app = spawn_app().await;
    let d = committed_with(&app, 30, json!({})).await;
    let txt = app.entries_txt(&d["id"]).await;
    let commitment = draw::commit(draw::parse_entries_txt(&txt).unwrap());
    assert_eq!(commitment.digest, d["entries_digest"]);
    let gaps = ["", " ", ",", ".", "-"];
    let mut forms = Vec::new();
    for a in gaps {
        for b in gaps {
            for c in gaps {
                for e in gaps {
                    forms.push(format!("7{a}3{b}9{c}1{e}5"));
                }
            }
        }
    }
    assert_eq!(forms.len(), 625);
    let honest = draw::draw(&commitment, "73915", 1);
    // Before: each form hashed as typed.
    let mut reachable: Vec<Vec<String>> = forms
        .iter()
        .map(|f| draw::draw(&commitment, &draw::normalise_seed(f).unwrap(), 1))
        .collect();
    reachable.sort();
    reachable.dedup();
    assert!(
        reachable.len() >= 25,
        "as typed, 625 forms reach {} of 30 entries",
        reachable.len()
    );
    // The operator's pick: a form that, hashed as typed, makes another code win.
    let rigged = forms
        .iter()
        .find(|f| draw::draw(&commitment, &draw::normalise_seed(f).unwrap(), 1) != honest)
        .unwrap();
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{}/reveal", d["id"]),
            json!({ "public_seed": rigged }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let revealed: Value = r.json().await.unwrap();
    assert_eq!(revealed["public_seed"], "73915", "{rigged:?}");
    assert_eq!(codes(&revealed), honest, "the chosen form changed nothing");
    // Now: every form is one seed, so one set of winners.
    let mut now: Vec<String> = forms
        .iter()
        .map(|f| draw::digit_seed(f, Some(5)).unwrap())
        .collect();
    now.sort();
    now.dedup();
    assert_eq!(now, ["73915"]);
}

#[engines]
async fn a_seed_with_a_letter_a_full_width_digit_or_an_invisible_character_is_422() {
    let app = spawn_app().await;
    let d = committed_with(&app, 3, json!({})).await;
    let id = d["id"].as_i64().unwrap();
    let path = format!("/admin/api/draws/{id}/reveal");
    for (bad, why) in [
        ("7391S", "a letter"),
        ("O7391", "a letter O for a zero"),
        ("7３915", "a full-width digit"),
        ("７３９１５", "full-width digits only"),
        ("739\u{200b}15", "a zero-width space"),
        ("73915\u{feff}", "a byte-order mark"),
        ("7\u{a0}3915", "a no-break space"),
        ("7\t3915", "a tab"),
        ("7_3915", "an underscore"),
        ("", "nothing"),
        (" - , ", "separators alone"),
        (&"1".repeat(65), "65 digits"),
    ] {
        let body = expect_error(
            app.staff_post(&path, json!({ "public_seed": bad })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_seed",
        )
        .await;
        assert!(
            !body["message"].as_str().unwrap().contains(bad) || bad.is_empty(),
            "{why}: the message names the character by its code point: {body}"
        );
    }
    let still = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(
        still["status"], "committed",
        "a refused seed changes nothing"
    );
    assert!(still["public_seed"].is_null());
    let r = app.staff_post(&path, json!({"public_seed": "7 3 9"})).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "and the draw can still be revealed"
    );
}

#[engines]
async fn seed_digits_is_fixed_at_commit_published_and_enforced_at_reveal() {
    let app = spawn_app().await;
    for bad in [json!(0), json!(65), json!(-3)] {
        let r = app
            .staff_post(
                "/admin/api/draws",
                json!({"round": "week-1", "prize": "奖", "winners": 1, "seed_digits": bad}),
            )
            .await;
        expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_seed_digits").await;
    }
    let d = committed_with(&app, 3, json!({"seed_digits": 6})).await;
    assert_eq!(d["seed_digits"], 6, "in the commit's answer");
    let id = d["id"].as_i64().unwrap();
    let public = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(public["seed_digits"], 6, "on the public draw");
    let list = app.get_json("/api/draws").await;
    assert_eq!(list[0]["seed_digits"], 6, "in the list of draws");
    let path = format!("/admin/api/draws/{id}/reveal");
    for wrong in ["73915", "7-3-9-1-5-0-2", "1"] {
        let body = expect_error(
            app.staff_post(&path, json!({ "public_seed": wrong })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_seed",
        )
        .await;
        assert_eq!(body["seed_digits"], 6, "{wrong}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("exactly 6 digits"),
            "{body}"
        );
    }
    let still = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(still["status"], "committed", "nothing changed");
    assert!(
        app.try_sql(&format!("UPDATE draws SET seed_digits = 5 WHERE id = {id}"))
            .is_err(),
        "the database refuses to change seed_digits"
    );
    let r = app
        .staff_post(&path, json!({"public_seed": "73 91 50"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let revealed: Value = r.json().await.unwrap();
    assert_eq!(revealed["public_seed"], "739150");
    assert_eq!(revealed["seed_digits"], 6);

    // A draw committed without it (an API caller) takes 1 to 64 digits.
    let free = app
        .committed(json!({"round": "week-1", "prize": "奖", "winners": 1}))
        .await;
    assert!(free["seed_digits"].is_null(), "{free}");
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{}/reveal", free["id"]),
            json!({"public_seed": "4"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "one digit will do");
}

#[engines]
async fn a_reveal_after_the_claim_deadline_is_409_claim_closed_and_changes_nothing() {
    let app = spawn_app().await;
    let by = (app.clock.now() + chrono::Duration::seconds(600)).to_rfc3339();
    let d = committed_with(&app, 3, json!({ "claim_by": by })).await;
    let id = d["id"].as_i64().unwrap();
    app.advance(601);
    expect_error(
        app.staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "73915"}),
        )
        .await,
        StatusCode::CONFLICT,
        "claim_closed",
    )
    .await;
    let still = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(still["status"], "committed");
    assert_eq!(still["winners"], json!([]));
    // It can never be revealed, and it still holds the round: staff who
    // dislike the numbers called cannot let the draw lapse and try again.
    expect_error(
        app.staff_post(
            "/admin/api/draws",
            json!({"round": "week-1", "prize": "纪念品", "winners": 1}),
        )
        .await,
        StatusCode::CONFLICT,
        "pending_draw",
    )
    .await;
}

/// Issue 21: the console's winners list and copy came out with formulas
/// live. Both now come from the server, by the rule of the entries CSV.
#[engines]
async fn the_winners_csv_and_the_copied_text_are_defused_by_the_servers_rule() {
    let app = spawn_app().await;
    let names = ["=HYPERLINK(\"x\";\"点我\")", "张;三", "@李四"];
    for (i, name) in names.iter().enumerate() {
        app.entry(name, &format!("1370000000{i}")).await;
    }
    let d = app
        .drawn(json!({"round": "week-1", "prize": "奖", "winners": 3}), "5")
        .await;
    let id = d["id"].as_i64().unwrap();

    let r = app
        .staff_get(&format!("/admin/api/draws/{id}/winners.csv"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}place,code,name,phone,claimed_at\r\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"x\"\";\"\"点我\"\")\""),
        "defused and quoted: {csv}"
    );
    assert!(csv.contains(",\"张;三\","), "a `;` is quoted: {csv}");
    assert!(csv.contains(",'@李四,"), "{csv}");
    for line in csv.lines().skip(1) {
        assert!(
            line.contains(",1370000000"),
            "full phones, for calling: {line}"
        );
    }

    let r = app
        .staff_get(&format!("/admin/api/draws/{id}/winners.tsv"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let tsv = r.text().await.unwrap();
    assert!(
        tsv.starts_with("place\tcode\tname\tphone\tclaimed_at\r\n"),
        "{tsv}"
    );
    assert!(
        tsv.contains("\t\"'=HYPERLINK(\"\"x\"\";\"\"点我\"\")\"\t"),
        "defused, and quoted for its quotes: {tsv}"
    );
    assert!(
        !tsv.contains("\t=") && !tsv.contains("\t@"),
        "no live formula: {tsv}"
    );
    assert!(tsv.contains("\t张;三\t"), "{tsv}");

    let log: Value = app.staff_json("/admin/api/audit").await;
    let exported: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "winners_exported")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(exported.len(), 2, "each export audited: {log}");
    assert!(
        exported
            .iter()
            .all(|e| !e.contains("1370000000") && !e.contains("李四")),
        "no contact in the log: {exported:?}"
    );
    expect_error(
        app.staff_get("/admin/api/draws/99/winners.csv").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        app.get(&format!("/admin/api/draws/{id}/winners.csv"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "staff only"
    );
}

#[engines]
async fn the_draws_list_is_a_page_of_summaries_and_a_draw_carries_its_winners() {
    let app = spawn_app().await;
    let made: Vec<Value> = {
        let mut made = Vec::new();
        for i in 0..12 {
            made.push(
                app.entry_made(&format!("观众{i}"), &format!("1390000{i:04}"), true)
                    .await,
            );
        }
        made
    };
    let mut ids = Vec::new();
    for (prize, n) in [("一等奖", 1), ("二等奖", 3), ("三等奖", 8)] {
        let d = app
            .drawn(
                json!({"round": "week-1", "prize": prize, "winners": n}),
                "11 22 33",
            )
            .await;
        ids.push(d["id"].as_i64().unwrap());
    }
    let r = app.get("/api/draws").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers().get("link").is_none(),
        "one page holds all three"
    );
    let list: Value = r.json().await.unwrap();
    let listed: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [ids[2], ids[1], ids[0]], "newest first");
    for d in list.as_array().unwrap() {
        assert!(d.get("winners").is_none(), "a summary: {d}");
        assert_eq!(d["status"], "revealed");
        assert!(d["entries_digest"].is_string() && d["prize"].is_string());
    }
    let full = app.get_json(&format!("/api/draws/{}", ids[2])).await;
    assert_eq!(full["winners"].as_array().unwrap().len(), 8, "{full}");
    let big = full.to_string().len();
    let summary = list[0].to_string().len();
    eprintln!("draw of 8 winners: {big} bytes whole, {summary} bytes in the list");
    assert!(summary < big, "the list does not grow with the winners");

    // Pages: ?limit=, a Link to the next, ?before=.
    let r = app.get("/api/draws?limit=2").await;
    let link = r.headers()["link"].to_str().unwrap().to_owned();
    assert_eq!(
        link,
        format!("</api/draws?before={}&limit=2>; rel=\"next\"", ids[1])
    );
    let page: Value = r.json().await.unwrap();
    assert_eq!(page.as_array().unwrap().len(), 2);
    let rest: Value = app
        .get_json(&format!("/api/draws?before={}&limit=2", ids[1]))
        .await;
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["id"], ids[0]);
    for bad in ["?limit=abc", "?before=x", "?limit=99999999999999999999"] {
        let r = app.get(&format!("/api/draws{bad}")).await;
        expect_error(r, StatusCode::BAD_REQUEST, "bad_request").await;
    }
    let all: Value = app.get_json("/api/draws?limit=0").await;
    assert_eq!(all.as_array().unwrap().len(), 1, "a limit is at least 1");

    // A claim shows at once, though the draw was just read (and kept).
    let won = full["winners"][0]["code"].clone();
    let receipt = made
        .iter()
        .find(|m| m["code"] == won)
        .map(|m| m["receipt"].clone())
        .unwrap();
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": receipt}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let after = app.get_json(&format!("/api/draws/{}", ids[2])).await;
    assert_eq!(after["winners"][0]["claimed"], true, "{after}");
    // And so does a withdrawal of a published winner: the masks go.
    let second = &full["winners"][1];
    assert!(second["phone"].is_string(), "{second}");
    let session = made
        .iter()
        .find(|m| m["code"] == second["code"])
        .map(|m| m["session"].as_str().unwrap().to_owned())
        .unwrap();
    let r = app.delete(&format!("/api/sessions/{session}/entry")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let after = app.get_json(&format!("/api/draws/{}", ids[2])).await;
    assert!(after["winners"][1]["phone"].is_null(), "{after}");
}

#[engines]
async fn the_public_draw_routes_have_a_budget_per_address() {
    let app = spawn_app_limited(LimitSettings {
        ip_burst: 5,
        ip_per_sec: 1,
        ..test_limits()
    })
    .await;
    // Twice the visitor burst, then four a second.
    for i in 0..10 {
        let path = ["/api/draws", "/api/draws/1", "/api/draws/1/entries.txt"][i % 3];
        let r = app.get(path).await;
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{path} #{i}");
    }
    let r = app.get("/api/draws").await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let r = app.get("/api/draws/1").await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Visitors' quiz routes have their own budget.
    let r = app.post("/api/sessions", json!({"lang": "zh"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}
