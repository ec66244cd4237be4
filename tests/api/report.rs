//! SPEC §11, the report: `GET /admin/api/report` (the data of the printable
//! page `/admin/report`) says what the APIs say, figure for figure, and
//! holds no name, phone or receipt.

use crate::support::app::*;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NAME: &str = "欧阳娜娜";
const PHONE: &str = "13912345678";

/// An event: four passed entries (the first with a known name and phone,
/// who agrees to publication), two failed submissions (`channels` answered
/// wrong in both, `hotline` and `answer-96110` in one each), a started session left unsubmitted, a draw of
/// two revealed and its first winner's prize claimed, and a second draw
/// committed only. Returns the app and the known entrant's 201.
async fn event() -> (TestApp, Value) {
    let app = spawn_app().await;
    app.list_sources(json!([{"id": "wuhua", "name": "五华区", "headcount": 40}, {"id": "booth", "name": "展台现场"}])).await;
    // Visitors from the sources' posters: two pass and one enters from wuhua.
    for src in ["wuhua", "wuhua", "booth", "share"] {
        assert_eq!(
            app.get(&format!("/?src={src}")).await.status(),
            StatusCode::OK
        );
    }
    for src in ["wuhua", "wuhua"] {
        let s: Value = app
            .post("/api/sessions", json!({"lang": "zh", "src": src}))
            .await
            .json()
            .await
            .unwrap();
        let id = s["session"].as_str().unwrap();
        assert_eq!(app.submit_right(id).await.status(), StatusCode::OK);
    }
    app.get("/").await;
    let known = app.entry_made(NAME, PHONE, true).await;
    for i in 1..4 {
        app.entry_made(&format!("观众{i}"), &format!("1390000{i:04}"), i % 2 == 0)
            .await;
    }
    for wrong in [
        json!({"hotline": ["A"], "channels": ["A"], "answer-96110": ["T"]}),
        json!({"hotline": ["B"], "channels": ["B"], "answer-96110": ["F"]}),
    ] {
        let id = app.start().await["session"].as_str().unwrap().to_owned();
        let r = app
            .post(
                &format!("/api/sessions/{id}/answers"),
                json!({ "answers": wrong }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    app.start().await;
    let drawn = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 2}),
            "7 3 9 1 5",
        )
        .await;
    let first = drawn["winners"][0]["code"].as_str().unwrap().to_owned();
    // The known entrant claims if they won; else the first winner by code and phone.
    let body = if first == known["code"] {
        json!({"receipt": known["receipt"]})
    } else {
        let phone = app
            .staff_json(&format!("/admin/api/draws/{}/winners", drawn["id"]))
            .await["winners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == first.as_str())
            .map(|w| w["phone"].clone())
            .unwrap();
        json!({"code": first, "phone": phone})
    };
    let r = app.staff_post("/admin/api/claims", body).await;
    assert_eq!(r.status(), StatusCode::OK, "the claim");
    app.committed(json!({"round": "week-1", "prize": "帆布袋", "winners": 1}))
        .await;
    (app, known)
}

async fn report(app: &TestApp, query: &str) -> Value {
    let r = app.staff_get(&format!("/admin/api/report{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["cache-control"],
        "no-store",
        "no cache keeps it"
    );
    r.json().await.unwrap()
}

#[engines]
async fn every_figure_of_the_report_equals_the_apis() {
    let (app, _) = event().await;
    let rep = report(&app, "?set=fixture-valid").await;
    let stats = app.staff_json("/admin/api/stats?set=fixture-valid").await;

    // Headline figures: the stats'.
    let f = &rep["figures"];
    assert_eq!(f["started"], stats["sessions"]["started"]);
    assert_eq!(f["submitted"], stats["sessions"]["submitted"]);
    assert_eq!(f["passed"], stats["sessions"]["passed"]);
    assert_eq!(f["entries"], stats["entries"]);
    assert_eq!(
        (
            f["started"].as_i64(),
            f["submitted"].as_i64(),
            f["passed"].as_i64(),
            f["entries"].as_i64()
        ),
        (Some(9), Some(8), Some(6), Some(4)),
        "what the event did"
    );

    // The funnel: the funnel API's, by day and by source, and its totals.
    let fu = &rep["funnel"];
    for (by, key) in [("day", "by_day"), ("source", "by_source")] {
        let api = app
            .staff_json(&format!("/admin/api/funnel?set=fixture-valid&by={by}"))
            .await;
        assert_eq!(fu[key], api["rows"], "by {by}");
        assert_eq!(fu["totals"], api["totals"], "by {by}");
    }
    assert_eq!(f["visits"], fu["totals"]["visits"]);
    assert_eq!(f["visits"], 5, "four from posters, one direct");
    assert_eq!(
        fu["totals"]["starts"], f["started"],
        "the funnel adds up to the stats"
    );
    assert_eq!(fu["totals"]["entries"], f["entries"]);
    let wuhua = fu["by_source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "wuhua")
        .unwrap();
    assert_eq!(
        (wuhua["starts"].as_i64(), wuhua["passed"].as_i64()),
        (Some(2), Some(2))
    );

    // The league: the listed sources only, each as its funnel row says,
    // those with a headcount first (by rate).
    let league = fu["league"].as_array().unwrap();
    let keys: Vec<&str> = league.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["wuhua", "booth"], "direct and share are no unit");
    assert_eq!(fu["league_by"], "rate");
    for r in league {
        let row = fu["by_source"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == r["key"])
            .unwrap();
        for k in ["name", "headcount", "starts", "entries", "rate"] {
            assert_eq!(r[k], row[k], "{} {k}", r["key"]);
        }
    }

    // The worst questions: the stats' counts, worst share right first.
    let worst = rep["worst"].as_array().unwrap();
    assert_eq!(
        worst.len(),
        3,
        "every question answered wrong by someone, at most five"
    );
    let mut shares = Vec::new();
    for q in worst {
        let s = stats["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == q["id"])
            .unwrap();
        assert_eq!(q["answered"], s["answered"], "{}", q["id"]);
        assert_eq!(q["correct"], s["correct"], "{}", q["id"]);
        for o in q["options"].as_array().unwrap() {
            let key = o["key"].as_str().unwrap();
            assert_eq!(o["picks"], s["picks"][key], "{} {key}", q["id"]);
        }
        for w in q["wrong"].as_array().unwrap() {
            let key = w["key"].as_str().unwrap();
            assert_eq!(w["picks"], s["picks"][key], "{} {key}", q["id"]);
            assert!(
                !s["answer"].as_array().unwrap().contains(&w["key"]),
                "a wrong option"
            );
        }
        shares.push(q["correct"].as_f64().unwrap() / q["answered"].as_f64().unwrap());
    }
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1]),
        "worst first: {shares:?}"
    );
    assert_eq!(
        worst[0]["id"], "channels",
        "wrong in both failed submissions"
    );
    assert_eq!(
        worst[0]["explanation"],
        Value::Null,
        "the fixture explains no `channels`"
    );
    let hotline = worst.iter().find(|q| q["id"] == "hotline").unwrap();
    assert_eq!(hotline["explanation"]["zh"], "12377 是网信部门的举报电话。");
    assert_eq!(
        hotline["explanation"]["en"],
        "12377 is the CAC reporting hotline."
    );
    assert_eq!(hotline["answer"], json!(["B"]));
    assert_eq!(
        hotline["wrong"],
        json!([{"key": "A", "picks": 1}]),
        "the first failure's"
    );
    assert_eq!(
        worst[0]["wrong"],
        json!([{"key": "B", "picks": 1}]),
        "the second failure's"
    );

    // Rounds: the rounds API's counts and erase dates.
    let rounds = app.staff_json("/admin/api/rounds").await;
    for r in rep["rounds"].as_array().unwrap() {
        let api = rounds
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["set"] == r["set"] && x["id"] == r["id"])
            .unwrap();
        assert_eq!(r, api, "round {} as the rounds API lists it", r["id"]);
    }
    assert_eq!(rep["rounds"][0]["erase_after"], rounds[0]["erase_after"]);
    assert!(rep["rounds"][0]["erase_after"].is_string());

    // Draws: as their public pages say, with the claims counted.
    let draws = rep["draws"].as_array().unwrap();
    assert_eq!(draws.len(), 2);
    for d in draws {
        let public: Value = app.get_json(&format!("/api/draws/{}", d["id"])).await;
        for key in [
            "entries_digest",
            "public_seed",
            "entry_count",
            "status",
            "winners",
            "prize",
            "committed_at",
            "revealed_at",
        ] {
            assert_eq!(d[key], public[key], "draw {} {key}", d["id"]);
        }
        let claimed = public["winners"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["claimed"] == true)
            .count();
        assert_eq!(d["claimed"], claimed, "draw {}", d["id"]);
        assert_eq!(
            d["link"],
            format!("http://127.0.0.1:8080/draws/{}", d["id"]),
            "the public page"
        );
    }
    assert_eq!(draws[0]["public_seed"], "73915");
    assert_eq!(draws[0]["claimed"], 1);
    assert_eq!(draws[1]["status"], "committed");

    // The bank's facts: title, organizer, dates.
    assert_eq!(rep["set"]["title"]["zh"], "测试题库");
    assert_eq!(rep["organizer"]["zh"], "测试主办方");
    assert_eq!(rep["organizer"]["en"], "Test organizer");
    assert_eq!(rep["dates"]["closes"], "2099-10-17T18:00:00+08:00");

    // The live set is the default.
    let live = report(&app, "").await;
    assert_eq!(live["figures"], rep["figures"]);
}

