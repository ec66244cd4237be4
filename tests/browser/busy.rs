//! The visitor page while the service cannot save (SPEC §10: no database
//! during a failover answers 503 with `Retry-After`): a submission or an
//! entry waits as told and asks again, with a calm note, and lands once.

use crate::support::app::*;
use crate::support::chromium::*;
use crate::support::eventually;
use std::time::Duration;

/// Counts the page's entry requests from now on (`window.entryPosts`).
const COUNT_ENTRY_POSTS: &str = "
    window.entryPosts = 0;
    const real = window.fetch;
    window.fetch = function (url, o) {
        if (String(url).indexOf('/api/entries') >= 0 && o && o.method === 'POST') window.entryPosts++;
        return real(url, o);
    };
    return true;";

#[tokio::test]
async fn an_entry_waits_out_a_503_with_retry_after_and_lands_once() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    if !sqlite_only("the outage is a trigger on the SQLite file") {
        return;
    }
    let session = app.passed_session().await;
    b.resume(&app, &session).await;
    b.wait_css("#name").await.send_keys("张三").await.unwrap();
    b.wait_css("#phone")
        .await
        .send_keys("13800138000")
        .await
        .unwrap();
    b.click("#consent").await;
    // The store refuses every entry: 503 `unavailable` with Retry-After.
    app.sql("CREATE TRIGGER test_store_away BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'the store is away'); END;");
    let r = app
        .post(
            "/api/entries",
            serde_json::json!({"session": app.passed_session().await, "consent": true,
                               "name": "李四", "phone": "13900139000"}),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().get("retry-after").is_some(), "{r:?}");

    b.js(COUNT_ENTRY_POSTS).await;
    b.click("#enter").await;
    let note = b
        .wait_js("!document.getElementById('notice').hidden && document.getElementById('notice').textContent")
        .await;
    assert!(note.as_str().unwrap().contains("服务器正忙"), "{note}");
    b.screenshot("visitor-entry-waiting.png").await;
    // Past the four tries (~10 s) the page used to give up after, it still
    // asks, every Retry-After (2 s).
    eventually(
        Duration::from_secs(30),
        "the page asks again as told",
        || async {
            (b.js("return window.entryPosts;")
                .await
                .as_u64()
                .unwrap_or(0)
                >= 6)
                .then_some(())
        },
    )
    .await;
    assert!(
        b.js("return document.getElementById('notice').textContent;")
            .await
            .as_str()
            .unwrap()
            .contains("服务器正忙"),
        "still the calm note, not an error"
    );
    assert_eq!(
        b.js("return document.getElementById('name').value + ' ' + document.getElementById('phone').value;")
            .await,
        "张三 13800138000",
        "the form is kept while waiting"
    );
    assert!(
        !app.csv().await.contains("13800138000"),
        "nothing stored yet"
    );

    app.sql("DROP TRIGGER test_store_away;");
    let code = b.wait_css("#entry-code").await.text().await.unwrap();
    let stored = app.csv().await;
    assert_eq!(
        stored.matches("13800138000").count(),
        1,
        "one entry, code {code}: {stored}"
    );
    assert!(stored.contains(code.trim()), "{stored}");
    assert_eq!(
        b.js("return document.getElementById('notice').hidden;")
            .await,
        true,
        "the note goes once the entry is in"
    );
    b.close().await;
}

#[tokio::test]
async fn after_a_minute_of_503_the_page_says_so_keeps_the_form_and_a_later_tap_lands_once() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    if !sqlite_only("the outage is a trigger on the SQLite file") {
        return;
    }
    let session = app.passed_session().await;
    b.resume(&app, &session).await;
    b.wait_css("#name").await.send_keys("赵六").await.unwrap();
    b.wait_css("#phone")
        .await
        .send_keys("13700137000")
        .await
        .unwrap();
    b.click("#consent").await;
    app.sql("CREATE TRIGGER test_store_away BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'the store is away'); END;");
    b.click("#enter").await;
    b.wait_js("document.getElementById('notice').textContent.indexOf('服务器正忙') >= 0")
        .await;
    // A minute passes on the phone's clock while the service is still away.
    b.js("var real = Date.now; Date.now = function () { return real() + 61000; }; return true;")
        .await;
    let said = b
        .wait_js("document.getElementById('notice').className.indexOf('err') >= 0 && document.getElementById('notice').textContent")
        .await;
    assert!(
        said.as_str()
            .unwrap()
            .contains("你的答案和填写的内容都还在"),
        "{said}"
    );
    b.screenshot("visitor-entry-busy-gave-up.png").await;
    assert_eq!(
        b.js("return [document.getElementById('name').value, document.getElementById('phone').value, \
                document.getElementById('consent').checked, document.getElementById('enter').disabled].join('|');")
            .await,
        "赵六|13700137000|true|false",
        "the form is kept, ready to tap again"
    );
    assert!(!app.csv().await.contains("13700137000"), "nothing stored");

    app.sql("DROP TRIGGER test_store_away;");
    b.click("#enter").await;
    b.wait_css("#entry-code").await;
    assert_eq!(
        app.csv().await.matches("13700137000").count(),
        1,
        "one entry"
    );
    b.close().await;
}
