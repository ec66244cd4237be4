//! The projector and the public draw page after the reveal (issue 22).

use crate::support::app::*;
use crate::support::chromium::*;
use serde_json::{json, Value};

/// A win's state on the public page: `data-state` of the winner's row.
fn state_of(code: &str) -> String {
    format!(
        "(function () {{ var li = Array.prototype.filter.call(document.querySelectorAll('#winners li'), \
           function (li) {{ return li.querySelector('.code').textContent === '{code}'; }})[0]; \
           return li ? li.getAttribute('data-state') + '|' + li.querySelector('.win-state').textContent : ''; }})()"
    )
}

/// Types a code into 查我的抽奖码 and waits for its answer: `data-win|text`.
async fn check_code(b: &Browser, code: &str) -> String {
    b.js(&format!(
        "var i = document.getElementById('code-input'); i.value = '{code}'; \
         document.getElementById('code-result').removeAttribute('data-status'); \
         document.getElementById('code-form').requestSubmit(); return true;"
    ))
    .await;
    let said = b
        .wait_js(&format!(
            "document.getElementById('code-result').getAttribute('data-status') === 'won' && \
             document.getElementById('code-input').value === '{code}' && \
             document.getElementById('code-result').getAttribute('data-win') + '|' + \
             document.getElementById('code-result').textContent"
        ))
        .await;
    said.as_str().unwrap().to_owned()
}

/// A win past its claim deadline reads 逾期未领 on the public page, in grey,
/// and 逾期未领（名额已补抽） with a link once its place is drawn again; the
/// entrant checking their own code reads the same; the list of draws says so.
#[tokio::test]
async fn a_win_past_its_claim_deadline_tells_the_truth_on_the_public_page() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    // The server's clock two days behind, so that a deadline one hour ago
    // by the browser's clock is still ahead at the commit and the reveal;
    // moving it back to now puts both clocks past it.
    app.advance(-2 * 86_400);
    let mut receipts = std::collections::HashMap::new();
    for i in 0..6 {
        let e = app
            .entry_made(&format!("观众{i}"), &format!("1370000{i:04}"), true)
            .await;
        receipts.insert(
            e["code"].as_str().unwrap().to_owned(),
            e["receipt"].as_str().unwrap().to_owned(),
        );
    }
    let by = (chrono::Local::now() - chrono::Duration::hours(1))
        .fixed_offset()
        .to_rfc3339();
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 3, "claim_by": by}),
            "2 7 1 8 2 8",
        )
        .await;
    let id = d["id"].as_i64().unwrap();
    let codes: Vec<String> = d["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_owned())
        .collect();
    let r = app
        .staff_post("/admin/api/claims", json!({"receipt": receipts[&codes[0]]}))
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK, "the first one claims");
    app.advance(2 * 86_400);

    // Past the deadline, nothing re-drawn yet.
    b.client
        .goto(&app.url(&format!("/draws/{id}")))
        .await
        .unwrap();
    let claimed = b.wait_js(&state_of(&codes[0])).await;
    assert_eq!(claimed, "claimed|已领取");
    let lapsed = b.wait_js(&state_of(&codes[1])).await;
    assert_eq!(lapsed, "expired|逾期未领", "no re-draw yet");
    let said = check_code(&b, &codes[1]).await;
    assert!(
        said.starts_with("expired|") && said.contains("已不能领奖") && !said.contains("补抽"),
        "{said}"
    );

    // Staff re-draw the two places left unclaimed.
    let later = (chrono::Local::now() + chrono::Duration::days(1))
        .fixed_offset()
        .to_rfc3339();
    let again = app
        .drawn(
            json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 2, "claim_by": later, "replaces": id}),
            "3 1 4 1 5 9",
        )
        .await;
    let redraw = again["id"].as_i64().unwrap();
    b.client.refresh().await.unwrap();
    let lapsed = b.wait_js(&state_of(&codes[1])).await;
    assert_eq!(
        lapsed,
        format!("expired-redrawn|逾期未领（名额已补抽） 看第 {redraw} 场补抽")
    );
    assert_eq!(b.wait_js(&state_of(&codes[0])).await, "claimed|已领取");
    let look = b
        .js("var li = document.querySelector('#winners li[data-state=\"expired-redrawn\"]'); \
             return [li.querySelector('.win-state a').getAttribute('href'), \
                     getComputedStyle(li.querySelector('.code')).color, \
                     getComputedStyle(document.querySelector('#winners li[data-state=\"claimed\"] .code')).color];")
        .await;
    assert_eq!(look[0], format!("/draws/{redraw}"), "a link to the re-draw");
    assert_eq!(look[1], "rgb(107, 116, 136)", "an expired win is grey");
    assert_ne!(look[1], look[2], "a claimed one is not");
    b.js("window.scrollTo(0, document.getElementById('winners-title').getBoundingClientRect().top + scrollY - 330); return true;")
        .await;
    b.screenshot("draw-expired-redrawn.png").await;
    let said = check_code(&b, &codes[2]).await;
    assert!(
        said.starts_with("expired-redrawn|")
            && said.contains(&format!("名额已在第 {redraw} 场补抽")),
        "{said}"
    );
    let said = check_code(&b, &codes[0]).await;
    assert!(
        said.starts_with("claimed|") && said.contains("已领取"),
        "{said}"
    );

    // The re-draw's winners can still claim, until their own deadline.
    b.client
        .goto(&app.url(&format!("/draws/{redraw}")))
        .await
        .unwrap();
    let fresh = again["winners"][0]["code"].as_str().unwrap();
    let open = b.wait_js(&state_of(fresh)).await;
    assert!(
        open.as_str().unwrap().starts_with("open|未领取")
            && open.as_str().unwrap().contains("前可领"),
        "{open}"
    );
    let said = check_code(&b, fresh).await;
    assert!(
        said.starts_with("open|") && said.contains("凭领奖凭证到展台领奖"),
        "{said}"
    );

    // The list of draws names the re-draw on both.
    b.client.goto(&app.url("/draws")).await.unwrap();
    let list = b
        .wait_js("document.querySelectorAll('#draws li[data-status]').length === 2 && document.getElementById('draws').textContent")
        .await;
    let list = list.as_str().unwrap();
    assert!(
        list.contains(&format!("未领的名额已在第 {redraw} 场补抽"))
            && list.contains(&format!("第 {id} 场的补抽")),
        "{list}"
    );
    b.close().await;
}