#[engines]
async fn the_report_holds_no_name_phone_or_receipt() {
    let (app, known) = event().await;
    let text = app
        .staff_get("/admin/api/report?set=fixture-valid")
        .await
        .text()
        .await
        .unwrap();
    let receipt = known["receipt"].as_str().unwrap();
    let bare: String = receipt.chars().filter(|c| *c != '-').collect();
    for secret in [NAME, PHONE, receipt, bare.as_str(), "观众1", "13900000001"] {
        assert!(!text.contains(secret), "the report shows {secret:?}");
    }
    // The winners who agreed to publication show as the public draw page
    // shows them: masked.
    let rep: Value = serde_json::from_str(&text).unwrap();
    for w in rep["draws"][0]["winners"].as_array().unwrap() {
        for key in ["name", "phone"] {
            if let Some(mask) = w[key].as_str() {
                assert!(mask.contains('*'), "a mask: {mask}");
            }
        }
    }
    // The page itself is a shell; its data needs the token.
    let page = app.get("/admin/report?set=fixture-valid").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"report\""));
    assert!(!html.contains(NAME) && !html.contains(PHONE));

    // Before the purge the privacy statement has the erase date; after it,
    // when and how many were erased.
    assert!(rep["rounds"][0]["erase_after"].is_string());
    assert!(rep["rounds"][0]["last_purge"].is_null());
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({"force": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let after = report(&app, "?set=fixture-valid").await;
    assert_eq!(
        after["rounds"][0]["last_purge"]["erased"], 4,
        "every entry's contacts"
    );
    assert_eq!(
        after["rounds"][0]["purged_at"],
        after["rounds"][0]["last_purge"]["at"]
    );
    assert_eq!(
        after["figures"], rep["figures"],
        "a purge changes no figure"
    );
}

#[engines]
async fn the_report_is_for_staff_and_names_a_known_set() {
    let app = spawn_app().await;
    let r = app.get("/admin/api/report").await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = app.staff_get("/admin/api/report?set=no-such-set").await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // A set nobody has played yet: zeros, no worst questions, no draws.
    let rep = report(&app, "?set=fixture-valid").await;
    assert_eq!(rep["figures"]["started"], 0);
    assert_eq!(rep["worst"], json!([]));
    assert_eq!(rep["draws"], json!([]));
}
