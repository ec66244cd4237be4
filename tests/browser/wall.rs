//! The wall (`/wall`, SPEC §11) on a booth's screen at 1920×1080 and
//! 1280×720: a count changes within 15 s of an entry, the page keeps its
//! numbers through a service restart and recovers by itself, and the
//! screen holds everything without scrolling, in type readable from afar.

use crate::support::app::*;
use crate::support::chromium::*;
use crate::support::process::{
    enter, free_port, process_client, serve_command, start_session, submit, wait_up, Server,
};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// `quizbooth serve` on `port` over the banks and database of `dir`.
fn serve_on(dir: &Path, port: u16) -> Server {
    let child = serve_command(&dir.join("questions"), &dir.join("q.db"), port)
        .spawn()
        .expect("the binary starts");
    Server::adopt(child, port)
}

fn text_is(id: &str, text: &str) -> String {
    format!("document.getElementById('{id}').textContent === '{text}'")
}

#[tokio::test]
async fn the_wall_shows_an_entry_within_15_s_and_keeps_working_through_a_restart() {
    let Some(b) = screen_at(1920, 1080).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("questions")).unwrap();
    std::fs::write(dir.path().join("questions/valid.yaml"), BANK).unwrap();
    let port = free_port();
    let client = process_client();
    let server = serve_on(dir.path(), port);
    wait_up(&client, &server.base).await;
    let base = server.base.clone();

    b.client.goto(&format!("{base}/wall")).await.unwrap();
    b.wait_js(&format!(
        "document.body.getAttribute('data-link') === 'live' && {}",
        text_is("round-entries", "0")
    ))
    .await;
    assert_eq!(
        b.js("return document.getElementById('wall-qr').naturalWidth > 0;")
            .await,
        true,
        "the QR code is drawn"
    );
    // Served on 127.0.0.1 without --public-url: phones cannot open the
    // QR code's address, and the screen says so (as the console's poster does).
    let warned = b
        .js("var w = document.getElementById('wall-url-local');
             return w.hidden ? '' : w.textContent;")
        .await;
    assert!(
        warned.as_str().unwrap().contains("--public-url"),
        "the wall warns of a local address: {warned}"
    );
    assert_eq!(
        b.js("var d = document.documentElement;
              return d.scrollHeight <= innerHeight && d.scrollWidth <= innerWidth;")
            .await,
        true,
        "the warning fits the screen (a smaller QR code makes room)"
    );

    let session = start_session(&client, &base).await;
    submit(&client, &base, &session).await;
    let r = enter(&client, &base, &session, "13911112222").await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let since = Instant::now();
    b.wait_js(&text_is("round-entries", "1")).await;
    let took = since.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "the entry showed after {took:?}"
    );
    b.wait_js(&text_is("round-passed", "1")).await;

    // The service stops: the numbers stay, a quiet mark says so.
    drop(server);
    b.wait_js("document.body.getAttribute('data-link') === 'lost'")
        .await;
    let shown = b
        .js(
            "return [document.getElementById('round-entries').textContent, \
                    document.getElementById('link-text').textContent];",
        )
        .await;
    assert_eq!(shown[0], "1", "the last numbers stay: {shown}");
    assert!(
        shown[1].as_str().unwrap().contains("正在重新连接"),
        "reconnecting is said: {shown}"
    );

    // It starts again on the same port and database: the wall comes back by itself.
    let server = serve_on(dir.path(), port);
    wait_up(&client, &server.base).await;
    let session = start_session(&client, &base).await;
    submit(&client, &base, &session).await;
    let r = enter(&client, &base, &session, "13933334444").await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    b.wait_js(&format!(
        "document.body.getAttribute('data-link') === 'live' && {}",
        text_is("round-entries", "2")
    ))
    .await;
    let page = b.js("return document.body.innerText;").await;
    let page = page.as_str().unwrap();
    for private in ["13911112222", "13933334444", TOKEN] {
        assert!(!page.contains(private), "the wall shows {private}");
    }
    b.close().await;
    drop(server);
}

