//! The booth's shared tablet (/kiosk): one visitor never sees the one before.

use crate::booth_day::{answer_right_and_submit, enter};
use crate::support::app::*;
use crate::support::chromium::*;
use serde_json::Value;

/// What the device still holds and shows of a visitor.
const LEFT: &str = "return {lang: document.documentElement.lang, large: document.documentElement.classList.contains('large'), \
    stored: Object.keys(localStorage).filter(function (k) { return k.indexOf('quizbooth.') === 0; }).join(','), \
    text: document.body.innerText, screen: document.getElementById('app').getAttribute('data-screen'), \
    name: (document.getElementById('name') || {}).value || ''};";

/// Two visitors in a row on the tablet (768×1024): the first plays in
/// English and 大字, enters, and sees the receipt only on asking; the second
/// starts in the tablet's own language and text size and never sees the
/// first's code, receipt, name or masked phone. Left alone mid-quiz, the
/// tablet clears itself too.
#[tokio::test]
async fn two_visitors_in_a_row_on_the_kiosk_never_see_each_other() {
    let Some(b) = browser_at(768, 1024).await else {
        return;
    };
    let app = spawn_app().await;
    b.client
        .goto(&app.url("/kiosk?idle=60&reset=120"))
        .await
        .unwrap();
    b.wait_css("#start").await;
    b.click("#lang-toggle").await;
    b.wait_js("document.documentElement.lang === 'en' && !!document.getElementById('start')")
        .await;
    b.click("#large-toggle").await;
    b.click("#start").await;
    answer_right_and_submit(&b).await;
    enter(&b, "Alice Zhang", "13912345678").await;
    let code = b
        .wait_css("#entry-code")
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned();
    // 下一位观众 first on the screen; the receipt only behind its button; no 撤回.
    let top = b
        .js("var r = document.getElementById('next-visitor').getBoundingClientRect(), c = document.getElementById('entry-code').getBoundingClientRect(); \
             return r.bottom <= window.innerHeight && r.top < c.top;")
        .await;
    assert_eq!(top, true, "next visitor at the top");
    assert_eq!(
        b.js("return !document.getElementById('entry-receipt') && !document.getElementById('receipt-qr') && !document.getElementById('withdraw');")
            .await,
        true,
        "no receipt until asked for, and no withdrawal on the tablet"
    );
    let staff = b
        .js("return document.getElementById('kiosk-withdraw').textContent;")
        .await;
    assert!(staff.as_str().unwrap().contains("staff"), "{staff}");
    let phone = b
        .js("return document.getElementById('entry-phone').textContent;")
        .await;
    assert!(phone.as_str().unwrap().contains("139****5678"), "{phone}");
    b.screenshot("kiosk-first-visitor.png").await;
    b.click("#show-receipt").await;
    let receipt = b
        .wait_css("#entry-receipt")
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned();
    b.wait_js("document.getElementById('receipt-qr').complete && document.getElementById('receipt-qr').naturalWidth > 0")
        .await;
    b.screenshot("kiosk-first-visitor-receipt.png").await;

    b.click("#next-visitor").await;
    b.wait_css("#start").await;
    let left: Value = b.js(LEFT).await;
    assert_eq!(left["lang"], "zh-CN", "the tablet's language again: {left}");
    assert_eq!(left["large"], false, "normal text again: {left}");
    assert_eq!(left["stored"], "", "nothing of the visitor stored: {left}");
    b.screenshot("kiosk-second-visitor-start.png").await;

    // The second visitor plays through: none of the first's traces.
    b.click("#start").await;
    answer_right_and_submit(&b).await;
    b.wait_css("#name").await;
    let seen: Value = b.js(LEFT).await;
    let text = seen["text"].as_str().unwrap();
    for trace in [code.as_str(), receipt.as_str(), "Alice", "139****5678"] {
        assert!(
            !text.contains(trace),
            "{trace} on the second visitor's screen"
        );
    }
    assert_eq!(seen["name"], "", "no name carried over");
    assert_eq!(
        b.js("return document.getElementById('name').getAttribute('autocomplete');")
            .await,
        "off",
        "the browser offers no earlier visitor's name"
    );
    assert_eq!(seen["lang"], "zh-CN");
    let notice = b
        .js("return document.getElementById('privacy-notice').textContent;")
        .await;
    assert!(
        notice.as_str().unwrap().contains("测试主办方")
            && notice.as_str().unwrap().contains("不能自助撤回"),
        "the bank's notice, and withdrawal through staff: {notice}"
    );
    b.screenshot("kiosk-second-visitor-form.png").await;

    // Left mid-quiz: after the longer idle (here 3 s) the tablet starts over.
    // (The second visitor's form, left alone, clears itself after 1 s first.)
    b.client
        .goto(&app.url("/kiosk?idle=1&reset=3"))
        .await
        .unwrap();
    b.wait_css("#start").await;
    b.click("#start").await;
    b.wait_css("input.option").await;
    b.click("label.opt").await;
    b.wait_js("document.getElementById('app').getAttribute('data-screen') === 'start'")
        .await;
    let left: Value = b.js(LEFT).await;
    assert_eq!(left["stored"], "", "{left}");
    b.close().await;
}
