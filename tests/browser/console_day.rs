//! The staff console on a booth day (issue 22): every set's rounds, erasing one person, the claim desk at phone size.

use super::*;

/// A person who phones in is found by their phone, withdrawn past a confirm
/// that says what happens, shown erased, and the audit log says so in Chinese.
#[tokio::test]
async fn staff_erase_one_person_found_by_phone_behind_a_confirm() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(2).await;
    let me = app.entry_made("赵六", "13612345678", false).await;
    let code = me["code"].as_str().unwrap().to_owned();
    // A committed draw holds the code: it stays there, but can no longer claim.
    app.committed(json!({"round": "week-1", "prize": "帆布袋", "winners": 1}))
        .await;

    b.console(&app).await;
    b.wait_css("#entries-q")
        .await
        .send_keys("13612345678")
        .await
        .unwrap();
    b.click("#entries-search").await;
    b.wait_js(&format!(
        "document.querySelectorAll('#entries-body tr').length === 1 && \
         document.querySelector('#entries-body tr[data-code=\"{code}\"] .withdraw-btn') !== null"
    ))
    .await;
    b.click("#entries-body .withdraw-btn").await;
    let ask = b
        .wait_js(&text_of("#entries-body .withdraw-confirm-box"))
        .await;
    let ask = ask.as_str().unwrap();
    assert!(
        ask.contains(&code) && ask.contains("现在就删除") && ask.contains("不能再领奖"),
        "the confirm says what happens: {ask}"
    );
    assert!(
        !ask.contains("13612345678") && ask.contains("136****5678"),
        "masked in the confirm: {ask}"
    );
    b.js("document.getElementById('entries-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-withdraw-confirm.png").await;

    // Cancel leaves everything as it was.
    b.click("#entries-body .withdraw-cancel").await;
    b.wait_js("document.querySelector('#entries-body .withdraw-confirm-box') === null")
        .await;
    assert!(app.search(&code).await["entries"][0]["name"].is_string());

    b.click("#entries-body .withdraw-btn").await;
    b.click("#entries-body .withdraw-confirm").await;
    let done = b
        .wait_js("!document.getElementById('entries-withdrawn').hidden && document.getElementById('entries-withdrawn').textContent")
        .await;
    assert!(done.as_str().unwrap().contains("已撤回"), "{done}");
    // The list shows the person erased, with no second button.
    b.wait_js(&format!(
        "document.querySelector('#entries-body tr[data-code=\"{code}\"] .erased') !== null"
    ))
    .await;
    assert_eq!(
        b.js("return document.querySelectorAll('#entries-body .withdraw-btn').length;")
            .await,
        0
    );
    b.screenshot("console-withdrawn.png").await;
    let row = &app.search(&code).await["entries"][0];
    assert!(row["name"].is_null() && row["phone"].is_null(), "{row}");

    // The audit log, in the console's language.
    let audit = b
        .wait_js(&text_of("#audit-list li[data-action='entry_withdrawn']"))
        .await;
    let audit = audit.as_str().unwrap();
    assert!(
        audit.contains("撤回登记")
            && audit.contains(&format!(
                "{code} 已撤回，姓名和手机号已删除（工作人员代为撤回）"
            )),
        "phrased in Chinese from the row's fields: {audit}"
    );
    assert!(!audit.contains("withdrawn"), "no machine English: {audit}");
    let committed = b
        .js(&format!(
            "return {};",
            text_of("#audit-list li[data-action='draw_committed']")
        ))
        .await;
    assert!(
        committed
            .as_str()
            .unwrap()
            .contains("第 1 场抽奖：fixture-valid/week-1，3 个抽奖码，1 名"),
        "{committed}"
    );
    assert!(!audit.contains("13612345678"), "{audit}");
    b.js("document.getElementById('audit-list').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-audit.png").await;
    b.close().await;
}

