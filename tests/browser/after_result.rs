//! After a result (SPEC §11): practice on the missed questions (错题再练),
//! which writes nothing and counts in no number, and the share card, a PNG
//! to long-press with the set's title, the score and a QR of `/?src=share`,
//! and nothing private.

use crate::support::app::*;
use crate::support::chromium::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Answers the question on screen: the hotline and the channels wrongly,
/// the true-or-false rightly; then goes on (or submits on the last).
const ANSWER_BADLY: &str = "
    const q = document.getElementById('qtext').textContent;
    const labels = Array.prototype.slice.call(document.querySelectorAll('label.opt'));
    const text = (l) => l.querySelector('.ot').textContent.trim();
    const want = q.indexOf('96110') >= 0 ? ['正确'] : q.indexOf('举报电话') >= 0 ? ['110'] : ['点击陌生短信里的链接'];
    labels.filter((l) => want.indexOf(text(l)) >= 0).forEach((l) => l.click());
    const last = document.getElementById('submit');
    (last || document.getElementById('next')).click();
    return !!last;";

/// Every request the page makes from now on, as `METHOD url`.
const RECORD_REQUESTS: &str = "
    window.sent = [];
    const real = window.fetch;
    window.fetch = function (url, o) { window.sent.push(((o && o.method) || 'GET') + ' ' + url); return real(url, o); };
    return true;";

/// The question on the practice screen, `{id, text}`, or null (an expression).
const PRACTISED: &str = "document.querySelector('[data-qid]') && \
    {id: document.querySelector('[data-qid]').getAttribute('data-qid'), text: document.getElementById('ptext').textContent}";

/// Takes the quiz in the browser with two of three wrong (1/3, under the
/// pass mark of 60 %).
async fn fail_on_purpose(b: &Browser, app: &TestApp) {
    b.client.goto(&app.url("/")).await.unwrap();
    b.click("#start").await;
    for _ in 0..3 {
        b.wait_css("input.option").await;
        if b.js(ANSWER_BADLY).await == json!(true) {
            break;
        }
    }
    let score = b.wait_css("#score").await;
    assert_eq!(
        score.attr("data-passed").await.unwrap().as_deref(),
        Some("false")
    );
}

