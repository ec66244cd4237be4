//! The organizer's upload report (issue 22): errors first, one line for missing translations, template leftovers.

use super::*;
use quizbooth::bank::sheet::{column_name, Grid};

/// The template as an organizer half-fills it: the example texts, the
/// placeholder organizer and contact, the example round long over, no
/// English for any question, and (when `broken`) two cells wrong.
fn leftover_workbook(template: &[u8], broken: bool) -> (Vec<Grid>, Vec<String>) {
    let mut grids = quizbooth::bank::sheet::workbook::read_xlsx(template).unwrap();
    let settings = grids.iter().position(|g| g.name == "设置").unwrap();
    grids[settings].rows[1][1] = "booth-leftovers".into();
    let q = grids.iter().position(|g| g.name == "题目").unwrap();
    let head = grids[q].rows[0].clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let mut errors = Vec::new();
    for r in 1..grids[q].rows.len() {
        for (c, h) in head.iter().enumerate() {
            if h.ends_with("(英文)") && c < grids[q].rows[r].len() {
                grids[q].rows[r][c] = String::new();
            }
        }
    }
    if broken {
        let (answer, kind) = (col("答案"), col("题型"));
        grids[q].rows[1][answer] = "Z".into();
        grids[q].rows[3][kind] = "填空".into();
        errors.push(format!("{}2", column_name(answer as u32 + 1)));
        errors.push(format!("{}4", column_name(kind as u32 + 1)));
    }
    (grids, errors)
}

/// Waits until the smooth scroll to a result has ended.
async fn settled(b: &Browser) {
    b.js("return new Promise(done => { let last = -1; const t = setInterval(() => { \
          if (window.scrollY === last) { clearInterval(t); done(true); } last = window.scrollY; }, 100); });")
        .await;
}

async fn pick(b: &Browser, path: &std::path::Path) {
    b.js("document.getElementById('set-file').value = ''; return true;")
        .await;
    b.wait_css("#set-file")
        .await
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    b.wait_js(&format!(
        "document.getElementById('set-file-status').textContent.indexOf('{name}') >= 0"
    ))
    .await;
}

/// The report's lines in order: kind, error or not, text.
const REPORT: &str =
    "return Array.from(document.querySelectorAll(arguments[0] + ' > li')).map(function (li) { \
     return {kind: li.getAttribute('data-kind') || '', error: li.classList.contains('is-error'), \
             count: li.getAttribute('data-count'), text: li.textContent}; });";