/// A second set is uploaded and published; the old set's round is still
/// drawn (with a confirm naming the true pool) and purged from the console,
/// and the numbers switch between the sets.
#[tokio::test]
async fn the_old_sets_round_is_drawn_and_purged_after_a_new_set_goes_live() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(3).await;
    // An earlier winner leaves the pool: 3 entries, 2 to draw from.
    app.drawn(
        json!({"round": "week-1", "prize": "保温杯", "winners": 1}),
        "7",
    )
    .await;
    let autumn = BANK
        .replace("id: fixture-valid", "id: autumn")
        .replace("  - id: week-1", "  - id: autumn-1");
    let r = app
        .upload_yaml("/admin/api/sets?activate=false", &autumn)
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let r = app
        .staff_post("/admin/api/sets/autumn/activate", json!({}))
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    app.entry("新观众", "13711112222").await;

    b.console(&app).await;
    // The draw form offers both sets' rounds, grouped, with the true pool.
    let groups = b
        .wait_js("document.querySelectorAll('#draw-round optgroup').length === 2 && Array.prototype.map.call(document.querySelectorAll('#draw-round optgroup'), function (g) { return g.label + ': ' + g.textContent; }).join('\\n')")
        .await;
    let groups = groups.as_str().unwrap();
    let old = groups
        .lines()
        .find(|l| l.contains("fixture-valid"))
        .unwrap_or_else(|| panic!("{groups}"));
    assert!(
        old.contains("未上线") && old.contains("可抽 2 个，共 3 人参与"),
        "the old set, not live, its pool without the earlier winner: {old}"
    );
    assert!(
        groups
            .lines()
            .any(|l| l.contains("autumn") && l.contains("当前上线")),
        "{groups}"
    );
    let pools = b
        .js("return Array.prototype.map.call(document.querySelectorAll('#rounds-body tr[data-set=\"fixture-valid\"] td.pool'), function (td) { return td.textContent; }).join('|');")
        .await;
    assert_eq!(pools, "2", "the rounds table's pool column");
    b.js("document.getElementById('rounds-table').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-rounds-by-set.png").await;

    // Commit a draw of the old set's round: asked first, with the true pool.
    b.js("const s = document.getElementById('draw-round'); \
          s.value = Array.prototype.filter.call(s.options, function (o) { return o.parentNode.label.indexOf('fixture-valid') >= 0; })[0].value; \
          document.getElementById('draw-prize').value = '纪念 U 盘'; \
          document.getElementById('draw-winners').value = '1'; return true;")
        .await;
    b.click("#draw-commit").await;
    let ask = b
        .wait_js("document.getElementById('draw-commit-confirm') && document.getElementById('draw-form-result').textContent")
        .await;
    let ask = ask.as_str().unwrap();
    assert!(
        ask.contains("纪念 U 盘")
            && ask.contains("1 名")
            && ask.contains("week-1")
            && ask.contains("现在的 2 个抽奖码"),
        "{ask}"
    );
    assert_eq!(
        app.get_json("/api/draws").await.as_array().unwrap().len(),
        1,
        "nothing committed before the confirm"
    );
    b.js("document.getElementById('draw-form-result').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.screenshot("console-commit-confirm.png").await;
    b.click("#draw-commit-confirm").await;
    b.wait_js("document.querySelector('#draw-form-result.ok') !== null")
        .await;
    let draws = app.get_json("/api/draws").await;
    let newest = draws
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|d| d["id"].as_i64())
        .unwrap();
    assert_eq!(newest["set"], "fixture-valid", "{newest}");
    assert_eq!(newest["entry_count"], 2, "{newest}");

    // Purge the old set's round from the console.
    b.click("#rounds-body tr[data-set='fixture-valid'] .purge-btn")
        .await;
    b.click("#rounds-body tr[data-set='fixture-valid'] .purge-confirm")
        .await;
    let done = b
        .wait_js("document.querySelector('#rounds-body tr[data-set=\"fixture-valid\"] .purged') && document.querySelector('#rounds-body tr[data-set=\"fixture-valid\"] .keeping').textContent")
        .await;
    assert!(done.as_str().unwrap().contains("已删除 3 条"), "{done}");
    let rounds = app.staff_json("/admin/api/rounds").await;
    let old = rounds
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["set"] == "fixture-valid")
        .unwrap();
    assert!(old["purged_at"].is_string(), "{old}");

    b.close().await;
}

