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
