//! The visitor's page on an ordinary booth day (issue 22): the notice after a reload, wins that tell the truth, lost replies retried.

use crate::support::app::*;
use crate::support::chromium::*;
use fantoccini::Locator;
use serde_json::{json, Value};

/// The option texts that are right in the fixture bank, in both languages.
const RIGHT_ZH_EN: [&str; 7] = [
    "12377",
    "拨打 12377",
    "登录 www.12377.cn",
    "正确",
    "Calling 12377",
    "Visiting www.12377.cn",
    "True",
];

/// Answers every question of the quiz on screen rightly, then submits.
pub async fn answer_right_and_submit(b: &Browser) {
    for _ in 0..5 {
        b.wait_css("input.option").await;
        let labels = b.client.find_all(Locator::Css("label.opt")).await.unwrap();
        for label in labels {
            let text = label
                .find(Locator::Css(".ot"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if RIGHT_ZH_EN.contains(&text.trim()) {
                label.click().await.unwrap();
            }
        }
        if b.client.find(Locator::Css("#submit")).await.is_ok() {
            b.click("#submit").await;
            return;
        }
        b.click("#next").await;
    }
    panic!("no last question");
}

/// Fills in the entry form and sends it.
pub async fn enter(b: &Browser, name: &str, phone: &str) {
    b.wait_css("#name").await.send_keys(name).await.unwrap();
    b.wait_css("#phone").await.send_keys(phone).await.unwrap();
    b.click("#consent").await;
    b.click("#enter").await;
}

/// The notice is the bank's after a reload, in both languages and on the
/// kiosk: its organizer, its contact and its erase date (the round closes
/// 2099-10-17 18:00 +08:00; kept 30 days after: 16 November).
#[tokio::test]
async fn after_a_reload_the_notice_names_the_banks_organizer_contact_and_erase_date() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.click("#start").await;
    answer_right_and_submit(&b).await;
    b.wait_css("#privacy-summary").await;
    // The page reloads before the visitor enters (WeChat does it on a switch to a chat).
    b.client.refresh().await.unwrap();
    let read = "var n = document.getElementById('privacy-notice'); if (!n) return null; \
                n.querySelector('details').open = true; return n.textContent;";
    let zh = b.wait_js(&text_of("#privacy-notice")).await;
    let zh = zh.as_str().unwrap().to_owned();
    for want in ["测试主办方", "展台工作人员，电话 12377", "11月16日"] {
        assert!(zh.contains(want), "{want} after a reload: {zh}");
    }
    assert!(!zh.contains("本次活动主办方"), "no placeholder: {zh}");
    b.js(read).await;
    b.js("document.getElementById('privacy-notice').scrollIntoView(); return true;")
        .await;
    b.screenshot("visitor-notice-after-reload.png").await;

    // In English, after a reload too (the page's own data is in Chinese).
    b.click("#lang-toggle").await;
    b.wait_js("document.documentElement.lang === 'en'").await;
    b.client.refresh().await.unwrap();
    let en = b
        .wait_js("document.documentElement.lang === 'en' && document.getElementById('privacy-notice') && document.getElementById('privacy-notice').textContent")
        .await;
    let en = en.as_str().unwrap();
    for want in ["Test organizer", "booth staff, phone 12377", "16 Nov"] {
        assert!(en.contains(want), "{want} after a reload in English: {en}");
    }
    assert!(!en.contains("the organizer of this event"), "{en}");

    // On the kiosk, in the browser's language again.
    let session = b
        .js("return localStorage.getItem('quizbooth.session');")
        .await;
    b.js("localStorage.removeItem('quizbooth.lang'); return true;")
        .await;
    b.client.goto(&app.url("/kiosk")).await.unwrap();
    let kiosk = b.wait_js(&text_of("#privacy-notice")).await;
    assert!(
        kiosk.as_str().unwrap().contains("测试主办方"),
        "{kiosk} ({session})"
    );
    b.close().await;
}

/// Where the banner is and what it says, at 320×640 without scrolling.
const BANNER: &str = "var s = document.getElementById('draw-status'); if (!s) return null; \
    var r = s.getBoundingClientRect(), c = getComputedStyle(s.querySelector('.st-t')).color; \
    return {state: s.getAttribute('data-state'), text: s.textContent, bottom: r.bottom, top: r.top, \
            height: window.innerHeight, scrolled: window.pageYOffset, color: c, \
            heading: document.querySelector('.entry h1').textContent, \
            code: document.getElementById('entry-code').getBoundingClientRect().top};";

async fn banner(b: &Browser, state: &str) -> Value {
    b.wait_js(&format!(
        "document.getElementById('draw-status') && document.getElementById('draw-status').getAttribute('data-state') === '{state}'"
    ))
    .await;
    let v = b.js(BANNER).await;
    assert!(
        v["bottom"].as_f64().unwrap() <= v["height"].as_f64().unwrap(),
        "the {state} banner is on screen without scrolling: {v}"
    );
    assert_eq!(v["scrolled"], json!(0), "{v}");
    assert!(
        v["top"].as_f64().unwrap() < v["code"].as_f64().unwrap(),
        "the banner comes above the code: {v}"
    );
    v
}

/// Not drawn yet, won, lapsed and not won: the banner above the code says
/// which, at 320×640, and a lapsed win no longer asks anyone to come.
#[tokio::test]
async fn at_320_px_the_banner_above_the_code_says_won_expired_or_not_drawn() {
    let Some(b) = browser_at(320, 640).await else {
        return;
    };
    let app = spawn_app().await;
    let others = [
        app.entry_made("观众甲", "13500000001", false).await,
        app.entry_made("观众乙", "13500000002", false).await,
    ];
    let me = app.entry_made("李明", "13812345678", false).await;
    let session = me["session"].as_str().unwrap();

    b.resume(&app, session).await;
    let none = banner(&b, "none").await;
    assert!(
        none["text"].as_str().unwrap().contains("还没有开奖"),
        "{none}"
    );

    // A sealed draw, not revealed yet.
    let by = (app.clock.now() + chrono::Duration::days(2)).to_rfc3339();
    let d = app
        .committed(json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 3, "claim_by": by}))
        .await;
    b.client.refresh().await.unwrap();
    let pending = banner(&b, "pending").await;
    assert!(
        pending["text"].as_str().unwrap().contains("等待开奖"),
        "{pending}"
    );
    assert_eq!(pending["heading"], "你的抽奖码");
    b.screenshot("visitor-banner-pending-320.png").await;

    // Revealed: everyone of the three won.
    let r = app
        .staff_post(
            &format!("/admin/api/draws/{}/reveal", d["id"]),
            json!({"public_seed": "3 1 4"}),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    b.client.refresh().await.unwrap();
    let won = banner(&b, "won").await;
    let text = won["text"].as_str().unwrap();
    assert!(
        text.contains("纪念 U 盘") && text.contains("前带上领奖凭证") && text.contains("展台"),
        "prize, by when, where: {won}"
    );
    assert_eq!(won["heading"], "恭喜中奖", "{won}");
    b.screenshot("visitor-banner-won-320.png").await;

    // Past the claim deadline: lapsed, in grey, and no call to come.
    app.advance(3 * 86_400);
    b.client.refresh().await.unwrap();
    let lapsed = banner(&b, "expired").await;
    let text = lapsed["text"].as_str().unwrap();
    assert!(text.contains("逾期未领"), "{lapsed}");
    assert!(!text.contains("带上领奖凭证"), "{lapsed}");
    assert_eq!(lapsed["heading"], "你的抽奖码", "{lapsed}");
    assert_eq!(
        lapsed["color"], "rgb(91, 101, 112)",
        "lapsed reads in grey: {lapsed}"
    );
    let listed = b
        .js("return document.getElementById('my-draws').textContent;")
        .await;
    assert!(
        listed.as_str().unwrap().contains("逾期未领")
            && !listed.as_str().unwrap().contains("恭喜中奖"),
        "{listed}"
    );
    b.screenshot("visitor-banner-expired-320.png").await;

    // A re-draw of the lapsed places from later entrants: the win says so.
    app.entries(3).await;
    app.drawn(
        json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 3, "replaces": d["id"]}),
        "9 9",
    )
    .await;
    b.client.refresh().await.unwrap();
    let redrawn = banner(&b, "expired").await;
    assert!(
        redrawn["text"]
            .as_str()
            .unwrap()
            .contains("逾期未领（名额已补抽）"),
        "{redrawn}"
    );
    b.screenshot("visitor-banner-redrawn-320.png").await;

    // Not won: a draw of one place among two entrants, from the loser's page.
    let app = spawn_app().await;
    let pair = [
        app.entry_made("周一", "13700000001", false).await,
        app.entry_made("吴二", "13700000002", false).await,
    ];
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "帆布袋", "winners": 1}),
            "2 7 1 8",
        )
        .await;
    let winner = d["winners"][0]["code"].clone();
    let loser = pair.iter().find(|e| e["code"] != winner).unwrap();
    b.resume(&app, loser["session"].as_str().unwrap()).await;
    let lost = banner(&b, "lost").await;
    assert!(
        lost["text"].as_str().unwrap().contains("没有中奖"),
        "{lost}"
    );
    assert_eq!(lost["heading"], "你的抽奖码");
    b.screenshot("visitor-banner-lost-320.png").await;
    drop(others);
    b.close().await;
}