/// The numbers of every set: the live set first, then, switched in the
/// select, a set that is no longer live.
#[tokio::test]
async fn the_numbers_switch_between_sets() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(3).await;
    let autumn = BANK
        .replace("id: fixture-valid", "id: autumn")
        .replace("  - id: week-1", "  - id: autumn-1");
    let r = app.upload_yaml("/admin/api/sets", &autumn).await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    app.entry("新观众", "13711112222").await;
    b.console(&app).await;
    // The numbers: the live set first, then the old one.
    b.wait_js("document.getElementById('stats-set').getAttribute('data-set') === 'autumn'")
        .await;
    assert_eq!(
        b.js("return document.getElementById('stat-entries').textContent;")
            .await,
        "1"
    );
    b.js("const s = document.getElementById('stats-round'); \
          s.value = s.querySelector('option[data-set=\"fixture-valid\"][data-round=\"\"]').value; \
          s.dispatchEvent(new Event('change')); return true;")
        .await;
    b.wait_js("document.getElementById('stats-set').getAttribute('data-set') === 'fixture-valid' && document.getElementById('stat-entries').textContent === '3'")
        .await;
    let label = b.js(&format!("return {};", text_of("#stats-set"))).await;
    assert!(label.as_str().unwrap().contains("未上线"), "{label}");
    b.js("document.getElementById('stats-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-stats-old-set.png").await;
    b.close().await;
}