#[tokio::test]
async fn practice_replays_only_the_missed_questions_and_moves_no_number() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    fail_on_purpose(&b, &app).await;
    let session = b
        .js("return localStorage.getItem('quizbooth.session');")
        .await;
    let session = session.as_str().unwrap();
    let result = app.get_json(&format!("/api/sessions/{session}")).await;
    let missed: BTreeSet<String> = result["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["correct"] == json!(false))
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        missed,
        BTreeSet::from(["hotline".to_owned(), "channels".to_owned()])
    );
    let missed_texts = b
        .js("return Array.prototype.map.call(document.querySelectorAll('.rv.bad .q'), function (p) { return p.textContent; }).sort();")
        .await;
    let stats = app.staff_json("/admin/api/stats").await;

    b.js(RECORD_REQUESTS).await;
    b.js("document.getElementById('practice').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.screenshot("result-after-390.png").await;
    let label = b.wait_css("#practice").await.text().await.unwrap();
    assert!(label.contains("练习答错的 2 题"), "{label}");
    b.click("#practice").await;
    b.wait_js("document.getElementById('app').getAttribute('data-screen') === 'practice'")
        .await;
    assert_eq!(
        b.js("return document.documentElement.classList.contains('large') && localStorage.getItem('quizbooth.large');")
            .await,
        Value::Null,
        "practice is in 长辈版, and the visitor's own choice stays as it was"
    );

    let mut practised: Vec<Value> = Vec::new();
    let mut reloaded = false;
    loop {
        let q = b.wait_js(PRACTISED).await;
        practised.push(q.clone());
        if q["id"] == "hotline" {
            // A single answer shows its explanation at once.
            b.js("Array.prototype.filter.call(document.querySelectorAll('label.opt'), function (l) { return l.querySelector('.ot').textContent.trim() === '110'; })[0].click(); return true;")
                .await;
        } else {
            b.click("input.popt").await;
            b.click("#practice-check").await;
        }
        let feedback = b
            .wait_js("document.getElementById('practice-feedback') && document.getElementById('practice-feedback').textContent")
            .await;
        let feedback = feedback.as_str().unwrap();
        assert!(feedback.contains("正确答案："), "{feedback}");
        if q["id"] == "hotline" {
            assert!(
                feedback.contains("答错了") && feedback.contains("12377 是网信部门的举报电话"),
                "{feedback}"
            );
            b.screenshot("practice-answered-390.png").await;
            let sizes = b.js(crate::SIZES).await;
            assert_eq!(
                sizes,
                json!({"small": [], "low": []}),
                "长辈版: no text under 18 px, every target 60 px"
            );
        }
        if !reloaded {
            // A reload carries on with the same question, answered.
            reloaded = true;
            let sent = b.js("return window.sent;").await;
            assert_eq!(sent, json!([]), "practice sends nothing");
            b.client.refresh().await.unwrap();
            let again = b.wait_js(PRACTISED).await;
            assert_eq!(again, q, "the same question after a reload");
            b.wait_css("#practice-feedback").await;
            b.js(RECORD_REQUESTS).await;
        }
        b.click("#practice-next").await;
        let done = b
            .wait_js("document.getElementById('practice-again') ? 'done' : (document.querySelector('[data-qid]') && !document.getElementById('practice-feedback') && 'next')")
            .await;
        if done == "done" {
            break;
        }
        assert!(practised.len() < 5, "practice ends: {practised:?}");
    }
    let ids: BTreeSet<String> = practised
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, missed, "exactly the missed questions");
    assert_eq!(practised.len(), missed.len(), "each once: {practised:?}");
    let mut texts: Vec<Value> = practised.iter().map(|q| q["text"].clone()).collect();
    texts.sort_by_key(ToString::to_string);
    assert_eq!(
        json!(texts),
        missed_texts,
        "the texts of the result's wrong ones"
    );

    // The end: no entry form, nothing to enter; back to the result.
    let end = b.js("return {form: !!document.getElementById('entry-form') || !!document.querySelector('input[type=tel]'), text: document.getElementById('app').textContent};").await;
    assert_eq!(end["form"], false, "{end}");
    assert!(
        end["text"].as_str().unwrap().contains("答对 0 / 2"),
        "{end}"
    );
    assert_eq!(b.js("return window.sent;").await, json!([]));
    b.click("#practice-exit").await;
    b.wait_css("#score").await;
    assert_eq!(
        b.js("return document.documentElement.classList.contains('large');")
            .await,
        false
    );
    assert_eq!(
        app.staff_json("/admin/api/stats").await,
        stats,
        "the stats do not move"
    );
    b.close().await;
}

#[tokio::test]
async fn practice_works_on_the_kiosk_which_then_resets_itself() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    let s = app.start().await;
    let id = s["session"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/sessions/{id}/answers"),
            json!({"answers": {"hotline": ["A"], "channels": ["A", "C"], "answer-96110": ["F"]}}),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    b.client.goto(&app.url("/healthz")).await.unwrap();
    b.js(&format!(
        "localStorage.setItem('quizbooth.session', '{id}'); return true;"
    ))
    .await;
    b.client.goto(&app.url("/kiosk")).await.unwrap();
    b.wait_css("#score").await;
    assert_eq!(
        b.js("return !!document.getElementById('share');").await,
        false,
        "no share card on the shared tablet"
    );
    b.click("#practice").await;
    let q = b.wait_js(PRACTISED).await;
    assert!(
        q["id"] == "hotline" || q["id"] == "answer-96110",
        "a missed one: {q}"
    );
    b.wait_css("#next-visitor").await;
    // Left alone in practice, the tablet clears itself (here after 2 s):
    // reloaded into practice, it resets as any screen does.
    b.client
        .goto(&app.url("/kiosk?idle=1&reset=2"))
        .await
        .unwrap();
    b.wait_js(PRACTISED).await;
    b.wait_css("#start").await;
    assert_eq!(
        b.js("return Object.keys(localStorage).filter(function (k) { return k.indexOf('quizbooth.') === 0; });")
            .await,
        json!([]),
        "nothing of the visitor, nor of the practice, stays on the device"
    );
    b.close().await;
}

/// Records what the page draws on any canvas: texts with their fonts, and
/// the images' sources.
const RECORD_DRAWING: &str = "
    window.drawn = {texts: [], images: []};
    const p = CanvasRenderingContext2D.prototype, fill = p.fillText, stroke = p.strokeText, image = p.drawImage;
    p.fillText = function (t) { window.drawn.texts.push({text: String(t), font: this.font}); return fill.apply(this, arguments); };
    p.strokeText = function (t) { window.drawn.texts.push({text: String(t), font: this.font}); return stroke.apply(this, arguments); };
    p.drawImage = function (i) { window.drawn.images.push(i.src || i.tagName); return image.apply(this, arguments); };
    return true;";