/// Every POST the page sends to `/answers` or `/api/entries` reaches the
/// server, but the first reply of each is lost (the phone's connection
/// dropped): the promise rejects. Every notice shown is logged.
const LOSE_FIRST_REPLIES: &str = "
    window.lostReplies = 0; window.notices = [];
    var lost = {};
    var real = window.fetch;
    window.fetch = function (url, o) {
      var m = String(url).match(/\\/answers$|\\/api\\/entries$/);
      if (o && o.method === 'POST' && m && !lost[m[0]]) {
        lost[m[0]] = true;
        return real(url, o).then(function () { window.lostReplies++; throw new TypeError('Failed to fetch'); });
      }
      return real(url, o);
    };
    var n = document.getElementById('notice');
    new MutationObserver(function () { if (!n.hidden) window.notices.push(n.textContent); })
      .observe(n, {childList: true, attributes: true, characterData: true, subtree: true});
    return true;";

/// A reply lost on the way back: the page retries the same request, says so,
/// and lands on the result, then on the code, with one entry stored.
#[tokio::test]
async fn a_lost_reply_is_retried_and_lands_on_the_result_then_the_code() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.click("#start").await;
    b.wait_css("input.option").await;
    b.js(LOSE_FIRST_REPLIES).await;
    answer_right_and_submit(&b).await;
    let score = b.wait_css("#score").await;
    assert_eq!(
        score.attr("data-passed").await.unwrap().as_deref(),
        Some("true")
    );
    b.screenshot("visitor-retry-result.png").await;
    enter(&b, "张三", "13800138000").await;
    let code = b.wait_css("#entry-code").await.text().await.unwrap();
    assert_eq!(
        b.js("return window.lostReplies;").await,
        2,
        "both replies were lost"
    );
    let notices = b.js("return window.notices.join('|');").await;
    assert!(
        notices.as_str().unwrap().contains("正在重试"),
        "a visible retry: {notices}"
    );
    assert!(
        b.js("return document.getElementById('form-err') === null;")
            .await
            .as_bool()
            .unwrap(),
        "no error left on screen"
    );
    // The masked phone that entered, on the code screen.
    let phone = b.wait_js(&text_of("#entry-phone")).await;
    assert!(phone.as_str().unwrap().contains("138****8000"), "{phone}");
    // Save the code; the receipt stays private and shows again here (no "screenshot this page").
    let keep = b.wait_js(&text_of("#code-keep")).await;
    let keep = keep.as_str().unwrap();
    assert!(
        keep.contains("抽奖码") && keep.contains("不要截图发给别人") && keep.contains("再次显示"),
        "{keep}"
    );
    assert!(!keep.contains("截图保存这一页"), "{keep}");
    b.screenshot("visitor-retry-code.png").await;
    let list = app.staff_json("/admin/api/entries").await;
    assert_eq!(list["total"], 1, "one entry: {list}");
    assert!(list.to_string().contains(code.trim()), "{list}");
    b.close().await;
}

