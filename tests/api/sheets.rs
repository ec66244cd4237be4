//! SPEC §9 over HTTP: workbooks and CSV files uploaded like YAML, problems by
//! cell, the template and a set as a workbook; uploads that wait for 发布,
//! and sets removed.

use crate::support::app::*;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(app: &TestApp, query: &str, kind: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/admin/api/sets{query}")))
        .bearer_auth(TOKEN)
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let r = app.staff_get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["content-type"], XLSX);
    r.bytes().await.unwrap().to_vec()
}

fn active_id(sets: &Value) -> String {
    sets.as_array()
        .unwrap()
        .iter()
        .find(|s| s["active"] == true)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap()
}

#[engines]
async fn the_template_uploads_as_a_set_that_waits_for_publishing() {
    let app = spawn_app().await;
    let r = app.get("/admin/api/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "staff only");
    let template = bytes(&app, "/admin/api/template.xlsx").await;

    let r = upload(&app, "?activate=false&name=模板.xlsx", XLSX, template).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let up: Value = r.json().await.unwrap();
    assert_eq!(up["id"], "my-quiz");
    assert_eq!(up["questions"], 6);
    assert_eq!(up["active"], false);
    let sets = app.staff_json("/admin/api/sets").await;
    assert_eq!(
        active_id(&sets),
        "fixture-valid",
        "not live until published"
    );
    // Stored as the YAML it stands for, whose hash is its version.
    let stored = app.saved_set("my-quiz");
    assert_eq!(
        quizbooth::bank::load::version_of(&stored),
        up["version"].as_str().unwrap()
    );

    let r = app
        .staff_post("/admin/api/sets/my-quiz/activate", serde_json::json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        active_id(&app.staff_json("/admin/api/sets").await),
        "my-quiz"
    );
}

#[engines]
async fn a_broken_workbook_is_refused_with_every_problem_by_sheet_and_cell() {
    let app = spawn_app().await;
    let csv = "题型,题目,选项A,选项B,答案,展板\n单选,举报电话？,110,12377,Z,\n判断,可以匿名举报。,,,N,\n多选,渠道？,电话,网站,A、B,nowhere\n";
    let r = upload(&app, "?name=week.csv", "text/csv", csv.as_bytes().to_vec()).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let problems = body["problems"].as_array().unwrap();
    let at = |cell: &str| {
        problems
            .iter()
            .find(|p| p["cell"] == cell)
            .unwrap_or_else(|| panic!("no problem at {cell}: {body}"))
            .clone()
    };
    let z = at("E2");
    assert_eq!(z["sheet"], "题目");
    assert_eq!(
        (z["line"].as_u64(), z["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert!(z["message"].as_str().unwrap().contains("A to B"), "{z}");
    assert!(at("E3")["message"].as_str().unwrap().contains("对 or 错"));
    assert!(
        at("F4")["message"].as_str().unwrap().contains("nowhere"),
        "the loader's problem, at its cell"
    );
    assert_eq!(
        active_id(&app.staff_json("/admin/api/sets").await),
        "fixture-valid"
    );
}

#[engines]
async fn a_loaded_set_comes_out_as_a_workbook_that_uploads_back_as_the_same_set() {
    let app = spawn_app().await;
    let book = bytes(&app, "/admin/api/sets/fixture-valid.xlsx").await;
    let before = app.staff_json("/admin/api/sets").await;
    let r = upload(&app, "", XLSX, book).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let up: Value = r.json().await.unwrap();
    assert_eq!(up["id"], "fixture-valid");
    let after = app.get_json("/api/set").await;
    assert_eq!(after["set"]["id"], "fixture-valid");
    assert_eq!(
        before[0]["questions"], up["questions"],
        "the same questions: {before} {up}"
    );
    let r = app.staff_get("/admin/api/sets/nope.xlsx").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A set's workbook holds its answers: staff only, like removing a set.
    let r = app.get("/admin/api/sets/fixture-valid.xlsx").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .client
        .delete(app.url("/admin/api/sets/fixture-valid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[engines]
async fn a_set_that_is_not_live_can_be_removed_and_its_sessions_go_on() {
    let app = spawn_app().await;
    // Another set, as a workbook, with an open round.
    let other = BANK.replace("id: fixture-valid", "id: my-quiz");
    let bank = quizbooth::bank::parse_bank(&other).bank.unwrap();
    let book = quizbooth::bank::sheet::export::bank_to_xlsx(&bank).unwrap();
    assert_eq!(
        upload(&app, "", XLSX, book).await.status(),
        StatusCode::CREATED
    );
    // A visitor mid-quiz on the new set while staff switch back and remove it.
    let s = app.start().await;
    assert_eq!(s["set"]["id"], "my-quiz");
    let r = app.staff_delete("/admin/api/sets/my-quiz").await;
    expect_error(r, StatusCode::CONFLICT, "set_live").await;
    app.staff_post(
        "/admin/api/sets/fixture-valid/activate",
        serde_json::json!({}),
    )
    .await;
    let r = app.staff_delete("/admin/api/sets/my-quiz").await;
    assert_eq!(r.status(), StatusCode::OK);
    let sets = app.staff_json("/admin/api/sets").await;
    assert!(!sets.to_string().contains("my-quiz"), "{sets}");
    let again = app
        .get_json(&format!("/api/sessions/{}", s["session"].as_str().unwrap()))
        .await;
    assert_eq!(
        again["set"]["id"], "my-quiz",
        "the session goes on: {again}"
    );
    // A reload does not bring it back.
    app.staff_post("/admin/api/reload", serde_json::json!({}))
        .await;
    assert!(!app
        .staff_json("/admin/api/sets")
        .await
        .to_string()
        .contains("my-quiz"));
    let audit = app.staff_json("/admin/api/audit").await;
    assert_eq!(audit[1]["action"], "set_removed", "{audit}");
}

/// A workbook with `n` cells on one sheet: distinct texts (each one a
/// shared string) or numbers.
fn workbook_of(n: u32, texts: bool) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("杂项").unwrap();
    for i in 0..n {
        let (row, col) = (i / 50, (i % 50) as u16);
        if texts {
            sheet.write_string(row, col, format!("s{i}")).unwrap();
        } else {
            sheet.write_number(row, col, f64::from(i)).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[engines]
async fn a_workbook_with_too_many_shared_strings_is_refused_with_a_message() {
    let app = spawn_app().await;
    let count = quizbooth::bank::sheet::workbook::MAX_SHARED_STRINGS as u32 + 1;
    let r = upload(&app, "?name=bank.xlsx", XLSX, workbook_of(count, true)).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let message = body["problems"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("sharedStrings"), "{body}");
    // The console says it from its table of kinds (pk_too_many_strings),
    // Chinese first; `check` from src/bank/words.rs.
    assert_eq!(
        body["problems"][0]["kind"]["code"], "too_many_strings",
        "a kind the console says in the organizer's language: {body}"
    );
    let sets = app.staff_json("/admin/api/sets").await;
    assert_eq!(sets.as_array().unwrap().len(), 1, "nothing was loaded");
}

#[engines]
async fn healthz_answers_while_an_upload_is_being_checked() {
    let app = spawn_app().await;
    // Within every limit, and seconds of a core to read.
    let cells = quizbooth::bank::sheet::workbook::MAX_CELLS as u32 - 1;
    let heavy = workbook_of(cells, false);
    let started = std::time::Instant::now();
    let uploads = [heavy.clone(), heavy].map(|body| {
        let (client, url) = (app.client.clone(), app.url("/admin/api/sets?name=big.xlsx"));
        tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(TOKEN)
                .header("content-type", XLSX)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        })
    });
    // Each probe on a fresh connection, so they land on every worker.
    let mut slowest = std::time::Duration::ZERO;
    let mut probes = 0;
    while !uploads.iter().all(|u| u.is_finished()) {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        let t = std::time::Instant::now();
        let r = client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        slowest = slowest.max(t.elapsed());
        probes += 1;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    eprintln!("two uploads checked in {took:?}; {probes} /healthz, the slowest {slowest:?}");
    for u in uploads {
        let (status, body) = u.await.unwrap();
        // Read (it holds no 题目 sheet) or told to wait: never a 500.
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY
                || (status == StatusCode::SERVICE_UNAVAILABLE && body["error"] == "upload_busy"),
            "{status} {body}"
        );
    }
    assert!(
        probes >= 5,
        "the uploads took a while: {probes} probes in {took:?}"
    );
    assert!(
        slowest < std::time::Duration::from_millis(500),
        "/healthz waited {slowest:?} while uploads were checked"
    );
}

fn kinds(problems: &Value) -> Vec<(String, String)> {
    problems
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let k = p["kind"]["code"].as_str()?;
            let what = p["kind"]["args"]["what"].as_str().unwrap_or("");
            Some((k.to_owned(), what.to_owned()))
        })
        .collect()
}

#[engines]
async fn template_leftovers_are_warnings_by_cell_and_the_sets_list_repeats_them_for_publishing() {
    let app = spawn_app().await;
    let template = bytes(&app, "/admin/api/template.xlsx").await;
    let r = upload(&app, "?activate=false&name=模板.xlsx", XLSX, template).await;
    assert_eq!(r.status(), StatusCode::CREATED, "leftovers do not refuse");
    let up: Value = r.json().await.unwrap();
    let warnings = &up["warnings"];
    let found = kinds(warnings);
    for want in [
        ("placeholder", "organizer"),
        ("placeholder", "contact"),
        ("no_round_ahead", ""),
        ("template_example", "question_text"),
    ] {
        assert!(
            found.iter().any(|(k, w)| k == want.0 && w == want.1),
            "{want:?} in {warnings:#}"
        );
    }
    // Each at its cell: the organizer's 设置 row, the round's 结束.
    let organizer = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"]["args"]["what"] == "organizer")
        .unwrap();
    assert_eq!(organizer["sheet"], "设置", "{organizer}");
    assert_eq!(organizer["kind"]["args"]["found"], "请改成你的单位");
    let over = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"]["code"] == "no_round_ahead")
        .unwrap();
    assert_eq!(
        (&over["sheet"], &over["cell"]),
        (&"轮次".into(), &"C2".into())
    );
    assert!(warnings
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["warning"] == true));

    // 发布's confirm reads them again from the list of sets.
    let sets = app.staff_json("/admin/api/sets").await;
    let set = |id: &str| {
        sets.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap()
    };
    let listed = kinds(&set("my-quiz")["warnings"]);
    assert!(
        listed.contains(&("placeholder".into(), "organizer".into()))
            && listed.iter().any(|(k, _)| k == "no_round_ahead"),
        "{listed:?}"
    );
    assert_eq!(
        set("fixture-valid")["warnings"],
        serde_json::json!([]),
        "a real bank has none"
    );
}

#[engines]
async fn a_missing_translation_points_at_the_english_cell_and_errors_come_with_it() {
    use quizbooth::bank::sheet::workbook::read_xlsx;
    let app = spawn_app().await;
    let template = bytes(&app, "/admin/api/template.xlsx").await;
    let mut grids = read_xlsx(&template).unwrap();
    let q = grids.iter().position(|g| g.name == "题目").unwrap();
    let head = grids[q].rows[0].clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (en, answer) = (col("题目(英文)"), col("答案"));
    grids[q].rows[1][en] = String::new();
    grids[q].rows[2][en] = String::new();
    grids[q].rows[3][answer] = "Z".into();
    let mut book = rust_xlsxwriter::Workbook::new();
    for g in &grids {
        let ws = book.add_worksheet();
        ws.set_name(&g.name).unwrap();
        for (r, row) in g.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let r = upload(&app, "?activate=false&name=half.xlsx", XLSX, bytes).await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let problems = body["problems"].as_array().unwrap();
    let letter = quizbooth::bank::sheet::column_name(en as u32 + 1);
    let missing: Vec<&Value> = problems
        .iter()
        .filter(|p| p["kind"]["code"] == "missing_translation")
        .collect();
    let cells: Vec<&str> = missing
        .iter()
        .map(|p| p["cell"].as_str().unwrap())
        .collect();
    assert_eq!(
        cells,
        [format!("{letter}2"), format!("{letter}3")],
        "the empty (英文) cells, not the Chinese ones: {missing:#?}"
    );
    assert!(missing.iter().all(|p| p["warning"] == true));
    let error = problems.iter().find(|p| p["warning"] == false).unwrap();
    assert_eq!(error["kind"]["code"], "answer_not_option", "{error}");
}

#[engines]
async fn a_bank_without_rounds_calls_its_round_this_round() {
    let app = spawn_app().await;
    let yaml = std::fs::read_to_string("tests/fixtures/valid.yaml").unwrap();
    let start = yaml.find("rounds:").unwrap();
    let end = yaml.find("boards:").unwrap();
    let yaml = format!(
        "{}{}",
        &yaml[..start],
        &yaml[end..].replace("id: fixture-valid", "")
    )
    .replace("id: fixture-valid", "id: no-rounds");
    let r = app.upload_yaml("/admin/api/sets", &yaml).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let zh = app.get_json("/api/set?lang=zh").await;
    assert_eq!(zh["round"]["id"], "open", "the id stays: {zh}");
    assert_eq!(zh["round"]["title"], "本轮", "{zh}");
    let en = app.get_json("/api/set?lang=en").await;
    assert_eq!(en["round"]["title"], "this round", "{en}");
}
