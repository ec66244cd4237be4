//! SPEC §8: the notice's facts are published with the set; nothing is kept
//! without the entrant's consent; an entrant withdraws; a round's contacts
//! are purged by staff or when their keeping time is over, and every draw
//! still verifies.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use crate::support::eventually;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

#[engines]
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

#[engines]
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

/// How long a purge may take to show.
const FIVE_SECS: Duration = Duration::from_secs(5);

/// The fixture's round closes 2099-10-17; its contacts are kept 30 days
/// past that. This is past it (and past any claim deadline set in a test).
const PAST_KEEPING_SECS: i64 = 80 * 366 * 24 * 3600;

/// The round's last purge, waited for up to five seconds.
async fn last_purge(app: &TestApp) -> Value {
    eventually(
        FIVE_SECS,
        "the round lists its last purge",
        move || async move {
            let purged = app.staff_json("/admin/api/rounds").await[0]["last_purge"].clone();
            (!purged.is_null()).then_some(purged)
        },
    )
    .await
}

/// The audit rows of purges, newest first.
async fn purges_audited(app: &TestApp) -> Vec<Value> {
    let audit = app.staff_json("/admin/api/audit").await;
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["action"] == "contacts_purged")
        .cloned()
        .collect()
}

async fn withdraw(app: &TestApp, session: &Value) -> reqwest::Response {
    app.delete(&format!(
        "/api/sessions/{}/entry",
        session.as_str().unwrap()
    ))
    .await
}

/// Staff withdraw the entry under `code` for its entrant (SPEC §4).
async fn staff_withdraw(app: &TestApp, code: &Value) -> reqwest::Response {
    let path = format!("/admin/api/entries/{}/withdraw", code.as_str().unwrap());
    app.staff_post(&path, json!({})).await
}

async fn staff_entry(app: &TestApp, code: &Value) -> Value {
    let list = app.search(code.as_str().unwrap()).await;
    list["entries"][0].clone()
}

/// Checks a draw as anyone can: `entries.txt` hashes to the digest, and the
/// seed picks the published winners from it.
async fn verifies(app: &TestApp, id: &Value) {
    let d = app.get_json(&format!("/api/draws/{id}")).await;
    let txt = app.entries_txt(id).await;
    let digest = d["entries_digest"].as_str().unwrap();
    assert_eq!(
        quizbooth::draw::sha256_hex(txt.as_bytes()),
        digest,
        "draw {id}"
    );
    let pool = quizbooth::draw::parse_entries_txt(&txt).unwrap();
    let seed = quizbooth::draw::seed(digest, d["public_seed"].as_str().unwrap());
    let picked = quizbooth::draw::pick(&pool, seed, d["winners_wanted"].as_u64().unwrap() as usize);
    let published: Vec<&str> = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(picked, published, "draw {id}");
}