/// After a withdrawal, 再答一次 starts a fresh session, and the same phone
/// enters again with a new code (SPEC §8).
#[tokio::test]
async fn a_withdrawn_visitor_takes_the_quiz_again_and_enters_once_more() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    let first = app.entry_made("赵六", "13612345678", false).await;
    b.resume(&app, first["session"].as_str().unwrap()).await;
    b.click("#withdraw").await;
    b.click("#withdraw-confirm").await;
    b.wait_css("#withdrawn #again").await;
    b.click("#again").await;
    answer_right_and_submit(&b).await;
    let session = b
        .js("return localStorage.getItem('quizbooth.session');")
        .await;
    assert_ne!(session, first["session"], "a new session");
    enter(&b, "赵六", "13612345678").await;
    let code = b.wait_css("#entry-code").await.text().await.unwrap();
    assert_ne!(code.trim(), first["code"].as_str().unwrap(), "a new code");
    assert_eq!(
        b.js("return !!document.getElementById('withdraw') && !document.getElementById('withdrawn');")
            .await,
        true,
        "an entry again, withdrawable again"
    );
    b.close().await;
}

/// The same phone again from another phone: a way back to the code, and
/// nothing about the other entry.
#[tokio::test]
async fn a_phone_that_entered_already_is_told_where_its_code_is() {
    let Some(b) = browser_at(320, 640).await else {
        return;
    };
    let app = spawn_app().await;
    let first = app.entry_made("张三", "13800138000", false).await;
    let session = app.passed_session().await;
    b.resume(&app, &session).await;
    enter(&b, "张三", "13800138000").await;
    let said = b
        .wait_js("document.getElementById('form-err') && !document.getElementById('form-err').hidden && document.getElementById('form-err').textContent")
        .await;
    let said = said.as_str().unwrap();
    assert!(
        said.contains("已经登记过") && said.contains("那部手机") && said.contains("工作人员"),
        "{said}"
    );
    let page = b.js("return document.body.textContent;").await;
    let code = first["code"].as_str().unwrap();
    assert!(
        !page.as_str().unwrap().contains(code)
            && b.js("return !document.getElementById('entry-phone');")
                .await
                .as_bool()
                .unwrap(),
        "nothing of the other entry"
    );
    b.js("document.getElementById('form-err').scrollIntoView(); return true;")
        .await;
    b.screenshot("visitor-phone-used-320.png").await;
    b.close().await;
}

