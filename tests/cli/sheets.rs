//! `check`, `convert` and `template` on spreadsheets, as an organizer's
//! files arrive: workbooks with number and date cells, CSV in UTF-8 (with
//! and without BOM) and GB18030, every kind of mistake, and a zip bomb.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;
use std::process::{Command, Output};

fn quizbooth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

const HEAD: [&str; 9] = [
    "编号", "题型", "题目", "选项A", "选项B", "选项C", "答案", "展板", "分值",
];

/// A workbook whose `题目` rows are given; numbers and dates as Excel stores them.
fn workbook(path: &Path, rows: &[[&str; 9]]) {
    let mut book = Workbook::new();
    let settings = book.add_worksheet();
    settings.set_name("设置").unwrap();
    settings.write_string(0, 0, "项目").unwrap();
    settings.write_string(0, 1, "值").unwrap();
    settings.write_string(1, 0, "编号").unwrap();
    settings.write_string(1, 1, "sheet-bank").unwrap();
    settings.write_string(2, 0, "及格线").unwrap();
    settings.write_number(2, 1, 80.0).unwrap();
    let rounds = book.add_worksheet();
    rounds.set_name("轮次").unwrap();
    for (i, h) in ["编号", "开始", "结束"].iter().enumerate() {
        rounds.write_string(0, i as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    rounds.write_string(1, 0, "w1").unwrap();
    let opens = ExcelDateTime::parse_from_str("2026-11-01 09:00:00").unwrap();
    let closes = ExcelDateTime::parse_from_str("2099-11-08 18:00:00").unwrap();
    rounds
        .write_datetime_with_format(1, 1, &opens, &date)
        .unwrap();
    rounds
        .write_datetime_with_format(1, 2, &closes, &date)
        .unwrap();
    let q = book.add_worksheet();
    q.set_name("题目").unwrap();
    for (i, h) in HEAD.iter().enumerate() {
        q.write_string(0, i as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            // Numbers typed in a cell are stored as numbers.
            match v.parse::<f64>() {
                Ok(n) => q.write_number(r as u32 + 1, c as u16, n).unwrap(),
                Err(_) if v.is_empty() => q,
                Err(_) => q.write_string(r as u32 + 1, c as u16, *v).unwrap(),
            };
        }
    }
    book.save(path).unwrap();
}

const GOOD: [[&str; 9]; 3] = [
    [
        "hotline",
        "单选",
        "举报电话是多少？",
        "110",
        "12377",
        "12315",
        "B",
        "",
        "2",
    ],
    [
        "",
        "多选",
        "哪些是举报渠道？",
        "12377",
        "www.12377.cn",
        "陌生链接",
        "A，B",
        "",
        "",
    ],
    ["", "判断", "12377 可以受理举报。", "", "", "", "对", "", ""],
];

#[test]
fn a_workbook_with_number_and_date_cells_checks_and_converts_to_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("宣传周.xlsx");
    workbook(&book, &GOOD);
    let o = quizbooth(&["check", book.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let yaml = dir.path().join("out.yaml");
    let o = quizbooth(&["convert", book.to_str().unwrap(), yaml.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let text = std::fs::read_to_string(&yaml).unwrap();
    assert!(
        text.contains("\"12377\""),
        "a number cell reads as the text it shows:\n{text}"
    );
    assert!(!text.contains("12377.0"), "{text}");
    assert!(
        text.contains("2026-11-01T09:00:00+08:00"),
        "an Excel date-time reads as +08:00:\n{text}"
    );
    assert!(text.contains("pass_percent: 80"), "{text}");
    assert!(text.contains("points: 2"), "{text}");
    // And back: the YAML converts to a workbook that checks the same.
    let again = dir.path().join("again.xlsx");
    let o = quizbooth(&["convert", yaml.to_str().unwrap(), again.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(quizbooth(&["check", again.to_str().unwrap()])
        .status
        .success());
}

#[test]
fn every_mistake_in_a_workbook_is_printed_as_file_sheet_cell() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("bad.xlsx");
    workbook(
        &book,
        &[
            ["a", "单选", "一", "甲", "乙", "丙", "Z", "", ""],
            ["b", "判断", "二", "", "", "", "不对", "", ""],
            ["c", "单选", "三", "甲", "乙", "丙", "AB", "", ""],
            ["d", "多选", "四", "甲", "", "丙", "AC", "", ""],
            ["e", "填空", "五", "甲", "乙", "", "A", "", ""],
            ["f", "单选", "", "甲", "乙", "", "A", "", "一分"],
            ["g", "单选", "七", "甲", "乙", "", "A", "nowhere", ""],
        ],
    );
    let o = quizbooth(&["check", book.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let text = out(&o);
    let file = book.to_str().unwrap();
    for (cell, words) in [
        ("G2", "A to C"),
        ("G3", "对 or 错"),
        ("G4", "多选"),
        ("E5", "in order"),
        ("B6", "单选, 多选 or 判断"),
        ("C7", "题目 is empty"),
        ("I7", "whole number"),
        ("H8", "nowhere"),
    ] {
        let want = format!("{file}:题目!{cell}: ");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&want) && l.contains(words)),
            "expected {want}…{words}… in one pass:\n{text}"
        );
    }
}

#[test]
fn a_csv_reads_in_utf8_with_or_without_bom_and_in_gb18030() {
    let dir = tempfile::tempdir().unwrap();
    let csv =
        "题型,题目,选项A,选项B,答案\n单选,举报电话是多少？,110,12377,B\n判断,可以匿名举报。,,,错\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(csv);
    for (name, bytes) in [
        ("utf8.csv", csv.as_bytes().to_vec()),
        (
            "bom.csv",
            [b"\xEF\xBB\xBF".as_slice(), csv.as_bytes()].concat(),
        ),
        ("gb.csv", gb.into_owned()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = quizbooth(&["check", path.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", out(&o));
        let yaml = dir.path().join(format!("{name}.yaml"));
        assert!(
            quizbooth(&["convert", path.to_str().unwrap(), yaml.to_str().unwrap()])
                .status
                .success()
        );
        let text = std::fs::read_to_string(&yaml).unwrap();
        assert!(text.contains("举报电话是多少？"), "{name} decoded: {text}");
    }
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "题型,题目,答案\n单选,一,Q\n").unwrap();
    let o = quizbooth(&["check", bad.to_str().unwrap()]);
    assert!(out(&o).contains("bad.csv:题目!C2: "), "{}", out(&o));
}

#[test]
fn a_zip_bomb_is_refused_with_a_clear_message() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..100 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    assert!(
        std::fs::metadata(&path).unwrap().len() < 1 << 20,
        "small on disk"
    );
    let o = quizbooth(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out(&o).contains("unpacks to more than 64 MB"),
        "{}",
        out(&o)
    );
}

#[test]
fn the_template_is_a_valid_bank_to_start_from() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("模板.xlsx");
    let o = quizbooth(&["template", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let o = quizbooth(&["check", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
}

#[test]
fn the_shipped_workbook_says_what_the_sample_yaml_says() {
    let o = quizbooth(&["check", "questions"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("the same set as questions/netsec-week.yaml"),
        "questions/netsec-week.xlsx is the sample bank (regenerate it with \
         `quizbooth convert questions/netsec-week.yaml questions/netsec-week.xlsx`):\n{}",
        out(&o)
    );
    assert!(
        out(&o).contains(
            "questions/netsec-week.xlsx:1:1: warning: 和 questions/netsec-week.yaml 是同一套题库"
        ),
        "said in Chinese first: {}",
        out(&o)
    );
}

/// A 题目 sheet with English columns, some left empty.
fn bilingual_workbook(path: &Path, rows: &[[&str; 5]]) {
    let mut book = Workbook::new();
    let settings = book.add_worksheet();
    settings.set_name("设置").unwrap();
    for (r, (k, v)) in [
        ("项目", "值"),
        ("编号", "half-english"),
        ("标题", "答题"),
        ("标题(英文)", "Quiz"),
        ("主办方", "某区网信办"),
        ("主办方(英文)", ""),
        ("联系方式", "010-12345678"),
    ]
    .iter()
    .enumerate()
    {
        settings.write_string(r as u32, 0, *k).unwrap();
        if !v.is_empty() {
            settings.write_string(r as u32, 1, *v).unwrap();
        }
    }
    let q = book.add_worksheet();
    q.set_name("题目").unwrap();
    let head = ["题型", "题目", "题目(英文)", "答案", "解析"];
    for (i, h) in head.iter().enumerate() {
        q.write_string(0, i as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                q.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn missing_translations_are_one_line_pointing_at_the_english_cells() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("half.xlsx");
    bilingual_workbook(
        &book,
        &[
            ["判断", "12377 可以受理举报。", "", "对", ""],
            ["判断", "可以拨打 12377 举报。", "", "对", ""],
            ["判断", "谣言可以转发。", "", "错", ""],
            ["判断", "有英文的一题。", "One in English.", "对", ""],
        ],
    );
    let o = quizbooth(&["check", book.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let file = book.to_str().unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    // The organizer's empty 主办方(英文) row, the 联系方式 row that has no
    // English row (its own cell), and three 题目(英文) cells: one line, at
    // the first, naming them all compactly.
    assert_eq!(lines.len(), 1, "one line for the translations:\n{stdout}");
    let line = lines[0];
    assert!(
        line.starts_with(&format!("{file}:设置!B6: warning: 5 处英文译文未填")),
        "{line}"
    );
    assert!(line.contains("设置!B6–B7、题目!C2–C4"), "{line}");
    assert!(line.contains("中文观众不受影响"), "{line}");
}

#[test]
fn the_template_as_downloaded_warns_of_every_leftover_and_still_passes() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("模板.xlsx");
    assert!(quizbooth(&["template", book.to_str().unwrap()])
        .status
        .success());
    let o = quizbooth(&["check", book.to_str().unwrap()]);
    assert!(o.status.success(), "warnings only: {}", out(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let file = book.to_str().unwrap();
    let has = |prefix: &str, words: &str| {
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("{file}:{prefix}")) && l.contains(words))
    };
    // What English visitors would read as it stands.
    assert!(
        has("设置!", "主办方还是模板里的占位文字“请改成你的单位”"),
        "{stdout}"
    );
    assert!(
        has("设置!", "联系方式还是模板里的占位文字“请改成真实电话”"),
        "{stdout}"
    );
    // The example round is over: nobody could play.
    assert!(has("轮次!C2: warning: ", "所有轮次都已结束"), "{stdout}");
    // The examples, folded into one line with their cells.
    let examples: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("还是模板里的示例"))
        .collect();
    assert_eq!(examples.len(), 1, "{stdout}");
    assert!(examples[0].contains("题目!C2"), "{}", examples[0]);
    assert!(
        stdout.lines().count() <= 5,
        "a short report, not one line per text:\n{stdout}"
    );
}

#[test]
fn convert_says_its_problems_in_chinese_first_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    // The sample bank converts, warning of its placeholder privacy lines.
    let book = dir.path().join("sample.xlsx");
    let o = quizbooth(&[
        "convert",
        "questions/netsec-week.yaml",
        book.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    let check = out(&quizbooth(&["check", "questions/netsec-week.yaml"]));
    for line in text.lines().filter(|l| l.contains("warning:")) {
        assert!(
            check.contains(line),
            "the line check prints: {line}\n{check}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.contains("warning: 主办方还是模板里的占位文字“请改成你的单位”")),
        "{text}"
    );
    assert!(
        text.contains("：题库 netsec-week，") && text.contains("道题 ("),
        "{text}"
    );
    // A bank that is not valid: the error in Chinese first, nothing written.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "id: t\ntitle: T\nquestions:\n  - id: q1\n    type: singel\n    text: 题\n    options: [甲, 乙]\n    answer: A\n",
    )
    .unwrap();
    let none = dir.path().join("bad.xlsx");
    let o = quizbooth(&["convert", bad.to_str().unwrap(), none.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let text = out(&o);
    let want = format!("{}:5:11: 题目“q1”的题型“singel”不对", bad.display());
    assert!(text.lines().any(|l| l.starts_with(&want)), "{text}");
    assert!(text.contains("没有写出文件"), "{text}");
    assert!(!none.exists());
}