/// For each string, the alpha pattern of each of its characters drawn alone
/// in `font`: whether every one draws something and no two the same (a
/// missing glyph draws the same box, or nothing, for every character).
const GLYPHS_DIFFER: &str = "
    const chars = arguments[0], font = arguments[1];
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const x = c.getContext('2d');
    x.font = font.replace(/\\d+px/, '48px'); x.textBaseline = 'top';
    const seen = {};
    let empty = 0;
    chars.forEach(function (ch) {
      x.clearRect(0, 0, 64, 64); x.fillText(ch, 4, 4);
      const d = x.getImageData(0, 0, 64, 64).data; let key = '', ink = 0;
      for (let i = 3; i < d.length; i += 4) { key += d[i] > 127 ? '1' : '0'; ink += d[i] > 127 ? 1 : 0; }
      if (!ink) empty++;
      seen[key] = (seen[key] || 0) + 1;
    });
    return {distinct: Object.keys(seen).length, chars: chars.length, empty: empty};";

async fn glyphs(b: &Browser, chars: &[String], font: &str) -> Value {
    b.client
        .execute(GLYPHS_DIFFER, vec![json!(chars), json!(font)])
        .await
        .expect("script runs")
}

#[tokio::test]
async fn the_share_card_is_a_png_of_the_title_the_score_and_the_share_qr_and_nothing_private() {
    let app = spawn_app().await;
    let made = app.entry_made("张三", "13800138000", false).await;
    let (code, receipt) = (
        made["code"].as_str().unwrap(),
        made["receipt"].as_str().unwrap(),
    );
    for (width, height) in [(390, 844), (320, 640)] {
        let Some(b) = browser_at(width, height).await else {
            return;
        };
        b.resume(&app, made["session"].as_str().unwrap()).await;
        b.wait_css("#entry-receipt").await;
        b.js(RECORD_DRAWING).await;
        b.click("#share").await;
        b.wait_js("document.getElementById('share-card') && document.getElementById('share-card').complete && document.getElementById('share-card').naturalWidth")
            .await;
        b.screenshot(&format!("share-{width}.png")).await;
        let warn = b
            .js("return document.getElementById('share-warn').textContent;")
            .await;
        assert!(
            warn.as_str().unwrap().contains("领奖凭证不要发给别人"),
            "{warn}"
        );
        let src = b
            .js("return document.getElementById('share-card').getAttribute('src').slice(0, 22);")
            .await;
        assert_eq!(src, "data:image/png;base64,", "a PNG to long-press");
        let bytes: Vec<u8> = serde_json::from_value(
            b.js(
                "const s = atob(document.getElementById('share-card').src.split(',')[1]); \
                  return Array.prototype.map.call(s, function (c) { return c.charCodeAt(0); });",
            )
            .await,
        )
        .unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::write(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("share-card-{width}.png")),
            &bytes,
        )
        .unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            (960, 1500),
            "drawn at 3 device pixels per CSS pixel"
        );
        let url = decode_qr(&bytes);
        assert!(
            url.starts_with("http") && url.ends_with("/?src=share"),
            "the QR: {url}"
        );

        // What was drawn: the title, the score, the campaign line; never
        // the code, the receipt, the name or the phone.
        let drawn = b.js("return window.drawn;").await;
        let texts: Vec<String> = drawn["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["text"].as_str().unwrap().to_owned())
            .collect();
        let all = texts.join("|");
        for want in ["测试题库", "3 / 3", "网络安全为人民"] {
            assert!(all.contains(want), "{want} is drawn: {all}");
        }
        let compact = all.replace('-', "");
        for secret in [code, receipt, "张三", "13800138000", "8000"] {
            assert!(
                !compact.contains(&secret.replace('-', "")),
                "{secret} is not drawn: {all}"
            );
        }
        let images = drawn["images"].as_array().unwrap();
        assert!(
            !images.is_empty()
                && images
                    .iter()
                    .all(|i| i.as_str().unwrap().ends_with("/qr.png?src=share")),
            "only the share QR is drawn in: {images:?}"
        );

        // The Chinese is drawn as glyphs: each character of the title and
        // the campaign line its own shape, in the card's own font.
        let title = drawn["texts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["text"].as_str().unwrap().contains("测试"))
            .unwrap()
            .clone();
        let font = title["font"].as_str().unwrap();
        let mut chars: Vec<String> = "测试题库网络安全为人民靠"
            .chars()
            .map(String::from)
            .collect();
        let g = glyphs(&b, &chars, font).await;
        assert_eq!(
            g,
            json!({"distinct": chars.len(), "chars": chars.len(), "empty": 0}),
            "Chinese glyphs in {font}"
        );
        // The check itself catches boxes: characters no font has (private
        // use) all draw alike.
        chars = ["\u{e000}", "\u{e001}", "\u{e002}"]
            .map(String::from)
            .to_vec();
        let tofu = glyphs(&b, &chars, font).await;
        assert!(
            tofu["distinct"].as_u64().unwrap() < 3,
            "boxes are told apart from glyphs: {tofu}"
        );

        assert_eq!(
            b.js("return document.documentElement.scrollWidth <= window.innerWidth;")
                .await,
            true,
            "no sideways scrolling at {width} px"
        );
        if width == 390 {
            // In English, the card is drawn again in English.
            b.js(RECORD_DRAWING).await;
            b.click("#lang-toggle").await;
            b.wait_js("document.getElementById('share-card') && document.getElementById('share-card').alt.indexOf('Test bank') >= 0 && document.getElementById('share-card').naturalWidth")
                .await;
            let drawn = b
                .js("return window.drawn.texts.map(function (t) { return t.text; }).join('|');")
                .await;
            let drawn = drawn.as_str().unwrap();
            assert!(
                drawn.contains("Test bank") && drawn.contains("3 / 3") && !drawn.contains("测试"),
                "{drawn}"
            );
            b.screenshot("share-390-en.png").await;
        }
        b.click("#share-back").await;
        b.wait_css("#entry-code").await;
        b.close().await;
    }
}