/// 长辈版 at 320 px: no "限时 15 分钟" when nothing counts down, and the
/// question's last (4th) option is never under the bottom bar.
#[tokio::test]
async fn large_text_at_320_px_says_no_time_limit_and_keeps_every_option_clear_of_the_dock() {
    let Some(b) = browser_at(320, 640).await else {
        return;
    };
    let bank = BANK.replace(
        "      - {zh: \"96110\", en: \"96110\"}\n    answer: B",
        "      - {zh: \"96110\", en: \"96110\"}\n      - {zh: \"10086\", en: \"10086\"}\n    answer: B",
    );
    assert_ne!(bank, BANK, "a question with four options");
    let app = spawn_app_with(&[("b.yaml", &bank)]).await;
    b.client.goto(&app.url("/healthz")).await.unwrap();
    b.js("localStorage.setItem('quizbooth.large', '1'); return true;")
        .await;
    b.client.goto(&app.url("/")).await.unwrap();
    let rules = b
        .wait_js("document.querySelector('.rules') && document.querySelector('.rules').textContent")
        .await;
    let rules = rules.as_str().unwrap();
    assert!(
        rules.contains("不限时") && !rules.contains("限时 15 分钟"),
        "{rules}"
    );
    b.screenshot("visitor-large-start-320.png").await;
    b.click("#start").await;
    b.wait_css("input.option").await;
    assert_eq!(
        b.js("return !document.getElementById('timer') && document.getElementById('untimed').textContent;")
            .await,
        "不限时"
    );
    // Each option, scrolled into view at the bottom, is what a finger there touches.
    let clear = "var o = document.querySelectorAll('label.opt'), bad = []; \
        Array.prototype.forEach.call(o, function (l) { l.scrollIntoView(false); var r = l.getBoundingClientRect(); \
          var hit = document.elementFromPoint(r.left + r.width / 2, r.bottom - 6); \
          if (!hit || !l.contains(hit)) bad.push(l.textContent); }); \
        window.scrollTo(0, 0); return {n: o.length, bad: bad};";
    let mut four = false;
    for _ in 0..3 {
        let v = b.js(clear).await;
        assert_eq!(v["bad"], json!([]), "options under the dock: {v}");
        if v["n"] == 4 {
            four = true;
            b.screenshot("visitor-large-question-320.png").await;
        }
        if b.client.find(Locator::Css("#next")).await.is_err() {
            break;
        }
        b.click("#next").await;
        b.wait_css("input.option").await;
    }
    assert!(four, "the four-option question was served");
    b.close().await;

    // A bank that requires its limit in 长辈版 too: the limit and a countdown.
    let Some(b) = browser_at(320, 640).await else {
        return;
    };
    let strict = BANK.replace("quiz:\n", "quiz:\n  time_limit_required: true\n");
    let app = spawn_app_with(&[("b.yaml", &strict)]).await;
    b.client.goto(&app.url("/healthz")).await.unwrap();
    b.js("localStorage.setItem('quizbooth.large', '1'); return true;")
        .await;
    b.client.goto(&app.url("/")).await.unwrap();
    let rules = b
        .wait_js("document.querySelector('.rules') && document.querySelector('.rules').textContent")
        .await;
    assert!(
        rules.as_str().unwrap().contains("限时 15 分钟")
            && !rules.as_str().unwrap().contains("不限时"),
        "{rules}"
    );
    b.click("#start").await;
    b.wait_css("#clock").await;
    b.close().await;
}