async fn report(b: &Browser, list: &str) -> Vec<Value> {
    let v = b
        .client
        .execute(REPORT, vec![json!(list)])
        .await
        .expect("the report");
    v.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_template_leftover_upload_reads_errors_first_one_translation_line_and_publish_repeats_the_leftovers(
) {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    // The live set holds an entry nobody has drawn yet.
    app.entry("张三", "13800138000").await;
    b.console(&app).await;
    b.wait_css("#template-btn").await;

    let template = app
        .staff_get("/admin/api/template.xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let (grids, errors) = leftover_workbook(&template, true);
    let bad = tmp.join("展台题库-有错.xlsx");
    save_grids(&grids, &bad);

    // 1. Two errors, twelve missing translations, the leftovers.
    pick(&b, &bad).await;
    b.click("#set-upload").await;
    b.wait_js("document.querySelector('#problem-list li.is-error')")
        .await;
    let lines = report(&b, "#problem-list").await;
    let first_warning = lines.iter().position(|l| l["error"] == false).unwrap();
    assert_eq!(first_warning, 2, "the two errors come first: {lines:#?}");
    assert!(
        lines[first_warning..].iter().all(|l| l["error"] == false),
        "{lines:#?}"
    );
    for (line, cell) in lines.iter().zip(&errors) {
        assert!(
            line["text"]
                .as_str()
                .unwrap()
                .contains(&format!("{cell} 格")),
            "{cell}: {line}"
        );
    }
    let translations: Vec<&Value> = lines
        .iter()
        .filter(|l| l["kind"] == "missing_translation")
        .collect();
    assert_eq!(translations.len(), 1, "one line for them all: {lines:#?}");
    let t = translations[0]["text"].as_str().unwrap();
    assert!(
        translations[0]["count"]
            .as_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 6
            && t.contains("处英文译文未填")
            && t.contains("可以先发布")
            && t.contains("题目!"),
        "{t}"
    );
    let leftovers: Vec<&str> = lines
        .iter()
        .filter(|l| l["kind"] == "placeholder" || l["kind"] == "no_round_ahead")
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert!(
        leftovers
            .iter()
            .any(|l| l.contains("主办方还是模板里的占位文字“请改成你的单位”")),
        "{leftovers:?}"
    );
    assert!(
        leftovers.iter().any(|l| l.contains("所有轮次都已结束")),
        "{leftovers:?}"
    );
    settled(&b).await;
    b.js("window.scrollTo(0, document.getElementById('set-problems').offsetTop - 8); return true;")
        .await;
    b.screenshot("after-upload-errors.png").await;

    // 2. Fixed: the same Chinese words at the same cells after success.
    let (grids, _) = leftover_workbook(&template, false);
    let fixed = tmp.join("展台题库.xlsx");
    save_grids(&grids, &fixed);
    pick(&b, &fixed).await;
    b.click("#set-upload").await;
    b.wait_js("document.querySelector('#set-result.ok') && document.getElementById('set-problems').hidden")
        .await;
    let after = report(&b, "#upload-warnings").await;
    let organizer = after
        .iter()
        .find(|l| l["kind"] == "placeholder")
        .expect("the placeholder warning after success");
    let organizer = organizer["text"].as_str().unwrap();
    assert!(
        organizer.contains("“设置”表") && organizer.contains("主办方还是模板里的占位文字"),
        "{organizer}"
    );
    let all = b
        .js("return document.getElementById('set-result').textContent;")
        .await;
    assert!(
        !all.as_str().unwrap().contains("still has")
            && !all.as_str().unwrap().contains("translation"),
        "no developer English after success: {all}"
    );
    assert_eq!(
        after
            .iter()
            .filter(|l| l["kind"] == "missing_translation")
            .count(),
        1,
        "{after:#?}"
    );
    settled(&b).await;
    b.js("window.scrollTo(0, document.getElementById('set-result').offsetTop - 8); return true;")
        .await;
    b.screenshot("after-upload-ok.png").await;

    // 3. 发布 asks again, repeating the leftovers and what the live set leaves undrawn.
    b.click("#publish-uploaded").await;
    let ask = b
        .wait_js("document.querySelector('#set-booth-leftovers .publish-warnings') && document.querySelector('#set-booth-leftovers .set-confirm').textContent")
        .await;
    let ask = ask.as_str().unwrap();
    assert!(
        ask.contains("主办方还是模板里的占位文字") && ask.contains("所有轮次都已结束"),
        "{ask}"
    );
    assert!(
        ask.contains("还有 1 个抽奖码没有抽奖"),
        "the outgoing set's undrawn entry: {ask}"
    );
    b.js("document.querySelector('#set-booth-leftovers .set-confirm').scrollIntoView({block: 'center'}); return true;")
        .await;
    b.screenshot("after-publish-confirm.png").await;
    b.click("#confirm-activate-booth-leftovers").await;
    b.wait_js("document.querySelector('#set-booth-leftovers[data-active=\"true\"]')")
        .await;
    b.close().await;
}

#[tokio::test]
async fn a_pasted_bank_keeps_its_error_lines_in_view_and_translations_on_one_line() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    b.console(&app).await;
    b.wait_css("#set-yaml").await;
    // The fixture without the English of its question texts, and one answer wrong.
    let mut text = String::new();
    let mut in_text = false;
    for line in BANK.lines() {
        if line.trim_start().starts_with("- id:") || line.trim() == "text:" {
            in_text = line.trim() == "text:";
        }
        if !(in_text && line.trim_start().starts_with("en:")) {
            text.push_str(line);
            text.push('\n');
        }
    }
    let text = text.replace("id: fixture-valid", "id: pasted").replacen(
        "    answer: B\n",
        "    answer: Z\n",
        1,
    );
    let error_line = text.lines().position(|l| l.trim() == "answer: Z").unwrap() + 1;
    b.client
        .execute(
            "document.getElementById('set-yaml').value = arguments[0]; return true;",
            vec![json!(text)],
        )
        .await
        .unwrap();
    b.click("#set-upload").await;
    b.wait_js("document.querySelector('#problem-list li.is-error')")
        .await;
    let lines = report(&b, "#problem-list").await;
    assert_eq!(lines[0]["error"], true, "{lines:#?}");
    let folded: Vec<&Value> = lines
        .iter()
        .filter(|l| l["kind"] == "missing_translation")
        .collect();
    assert_eq!(folded.len(), 1, "{lines:#?}");
    assert!(
        folded[0]["text"].as_str().unwrap().contains("第 "),
        "the lines named: {}",
        folded[0]
    );
    // The review shows the error's line, not a hunk per missing translation.
    let marked = b
        .js("return Array.from(document.querySelectorAll('#set-review .rl.bad, #set-review .rl.warn')).map(function (r) { return +r.getAttribute('data-line'); });")
        .await;
    assert_eq!(marked, json!([error_line]), "only the error is marked");
    b.click("#review-toggle").await;
    let warned = b
        .wait_js("document.querySelectorAll('#set-review .rl.warn').length")
        .await;
    assert!(
        warned.as_u64().unwrap() >= 2,
        "every line shows them all: {warned}"
    );
    b.close().await;
}

/// The checks that spoke English only (a setting out of range, a letter
/// given twice…) are said in the console's language too.
#[tokio::test]
async fn a_setting_out_of_range_and_a_letter_twice_are_said_in_chinese() {
    let Some(b) = browser_at(1366, 900).await else {
        return;
    };
    let app = spawn_app().await;
    b.console(&app).await;
    b.wait_css("#set-yaml").await;
    let text = BANK
        .replace("id: fixture-valid", "id: ranges")
        .replacen("pass_percent: 60", "pass_percent: 150", 1)
        .replacen("answer: [A, C]", "answer: [A, A]", 1);
    assert!(
        text.contains("pass_percent: 150") && text.contains("[A, A]"),
        "{text}"
    );
    b.client
        .execute(
            "document.getElementById('set-yaml').value = arguments[0]; return true;",
            vec![json!(text)],
        )
        .await
        .unwrap();
    b.click("#set-upload").await;
    b.wait_js("document.querySelector('#problem-list li.is-error')")
        .await;
    let errors: Vec<String> = report(&b, "#problem-list")
        .await
        .iter()
        .filter(|l| l["error"] == true)
        .map(|l| l["text"].as_str().unwrap().to_owned())
        .collect();
    let said = errors.join("\n");
    assert!(
        said.contains("及格线（pass_percent）要在 0 到 100 之间，现在是 150"),
        "{said}"
    );
    assert!(said.contains("的答案 A 写了两次"), "{said}");
    assert!(
        !said.contains("must be") && !said.contains("listed twice"),
        "no English: {said}"
    );
    b.js("window.scrollTo(0, document.getElementById('set-problems').offsetTop - 8); return true;")
        .await;
    b.screenshot("console-problems-in-chinese.png").await;
    b.close().await;
}