/// The receipt QR holds the desk's URL with the receipt in the fragment: a
/// visitor gets the token prompt only; staff get the win looked up (not
/// handed out); no request of either page carries the receipt.
#[tokio::test]
async fn a_receipt_qr_opens_the_desk_and_no_request_carries_the_receipt() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.entries(1).await;
    let me = app.entry_made("李明", "13812345678", false).await;
    let receipt = me["receipt"].as_str().unwrap().to_owned();
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 2}),
            "3 1 4",
        )
        .await;

    // The QR on the visitor's page, read back.
    b.resume(&app, me["session"].as_str().unwrap()).await;
    b.wait_js("document.getElementById('receipt-qr') && document.getElementById('receipt-qr').complete && document.getElementById('receipt-qr').naturalWidth > 0")
        .await;
    let grey = b
        .js("const img = document.getElementById('receipt-qr'); const c = document.createElement('canvas'); \
             c.width = 330; c.height = 330; const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 330, 330); \
             g.drawImage(img, 0, 0, 330, 330); const d = g.getImageData(0, 0, 330, 330).data; \
             const out = []; for (let i = 0; i < d.length; i += 4) out.push(d[i]); return out;")
        .await;
    let grey: Vec<u8> = serde_json::from_value(grey).unwrap();
    let img = image::GrayImage::from_raw(330, 330, grey).unwrap();
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    let link = decode_qr(&png);
    assert_eq!(link, format!("http://127.0.0.1:8080/admin#claim={receipt}"));
    let fragment = link.split_once("/admin").unwrap().1.to_owned();

    // A visitor opening it: the token prompt and nothing else.
    b.client.goto(&app.url("/healthz")).await.unwrap();
    b.js("localStorage.clear(); return true;").await;
    b.client
        .goto(&app.url(&format!("/admin{fragment}")))
        .await
        .unwrap();
    b.wait_js("!document.getElementById('login').hidden").await;
    assert_eq!(
        b.js("return [location.hash, document.getElementById('claims-section').hidden, document.body.innerText.indexOf('纪念 U 盘')];")
            .await,
        json!(["", true, -1])
    );
    assert_no_request_holds(&b, &receipt).await;

    // Staff: the desk opens with the receipt looked up, not handed out.
    b.client.goto(&app.url("/healthz")).await.unwrap();
    b.js(&format!(
        "localStorage.setItem('quizbooth.admin_token', '{TOKEN}'); return true;"
    ))
    .await;
    b.client
        .goto(&app.url(&format!("/admin{fragment}")))
        .await
        .unwrap();
    let person = b.wait_js(&text_of("#claim-result.ok .claim-person")).await;
    assert!(
        person.as_str().unwrap().contains("李明")
            && person.as_str().unwrap().contains("13812345678"),
        "{person}"
    );
    assert_eq!(b.js("return location.href;").await, app.url("/admin"));
    assert_eq!(
        b.js("return document.getElementById('claim-receipt').value;")
            .await,
        receipt
    );
    assert_no_request_holds(&b, &receipt).await;
    // The desk's own scanner (BarcodeDetector) reads the old bare receipt and the new URL alike.
    assert_eq!(
        b.js(&format!(
            "return [Admin.receiptIn(' {receipt} '), Admin.receiptIn({link:?}), Admin.receiptIn('https://quiz.example.cn/booth/admin#claim={receipt}')];"
        ))
        .await,
        json!([receipt, receipt, receipt])
    );
    let w = app
        .staff_json(&format!("/admin/api/draws/{}/winners", d["id"]))
        .await;
    assert!(
        w["winners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["claimed"] == false),
        "only checked: {w}"
    );
    b.js("document.getElementById('claims-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("desk-from-link-390.png").await;
    b.click("#claim-give").await;
    b.wait_js("document.querySelector('#claim-result .claim-headline').textContent.indexOf('已发放') >= 0")
        .await;

    // At 390 px the winners list fits: cards, nothing cut at the right.
    b.wait_js("document.querySelectorAll('#winners-body tr').length === 2")
        .await;
    let overflow = b
        .js("const t = document.getElementById('winners-table'); \
             return Math.max(t.getBoundingClientRect().right, t.scrollWidth + t.getBoundingClientRect().left) - window.innerWidth;")
        .await;
    assert!(
        overflow.as_f64().unwrap() <= 0.0,
        "the winners list is cut by {overflow} px"
    );
    let claimed = b
        .js("return Array.prototype.map.call(document.querySelectorAll('#winners-body td[data-state]'), function (td) { return td.getAttribute('data-state'); }).sort().join(',');")
        .await;
    assert_eq!(claimed, "claimed,open");
    b.js("document.getElementById('winners-table').scrollIntoView(); return true;")
        .await;
    b.screenshot("desk-winners-390.png").await;
    b.close().await;
}

/// No request the page made so far (the page itself included) names the
/// receipt. The page's own entry is named with its fragment, which the
/// browser never sends: what went out is the URL before the `#`.
async fn assert_no_request_holds(b: &Browser, receipt: &str) {
    let urls = b
        .js("return [performance.getEntriesByType('navigation').map(function (n) { return n.name.split('#')[0]; }), \
                     performance.getEntriesByType('resource').map(function (r) { return r.name; })];")
        .await;
    assert!(urls[0][0].as_str().unwrap().ends_with("/admin"), "{urls}");
    let text = urls.to_string().to_uppercase();
    let bare = receipt.replace('-', "").to_uppercase();
    assert!(
        !text.contains(&receipt.to_uppercase()) && !text.replace('-', "").contains(&bare),
        "a request holds the receipt: {urls}"
    );
}

/// A win past its claim deadline reads 逾期未领 in grey, with 名额已补抽
/// once a re-draw took its place.
#[tokio::test]
async fn the_winners_list_says_a_win_expired_and_was_redrawn() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(4).await;
    let by = (app.clock.now() + chrono::Duration::days(1)).to_rfc3339();
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "帆布袋", "winners": 1, "claim_by": by}),
            "9 9",
        )
        .await;
    app.advance(2 * 86400);
    b.console(&app).await;
    let said = b.wait_js(&text_of("#winners-body td[data-state]")).await;
    assert_eq!(said, "逾期未领", "expired, no re-draw yet");
    app.committed(
        json!({"round": "week-1", "prize": "帆布袋（补抽）", "winners": 1, "replaces": d["id"]}),
    )
    .await;
    b.js("Admin.reloadAll(); return true;").await;
    let cell = b
        .wait_js("document.querySelector('#winners-body td[data-state=\"expired\"]') && document.querySelector('#winners-body td[data-state=\"expired\"]').textContent.indexOf('补抽') >= 0 && [document.querySelector('#winners-body td[data-state=\"expired\"]').textContent, getComputedStyle(document.querySelector('#winners-body td[data-state=\"expired\"]')).color]")
        .await;
    assert_eq!(cell[0], "逾期未领（名额已补抽）");
    let grey = b
        .js("return getComputedStyle(document.querySelector('.muted')).color;")
        .await;
    assert_eq!(cell[1], grey, "grey like other muted text");
    b.js("document.getElementById('winners-table').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-winners-expired.png").await;
    b.close().await;
}