/// Sources with headcounts, six entries from them (half of them agreeing
/// to publish their masks) and a revealed draw of five: what the wall
/// shows at a booth. The league by rate: 五华区 1/800, then 云南大学 3/3000,
/// 昆明理工大学 1/2500, and 中国电信云南分公司 without a headcount.
pub async fn a_booth_with_a_draw(app: &TestApp) -> Value {
    app.list_sources(json!([
        {"id": "wuhua", "name": "五华区", "headcount": 800},
        {"id": "ynu", "name": "云南大学", "headcount": 3000},
        {"id": "kust", "name": "昆明理工大学", "headcount": 2500},
        {"id": "yunnan-telecom", "name": "中国电信云南分公司"},
    ]))
    .await;
    for (i, src) in ["ynu", "ynu", "wuhua", "kust", "ynu", "nowhere"]
        .iter()
        .enumerate()
    {
        let r = app
            .post("/api/sessions", json!({"lang": "zh", "src": src}))
            .await;
        let s: Value = r.json().await.unwrap();
        let id = s["session"].as_str().unwrap();
        assert_eq!(app.submit_right(id).await.status(), reqwest::StatusCode::OK);
        let r = app
            .post(
                "/api/entries",
                json!({"session": id, "consent": true, "name": format!("观众{i}"),
                       "phone": format!("1370000{i:04}"), "publish": i % 2 == 0}),
            )
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    app.drawn(
        json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 5}),
        "2 7 1 8 2 8",
    )
    .await
}

