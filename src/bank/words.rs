//! The organizer's words for a bank's problems, in Chinese, for `quizbooth
//! check` (the console says the same from its table of strings,
//! web/strings-admin.js `pk_*`, which this table follows): what is wrong
//! and what to write instead, at the same `FILE:LINE:COLUMN` or
//! `FILE:SHEET!CELL` place before and after a bank checks out.

use super::{Kind, Problem};
use crate::ui_keys::{LeftoverWhat, ProblemKey};

/// Each problem kind's Chinese text; `{name}` is filled from its particulars.
const ZH: &[(ProblemKey, &str)] = &[
    (ProblemKey::MissingTranslation, "这里没有英文翻译：英文界面会显示中文（可以不填）。"),
    (ProblemKey::BadId, "编号“{id}”只能用小写字母 a–z、数字和 -，例如 hotline-1。"),
    (ProblemKey::BadTime, "时间“{value}”格式不对：写成 2026-11-01T09:00:00+08:00（表格里也可以写 2026-11-01 09:00）。"),
    (ProblemKey::DuplicateId, "编号“{id}”重复了：每个编号只能用一次。"),
    (ProblemKey::ClosesBeforeOpens, "轮次“{id}”的结束时间早于开始时间。"),
    (ProblemKey::RoundsOverlap, "轮次“{b}”和“{a}”的时间重叠了：同一时间只能有一个轮次。"),
    (ProblemKey::OptionCount, "这道题有 {n} 个选项：单选和多选题要有 2 到 8 个选项。"),
    (ProblemKey::UnknownBoard, "展板“{board}”不存在：请写“展板”表里已有的编号，或者留空。"),
    (ProblemKey::PrivacyNoOrganizer, "没有写主办方：观众登记前看到的个人信息告知要写明由谁收集（个人信息保护法）。"),
    (ProblemKey::PrivacyNoContact, "没有写联系方式：个人信息告知要写明怎么联系收集者（个人信息保护法）。"),
    (ProblemKey::PrivacyNone, "没有写主办方和联系方式（privacy）：观众登记前看到的个人信息告知要写明由谁收集、怎么联系（个人信息保护法）。"),
    (ProblemKey::AnswerNotOption, "答案“{answer}”不是选项：本题只有 A–{last}。"),
    (ProblemKey::TruefalseAnswer, "判断题的答案写“对”或“错”，不是“{answer}”。"),
    (ProblemKey::TruefalseWord, "判断题的答案在 YAML 里写 answer: {value}（“{answer}”的意思）。"),
    (ProblemKey::TruefalseAny, "判断题的答案写 true（对）或 false（错）。"),
    (ProblemKey::MultipleList, "多选题的几个答案要写成列表：answer: {list}，不是“{answer}”。"),
    (ProblemKey::SingleMany, "单选题只能有一个答案（“{answer}”是好几个）：有几个正确答案的，请把题型改成“多选”。"),
    (ProblemKey::AnswerLetters, "答案“{answer}”不是选项字母：单选写一个字母，如 B；多选写 AC。"),
    (ProblemKey::OptionGap, "选项{missing}是空的，但选项{next}有内容：请从选项A开始依次填写，中间不要空格子。"),
    (ProblemKey::QuestionType, "题型“{value}”不对：请从下拉框选 单选、多选 或 判断。"),
    (ProblemKey::YamlQuestionType, "题目“{id}”的题型“{value}”不对：type 写 single（单选）、multiple（多选）或 truefalse（判断）。"),
    (ProblemKey::EmptyCell, "“{name}”是空的：这一格必须填写。"),
    (ProblemKey::NotWholeNumber, "“{name}”要填整数（如 10），不是“{value}”。"),
    (ProblemKey::NotYesNo, "“{name}”填 是 或 否，不是“{value}”。"),
    (ProblemKey::UnknownColumn, "不认识的列名“{name}”：列名要和模板第 1 行完全一样。"),
    (ProblemKey::UnknownColumnNear, "不认识的列名“{name}”：是不是想写“{suggestion}”？"),
    (ProblemKey::DuplicateColumn, "列名“{name}”出现了两次：请删掉一列。"),
    (ProblemKey::MissingColumn, "缺少“{name}”列：请在第 1 行加上这个列名（照模板写）。"),
    (ProblemKey::UnknownSetting, "不认识的设置项“{name}”：可以写的有 {known}。"),
    (ProblemKey::DuplicateSetting, "设置项“{name}”写了两次：请删掉一行。"),
    (ProblemKey::SettingsColumns, "“设置”表第 1 行要写“项目”和“值”两个列名。"),
    (ProblemKey::RoundTimeMissing, "轮次没有{name}时间：写成 2026-11-01 09:00 这样（北京时间）。"),
    (ProblemKey::NoQuestionsSheet, "没有“题目”表：题目要写在名为“题目”的工作表里（可以用模板）。"),
    (ProblemKey::NoQuestions, "没有题目：从第 2 行开始，一行写一道题。"),
    (ProblemKey::UnreadSheet, "工作表“{name}”不会被读取：只读“设置”“展板”“轮次”“题目”这几张表。"),
    (ProblemKey::TruefalseOptions, "判断题不用填选项（自动是“对”和“错”），这些格子不会被读取。"),
    (ProblemKey::FullwidthColon, "这里用了中文冒号“：”，请改成英文冒号“:”，后面再加一个空格。"),
    (ProblemKey::LooksLikeCsv, "这是 CSV 表格，不是 YAML：请直接选择这个 .csv 文件上传，不要粘贴进来。"),
    (ProblemKey::UnknownKey, "不认识的键“{key}”：请检查拼写。"),
    (ProblemKey::UnknownKeyNear, "不认识的键“{key}”：是不是想写“{suggestion}”？"),
    (ProblemKey::MissingKey, "缺少“{key}”：这一项必须写。"),
    (ProblemKey::NoText, "{what}没有写任何语言的文字：请至少写中文（zh）。"),
    (ProblemKey::BadLang, "{what}的“{lang}”不是语言代码：中文写 zh，英文写 en。"),
    (ProblemKey::EmptyText, "{what}的“{lang}”文字是空的：请填上，或者删掉这一行。"),
    (ProblemKey::TooLong, "{what}的“{lang}”文字有 {n} 个字，最多 {max} 个：请删短一些。"),
    (ProblemKey::TooManyBoards, "展板太多了：一套题库最多 {max} 块展板（每位观众都会收到全部展板）。"),
    (ProblemKey::EmptySet, "题库里没有题目：questions 下至少要写一道题。"),
    (ProblemKey::TooManyQuestions, "这套题库有 {n} 道题，最多 {max} 道：请分成几套题库。"),
    (ProblemKey::PerVisitorNeeded, "这套题库有 {n} 道题，没有设每人题数，每位观众都要答全部：请设置每人题数（quiz: questions_per_visitor，最多 {max}）。"),
    (ProblemKey::SettingRange, "{name}（{key}）要在 {min} 到 {max} 之间，现在是 {value}。"),
    (ProblemKey::RoundsEmpty, "轮次（rounds）是空的：只要一个一直开放的轮次，就把 rounds 整个删掉。"),
    (ProblemKey::PointsRange, "题目“{id}”的分值要在 1 到 1000 之间，现在是 {value}。"),
    (ProblemKey::YamlTruefalseOptions, "题目“{id}”是判断题，不用写 options（自动是“对”和“错”）：请删掉 options。"),
    (ProblemKey::BoolAnswer, "题目“{id}”不是判断题：答案写选项字母（如 B），不写 true/false。"),
    (ProblemKey::AnswerTwice, "题目“{id}”的答案 {answer} 写了两次：每个字母只写一次。"),
    (ProblemKey::SingleCount, "题目“{id}”是单选题，只能有一个答案，现在写了 {n} 个：有几个正确答案的，请把题型改成多选（multiple）。"),
    (ProblemKey::MultipleNone, "题目“{id}”是多选题，至少要写一个答案，如 answer: [A, C]。"),
    (ProblemKey::FileTooBig, "文件超过 {mb} MB，题库不会这么大：请检查是不是选错了文件。"),
    (ProblemKey::YamlSyntax, "这里的 YAML 写法有误：请检查缩进是否对齐、冒号后面有没有空格、引号和括号是否成对。"),
    (ProblemKey::NotUtf8, "文件不是 UTF-8 编码的文字：请用 UTF-8 编码另存后再试。"),
    (ProblemKey::CannotRead, "读不了这个文件（{error}）：请检查文件是否还在、有没有读取权限。"),
    (ProblemKey::NotXlsx, "这不是 Excel 工作簿（.xlsx）：请在 Excel 或 WPS 里另存为“Excel 工作簿 (*.xlsx)”。"),
    (ProblemKey::WorkbookTooBig, "工作簿解压后超过 {mb} MB，题库用不到这么大，已拒收：请把题目复制到 quizbooth 的 Excel 模板里再上传。"),
    (ProblemKey::TooManyStrings, "工作簿的共享文字表太大（超过 {n} 条或 {mb} MB），题库用不到这么多，已拒收：请把题目复制到 quizbooth 的 Excel 模板里再上传。"),
    (ProblemKey::TooManyCells, "工作簿里填了超过 {n} 个格子，题库用不到这么多，已拒收：请把题目复制到 quizbooth 的 Excel 模板里再上传。"),
    (ProblemKey::CsvNotText, "这个 CSV 文件既不是 UTF-8 也不是 GB18030 编码：请另存为“CSV UTF-8 (逗号分隔)”。"),
    (ProblemKey::BadCsv, "读不懂这个 CSV 文件：请在 Excel 或 WPS 里重新另存为“CSV UTF-8 (逗号分隔)”。"),
    (ProblemKey::Placeholder, "{what}还是模板里的占位文字“{found}”：请改成真实内容，观众会原样看到。"),
    (ProblemKey::TemplateExample, "{what}还是模板里的示例：请换成你自己的内容，或者删掉。"),
    (ProblemKey::SameSet, "和 {file} 是同一套题库，只加载那一份：两份请保持一致，或者删掉其中一份。"),
    (ProblemKey::SetIdTaken, "题库编号“{id}”已经被 {file} 使用：每套题库的编号要不同。"),
    (ProblemKey::NoRoundAhead, "所有轮次都已结束（最后一轮 {last} 结束）：现在观众不能答题和登记。请在“轮次”里写上这次活动的真实时间。"),
];