#[tokio::test]
async fn the_practice_screen_fits_a_320_px_phone() {
    let Some(b) = browser_at(320, 640).await else {
        return;
    };
    let app = spawn_app().await;
    fail_on_purpose(&b, &app).await;
    b.click("#practice").await;
    let q = b.wait_js(PRACTISED).await;
    b.click("input.popt").await;
    if q["id"] != "hotline" {
        b.click("#practice-check").await;
    }
    b.wait_css("#practice-feedback").await;
    assert_eq!(
        b.js("return document.documentElement.scrollWidth <= window.innerWidth;")
            .await,
        true,
        "no sideways scrolling at 320 px"
    );
    b.screenshot("practice-answered-320.png").await;
    b.close().await;
}

/// The entry form's fields as the page shows them: `name|phone|consent`.
const FORM: &str = "return ['name', 'phone'].map(function (id) { return document.getElementById(id).value; }) \
    .concat([document.getElementById('consent').checked, document.getElementById('enter').disabled]).join('|');";

#[tokio::test]
async fn a_half_typed_entry_is_still_there_after_practice_and_the_share_card() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    // Passed with one miss (2 of 3, over the 60 % pass mark): practice has a question.
    let session = app.start().await["session"].as_str().unwrap().to_owned();
    let mut answers = right_answers();
    answers.insert("hotline", vec!["A"]);
    let r = app
        .post(
            &format!("/api/sessions/{session}/answers"),
            json!({ "answers": answers }),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    b.resume(&app, &session).await;
    b.wait_css("#name").await.send_keys("王五").await.unwrap();
    b.wait_css("#phone")
        .await
        .send_keys("139 0013")
        .await
        .unwrap();
    b.click("#consent").await;
    let typed = json!("王五|139 0013|true|false");
    assert_eq!(b.js(FORM).await, typed);

    b.js("document.getElementById('practice').click(); return true;")
        .await;
    b.wait_css("#practice-exit").await;
    b.js("document.getElementById('practice-exit').click(); return true;")
        .await;
    b.wait_css("#name").await;
    assert_eq!(b.js(FORM).await, typed, "after practice");

    b.js("document.getElementById('share').click(); return true;")
        .await;
    b.wait_css("#share-back").await;
    b.js("document.getElementById('share-back').click(); return true;")
        .await;
    b.wait_css("#name").await;
    assert_eq!(b.js(FORM).await, typed, "after the share card");
    // In memory only: nothing of it in the phone's storage.
    let stored = b
        .js("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage);")
        .await;
    let stored = stored.as_str().unwrap();
    assert!(
        !stored.contains("王五") && !stored.contains("139 0013"),
        "{stored}"
    );
    b.close().await;
}