/// With no draw yet the public list says what will appear there, not 暂无.
#[tokio::test]
async fn the_public_list_says_when_nothing_is_drawn_yet() {
    let Some(b) = browser_at(320, 640).await else {
        return;
    };
    let app = spawn_app().await;
    b.client.goto(&app.url("/draws")).await.unwrap();
    let said = b
        .wait_js("document.querySelector('#draws .draws-none') && document.querySelector('#draws .draws-none').textContent")
        .await;
    assert!(said.as_str().unwrap().contains("还没有抽奖"), "{said}");
    b.close().await;
}

/// After the reveal the projector keeps the public page's QR on the screen
/// and says where and until when to claim.
#[tokio::test]
async fn the_projector_keeps_the_qr_and_a_claim_line_after_the_reveal() {
    let Some(b) = browser_at(1920, 1080).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(8).await;
    let by = (app.clock.now() + chrono::Duration::days(2)).to_rfc3339();
    let d: Value = app
        .committed(json!({"round": "week-1", "prize": "蓝牙音箱", "winners": 3, "seed_digits": 6, "claim_by": by}))
        .await;
    let id = d["id"].as_i64().unwrap();
    b.client.goto(&app.url("/healthz")).await.unwrap();
    b.js(&format!(
        "localStorage.setItem('quizbooth.admin_token', '{TOKEN}'); return true;"
    ))
    .await;
    b.client
        .goto(&app.url(&format!("/admin/draws/{id}/show")))
        .await
        .unwrap();
    b.wait_js("document.getElementById('public-qr').complete && document.getElementById('public-qr').naturalWidth > 0")
        .await;
    b.screenshot("projector-before-reveal.png").await;

    b.js("const i = document.getElementById('seed-input'); i.value = '072133'; i.dispatchEvent(new Event('input')); return true;")
        .await;
    b.click("#reveal").await;
    b.click("#confirm-yes").await;
    b.wait_js("!document.getElementById('theatre').hidden")
        .await;
    assert_eq!(
        b.js("return document.getElementById('proof').offsetParent === null;")
            .await,
        true,
        "the codes roll alone on the screen"
    );
    b.click("#skip").await;
    let qr = b
        .wait_js("!document.getElementById('proof').hidden && !document.body.classList.contains('revealing') && \
                  document.getElementById('after-qr').complete && document.getElementById('after-qr').naturalWidth > 0 && \
                  document.getElementById('after-qr').getAttribute('src')")
        .await;
    assert_eq!(
        qr,
        format!("/qr.svg?path=%2Fdraws%2F{id}"),
        "the public page's QR"
    );
    let placed = b
        .js("var r = document.getElementById('after-qr').getBoundingClientRect(), \
                 c = document.getElementById('claim-line').getBoundingClientRect(); \
             return [r.width, r.bottom <= innerHeight, c.bottom <= innerHeight, document.querySelectorAll('#winner-list li').length];")
        .await;
    assert!(
        placed[0].as_f64().unwrap() >= 120.0,
        "big enough to scan: {placed}"
    );
    assert_eq!(placed[1], true, "the QR on the screen: {placed}");
    assert_eq!(placed[2], true, "the claim line on the screen: {placed}");
    assert_eq!(placed[3], 3);
    let claim = b
        .js("return document.getElementById('claim-line').textContent;")
        .await;
    let claim = claim.as_str().unwrap();
    assert!(
        claim.starts_with("领奖：凭领奖凭证到展台，截止 ")
            && claim.len() > "领奖：凭领奖凭证到展台，截止 ".len(),
        "{claim}"
    );
    let url = b
        .js("return document.getElementById('proof-url').textContent;")
        .await;
    assert!(
        url.as_str().unwrap().starts_with("http")
            && url.as_str().unwrap().ends_with(&format!("/draws/{id}")),
        "the public page's address beside its QR: {url}"
    );
    b.screenshot("projector-after-reveal.png").await;

    // The same in English, for the screen reopened later.
    b.click("#lang-toggle").await;
    let claim = b
        .wait_js("document.getElementById('claim-line').textContent.indexOf('To claim') === 0 && document.getElementById('claim-line').textContent")
        .await;
    assert!(claim.as_str().unwrap().contains("booth by"), "{claim}");
    b.click("#lang-toggle").await;
    b.close().await;
}