/// What a text is (the `what` of a leftover), in Chinese.
const WHAT_ZH: &[(LeftoverWhat, &str)] = &[
    (LeftoverWhat::Title, "题库标题"),
    (LeftoverWhat::Intro, "简介"),
    (LeftoverWhat::Organizer, "主办方"),
    (LeftoverWhat::Contact, "联系方式"),
    (LeftoverWhat::Purpose, "用途"),
    (LeftoverWhat::RoundTitle, "轮次“{id}”的名称"),
    (LeftoverWhat::RoundNotice, "轮次“{id}”的说明"),
    (LeftoverWhat::BoardTitle, "展板“{id}”的标题"),
    (LeftoverWhat::BoardBody, "展板“{id}”的内容"),
    (LeftoverWhat::QuestionText, "题目“{id}”"),
    (LeftoverWhat::Explanation, "题目“{id}”的解析"),
    (LeftoverWhat::Option, "题目“{id}”的一个选项"),
];

fn fill(template: &str, args: &std::collections::BTreeMap<&'static str, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

fn key(kind: &Kind) -> String {
    let near = kind.args.get("suggestion").is_some_and(|s| !s.is_empty());
    match kind.code {
        "unknown_column" | "unknown_key" if near => format!("{}_near", kind.code),
        "truefalse_word" if kind.args.get("value").is_none_or(String::is_empty) => {
            "truefalse_any".to_owned()
        }
        code => code.to_owned(),
    }
}

/// A problem in Chinese, when its kind is known.
pub fn zh(p: &Problem) -> Option<String> {
    let kind = p.kind.as_ref()?;
    let key = ProblemKey::from_code(&key(kind))?;
    let text = ZH.iter().find(|(k, _)| *k == key)?.1;
    let mut args = kind.args.clone();
    if let Some(what) = args.get("what").and_then(|w| LeftoverWhat::from_code(w)) {
        if let Some((_, w)) = WHAT_ZH.iter().find(|(k, _)| *k == what) {
            let w = fill(w, &kind.args);
            args.insert("what", w);
        }
    }
    Some(fill(text, &args))
}

/// A problem as an organizer reads it: the Chinese, with the English after
/// it (the English alone when its kind has no Chinese).
pub fn organizer_text(p: &Problem) -> String {
    match zh(p) {
        Some(zh) => format!("{zh} ({})", p.message),
        None => p.message.clone(),
    }
}

/// Where problems are, compactly: `题目!D2–D28、F5` for cells (runs of
/// rows in one column joined), `第 12、30 行` for lines; at most `most`
/// runs, then `等 N 处`.
pub fn places(problems: &[&Problem], most: usize) -> String {
    let mut runs: Vec<(Option<String>, String, u64, u64)> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    // Cells column by column (题目!D2–D9, not D2、F2、D3…), sheets in the
    // order they come.
    let mut sheets: Vec<&str> = Vec::new();
    for p in problems {
        if let Some(s) = p.sheet.as_deref() {
            if !sheets.contains(&s) {
                sheets.push(s);
            }
        }
    }
    let mut problems = problems.to_vec();
    problems.sort_by_key(|p| {
        let sheet = p
            .sheet
            .as_deref()
            .and_then(|s| sheets.iter().position(|x| *x == s));
        let col: String = p
            .cell
            .as_deref()
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        (sheet, col.len(), col, p.line)
    });
    for p in &problems {
        match (&p.sheet, &p.cell) {
            (Some(sheet), Some(cell)) => {
                let col: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
                match runs.last_mut() {
                    Some((Some(s), c, _, last))
                        if s == sheet && *c == col && p.line == *last + 1 =>
                    {
                        *last = p.line;
                    }
                    _ => runs.push((Some(sheet.clone()), col, p.line, p.line)),
                }
            }
            _ => {
                if lines.last() != Some(&p.line) {
                    lines.push(p.line);
                }
            }
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut sheet_before: Option<String> = None;
    for (sheet, col, from, to) in &runs {
        let sheet = sheet.clone().unwrap_or_default();
        let prefix = if sheet_before.as_deref() == Some(sheet.as_str()) {
            String::new()
        } else {
            format!("{sheet}!")
        };
        sheet_before = Some(sheet);
        parts.push(if from == to {
            format!("{prefix}{col}{from}")
        } else {
            format!("{prefix}{col}{from}–{col}{to}")
        });
    }
    let shown_runs = parts.len().min(most);
    let more_runs = parts.len() - shown_runs;
    parts.truncate(shown_runs);
    let mut text = parts.join("、");
    if !lines.is_empty() {
        let shown: Vec<String> = lines.iter().take(most).map(u64::to_string).collect();
        if !text.is_empty() {
            text.push('、');
        }
        text.push_str(&format!("第 {} 行", shown.join("、")));
    }
    let more = more_runs + lines.len().saturating_sub(most);
    if more > 0 {
        text.push_str(&format!(" 等 {} 处", problems.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::load::MAX_BANK_BYTES;

    fn at_cell(sheet: &str, cell: &str, row: u64) -> Problem {
        let mut p = Problem::warning(row, 4, "x");
        p.sheet = Some(sheet.into());
        p.cell = Some(cell.into());
        p
    }

    #[test]
    fn runs_of_cells_are_joined_and_lines_listed() {
        let ps = [
            at_cell("题目", "D2", 2),
            at_cell("题目", "D3", 3),
            at_cell("题目", "D4", 4),
            at_cell("题目", "F9", 9),
            at_cell("展板", "C2", 2),
        ];
        let refs: Vec<&Problem> = ps.iter().collect();
        assert_eq!(places(&refs, 8), "题目!D2–D4、F9、展板!C2");
        let ls = [Problem::warning(12, 3, "x"), Problem::warning(30, 3, "x")];
        let refs: Vec<&Problem> = ls.iter().collect();
        assert_eq!(places(&refs, 8), "第 12、30 行");
    }

    #[test]
    fn every_problem_key_has_its_chinese() {
        for key in ProblemKey::ALL {
            assert!(
                ZH.iter().any(|(k, _)| k == key),
                "`{key}` has no Chinese for check"
            );
        }
        for what in LeftoverWhat::ALL {
            assert!(WHAT_ZH.iter().any(|(k, _)| k == what), "`{what}`");
        }
    }

    /// Chinese comes first: a Han character, or the Chinese quotation mark
    /// or bracket a text opens with (“编号”…).
    fn chinese_first(text: &str) -> bool {
        text.chars()
            .next()
            .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "“（".contains(c))
    }

    const BASE: &str = "id: t
title: {zh: 题库, en: Bank}
quiz: {questions_per_visitor: 1, pass_percent: 50}
privacy: {organizer: {zh: 网信办, en: CAC}, contact: {zh: 12377, en: 12377}}
boards:
  - id: b1
    title: {zh: 展板, en: Board}
    body: {zh: 内容, en: Body}
questions:
  - id: q1
    type: single
    text: {zh: 题, en: Q}
    options: [{zh: 甲, en: A}, {zh: 乙, en: B}]
    answer: A
";

    fn questions(n: usize) -> String {
        let one = BASE.split_once("questions:\n").unwrap().1;
        let all: String = (0..n)
            .map(|i| one.replacen("id: q1", &format!("id: q{i}"), 1))
            .collect();
        format!(
            "{}questions:\n{all}",
            BASE.split_once("questions:\n").unwrap().0
        )
    }

    #[test]
    fn every_problem_the_checker_finds_is_said_in_chinese_first() {
        use crate::bank::load::{parse_bank, parse_file};
        use crate::bank::sheet::workbook::ReadError;
        assert!(
            parse_bank(BASE).problems.is_empty(),
            "{:?}",
            parse_bank(BASE).problems
        );
        let long = "题".repeat(1001);
        let boards: String = (0..51)
            .map(|i| {
                format!("  - {{id: x{i}, title: {{zh: 展板, en: B}}, body: {{zh: 字, en: W}}}}\n")
            })
            .collect();
        let variants: Vec<(&str, String)> = vec![
            (
                "no_text",
                BASE.replace("title: {zh: 题库, en: Bank}", "title: {}"),
            ),
            (
                "bad_lang",
                BASE.replace("text: {zh: 题, en: Q}", "text: {zh: 题, \"e n\": Q}"),
            ),
            (
                "empty_text",
                BASE.replace("text: {zh: 题, en: Q}", "text: {zh: 题, en: \" \"}"),
            ),
            (
                "too_long",
                BASE.replace(
                    "text: {zh: 题, en: Q}",
                    &format!("text: {{zh: {long}, en: Q}}"),
                ),
            ),
            (
                "too_many_boards",
                BASE.replace("boards:\n", &format!("boards:\n{boards}")),
            ),
            (
                "empty_set",
                format!(
                    "{}questions: []\n",
                    BASE.split_once("questions:").unwrap().0
                ),
            ),
            ("too_many_questions", questions(5001)),
            (
                "per_visitor_needed",
                questions(101).replace("questions_per_visitor: 1, ", ""),
            ),
            (
                "setting_range",
                BASE.replace("questions_per_visitor: 1", "questions_per_visitor: 0"),
            ),
            (
                "setting_range",
                BASE.replace("pass_percent: 50", "pass_percent: 150"),
            ),
            (
                "setting_range",
                BASE.replace("pass_percent: 50", "time_limit_secs: 5"),
            ),
            (
                "setting_range",
                BASE.replace("pass_percent: 50", "entry_grace_secs: -1"),
            ),
            (
                "setting_range",
                BASE.replace("pass_percent: 50", "min_answer_secs: 900"),
            ),
            (
                "setting_range",
                BASE.replace("en: 12377}}", "en: 12377}, keep_days: 0}"),
            ),
            (
                "rounds_empty",
                BASE.replace("boards:", "rounds: []\nboards:"),
            ),
            (
                "points_range",
                BASE.replace("answer: A", "answer: A\n    points: 0"),
            ),
            (
                "yaml_truefalse_options",
                BASE.replace("type: single", "type: truefalse")
                    .replace("answer: A", "answer: true"),
            ),
            ("bool_answer", BASE.replace("answer: A", "answer: true")),
            (
                "answer_twice",
                BASE.replace("type: single", "type: multiple")
                    .replace("answer: A", "answer: [A, A]"),
            ),
            ("single_count", BASE.replace("answer: A", "answer: [A, B]")),
            (
                "multiple_none",
                BASE.replace("type: single", "type: multiple")
                    .replace("answer: A", "answer: []"),
            ),
            (
                "yaml_syntax",
                BASE.replace("title: {zh: 题库, en: Bank}", "title: [unclosed"),
            ),
            ("unknown_key", BASE.replace("answer: A", "anwser: A")),
            (
                "file_too_big",
                format!("{BASE}#{}\n", "x".repeat(MAX_BANK_BYTES)),
            ),
            (
                "broken.yaml",
                include_str!("../../tests/fixtures/broken.yaml").to_owned(),
            ),
        ];
        let mut said = Vec::new();
        for (why, yaml) in &variants {
            let report = parse_bank(yaml);
            assert!(!report.problems.is_empty(), "{why}: no problem found");
            assert!(
                report
                    .problems
                    .iter()
                    .any(|p| p.kind.as_ref().is_some_and(|k| k.code == *why))
                    || why.ends_with(".yaml"),
                "{why}: not found in {:?}",
                report.problems
            );
            said.extend(report.problems.into_iter().map(|p| (why.to_string(), p)));
        }
        let files: [(&str, &[u8]); 3] = [
            ("bank.yaml", &[0xFF, 0xFE, 0x00]),
            ("bank.xlsx", b"not a zip"),
            ("bank.csv", &[0xFF, 0xFE, 0x00, 0xD8]),
        ];
        for (name, bytes) in files {
            said.extend(
                parse_file(name, bytes)
                    .problems
                    .into_iter()
                    .map(|p| (name.to_owned(), p)),
            );
        }
        for e in [
            ReadError::NotXlsx("x".into()),
            ReadError::TooBig,
            ReadError::TooManyStrings,
            ReadError::TooManyCells,
            ReadError::NotText,
            ReadError::BadCsv("x".into()),
        ] {
            said.push((format!("{e:?}"), e.problem()));
        }
        for (why, p) in &said {
            let text = organizer_text(p);
            assert!(
                zh(p).is_some() && chinese_first(&text),
                "{why}: not Chinese first: {text}"
            );
            assert!(
                text.ends_with(&format!("({})", p.message)),
                "{why}: English second: {text}"
            );
        }
    }

    #[test]
    fn an_unknown_question_type_in_yaml_is_said_in_chinese_first() {
        let yaml = "id: t\ntitle: T\nquestions:\n  - id: q1\n    type: singel\n    text: 题\n    options: [甲, 乙]\n    answer: A\n";
        let report = crate::bank::load::parse_bank(yaml);
        assert!(report.bank.is_none());
        let p = report
            .problems
            .iter()
            .find(|p| !p.warning)
            .expect("an error");
        assert_eq!(
            organizer_text(p),
            "题目“q1”的题型“singel”不对：type 写 single（单选）、multiple（多选）或 truefalse（判断）。 \
             (question `q1`: type `singel` is not single, multiple or truefalse)"
        );
    }

    #[test]
    fn two_files_of_one_set_id_are_said_in_chinese_first() {
        use std::path::PathBuf;
        let yaml = "id: t\ntitle: T\nquestions:\n  - id: q1\n    type: truefalse\n    text: 题\n    answer: true\n";
        let other = yaml.replace("title: T", "title: U");
        let load = crate::bank::load::parse_bank;
        let reports = [
            (PathBuf::from("a.yaml"), load(yaml)),
            (PathBuf::from("a.xlsx"), load(yaml)),
            (PathBuf::from("b.yaml"), load(&other)),
        ];
        let said: Vec<String> = crate::bank::load::duplicate_ids(&reports)
            .iter()
            .map(|(f, p)| format!("{}: {}", f.display(), organizer_text(p)))
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said[0].starts_with("a.xlsx: 和 a.yaml 是同一套题库，只加载那一份"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("b.yaml: 题库编号“t”已经被 a.yaml 使用"),
            "{said:?}"
        );
    }

    #[test]
    fn a_kind_is_said_in_chinese_with_its_particulars() {
        let p = Problem::warning(1, 1, "organizer placeholder").of_kind(
            "placeholder",
            &[
                ("what", "organizer"),
                ("id", ""),
                ("found", "请改成你的单位"),
            ],
        );
        assert_eq!(
            zh(&p).unwrap(),
            "主办方还是模板里的占位文字“请改成你的单位”：请改成真实内容，观众会原样看到。"
        );
        let q = Problem::error(3, 5, "x")
            .of_kind("answer_not_option", &[("answer", "Z"), ("last", "D")]);
        assert_eq!(zh(&q).unwrap(), "答案“Z”不是选项：本题只有 A–D。");
    }
}