/// Everything on one screen: no scrolling, no text under 2.5 % of the
/// screen's height, the QR code at least 40 % of it; the winners shown and
/// the "more" line add up to the draw.
async fn holds_the_screen(b: &Browser, size: &str) {
    let v = b
        .js("var h = innerHeight, smallest = 1e9, who = '';
             var all = document.querySelectorAll('body *');
             for (var i = 0; i < all.length; i++) {
               var e = all[i];
               if (!e.offsetParent && e.tagName !== 'BODY') continue;
               var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
               if (!own) continue;
               var px = parseFloat(getComputedStyle(e).fontSize);
               if (px < smallest) { smallest = px; who = e.id || e.className; }
             }
             var more = document.getElementById('draw-more');
             var m = /(\\d+)/.exec(more.hidden ? '' : more.textContent);
             return {scrollH: document.documentElement.scrollHeight, scrollW: document.documentElement.scrollWidth,
                     h: h, w: innerWidth, smallest: smallest / h, who: who,
                     qr: document.getElementById('wall-qr').getBoundingClientRect().height / h,
                     winners: document.querySelectorAll('#draw-winners li').length + (m ? +m[1] : 0),
                     rows: document.querySelectorAll('#league-list li').length};")
        .await;
    assert!(
        v["scrollH"].as_f64() <= v["h"].as_f64() && v["scrollW"].as_f64() <= v["w"].as_f64(),
        "{size}: nothing scrolls: {v}"
    );
    assert!(
        v["smallest"].as_f64().unwrap() >= 0.025,
        "{size}: the smallest text is readable from afar: {v}"
    );
    assert!(
        v["qr"].as_f64().unwrap() >= 0.4,
        "{size}: the QR code is large: {v}"
    );
    assert_eq!(
        v["winners"], 5,
        "{size}: every winner is shown or counted: {v}"
    );
    assert_eq!(v["rows"], 4, "{size}: the league fits: {v}");
}

#[tokio::test]
async fn the_wall_holds_a_booth_screen_at_1920_and_1280() {
    // The booth's Wi-Fi address, as `--public-url` gives it at an event.
    let app = spawn_app_adjusted(|s| s.public_url = "http://192.168.1.20:8080".into()).await;
    let d = a_booth_with_a_draw(&app).await;
    for (w, h) in [(1920, 1080), (1280, 720)] {
        let Some(b) = screen_at(w, h).await else {
            return;
        };
        b.client.goto(&app.url("/wall")).await.unwrap();
        b.wait_js("document.body.getAttribute('data-link') === 'live' && document.querySelectorAll('#draw-winners li').length > 0")
            .await;
        let first = d["winners"][0]["code"].as_str().unwrap();
        let codes = b
            .js("return document.getElementById('draw-winners').textContent;")
            .await;
        assert!(codes.as_str().unwrap().contains(first), "{codes}");
        assert_eq!(
            b.js("return Array.prototype.map.call(document.querySelectorAll('#league-list .wall-name'), \
                  function (n) { return n.textContent; });")
                .await,
            json!(["五华区", "云南大学", "昆明理工大学", "中国电信云南分公司"]),
            "by rate"
        );
        assert_eq!(
            b.js(
                "return [document.getElementById('today-entries').textContent, \
                         document.getElementById('round-entries').textContent];"
            )
            .await,
            json!(["6", "6"]),
            "today's entries and the round's"
        );
        assert_eq!(
            b.js("return document.getElementById('wall-url-local').hidden;")
                .await,
            true,
            "{w}x{h}: an address phones reach needs no warning"
        );
        holds_the_screen(&b, &format!("{w}x{h}")).await;
        b.screenshot(&format!("wall-{w}x{h}.png")).await;
        // A province's campaign: counts in the millions still fit their columns.
        let cut = b
            .js("return fetch('/api/wall').then(function (r) { return r.json(); }).then(function (d) {
                   d.today.starts = 1234567; d.today.passed = 987654; d.today.entries = 876543;
                   d.round.counts.starts = 31000000; d.round.counts.passed = 3100000; d.round.counts.entries = 2999999;
                   QuizboothWall.show(d);
                   var out = [];
                   Array.prototype.forEach.call(document.querySelectorAll('.wall-num'), function (n) {
                     if (n.scrollWidth > n.clientWidth + 1 || parseFloat(getComputedStyle(n).fontSize) < 0.03 * innerHeight)
                       out.push(n.id + ' ' + n.textContent + ' ' + n.scrollWidth + '>' + n.clientWidth);
                   });
                   return out.join('; ') || 'none';
                 });")
            .await;
        assert_eq!(cut, "none", "{w}x{h}: a count cut or too small");
        assert_eq!(
            b.js(
                "return [document.getElementById('today-starts').textContent, \
                         document.getElementById('round-starts').textContent];"
            )
            .await,
            json!(["123万", "3100万"]),
            "{w}x{h}: from 100,000 on a count is short"
        );
        b.screenshot(&format!("wall-millions-{w}x{h}.png")).await;
        b.close().await;
    }
}

/// The console's 海报 section links to the wall and shows its QR code, for
/// a tablet to open it.
#[tokio::test]
async fn the_console_links_to_the_wall_and_shows_its_qr_code() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    b.console(&app).await;
    b.wait_js("!document.getElementById('poster-section').hidden && document.getElementById('wall-tablet-qr').naturalWidth > 0")
        .await;
    let link = b
        .js("var a = document.getElementById('wall-link'); \
             return [a.getAttribute('href'), a.textContent, document.getElementById('wall-tablet-qr').getAttribute('src')];")
        .await;
    assert_eq!(
        link,
        json!(["/wall", "打开大屏", "/admin/qr.svg?path=/wall"])
    );
    let png = app.get("/admin/qr.png?path=/wall").await;
    assert_eq!(png.status(), reqwest::StatusCode::OK);
    assert_eq!(
        decode_qr(&png.bytes().await.unwrap()),
        "http://127.0.0.1:8080/wall",
        "the QR code opens the wall on the public address"
    );
    b.js("document.getElementById('wall-link').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.screenshot("wall-console-1366x900.png").await;
    b.close().await;
}