/// The time-up toast goes when the answers land: nothing covers the result.
#[tokio::test]
async fn the_time_up_toast_is_gone_when_the_result_shows() {
    let Some(b) = browser().await else { return };
    let app = spawn_app_with(&[(
        "short.yaml",
        &BANK.replace("quiz:\n", "quiz:\n  time_limit_secs: 10\n"),
    )])
    .await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.click("#start").await;
    b.wait_css("input.option").await;
    b.wait_js("document.getElementById('app').getAttribute('data-screen') === 'result'")
        .await;
    assert_eq!(
        b.js("return document.getElementById('notice').hidden;")
            .await,
        true,
        "no time-up toast over the result"
    );
    b.close().await;
}

/// A winner who withdraws is not offered 再答一次: the round refuses their
/// phone (one prize per person per round), and the page says why.
#[tokio::test]
async fn a_winner_who_withdraws_is_told_the_round_is_closed_to_that_phone() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    let first = app.entry_made("赵六", "13612345678", false).await;
    let draw = app
        .drawn(
            json!({"round": "week-1", "prize": "U 盘", "winners": 1}),
            "123456",
        )
        .await;
    assert_eq!(
        draw["winners"][0]["code"], first["code"],
        "the only entry won"
    );
    b.resume(&app, first["session"].as_str().unwrap()).await;
    b.click("#withdraw").await;
    b.click("#withdraw-confirm").await;
    let said = b.wait_js(&text_of("#withdrawn")).await;
    assert!(
        said.as_str()
            .unwrap()
            .contains("本轮不能再用这个手机号登记"),
        "{said}"
    );
    assert_eq!(
        b.js("return document.getElementById('again') === null;")
            .await,
        true,
        "no 再答一次 for a withdrawn winner"
    );
    b.close().await;
}