#[engines]
async fn a_withdrawal_before_a_commit_erases_the_contact_and_leaves_the_pool() {
    let app = spawn_app().await;
    let me = app.entry_made("李四", "13800138000", true).await;
    let other = app.entry("王五", "13900139000").await;

    let r = withdraw(&app, &me["session"]).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let again = withdraw(&app, &me["session"]).await;
    assert_eq!(
        again.status(),
        StatusCode::NO_CONTENT,
        "withdrawing twice answers the same"
    );

    // The entrant's page says so; the receipt can claim nothing and is gone.
    let own = app
        .get_json(&format!(
            "/api/sessions/{}",
            me["session"].as_str().unwrap()
        ))
        .await;
    assert!(own["entry"]["withdrawn_at"].is_string(), "{own}");
    assert!(own["entry"]["receipt"].is_null(), "{own}");
    assert_eq!(own["entry"]["code"], me["code"]);
    let qr = app
        .get(&format!(
            "/api/sessions/{}/receipt.svg",
            me["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(qr.status(), StatusCode::NOT_FOUND);

    // Nothing that names them is left, for staff either.
    let row = staff_entry(&app, &me["code"]).await;
    assert!(row["name"].is_null() && row["phone"].is_null(), "{row}");
    assert_eq!(row["erased"]["why"], "withdrawn", "{row}");
    let csv = app.csv().await;
    assert!(
        !csv.contains("李四") && !csv.contains("13800138000"),
        "{csv}"
    );
    let by_phone = app.search("13800138000").await;
    assert_eq!(
        by_phone["total"], 0,
        "no hash of the phone is kept either: {by_phone}"
    );

    // The next draw's pool leaves the code out.
    let d = app
        .committed(json!({"round": "week-1", "prize": "U 盘", "winners": 1}))
        .await;
    let txt = app.entries_txt(&d["id"]).await;
    assert_eq!(
        txt,
        format!("{other}\n"),
        "only the other entry is drawn from"
    );
    let own = app
        .get_json(&format!(
            "/api/sessions/{}",
            me["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(own["entry"]["draws"], json!([]), "no draw holds it: {own}");

    // Having withdrawn, the person may enter again from a new quiz.
    app.entry("李四", "13800138000").await;
}

#[engines]
async fn a_withdrawal_after_a_commit_keeps_the_code_in_that_pool_but_it_cannot_claim() {
    let app = spawn_app().await;
    let me = app.entry_made("李四", "13800138000", true).await;
    app.entry("王五", "13900139000").await;
    let committed = app
        .committed(json!({"round": "week-1", "prize": "U 盘", "winners": 2}))
        .await;
    let id = committed["id"].clone();

    assert_eq!(
        withdraw(&app, &me["session"]).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{id}/reveal"),
            json!({"public_seed": "7 7 7"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let d = app.get_json(&format!("/api/draws/{id}")).await;
    assert_eq!(
        d["entries_digest"], committed["entries_digest"],
        "the pool never changes"
    );
    verifies(&app, &id).await;
    let mine = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == me["code"])
        .expect("both entries win a draw of two")
        .clone();
    assert!(
        mine["name"].is_null() && mine["phone"].is_null(),
        "publication withdrawn too: {mine}"
    );

    // The entrant's page still lists the draw that holds the code.
    let own = app
        .get_json(&format!(
            "/api/sessions/{}",
            me["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(own["entry"]["draws"][0]["id"], id, "{own}");
    assert_eq!(own["entry"]["draws"][0]["won"], true, "{own}");

    // The receipt (kept by the entrant) cannot claim it, nor can the code and phone.
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": me["receipt"]}))
        .await;
    expect_error(r, StatusCode::GONE, "withdrawn").await;
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"code": me["code"], "phone": "13800138000"}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_a_winner").await;
    let winners = app
        .staff_json(&format!("/admin/api/draws/{id}/winners"))
        .await;
    let row = winners["winners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == me["code"])
        .unwrap()
        .clone();
    assert!(row["name"].is_null() && row["phone"].is_null(), "{row}");
    assert_eq!(row["erased"]["why"], "withdrawn");
}

#[engines]
async fn a_withdrawal_needs_the_session_that_entered() {
    let app = spawn_app().await;
    let passed = app.passed_session().await;
    let r = app.delete(&format!("/api/sessions/{passed}/entry")).await;
    expect_error(r, StatusCode::NOT_FOUND, "no_entry").await;
    let r = app.delete("/api/sessions/not-a-session/entry").await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[engines]
async fn a_withdrawn_visitor_takes_the_quiz_again_and_enters_with_a_new_code() {
    let app = spawn_app().await;
    let first = app.entry_made("李四", "13800138000", false).await;
    let by_staff = app.entry_made("王五", "13900139000", false).await;
    // One draw holds both old codes; then each person withdraws (one of
    // them through staff).
    let held = app
        .committed(json!({"round": "week-1", "prize": "U 盘", "winners": 1}))
        .await;
    assert_eq!(
        withdraw(&app, &first["session"]).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        staff_withdraw(&app, &by_staff["code"]).await.status(),
        StatusCode::NO_CONTENT
    );

    // The withdrawn session itself cannot enter again...
    let r = app
        .post(
            "/api/entries",
            json!({"session": first["session"], "consent": true, "name": "李四", "phone": "13800138000"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "already_entered").await;
    // ...but a new quiz, same phone, same round, enters with a new code.
    let again = app.entry_made("李四", "13800138000", false).await;
    let again_staff = app.entry_made("王五", "13900139000", false).await;
    for (old, new) in [(&first, &again), (&by_staff, &again_staff)] {
        assert_ne!(old["code"], new["code"]);
        assert_ne!(old["receipt"], new["receipt"]);
        let row = staff_entry(&app, &old["code"]).await;
        assert_eq!(
            row["erased"]["why"], "withdrawn",
            "the old code stays dead: {row}"
        );
        let row = staff_entry(&app, &new["code"]).await;
        assert!(row["erased"].is_null() && row["phone"].is_string(), "{row}");
    }
    // The phone is one entry of the round again: a third try is refused.
    let third = app.passed_session().await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": third, "consent": true, "name": "李四", "phone": "13800138000"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "phone_used").await;

    // The next draw holds the new codes, not the old; the old receipt claims nothing.
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{}/reveal", held["id"]),
            json!({"public_seed": "5"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let next = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 2}),
            "9",
        )
        .await;
    let txt = app.entries_txt(&next["id"]).await;
    for (old, new) in [(&first, &again), (&by_staff, &again_staff)] {
        assert!(!txt.contains(old["code"].as_str().unwrap()), "{txt}");
        assert!(txt.contains(new["code"].as_str().unwrap()), "{txt}");
    }
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": first["receipt"]}))
        .await;
    assert_ne!(r.status(), StatusCode::OK, "the old receipt claims nothing");
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": again["receipt"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "the new one wins a draw of two");
}

/// Whether the entry under `code` still holds a hash of its phone.
fn phone_hash_kept(app: &TestApp, code: &Value) -> bool {
    let sql = format!(
        "SELECT COUNT(*) FROM entries WHERE code = '{}' AND phone_key IS NOT NULL",
        code.as_str().unwrap()
    );
    if on_postgres() {
        return app.sql(&sql).trim() == "1";
    }
    let conn =
        rusqlite::Connection::open_with_flags(app.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap() == 1
}

/// SPEC §7: no earlier winner, claimed or not, is drawn again; a winner
/// who withdraws (by themselves or through staff) and takes the quiz again
/// gets no second code into that round's later pools. Only the phone's
/// keyed hash stays for that, until the round's purge.
#[engines]
async fn a_winner_who_withdraws_cannot_enter_the_same_round_again_claimed_or_not() {
    let app = spawn_app().await;
    let claimed = app.entry_made("李四", "13800138000", true).await;
    let unclaimed = app.entry_made("王五", "13900139000", false).await;
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "U 盘", "winners": 2}),
            "7",
        )
        .await;
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": claimed["receipt"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "both win a draw of two");
    // A non-winner: entered after the draw's commit.
    let late = app.entry_made("赵六", "13512345678", false).await;

    assert_eq!(
        withdraw(&app, &claimed["session"]).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        staff_withdraw(&app, &unclaimed["code"]).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        withdraw(&app, &late["session"]).await.status(),
        StatusCode::NO_CONTENT
    );

    // Name, phone and masks erased at once, as for anyone who withdraws.
    for me in [&claimed, &unclaimed] {
        let row = staff_entry(&app, &me["code"]).await;
        assert!(row["name"].is_null() && row["phone"].is_null(), "{row}");
        assert_eq!(row["erased"]["why"], "withdrawn", "{row}");
        assert!(
            phone_hash_kept(&app, &me["code"]),
            "the winner's hash stays"
        );
    }
    assert!(!phone_hash_kept(&app, &late["code"]), "a non-winner's goes");
    let csv = app.csv().await;
    for gone in ["李四", "13800138000", "王五", "13900139000"] {
        assert!(!csv.contains(gone), "{gone}: {csv}");
    }
    let w = app.get_json(&format!("/api/draws/{}", d["id"])).await;
    assert!(
        w["winners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["name"].is_null() && w["phone"].is_null()),
        "{w}"
    );

    // The hash keeps one prize per person per round, and does nothing else:
    // staff cannot find the withdrawn winner by the phone, nor the desk
    // match the code to it.
    for phone in ["13800138000", "13900139000"] {
        assert_eq!(app.search(phone).await["total"], 0, "{phone}");
    }
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"code": unclaimed["code"], "phone": "13900139000"}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_a_winner").await;

    // A new quiz, the same phone, the same round: refused for the winners...
    for phone in ["13800138000", "13900139000"] {
        let s = app.passed_session().await;
        let r = app
            .post(
                "/api/entries",
                json!({"session": s, "consent": true, "name": "再来", "phone": phone}),
            )
            .await;
        expect_error(r, StatusCode::CONFLICT, "phone_used").await;
    }
    // ...while the non-winner enters again with a new code.
    let again = app.entry_made("赵六", "13512345678", false).await;
    assert_ne!(again["code"], late["code"]);
    let next = app
        .committed(json!({"round": "week-1", "prize": "保温杯", "winners": 1}))
        .await;
    let txt = app.entries_txt(&next["id"]).await;
    assert_eq!(txt, format!("{}\n", again["code"].as_str().unwrap()));

    // The purge erases the kept hashes with the round's key.
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({"force": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for me in [&claimed, &unclaimed, &again] {
        assert!(!phone_hash_kept(&app, &me["code"]), "{me}");
    }
}

#[engines]
async fn staff_withdraw_an_entry_by_its_code_as_the_entrant_would() {
    let app = spawn_app().await;
    let held = app.entry_made("赵六", "13512345678", false).await;
    let early = app.entry_made("孙七", "13612345678", false).await;
    let other = app.entry("王五", "13900139000").await;
    // One draw committed before the withdrawal holds `held`.
    let committed = app
        .committed(json!({"round": "week-1", "prize": "U 盘", "winners": 3}))
        .await;

    // No token, no withdrawal.
    let path = |code: &Value| format!("/admin/api/entries/{}/withdraw", code.as_str().unwrap());
    let r = app.post(&path(&held["code"]), json!({})).await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(staff_entry(&app, &held["code"]).await["phone"].is_string());

    // Found by the public code, typed in lower case without its hyphen.
    let typed = held["code"]
        .as_str()
        .unwrap()
        .replace('-', "")
        .to_lowercase();
    let r = app
        .staff_post(&format!("/admin/api/entries/{typed}/withdraw"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.staff_post(&path(&held["code"]), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "again: the same answer");
    let r = app.staff_post(&path(&early["code"]), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for unknown in ["ZZZZ-ZZZZ", "not-a-code"] {
        let r = app
            .staff_post(&format!("/admin/api/entries/{unknown}/withdraw"), json!({}))
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }

    // Erased at once, for staff too, with no hash of the phone left.
    for me in [&held, &early] {
        let row = staff_entry(&app, &me["code"]).await;
        assert!(row["name"].is_null() && row["phone"].is_null(), "{row}");
        assert_eq!(row["erased"]["why"], "withdrawn", "{row}");
        let own = app
            .get_json(&format!(
                "/api/sessions/{}",
                me["session"].as_str().unwrap()
            ))
            .await;
        assert!(own["entry"]["withdrawn_at"].is_string(), "{own}");
    }
    for phone in ["13512345678", "13612345678"] {
        assert_eq!(app.search(phone).await["total"], 0, "{phone}");
    }
    let csv = app.csv().await;
    assert!(
        !csv.contains("赵六") && !csv.contains("13512345678"),
        "{csv}"
    );

    // Out of the next pool; in the committed one, but it cannot claim.
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{}/reveal", committed["id"]),
            json!({"public_seed": "1 2 3"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    verifies(&app, &committed["id"]).await;
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": held["receipt"]}))
        .await;
    expect_error(r, StatusCode::GONE, "withdrawn").await;
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"code": held["code"], "phone": "13512345678"}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_a_winner").await;
    app.entry("周八", "13700137000").await;
    let next = app
        .committed(json!({"round": "week-1", "prize": "保温杯", "winners": 1}))
        .await;
    let txt = app.entries_txt(&next["id"]).await;
    for me in [&held, &early] {
        assert!(!txt.contains(me["code"].as_str().unwrap()), "{txt}");
    }
    assert!(!txt.contains(&other), "{other} won the first draw: {txt}");

    // Audited once per entry, as staff did it, with no digit of a phone.
    let log = app.staff_json("/admin/api/audit").await;
    let rows: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "entry_withdrawn")
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (row, me) in rows.iter().zip([&early, &held]) {
        let detail = row["detail"].as_str().unwrap();
        assert_eq!(
            detail,
            format!("entry {} withdrawn by staff", me["code"].as_str().unwrap())
        );
        assert!(
            !detail.contains("1234") && !detail.contains("135"),
            "{detail}"
        );
    }
    let o = audit_verify(&database(app.dir.path()));
    assert!(
        o.status.success(),
        "audit-verify finds each withdrawal's row: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Two publishing entrants and one who did not; a revealed draw of all
/// three whose claims stay open for a day.
async fn drawn_with_open_claims(app: &TestApp) -> (Vec<Value>, Value) {
    let made = vec![
        app.entry_made("张三丰", "13800138000", true).await,
        app.entry_made("李四", "13900139000", false).await,
        app.entry_made("王五", "13700137000", true).await,
    ];
    let claim_by = (app.clock.now() + chrono::Duration::days(1)).to_rfc3339();
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 3, "claim_by": claim_by}),
            "1 2 3",
        )
        .await;
    (made, d)
}

#[engines]
async fn a_purge_before_the_last_claim_deadline_needs_force_and_keeps_every_draw_verifiable() {
    let app = spawn_app().await;
    let (made, d) = drawn_with_open_claims(&app).await;
    let masks_before = app.get_json(&format!("/api/draws/{}", d["id"])).await["winners"].clone();

    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({}))
        .await;
    let body = expect_error(r, StatusCode::CONFLICT, "claim_open").await;
    assert!(body["claim_by"].is_string(), "{body}");
    assert!(
        app.csv().await.contains("13800138000"),
        "a refused purge erases nothing"
    );

    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({"force": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["erased"], 3, "{done}");
    assert_eq!(done["how"], "staff, forced");

    // The CSV keeps the rows, with the erased fields empty.
    let csv = app.csv().await;
    for (name, phone) in [("张三丰", "13800138000"), ("李四", "13900139000")] {
        assert!(!csv.contains(name) && !csv.contains(phone), "{csv}");
    }
    let row = csv
        .lines()
        .find(|l| l.starts_with(made[0]["code"].as_str().unwrap()))
        .unwrap();
    assert!(
        row.starts_with(&format!("{},week-1,,,", made[0]["code"].as_str().unwrap())),
        "{row}"
    );

    // Draws, entries.txt and the published masks remain.
    verifies(&app, &d["id"]).await;
    let masks_after = app.get_json(&format!("/api/draws/{}", d["id"])).await["winners"].clone();
    assert_eq!(
        masks_before, masks_after,
        "the published masks outlive the purge"
    );
    assert!(masks_after.to_string().contains("张**"), "{masks_after}");

    // The audit log says who purged what, in counts.
    let purges = purges_audited(&app).await;
    assert_eq!(purges.len(), 1, "{purges:?}");
    assert!(
        purges[0]["detail"].as_str().unwrap().contains("3 entries"),
        "{purges:?}"
    );
    let chain = app.staff_json("/admin/api/audit/verify").await;
    assert_eq!(chain["verified"], true);

    // The purge destroyed the round's phone key with the hashes (SPEC §8):
    // nothing held leads back to the number, so a search by it finds
    // nothing, and in a round still open the number may enter once more.
    let asked = app.search("138 0013 8000").await;
    assert_eq!(asked["total"], 0, "{asked}");
    let again = app.entry_made("张三丰", "13800138000", false).await;
    let s = app.passed_session().await;
    let r = app
        .post(
            "/api/entries",
            json!({"session": s, "consent": true, "name": "张三丰", "phone": "13800138000"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "phone_used").await;
    let asked = app.search("13800138000").await;
    assert_eq!(
        asked["total"], 1,
        "the new entry, under the round's new key: {asked}"
    );
    assert_eq!(asked["entries"][0]["code"], again["code"]);

    // A winner still claims with the receipt; the code and the phone can
    // no longer be checked against anything, and the desk is told so.
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"code": made[0]["code"], "phone": "13800138000"}),
        )
        .await;
    let body = expect_error(r, StatusCode::NOT_FOUND, "not_a_winner").await;
    assert_eq!(body["erased"], "purged", "{body}");
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": made[0]["receipt"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let claimed: Value = r.json().await.unwrap();
    assert!(claimed["name"].is_null(), "{claimed}");
    assert_eq!(claimed["erased"]["why"], "purged");
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": made[1]["receipt"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[engines]
async fn the_service_purges_a_round_by_itself_when_its_keeping_time_is_over() {
    let app = spawn_app_adjusted(|s| s.purge_every = std::time::Duration::from_millis(100)).await;
    let (_, d) = drawn_with_open_claims(&app).await;
    let rounds = app.staff_json("/admin/api/rounds").await;
    assert_eq!(
        rounds[0]["erase_after"], "2099-11-16T18:00:00+08:00",
        "{rounds}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.csv().await.contains("13800138000"),
        "nothing is due yet"
    );

    app.advance(PAST_KEEPING_SECS);
    let purged = last_purge(&app).await;
    assert_eq!(purged["how"], "automatic", "{purged}");
    assert_eq!(purged["erased"], 3);
    assert!(!app.csv().await.contains("13800138000"));
    let purges = purges_audited(&app).await;
    assert!(
        purges[0]["detail"].as_str().unwrap().contains("automatic"),
        "{purges:?}"
    );
    verifies(&app, &d["id"]).await;

    // Once done, the sweep leaves the round alone.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(purges_audited(&app).await.len(), 1, "purged once");
}

#[engines]
async fn a_purge_due_while_the_service_was_stopped_happens_when_it_starts() {
    let app = spawn_app().await;
    drawn_with_open_claims(&app).await;
    // Started again long after: the first sweep runs at once, not ten minutes on.
    let later = app.started_again(PAST_KEEPING_SECS, |_| {}).await;
    let purged = last_purge(&later).await;
    assert_eq!(purged["how"], "automatic", "{purged}");
    assert!(!later.csv().await.contains("13800138000"));
}

#[engines]
async fn a_purge_is_staff_only_and_names_a_round_that_exists() {
    let app = spawn_app().await;
    let r = app
        .post("/admin/api/rounds/week-1/purge", json!({"force": true}))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .staff_post("/admin/api/rounds/no-such-round/purge", json!({}))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({}))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "no claim deadline: no force needed"
    );
}

/// Whether any of the database's files holds these bytes.
fn on_disk(app: &TestApp, needle: &str) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        let mut path = app.db().into_os_string();
        path.push(suffix);
        std::fs::read(&path)
            .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    })
}

#[engines]
async fn erased_names_and_phones_leave_the_database_files_too() {
    if !sqlite_only("the bytes of the SQLite file and its WAL") {
        return;
    }
    let app = spawn_app().await;
    let me = app.entry_made("欧阳修远", "13512345678", false).await;
    app.entry_made("司马光明", "13612345678", false).await;
    assert!(on_disk(&app, "13512345678") && on_disk(&app, "欧阳修远"));

    assert_eq!(
        withdraw(&app, &me["session"]).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let app = &app;
    let what = "no erased name or phone is left in the database or its WAL";
    eventually(FIVE_SECS, what, move || async move {
        ["13512345678", "欧阳修远", "13612345678", "司马光明"]
            .iter()
            .all(|n| !on_disk(app, n))
            .then_some(())
    })
    .await;
}

/// Every value the database holds, as text, as an attacker with a copy of
/// it would read it: each column of each row of each table, and on SQLite
/// also every run of printable bytes in the database file and its WAL
/// (free pages, old frames).
fn stored_strings(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    if on_postgres() {
        let tables = app.sql(
            "SELECT string_agg(tablename, ' ') FROM pg_tables WHERE schemaname = current_schema()",
        );
        for table in tables.split_whitespace() {
            // In hex, so psql's trimming keeps every byte.
            let rows = app.sql(&format!(
                "SELECT encode(convert_to(to_jsonb(t)::text, 'UTF8'), 'hex') FROM {table} t"
            ));
            for line in rows.lines().filter(|l| !l.is_empty()) {
                let row: Value =
                    serde_json::from_slice(&hex::decode(line.trim()).unwrap()).unwrap();
                for v in row.as_object().unwrap().values() {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        Value::Null => {}
                        other => out.push(other.to_string()),
                    }
                }
            }
        }
        return out;
    }
    let conn =
        rusqlite::Connection::open_with_flags(app.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for table in tables {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let width = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..width {
                match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        out.push(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Integer(n) => out.push(n.to_string()),
                    _ => {}
                }
            }
        }
    }
    for suffix in ["", "-wal"] {
        let mut path = app.db().into_os_string();
        path.push(suffix);
        let bytes = std::fs::read(&path).unwrap_or_default();
        for run in bytes.split(|b| !b.is_ascii_graphic()) {
            if run.len() >= 8 {
                out.push(String::from_utf8_lossy(run).into_owned());
            }
        }
    }
    out
}

/// The runs of lowercase hex digits in `s`.
fn hex_runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !matches!(c, '0'..='9' | 'a'..='f'))
        .filter(|r| !r.is_empty())
}

/// The red team's attack on a copy of the database: every stored hash of a
/// phone (any 32 hex digits anywhere) against the phones tried, under
/// every key the database still holds. Each phone is tried exactly under
/// every stored value, and with its mask's 10⁴ neighbours (138****8000:
/// the middle four digits unknown) under every run of 64 hex digits (the
/// service's keys are 256 random bits so written). Returns the phones it
/// found.
fn attack(stored: &[String], phones: &[&str]) -> Vec<String> {
    use quizbooth::contact::PhoneKey;
    use std::collections::BTreeSet;
    let mut hashes = BTreeSet::new();
    let mut keyish = BTreeSet::new();
    for s in stored {
        for run in hex_runs(s).filter(|r| r.len() >= 32) {
            for i in 0..=run.len() - 32 {
                hashes.insert(run[i..i + 32].to_owned());
            }
            for i in 0..=run.len().saturating_sub(64) {
                if let Some(key) = run.get(i..i + 64) {
                    keyish.insert(key.to_owned());
                }
            }
        }
    }
    let every: BTreeSet<&String> = stored.iter().filter(|s| s.len() >= 8).collect();
    let raw: std::collections::HashSet<[u8; 16]> = hashes
        .iter()
        .map(|h| hex::decode(h).unwrap().try_into().unwrap())
        .collect();
    let mut found = Vec::new();
    for phone in phones {
        let exact = every
            .iter()
            .any(|k| hashes.contains(&PhoneKey::new(k.as_bytes()).of(phone)));
        let masked = exact
            || keyish.iter().any(|k| {
                let key = FastMac::new(k.as_bytes().try_into().unwrap());
                assert_eq!(
                    hex::encode(key.of(phone.as_bytes())),
                    PhoneKey::new(k.as_bytes()).of(phone),
                    "the attacker's HMAC is the service's"
                );
                let mut guess: [u8; 11] = phone.as_bytes().try_into().unwrap();
                (0..10_000u32).any(|middle| {
                    for (i, d) in [1000, 100, 10, 1].iter().enumerate() {
                        guess[3 + i] = b'0' + (middle / d % 10) as u8;
                    }
                    raw.contains(&key.of(&guess))
                })
            });
        if masked {
            found.push((*phone).to_owned());
        }
    }
    found
}

/// HMAC-SHA-256 under a 64-byte key, cut to its first 128 bits, straight
/// from SHA-256's compression function: the attacker's fast path.
struct FastMac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl FastMac {
    const IV: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    fn new(key: &[u8; 64]) -> Self {
        let state = |pad: u8| {
            let block: Vec<u8> = key.iter().map(|b| b ^ pad).collect();
            let mut s = Self::IV;
            sha2::compress256(
                &mut s,
                &[*sha2::digest::generic_array::GenericArray::from_slice(
                    &block,
                )],
            );
            s
        };
        Self {
            inner: state(0x36),
            outer: state(0x5c),
        }
    }

    /// The MAC of a message of at most 55 bytes.
    fn of(&self, msg: &[u8]) -> [u8; 16] {
        let last_block = |state: &[u32; 8], msg: &[u8]| {
            let mut block = [0u8; 64];
            block[..msg.len()].copy_from_slice(msg);
            block[msg.len()] = 0x80;
            block[56..].copy_from_slice(&(((64 + msg.len()) * 8) as u64).to_be_bytes());
            let mut s = *state;
            sha2::compress256(&mut s, &[block.into()]);
            let mut out = [0u8; 32];
            for (i, w) in s.iter().enumerate() {
                out[4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
            }
            out
        };
        let inner = last_block(&self.inner, msg);
        let outer = last_block(&self.outer, &inner);
        outer[..16].try_into().unwrap()
    }
}

/// [`attack`] on a thread of its own: the server under test shares this
/// test's runtime and keeps serving meanwhile.
async fn attack_off_thread(stored: Vec<String>, phones: &[&str]) -> Vec<String> {
    let phones: Vec<String> = phones.iter().map(|p| (*p).to_owned()).collect();
    let started = std::time::Instant::now();
    let found = tokio::task::spawn_blocking(move || {
        let phones: Vec<&str> = phones.iter().map(String::as_str).collect();
        attack(&stored, &phones)
    })
    .await
    .unwrap();
    eprintln!("attack: {:?}, found {found:?}", started.elapsed());
    found
}

#[engines]
async fn a_purged_phone_cannot_be_found_again_by_trying_every_number_under_any_key_kept() {
    let app = spawn_app().await;
    let purged = ["13512345678", "13687654321"];
    let published = app.entry_made("欧阳修远", purged[0], true).await;
    let withdrawn = app.entry_made("司马光明", purged[1], false).await;
    // A win claimed with the code and the phone, so every audit line is there too.
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 2}),
            "4 5 6",
        )
        .await;
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"code": published["code"], "phone": purged[0]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The other winner withdraws: the phone's hash stays until the purge (SPEC §7).
    assert_eq!(
        withdraw(&app, &withdrawn["session"]).await.status(),
        StatusCode::NO_CONTENT
    );

    // The attack works: before the purge it finds both, from the hashes and their key.
    let before = attack_off_thread(stored_strings(&app), &purged).await;
    assert_eq!(before, purged, "before the purge the attacker finds them");

    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Someone who enters after the purge: their phone is found (the
    // attack still works on what is held), the purged ones are not.
    let later = "13911112222";
    app.entry("后来者", later).await;
    // SQLite's WAL is emptied just after the purge.
    let (app, targets) = (&app, [purged[0], purged[1], later]);
    let what = "after the purge no key held reproduces a purged phone's hash, even knowing its mask, and the later one's still does";
    eventually(Duration::from_secs(30), what, move || async move {
        let found = attack_off_thread(stored_strings(app), &targets).await;
        (found == [later]).then_some(())
    })
    .await;
    verifies(app, &d["id"]).await;
}

#[engines]
async fn the_audit_log_keeps_no_digit_of_a_phone() {
    let app = spawn_app().await;
    let by_phone = app.entry_made("欧阳修远", "13512345678", true).await;
    let by_receipt = app.entry_made("司马光明", "13687654321", false).await;
    let withdrawn = app.entry_made("诸葛亮亮", "13799990000", true).await;
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 3}),
            "4 5 6",
        )
        .await;
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"code": by_phone["code"], "phone": "13512345678"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .staff_post(
            "/admin/api/claims",
            json!({"receipt": by_receipt["receipt"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        withdraw(&app, &withdrawn["session"]).await.status(),
        StatusCode::NO_CONTENT
    );
    app.csv().await;
    app.staff_json(&format!("/admin/api/draws/{}/winners", d["id"]))
        .await;
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let log = app.staff_json("/admin/api/audit").await;
    let details: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["detail"].as_str().unwrap())
        .collect();
    let claims: Vec<&&str> = details
        .iter()
        .filter(|d| d.contains("handed out"))
        .collect();
    assert_eq!(claims.len(), 2, "{details:?}");
    assert!(
        details.iter().any(|d| d.contains("欧***")),
        "the masked name stays: {details:?}"
    );
    for detail in &details {
        // A digest's hex digits aside, no run of a phone's digits.
        let words: String = detail
            .split(' ')
            .filter(|w| w.len() < 32)
            .collect::<Vec<_>>()
            .join(" ");
        for phone in ["13512345678", "13687654321", "13799990000"] {
            assert!(
                !words.contains(&phone[7..]) && !words.contains(&phone[..3]),
                "no digit run of a phone in the audit log: {detail}"
            );
        }
    }
}

/// The round of `/admin/api/rounds` with this set and id.
async fn round_listed(app: &TestApp, set: &str, id: &str) -> Value {
    let rounds = app.staff_json("/admin/api/rounds").await;
    rounds
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["set"] == set && r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{set}/{id} is listed: {rounds}"))
}

#[engines]
async fn a_round_a_new_version_renames_is_listed_and_purged_when_its_own_keeping_time_is_over() {
    let app = spawn_app_adjusted(|s| s.purge_every = std::time::Duration::from_millis(100)).await;
    app.entry("欧阳修远", "13512345678").await;
    let withdrawn = app.entry_made("司马光明", "13687654321", false).await;
    assert_eq!(
        withdraw(&app, &withdrawn["session"]).await.status(),
        StatusCode::NO_CONTENT
    );
    // Version 2 renames the round and gives it another close and keeping time.
    let v2 = BANK.replace("  - id: week-1", "  - id: week-one").replace(
        "closes: 2099-10-17T18:00:00+08:00",
        "closes: 2098-01-01T00:00:00+08:00",
    );
    let r = app.upload_yaml("/admin/api/sets", &v2).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // The old round is still listed, with the erase date of the version
    // its entries were made on (2099-10-17 plus 30 days).
    let old = round_listed(&app, "fixture-valid", "week-1").await;
    assert_eq!(old["in_set"], false, "{old}");
    assert_eq!(old["entries"], 2, "{old}");
    assert_eq!(old["pool"], 1, "the withdrawn entry is left out: {old}");
    assert_eq!(old["erase_after"], "2099-11-16T18:00:00+08:00", "{old}");
    assert!(old["erase_warning"].is_null(), "{old}");
    assert!(old["purged_at"].is_null(), "{old}");
    let new = round_listed(&app, "fixture-valid", "week-one").await;
    assert_eq!(new["live"], true, "{new}");
    assert_eq!(new["entries"], 0, "{new}");
    assert_eq!(new["erase_after"], "2098-01-31T00:00:00+08:00", "{new}");

    // Not before that date; then by the sweep, by itself.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.csv().await.contains("13512345678"),
        "nothing is due yet"
    );
    app.advance(PAST_KEEPING_SECS);
    let app = &app;
    let old = eventually(
        FIVE_SECS,
        "the round is purged by itself",
        move || async move {
            let old = round_listed(app, "fixture-valid", "week-1").await;
            (!old["purged_at"].is_null()).then_some(old)
        },
    )
    .await;
    assert_eq!(old["last_purge"]["how"], "automatic", "{old}");
    assert_eq!(old["last_purge"]["erased"], 1, "{old}");
    assert!(!app.csv().await.contains("13512345678"));
}

#[engines]
async fn a_round_with_entries_that_never_closes_is_listed_with_a_warning() {
    // No rounds: the one round `open`, always open.
    let never = BANK.replace(
        "rounds:\n  - id: week-1\n    opens: 2021-10-11T09:00:00+08:00\n    closes: 2099-10-17T18:00:00+08:00\n",
        "",
    );
    assert_ne!(never, BANK);
    let app = spawn_app_with(&[("valid.yaml", &never)]).await;
    app.entry("欧阳修远", "13512345678").await;
    let round = round_listed(&app, "fixture-valid", "open").await;
    assert!(round["erase_after"].is_null(), "{round}");
    assert_eq!(round["erase_warning"], "never_closes", "{round}");
    assert_eq!(round["entries"], 1, "{round}");
}

/// A PostgreSQL database from before per-round keys (schema version 5,
/// so without migration 7's sources nor 9's funnel either):
/// every phone hashed under one secret in `meta`, and a purged entry that
/// kept its hash. Migration 6 hashes the held phone again under its round's
/// key, drops the purged one's hash and deletes the secret: the attacker
/// then finds the held number and not the purged one.
#[engines]
async fn phones_hashed_under_the_one_old_secret_are_hashed_again_and_a_purged_ones_hash_goes() {
    if !on_postgres() {
        eprintln!("PostgreSQL's migration 6; SQLite's 11 is a unit test of the migrations");
        return;
    }
    let app = spawn_app().await;
    let held = app.entry("欧阳修远", "13512345678").await;
    let purged = app.entry("司马光明", "13687654321").await;
    let old =
        quizbooth::contact::PhoneKey::new(b"the-one-old-secret-of-every-round-0123456789abcdef");
    app.sql(&format!(
        "DROP TABLE round_keys, round_versions, sources, question_picks, question_secs, funnel_stats;
         ALTER TABLE submissions DROP COLUMN source;
         ALTER TABLE entries DROP COLUMN source;
         DROP FUNCTION quizbooth_round_versions() CASCADE;
         INSERT INTO meta (key, value) VALUES ('phone_key_secret', 'the-one-old-secret-of-every-round-0123456789abcdef');
         UPDATE entries SET phone_key = '{}' WHERE code = '{held}';
         UPDATE entries SET phone_key = '{}', name = NULL, phone = NULL, erased = 'purged',
             erased_at = '2026-12-01T10:00:00+08:00' WHERE code = '{purged}';
         UPDATE schema_version SET version = 5;",
        old.of("13512345678"),
        old.of("13687654321"),
    ));
    let before = attack_off_thread(stored_strings(&app), &["13512345678", "13687654321"]).await;
    assert_eq!(before.len(), 2, "the old secret finds both: {before:?}");

    let again = app.started_again(0, |_| {}).await;
    assert_eq!(
        app.sql("SELECT count(*) FROM meta WHERE key = 'phone_key_secret'"),
        "0"
    );
    let found = attack_off_thread(stored_strings(&app), &["13512345678", "13687654321"]).await;
    assert_eq!(
        found,
        ["13512345678"],
        "the held number only, under its round's key"
    );
    // The held entry's hash works under its round's key: search and uniqueness.
    let asked = again.search("13512345678").await;
    assert_eq!(asked["total"], 1, "{asked}");
    assert_eq!(asked["entries"][0]["code"], held.as_str());
    let s = again.passed_session().await;
    let r = again
        .post(
            "/api/entries",
            json!({"session": s, "consent": true, "name": "欧阳修远", "phone": "13512345678"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "phone_used").await;
}