/// 下载 Excel comes first and downloads entries.xlsx; the winners list offers winners.xlsx.
#[tokio::test]
async fn the_entries_export_offers_excel_first() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(2).await;
    let d = app
        .drawn(
            json!({"round": "week-1", "prize": "纪念 U 盘", "winners": 1}),
            "5",
        )
        .await;
    b.console(&app).await;
    let order = b
        .wait_js("document.getElementById('entries-xlsx') && Array.prototype.map.call(document.querySelectorAll('.export-tools button'), function (x) { return x.id + ':' + x.textContent; }).join('|')")
        .await;
    assert_eq!(order, "entries-xlsx:下载 Excel|entries-csv:下载 CSV");
    b.click("#entries-xlsx").await;
    let done = b
        .wait_js("document.getElementById('entries-csv-result').textContent.indexOf('.xlsx') >= 0 && document.getElementById('entries-csv-result').textContent")
        .await;
    assert!(
        done.as_str().unwrap().starts_with("已下载 entries-"),
        "{done}"
    );
    let log = app.staff_json("/admin/api/audit").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "entries_exported"),
        "{log}"
    );
    b.js("document.getElementById('entries-section').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-entries-export.png").await;

    // The winners list offers Excel too.
    b.wait_js(&format!(
        "document.querySelector('#winners-draw option[value=\"{}\"]') !== null && document.querySelectorAll('#winners-body tr').length === 1",
        d["id"]
    ))
    .await;
    b.click("#winners-xlsx").await;
    let app = &app;
    eventually(
        WAIT,
        "the audit log records the winners' Excel export",
        move || async move {
            let log = app.staff_json("/admin/api/audit").await;
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "winners_exported" && e["fields"]["format"] == "xlsx")
                .then_some(())
        },
    )
    .await;
    b.close().await;
}

/// At 390 px the rounds table fits the phone: each round a card, every
/// value under its column's name, the purge confirm inside it; nothing
/// scrolls sideways.
#[tokio::test]
async fn the_rounds_table_fits_a_phone() {
    let Some(b) = browser_at(390, 844).await else {
        return;
    };
    let app = spawn_app().await;
    app.entries(3).await;
    b.console(&app).await;
    b.wait_js("document.querySelectorAll('#rounds-body td.pool').length > 0")
        .await;
    let cut = "const t = document.getElementById('rounds-table'); \
               return Math.max(t.getBoundingClientRect().right, t.scrollWidth + t.getBoundingClientRect().left) - window.innerWidth;";
    b.js("document.getElementById('rounds-table').scrollIntoView(); return true;")
        .await;
    b.screenshot("console-rounds-390.png").await;
    let overflow = b.js(cut).await;
    assert!(
        overflow.as_f64().unwrap() <= 0.0,
        "the rounds table is cut by {overflow} px at 390"
    );
    // Each value says what it is: the column's name before it.
    let labels = b
        .js("return Array.prototype.map.call(document.querySelectorAll('#rounds-body tr:not(.set-row)')[0].querySelectorAll('td'), function (td) { \
               var s = getComputedStyle(td, '::before'); return td.getAttribute('data-label') + '=' + (s.display !== 'none' && s.content !== 'none'); }).join('|');")
        .await;
    for name in ["轮次", "开始", "结束", "状态", "参与", "可抽"] {
        assert!(
            labels.as_str().unwrap().contains(&format!("{name}=true")),
            "{name} labels its value: {labels}"
        );
    }
    // The purge confirm opens inside the card and still fits.
    b.click("#rounds-body .purge-btn").await;
    b.wait_css("#rounds-body .purge-confirm").await;
    let overflow = b.js(cut).await;
    assert!(
        overflow.as_f64().unwrap() <= 0.0,
        "the purge confirm is cut by {overflow} px at 390"
    );
    b.js("document.querySelector('#rounds-body .confirm-box').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.screenshot("console-rounds-purge-390.png").await;
    b.close().await;
}
