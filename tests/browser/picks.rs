//! What people get wrong (SPEC §11), as the visitor's page and the console
//! show it: the page sends the seconds each question was on screen with
//! the answers, and the console's numbers name each question's wrong
//! option most picked and its median time, worst answered first (or in
//! the bank's order), checked by axe.

use crate::support::app::*;
use crate::support::chromium::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The questions of the stats, by id.
async fn stats_questions(app: &TestApp) -> Vec<Value> {
    let s: Value = app.staff_json("/admin/api/stats").await;
    s["questions"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_page_sends_the_seconds_spent_on_each_question() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.wait_css("#start").await;
    let began = Instant::now();
    b.click("#start").await;
    b.wait_css("input.option").await;
    // The first question stays on screen a while, twice (a revisit adds up).
    tokio::time::sleep(Duration::from_millis(1600)).await;
    b.click("#next").await;
    b.wait_js("document.querySelector('.qhead span').textContent.indexOf('2 /') === 0")
        .await;
    b.click("#prev").await;
    b.wait_js("document.querySelector('.qhead span').textContent.indexOf('1 /') === 0")
        .await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for _ in 0..3 {
        b.wait_css("input.option").await;
        b.click("input.option").await;
        if b.js("return !!document.getElementById('submit');").await == true {
            b.click("#submit").await;
            break;
        }
        b.click("#next").await;
    }
    b.wait_css("#score").await;
    let spent = began.elapsed().as_secs_f64().ceil() as u64;
    // One submission: each question's median is its own time.
    let times: Vec<Option<u64>> = stats_questions(&app)
        .await
        .iter()
        .map(|q| q["median_secs"].as_u64())
        .collect();
    assert!(
        times.iter().all(Option::is_some),
        "every question shown was timed: {times:?}"
    );
    let times: Vec<u64> = times.into_iter().flatten().collect();
    let longest = *times.iter().max().unwrap();
    assert!(longest >= 3, "1.6 s twice on one question: {times:?}");
    let sum: u64 = times.iter().sum();
    assert!(sum <= spent, "{times:?} in {spent} s");
    // Nothing of it stays in the phone once sent.
    let kept = b
        .js("return Object.keys(localStorage).filter(function (k) { return k.indexOf('quizbooth.secs.') === 0; });")
        .await;
    assert_eq!(kept, json!([]));
    b.close().await;
}

/// Submissions on the sample bank through the API: question `i` of the
/// bank is answered right by fewer visitors the further down it is, and
/// wrongly with its first wrong option more often than the others; the
/// times grow with `i`.
async fn sample_answers(app: &TestApp, bank: &quizbooth::bank::Bank, visitors: usize) {
    let mut sessions = Vec::new();
    for _ in 0..visitors {
        sessions.push(app.start().await);
    }
    app.advance(300);
    for (v, s) in sessions.iter().enumerate() {
        let (mut answers, mut secs) = (json!({}), json!({}));
        for q in s["questions"].as_array().unwrap() {
            let id = q["id"].as_str().unwrap();
            let (i, bq) = bank
                .questions
                .iter()
                .enumerate()
                .find(|(_, b)| b.id == id)
                .unwrap();
            let wrong: Vec<char> = bq
                .options
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| !bq.answer.contains(k))
                .collect();
            let right = (v * 7 + i * 3) % 10 >= i % 8;
            let given: Vec<String> = if right || wrong.is_empty() {
                bq.answer.iter().map(char::to_string).collect()
            } else {
                let k = if v % 3 == 2 && wrong.len() > 1 {
                    wrong[1]
                } else {
                    wrong[0]
                };
                vec![k.to_string()]
            };
            answers[id] = json!(given);
            secs[id] = json!(4 + i % 20 + v % 5);
        }
        let id = s["session"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/sessions/{id}/answers"),
                json!({"answers": answers, "secs": secs}),
            )
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::OK);
    }
}

#[tokio::test]
async fn the_console_names_the_wrong_option_most_picked_and_the_median_worst_first() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let sample = include_str!("../../questions/netsec-week.yaml");
    let bank = quizbooth::bank::parse_bank(sample).bank.unwrap();
    let app = spawn_app_with(&[("netsec-week.yaml", sample)]).await;
    sample_answers(&app, &bank, 40).await;
    let questions = stats_questions(&app).await;
    b.console(&app).await;
    b.wait_css("#stats-chart .bar-row").await;

    // Worst answered first: the first row is a question of the lowest share.
    let share = |q: &Value| q["correct"].as_f64().unwrap() / q["answered"].as_f64().unwrap();
    let answered: Vec<&Value> = questions.iter().filter(|q| q["answered"] != 0).collect();
    let worst = answered
        .iter()
        .map(|q| share(q))
        .fold(f64::INFINITY, f64::min);
    let first = b
        .js("return document.querySelector('#stats-chart .bar-row').getAttribute('data-question');")
        .await;
    let first_q = questions.iter().find(|q| q["id"] == first).unwrap();
    assert_eq!(share(first_q), worst, "{first}");
    // Its wrong option most picked, with letter, count and share, and its median.
    let (key, n) = first_q["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .filter(|k| !first_q["answer"].as_array().unwrap().contains(&json!(k)))
        .map(|k| (k, first_q["picks"][k].as_i64().unwrap()))
        .fold(("", 0), |best, x| if x.1 > best.1 { x } else { best });
    assert!(n > 0, "{first_q}");
    let row = "document.querySelector('#stats-chart .bar-row')";
    let wrong = b
        .js(&format!(
            "return {row}.querySelector('.bar-wrong').textContent;"
        ))
        .await;
    let wrong = wrong.as_str().unwrap();
    assert!(wrong.starts_with(&format!("最常选错：{key}「")), "{wrong}");
    let p = (100.0 * n as f64 / first_q["answered"].as_f64().unwrap()).round();
    assert!(wrong.ends_with(&format!("{n} 人（{p}%）")), "{wrong}");
    let secs = b
        .js(&format!(
            "return {row}.querySelector('.bar-secs').textContent;"
        ))
        .await;
    assert_eq!(
        secs,
        json!(format!("用时中位数 {} 秒", first_q["median_secs"]))
    );
    b.js("document.getElementById('stats-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-stats-picks.png").await;
    let found = b.axe().await;
    if let Some(v) = found {
        assert_eq!(v, json!([]), "axe on the console's numbers");
    }

    // The bank's order, and back.
    b.click("#chart-order").await;
    let order = b
        .js("return Array.prototype.map.call(document.querySelectorAll('#stats-chart .bar-row'), function (g) { return +g.getAttribute('data-n'); });")
        .await;
    let order: Vec<u64> = serde_json::from_value(order).unwrap();
    assert_eq!(order, (1..=order.len() as u64).collect::<Vec<_>>());
    assert_eq!(
        b.js(&format!("return {};", text_of("#chart-heading")))
            .await,
        "各题答对率（题库顺序）"
    );
    b.click("#chart-order").await;
    assert_eq!(
        b.js(
            "return document.querySelector('#stats-chart .bar-row').getAttribute('data-question');"
        )
        .await,
        first
    );
    b.close().await;
}
