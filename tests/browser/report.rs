//! The report organizers send upward (SPEC §11), `/admin/report?set=ID`:
//! laid out from `GET /admin/api/report` figure for figure, printed from
//! headless Chromium to a PDF of A4 pages whose breaks cut no chart, and
//! holding no name, phone or receipt, on the page or in the PDF's text.

use crate::support::app::*;
use crate::support::chromium::*;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const NAME: &str = "欧阳娜娜";
const PHONE: &str = "13912345678";

/// A visitor from `src`: the page visited, a quiz started and submitted
/// (all right when `pass`), and entered with this name and phone when given.
async fn visitor(app: &TestApp, src: &str, pass: bool, contact: Option<(&str, &str)>) -> Value {
    let r = app.get(&format!("/?src={src}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = app
        .post("/api/sessions", json!({"lang": "zh", "src": src}))
        .await
        .json()
        .await
        .unwrap();
    let id = s["session"].as_str().unwrap().to_owned();
    let answers = if pass {
        json!(right_answers())
    } else {
        json!({"hotline": ["A"], "channels": ["A", "B"], "answer-96110": ["T"]})
    };
    let r = app
        .post(
            &format!("/api/sessions/{id}/answers"),
            json!({ "answers": answers }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let Some((name, phone)) = contact else {
        return json!({ "session": id });
    };
    let r = app
        .post(
            "/api/entries",
            json!({"session": id, "consent": true, "name": name, "phone": phone, "publish": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

/// Three days of a campaign from three listed sources, the direct link and
/// the share card; the known entrant among them; a draw of three revealed,
/// one prize claimed by receipt, and a second draw committed. Returns the
/// known entrant's 201 (its receipt).
pub async fn campaign(app: &TestApp) -> Value {
    app.list_sources(json!([
        {"id": "wuhua", "name": "五华区", "headcount": 40},
        {"id": "ynu", "name": "云南大学呈贡校区信息学院", "headcount": 60},
        {"id": "booth", "name": "展台现场"}
    ]))
    .await;
    let known = visitor(app, "wuhua", true, Some((NAME, PHONE))).await;
    let mut n = 0;
    for day in 0..3 {
        for (src, passes, fails) in [
            ("wuhua", 3 + day, 1),
            ("ynu", 2, 2),
            ("booth", 4 - day, 1),
            ("share", 1, 0),
            ("direct", 1, 1),
        ] {
            for i in 0..passes + fails {
                n += 1;
                let phone = format!("1380000{n:04}");
                let contact = (i < passes && i % 2 == 0).then_some(("观众", phone.as_str()));
                visitor(app, src, i < passes, contact).await;
            }
            app.get(&format!("/?src={src}")).await;
        }
        app.advance(86_400);
    }
    let drawn = app
        .drawn(
            json!({"round": "week-1", "prize": "保温杯", "winners": 3}),
            "7 3 9 1 5",
        )
        .await;
    let won = drawn["winners"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == known["code"]);
    let claim = if won {
        json!({"receipt": known["receipt"]})
    } else {
        let code = drawn["winners"][0]["code"].clone();
        let winners = app
            .staff_json(&format!("/admin/api/draws/{}/winners", drawn["id"]))
            .await;
        let phone = winners["winners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == code)
            .unwrap()["phone"]
            .clone();
        json!({"code": code, "phone": phone})
    };
    let r = app.staff_post("/admin/api/claims", claim).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.committed(json!({"round": "week-1", "prize": "帆布袋", "winners": 1}))
        .await;
    known
}

/// What the page should show for each `data-figure`, from the report's data.
fn expected_figures(d: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let f = &d["figures"];
    for k in ["started", "submitted", "entries"] {
        out.insert(k.to_owned(), f[k].clone());
    }
    let (passed, submitted) = (
        f["passed"].as_f64().unwrap(),
        f["submitted"].as_f64().unwrap(),
    );
    out.insert("pass_rate".into(), json!(passed / submitted));
    for r in d["rounds"].as_array().unwrap() {
        for k in ["started", "passed", "entries"] {
            out.insert(
                format!("round:{}:{k}", r["id"].as_str().unwrap()),
                r[k].clone(),
            );
        }
    }
    const STAGES: [&str; 5] = ["visits", "starts", "submitted", "passed", "entries"];
    if let Some(fu) = d.get("funnel").filter(|f| !f.is_null()) {
        out.insert("visits".into(), f["visits"].clone());
        for k in STAGES {
            out.insert(format!("total:{k}"), fu["totals"][k].clone());
        }
        for (by, prefix) in [("by_day", "day"), ("by_source", "source")] {
            for r in fu[by].as_array().unwrap() {
                for k in STAGES {
                    out.insert(
                        format!("{prefix}:{}:{k}", r["key"].as_str().unwrap()),
                        r[k].clone(),
                    );
                }
            }
        }
        for r in fu["league"].as_array().into_iter().flatten() {
            let key = r["key"].as_str().unwrap();
            for k in ["starts", "entries", "rate"] {
                out.insert(format!("league:{key}:{k}"), r[k].clone());
            }
            if !r["headcount"].is_null() {
                out.insert(format!("league:{key}:headcount"), r["headcount"].clone());
            }
        }
    }
    for q in d["worst"].as_array().unwrap() {
        let id = q["id"].as_str().unwrap();
        let (c, a) = (
            q["correct"].as_f64().unwrap(),
            q["answered"].as_f64().unwrap(),
        );
        out.insert(format!("q:{id}:correct"), q["correct"].clone());
        out.insert(format!("q:{id}:answered"), q["answered"].clone());
        out.insert(format!("q:{id}:rate"), json!(c / a));
        for w in q["wrong"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|w| w["picks"].as_i64() > Some(0))
            .take(2)
        {
            out.insert(
                format!("q:{id}:picks:{}", w["key"].as_str().unwrap()),
                w["picks"].clone(),
            );
        }
    }
    for dr in d["draws"].as_array().unwrap() {
        let id = &dr["id"];
        out.insert(format!("draw:{id}:entry_count"), dr["entry_count"].clone());
        out.insert(
            format!("draw:{id}:entries_digest"),
            dr["entries_digest"].clone(),
        );
        if dr["status"] == "revealed" {
            out.insert(format!("draw:{id}:public_seed"), dr["public_seed"].clone());
            out.insert(format!("draw:{id}:claimed"), dr["claimed"].clone());
            let winners = dr["winners"].as_array().unwrap();
            out.insert(format!("draw:{id}:winners"), json!(winners.len()));
            for (i, w) in winners.iter().enumerate() {
                out.insert(format!("draw:{id}:winner:{i}"), w["code"].clone());
            }
        }
    }
    out
}

/// A figure's `data-value` equals the data's: numbers as numbers, texts as texts.
fn same(shown: &str, want: &Value) -> bool {
    match want {
        Value::Number(n) => shown
            .parse::<f64>()
            .is_ok_and(|s| (s - n.as_f64().unwrap()).abs() < 1e-9),
        Value::String(s) => shown == s,
        Value::Null => shown.is_empty(),
        _ => false,
    }
}

/// A poppler tool (`apt-get install poppler-utils`), or `None` with a printed
/// reason outside CI.
fn poppler(tool: &str) -> Option<PathBuf> {
    let path = Path::new("/usr/bin").join(tool);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {tool} is missing (apt-get install poppler-utils)"
    );
    eprintln!("SKIPPED the PDF's text: {tool} not installed (apt-get install poppler-utils)");
    None
}

fn run(tool: &Path, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool:?} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_report_prints_to_a4_with_whole_charts_its_figures_and_no_name_or_phone() {
    // An A4 sheet's width in CSS pixels (210 mm at 96 dpi).
    let Some(b) = browser_at(794, 1123).await else {
        return;
    };
    let app = spawn_app().await;
    let known = campaign(&app).await;
    let receipt = known["receipt"].as_str().unwrap().to_owned();

    // Without the token the page asks for it; with it, the report.
    b.client
        .goto(&app.url("/admin/report?set=fixture-valid"))
        .await
        .unwrap();
    b.wait_js("!document.getElementById('report-login').hidden")
        .await;
    b.wait_css("#report-token")
        .await
        .send_keys(TOKEN)
        .await
        .unwrap();
    b.click("#report-login button[type=submit]").await;
    b.wait_js("document.getElementById('report').getAttribute('data-ready') === 'true'")
        .await;
    b.screenshot("report-a4.png").await;
    if let Some(found) = b.axe().await {
        assert_eq!(found, json!([]), "WCAG 2.1 AA on the report");
    }

    // Every figure shown is the data's, and the data's are all shown.
    let data = app.staff_json("/admin/api/report?set=fixture-valid").await;
    let want = expected_figures(&data);
    let shown: BTreeMap<String, String> = serde_json::from_value(
        b.js("var o = {}; document.querySelectorAll('[data-figure]').forEach(function (e) { o[e.getAttribute('data-figure')] = e.getAttribute('data-value'); }); return o;")
            .await,
    )
    .unwrap();
    assert_eq!(
        shown.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the figures shown are the data's"
    );
    for (k, v) in &want {
        assert!(
            same(&shown[k], v),
            "{k}: shown {:?}, the data says {v}",
            shown[k]
        );
    }
    assert!(
        want.len() > 20,
        "a campaign's worth of figures: {}",
        want.len()
    );
    let text = b.js("return document.body.innerText").await;
    let text = text.as_str().unwrap();
    assert!(text.contains("测试主办方"), "the organizer from the bank");
    assert!(
        text.contains("一、活动概况") && text.contains("七、个人信息保护"),
        "Chinese first"
    );

    // Nothing private on the page.
    let html = b.js("return document.documentElement.outerHTML").await;
    let html = html.as_str().unwrap();
    let bare: String = receipt.chars().filter(|c| *c != '-').collect();
    for secret in [NAME, PHONE, receipt.as_str(), bare.as_str(), "13800000001"] {
        assert!(!html.contains(secret), "the page shows {secret:?}");
    }

    // Printed, no chart is cut: each figure avoids a break inside and fits a page.
    b.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}))
        .await;
    let charts = b
        .js("return Array.from(document.querySelectorAll('svg.report-chart')).map(function (s) {
               var f = s.closest('figure'), cs = getComputedStyle(f);
               return {avoid: cs.breakInside, legacy: cs.pageBreakInside, height: f.getBoundingClientRect().height,
                       width: f.getBoundingClientRect().width};
             })")
        .await;
    let charts = charts.as_array().unwrap();
    let expected_charts = if data["funnel"].is_null() { 0 } else { 3 };
    assert_eq!(
        charts.len(),
        expected_charts,
        "the funnel, by day, by source"
    );
    // 297 mm less the 32 mm of the page's margins, in CSS pixels (the charts
    // are measured at the window's 210 mm; on paper, 180 mm wide, they are
    // shorter still).
    let page_height = (297.0 - 32.0) / 25.4 * 96.0;
    for c in charts {
        assert_eq!(c["avoid"], "avoid", "{c}");
        assert!(
            c["height"].as_f64().unwrap() < page_height,
            "a chart fits a page: {c}"
        );
    }
    let rows = b
        .js("return Array.from(document.querySelectorAll('.report-table tr, .report-question, .report-draw-facts'))
               .every(function (e) { return getComputedStyle(e).breakInside === 'avoid'; })")
        .await;
    assert_eq!(
        rows,
        json!(true),
        "no table row, question or draw's facts is cut"
    );
    b.cdp("Emulation.setEmulatedMedia", json!({"media": ""}))
        .await;

    // The PDF, at the page's own @page size.
    let printed = b
        .cdp(
            "Page.printToPDF",
            json!({"preferCSSPageSize": true, "printBackground": true}),
        )
        .await;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(printed["data"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let file = file.to_str().unwrap();

    // The console's set card opens it; in English when the console is.
    b.console(&app).await;
    let href = b
        .wait_js("document.getElementById('report-fixture-valid') && document.getElementById('report-fixture-valid').getAttribute('href')")
        .await;
    assert_eq!(href, "/admin/report?set=fixture-valid");
    b.js("localStorage.setItem('quizbooth.lang', 'en'); return true;")
        .await;
    // Purged since: the privacy statement says when and how many.
    let r = app
        .staff_post("/admin/api/rounds/week-1/purge", json!({"force": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    b.client
        .goto(&app.url("/admin/report?set=fixture-valid"))
        .await
        .unwrap();
    b.wait_js("document.getElementById('report').getAttribute('data-ready') === 'true'")
        .await;
    let h2 = b
        .js("return Array.from(document.querySelectorAll('#report h2')).map(function (h) { return h.textContent; })")
        .await;
    assert_eq!(h2[0], "1. The event");
    assert_eq!(h2.as_array().unwrap().len(), 7, "{h2}");
    let text = b.js("return document.body.innerText").await;
    assert!(
        text.as_str().unwrap().contains("Organizer: Test organizer"),
        "the bank's English"
    );
    let text = text.as_str().unwrap();
    let erased = format!("({} entries)", data["figures"]["entries"]);
    assert!(
        text.contains("were erased on") && text.contains(&erased),
        "the purge in the privacy statement: {text}"
    );
    b.screenshot("report-a4-en.png").await;
    b.close().await;

    let Some(pdfinfo) = poppler("pdfinfo") else {
        return;
    };
    let info = run(&pdfinfo, &["-f", "1", "-l", "99", file]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo says how many pages");
    assert!(pages >= 1, "{info}");
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .collect();
    assert_eq!(sizes.len(), pages, "{info}");
    for s in sizes {
        // `Page    1 size:  594.96 x 841.92 pts (A4)`: A4 is 595.28 × 841.89 points.
        let dims: Vec<f64> = s
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .skip(1)
            .collect();
        assert!(
            dims.len() == 2 && (dims[0] - 595.28).abs() < 1.0 && (dims[1] - 841.89).abs() < 1.0,
            "an A4 page: {s}"
        );
    }
    let text = run(
        &poppler("pdftotext").unwrap(),
        &["-enc", "UTF-8", file, "-"],
    );
    assert!(
        text.contains("测试主办方") && text.contains("个人信息保护"),
        "the PDF's text is read: {text}"
    );
    for secret in [NAME, PHONE, receipt.as_str(), bare.as_str(), "13800000001"] {
        assert!(!text.contains(secret), "the PDF shows {secret:?}");
    }
    if let Some(pdftoppm) = poppler("pdftoppm") {
        let png = dir.join("report-page1");
        run(
            &pdftoppm,
            &[
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                file,
                png.to_str().unwrap(),
            ],
        );
        assert!(dir.join("report-page1.png").exists());
    }
}
