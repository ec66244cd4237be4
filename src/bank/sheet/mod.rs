//! Question banks as spreadsheets (SPEC §9). A workbook's sheets (or a CSV
//! file, the `题目` sheet alone) are read as grids of the texts their cells
//! show, then written out as the YAML they stand for, one value a line,
//! with each line's cell remembered. The one loader ([`super::load`]) then
//! checks that YAML, and every problem it finds is moved back to its cell:
//! spreadsheets and YAML are held to the same rules by the same code, and a
//! valid spreadsheet is stored as that YAML.
//!
//! What only a sheet can get wrong (an unknown header, `多选` answers
//! written `A、C`, `对`/`错`, a gap between options, a number that is not one)
//! is found here, at its cell, in the same pass. Each sheet has its reader
//! in a file of its own (`settings`, `boards`, `rounds`, `questions`); the
//! grid, the header, the YAML writer and the cell helpers they share are here.

use super::Problem;
use boards::read_boards;
use questions::read_questions;
use rounds::read_rounds;
use settings::read_settings;
use std::collections::HashMap;
use std::fmt::Write as _;

mod boards;
pub mod export;
mod questions;
mod rounds;
mod settings;
pub mod workbook;

/// Most rows read from one sheet (a bank has at most 5,000 questions).
pub const MAX_ROWS: usize = 6000;
/// Most columns a sheet may use (the `题目` sheet has 26).
pub const MAX_COLUMNS: usize = 64;

/// One sheet as the texts its cells show, row by row from row 1.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Its name (`题目` for a CSV file).
    pub name: String,
    /// Rows of cell texts, trimmed of nothing; missing cells are absent.
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    }
}

/// A cell's place: sheet, 1-based row and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Sheet name.
    pub sheet: String,
    /// 1-based row.
    pub row: u32,
    /// 1-based column.
    pub col: u32,
}

impl Place {
    /// `C5`.
    pub fn cell(&self) -> String {
        format!("{}{}", column_name(self.col), self.row)
    }
}

/// `1` → `A`, `27` → `AA`.
pub fn column_name(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        out.push(b'A' + rem as u8);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The YAML a workbook stands for, where each of its lines came from, and
/// what only the sheets could get wrong.
#[derive(Debug, Default)]
pub struct Converted {
    /// The bank as YAML.
    pub yaml: String,
    /// For each line of `yaml` (0-based), the cell it came from.
    pub places: Vec<Place>,
    /// Problems found in the sheets themselves, already at their cells.
    pub problems: Vec<Problem>,
}

impl Converted {
    /// A problem of the YAML at `line` (1-based), moved to its cell.
    pub fn locate(&self, mut p: Problem) -> Problem {
        let line = usize::try_from(p.line).unwrap_or(1).max(1);
        let place = self
            .places
            .get(line - 1)
            .or_else(|| self.places.last())
            .cloned();
        if let Some(place) = place {
            p.line = u64::from(place.row);
            p.column = u64::from(place.col);
            p.cell = Some(place.cell());
            p.sheet = Some(place.sheet);
        }
        p
    }
}

/// Sheet names (SPEC §9).
pub const SETTINGS: &str = "设置";
/// Boards.
pub const BOARDS: &str = "展板";
/// Rounds.
pub const ROUNDS: &str = "轮次";
/// Questions.
pub const QUESTIONS: &str = "题目";
/// The template's instructions (ignored when read).
pub const HELP: &str = "说明";

/// `设置` rows: the row name, and where its value goes.
pub const SETTING_ROWS: &[(&str, Setting)] = &[
    ("编号", Setting::Id),
    ("标题", Setting::Text("title", "zh")),
    ("标题(英文)", Setting::Text("title", "en")),
    ("简介", Setting::Text("intro", "zh")),
    ("简介(英文)", Setting::Text("intro", "en")),
    ("每人题数", Setting::Int("quiz", "questions_per_visitor")),
    ("及格线", Setting::Int("quiz", "pass_percent")),
    ("限时(秒)", Setting::Int("quiz", "time_limit_secs")),
    ("打乱选项", Setting::Bool("quiz", "shuffle_options")),
    ("严格限时", Setting::Bool("quiz", "time_limit_required")),
    ("登记宽限(秒)", Setting::Int("quiz", "entry_grace_secs")),
    ("最短答题(秒)", Setting::Int("quiz", "min_answer_secs")),
    ("领奖后保留天数", Setting::Int("privacy", "keep_days")),
    ("主办方", Setting::Text("privacy.organizer", "zh")),
    ("主办方(英文)", Setting::Text("privacy.organizer", "en")),
    ("联系方式", Setting::Text("privacy.contact", "zh")),
    ("联系方式(英文)", Setting::Text("privacy.contact", "en")),
    ("用途", Setting::Text("privacy.purpose", "zh")),
    ("用途(英文)", Setting::Text("privacy.purpose", "en")),
];

/// Where a `设置` value goes in the YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The set id.
    Id,
    /// A text at this path, in this language.
    Text(&'static str, &'static str),
    /// A whole number under this section.
    Int(&'static str, &'static str),
    /// Yes or no under this section.
    Bool(&'static str, &'static str),
}

/// `展板` columns.
pub const BOARD_COLUMNS: &[&str] = &["编号", "标题", "标题(英文)", "内容", "内容(英文)"];
/// `轮次` columns (the last four are optional extensions).
pub const ROUND_COLUMNS: &[&str] = &[
    "编号",
    "开始",
    "结束",
    "名称",
    "名称(英文)",
    "说明",
    "说明(英文)",
];
/// Option letters.
pub const LETTERS: [char; 8] = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

/// `题目` columns, in the template's order.
pub fn question_columns() -> Vec<String> {
    let mut cols: Vec<String> = ["编号", "题型", "题目", "题目(英文)"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for l in LETTERS {
        cols.push(format!("选项{l}"));
        cols.push(format!("选项{l}(英文)"));
    }
    for c in ["答案", "解析", "解析(英文)", "展板", "分值"] {
        cols.push(c.to_owned());
    }
    cols
}

/// Builds the YAML, line by line, remembering each line's cell.
struct Writer {
    out: Converted,
}

impl Writer {
    fn line(&mut self, at: &Place, text: &str) {
        self.out.yaml.push_str(text);
        self.out.yaml.push('\n');
        self.out.places.push(at.clone());
    }

    /// An error at a cell; its kind is set on what this returns.
    fn problem(&mut self, at: &Place, message: impl Into<String>) -> &mut Problem {
        self.push(at_cell(at, Problem::error(0, 0, message)))
    }

    fn warning(&mut self, at: &Place, message: impl Into<String>) -> &mut Problem {
        self.push(at_cell(at, Problem::warning(0, 0, message)))
    }

    fn push(&mut self, p: Problem) -> &mut Problem {
        let i = self.out.problems.len();
        self.out.problems.push(p);
        &mut self.out.problems[i]
    }
}

fn at_cell(at: &Place, mut p: Problem) -> Problem {
    p.line = u64::from(at.row);
    p.column = u64::from(at.col);
    p.cell = Some(at.cell());
    p.sheet = Some(at.sheet.clone());
    p
}

/// A YAML double-quoted scalar (JSON's escapes are YAML's).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A sheet's header: column name → 0-based index; unknown and repeated
/// names are problems.
fn header(w: &mut Writer, grid: &Grid, known: &[String]) -> HashMap<String, usize> {
    let mut cols = HashMap::new();
    let Some(row) = grid.rows.first() else {
        return cols;
    };
    for (i, name) in row.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let at = place(grid, 0, i);
        let normal = normalise_header(name);
        if !known.contains(&normal) {
            let close = known
                .iter()
                .find(|k| k.replace("(英文)", "") == normal.replace("(英文)", ""))
                .or_else(|| known.iter().find(|k| normal.contains(k.as_str())));
            let hint = close.map_or_else(
                || format!("; the columns are: {}", known.join(" ")),
                |k| format!("; did you mean `{k}`?"),
            );
            w.problem(&at, format!("unknown column `{name}`{hint}"))
                .set_kind(
                    "unknown_column",
                    &[
                        ("name", name),
                        ("suggestion", close.map_or("", String::as_str)),
                    ],
                );
            continue;
        }
        if cols.insert(normal.clone(), i).is_some() {
            w.problem(&at, format!("the column `{name}` appears twice"))
                .set_kind("duplicate_column", &[("name", name)]);
        }
    }
    cols
}

/// Full-width brackets and stray spaces in a header read as the plain ones:
/// `选项A（英文）` is `选项A(英文)`.
fn normalise_header(name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFF41 + 'A' as u32).unwrap_or(c),
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 0xFF21 + 'A' as u32).unwrap_or(c),
            _ => c,
        })
        .collect::<String>();
    // `选项b` is `选项B`.
    match name.strip_prefix("选项").map(|rest| rest.chars()) {
        Some(mut rest) => match rest.next() {
            Some(c) if c.is_ascii_lowercase() => {
                format!("选项{}{}", c.to_ascii_uppercase(), rest.as_str())
            }
            _ => name,
        },
        None => name,
    }
}

fn place(grid: &Grid, row: usize, col: usize) -> Place {
    Place {
        sheet: grid.name.clone(),
        row: row as u32 + 1,
        col: col as u32 + 1,
    }
}

/// Reads a workbook's grids into YAML. `stem` is the file name without its
/// extension: the set id when `设置` has no `编号`.
pub fn convert(grids: &[Grid], stem: &str) -> Converted {
    let mut w = Writer {
        out: Converted::default(),
    };
    let by_name: HashMap<&str, &Grid> = grids.iter().map(|g| (g.name.trim(), g)).collect();
    for g in grids {
        let name = g.name.trim();
        // `来源` belongs to the sources upload (SPEC §11), not to the bank.
        if ![
            SETTINGS,
            BOARDS,
            ROUNDS,
            QUESTIONS,
            HELP,
            crate::sources::SHEET,
        ]
        .contains(&name)
        {
            let at = place(g, 0, 0);
            w.warning(
                &at,
                format!(
                    "the sheet `{}` is not read (the sheets are {SETTINGS}, {BOARDS}, {ROUNDS}, {QUESTIONS})",
                    g.name
                ),
            )
            .set_kind("unread_sheet", &[("name", &g.name)]);
        }
    }
    let top = Place {
        sheet: by_name
            .get(SETTINGS)
            .map_or(QUESTIONS.to_owned(), |g| g.name.clone()),
        row: 1,
        col: 1,
    };
    let settings = by_name.get(SETTINGS).map(|g| read_settings(&mut w, g));
    let settings = settings.unwrap_or_default();
    // The id, then the title: a set is always written with both.
    match settings.id {
        Some((id, at)) => w.line(&at, &format!("id: {}", quoted(&id))),
        None => {
            let id = stem.trim().to_lowercase();
            w.line(&top, &format!("id: {}", quoted(&id)));
        }
    }
    // `Settings` holds its lines grouped by section already: the plain ones
    // (`title`, `quiz`…) first, then the `privacy.` ones under one key.
    if !settings.lines.iter().any(|(k, _)| *k == "title") {
        let id_line = w.out.yaml.lines().next().unwrap_or("id: \"\"").to_owned();
        w.line(&top, &id_line.replacen("id:", "title:", 1));
    }
    let first_of = |lines: &[(String, Place)]| lines.first().map_or(top.clone(), |l| l.1.clone());
    let (privacy, plain): (Vec<_>, Vec<_>) = settings
        .lines
        .iter()
        .partition(|(k, _)| k.starts_with("privacy."));
    for (key, lines) in plain {
        w.line(&first_of(lines), &format!("{key}:"));
        for (text, at) in lines {
            w.line(at, &format!("  {text}"));
        }
    }
    if let Some((_, lines)) = privacy.first() {
        w.line(&first_of(lines), "privacy:");
    }
    for (key, lines) in privacy {
        // `privacy.` holds `keep_days: 30`; `privacy.organizer` a text's languages.
        let (indent, key) = match key.strip_prefix("privacy.").unwrap_or("") {
            "" => ("  ", None),
            k => ("    ", Some(k)),
        };
        if let Some(k) = key {
            w.line(&first_of(lines), &format!("  {k}:"));
        }
        for (text, at) in lines {
            w.line(at, &format!("{indent}{text}"));
        }
    }
    if let Some(g) = by_name.get(ROUNDS) {
        read_rounds(&mut w, g);
    }
    if let Some(g) = by_name.get(BOARDS) {
        read_boards(&mut w, g);
    }
    match by_name.get(QUESTIONS) {
        Some(g) => read_questions(&mut w, g),
        None => {
            let at = Place {
                sheet: QUESTIONS.into(),
                row: 1,
                col: 1,
            };
            w.problem(
                &at,
                format!("there is no `{QUESTIONS}` sheet: the questions go in a sheet named {QUESTIONS}"),
            )
            .set_kind("no_questions_sheet", &[]);
            w.line(&at, "questions: []");
        }
    }
    w.out
}

/// `12`, `12.0`, `１２` → 12.
fn whole_number(s: &str) -> Option<i64> {
    let s: String = s.trim().chars().map(half_width).collect();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let f: f64 = s.parse().ok()?;
    (f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
}

fn half_width(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "对" | "true" | "yes" | "y" | "1" | "打乱" => Some(true),
        "否" | "错" | "false" | "no" | "n" | "0" | "不打乱" => Some(false),
        _ => None,
    }
}

/// Reads a text column pair (`NAME` and `NAME(英文)`) of row `r` as a YAML
/// value after `key:`, on its own lines; `None` when both are empty.
fn text_lines(
    w: &mut Writer,
    g: &Grid,
    cols: &HashMap<String, usize>,
    r: usize,
    name: &str,
    key: &str,
    indent: &str,
) -> bool {
    let zh = cols.get(name).map(|&c| (g.cell(r, c).trim(), c));
    let en = cols
        .get(&format!("{name}(英文)"))
        .map(|&c| (g.cell(r, c).trim(), c));
    let zh = zh.filter(|(s, _)| !s.is_empty());
    let en = en.filter(|(s, _)| !s.is_empty());
    match (zh, en) {
        (None, None) => false,
        (Some((s, c)), None) => {
            w.line(&place(g, r, c), &format!("{indent}{key}: {}", quoted(s)));
            true
        }
        (zh, en) => {
            let first = zh.or(en).map_or(0, |(_, c)| c);
            w.line(&place(g, r, first), &format!("{indent}{key}:"));
            for (lang, v) in [("zh", zh), ("en", en)] {
                if let Some((s, c)) = v {
                    w.line(&place(g, r, c), &format!("{indent}  {lang}: {}", quoted(s)));
                }
            }
            true
        }
    }
}

fn is_blank(g: &Grid, r: usize) -> bool {
    g.rows
        .get(r)
        .is_none_or(|row| row.iter().all(|c| c.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::load::parse_grids;

    fn grid(name: &str, rows: &[&[&str]]) -> Grid {
        Grid {
            name: name.into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
        }
    }

    const HEAD: &[&str] = &[
        "编号", "题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "展板",
    ];

    fn problems(rows: &[&[&str]]) -> Vec<(String, String)> {
        let mut all = vec![HEAD];
        all.extend_from_slice(rows);
        let report = parse_grids(&[grid(QUESTIONS, &all)], "quiz.csv");
        report
            .problems
            .iter()
            .filter(|p| !p.warning)
            .map(|p| (p.cell.clone().unwrap_or_default(), p.message.clone()))
            .collect()
    }

    #[test]
    fn a_filled_sheet_reads_as_the_bank_it_stands_for() {
        let rows: &[&[&str]] = &[
            HEAD,
            &["", "单选", "举报电话是？", "110", "12377", "", "", "b", ""],
            &[
                "q-two",
                "多选",
                "哪些是渠道？",
                "电话",
                "网站",
                "谣言",
                "",
                "A、B",
                "",
            ],
            &["", "判断", "可以匿名举报。", "", "", "", "", "对", ""],
        ];
        let report = parse_grids(&[grid(QUESTIONS, rows)], "My-Quiz.csv");
        assert!(
            report.problems.iter().all(|p| p.warning),
            "{:#?}",
            report.problems
        );
        let bank = report.bank.unwrap();
        assert_eq!(bank.id, "my-quiz", "the file's name, lower-cased");
        assert_eq!(bank.title.get("zh"), "my-quiz");
        assert_eq!(bank.questions[0].id, "q2", "q + the row number");
        assert_eq!(bank.questions[0].options[1].1.get("zh"), "12377");
        assert_eq!(bank.questions[0].answer, ['B']);
        assert_eq!(bank.questions[1].answer, ['A', 'B']);
        assert_eq!(bank.questions[2].answer, ['T']);
    }

    #[test]
    fn every_mistake_of_a_sheet_is_named_by_its_cell_in_one_pass() {
        let got = problems(&[
            &["a", "单选", "一", "甲", "乙", "丙", "丁", "Z", ""],
            &["b", "判断", "二", "", "", "", "", "N", ""],
            &["c", "单选", "三", "甲", "乙", "丙", "", "AC", ""],
            &["d", "多选", "四", "甲", "", "丙", "", "AC", ""],
            &["e", "问答", "五", "甲", "乙", "", "", "A", ""],
            &["f", "单选", "六", "甲", "乙", "", "", "A", "no-such-board"],
        ]);
        let at = |cell: &str| -> Vec<&str> {
            got.iter()
                .filter(|(c, _)| c == cell)
                .map(|(_, m)| m.as_str())
                .collect()
        };
        assert!(at("H2")[0].contains("A to D"), "{got:#?}");
        assert!(at("H3")[0].contains("对 or 错"), "{got:#?}");
        assert!(at("H4")[0].contains("多选"), "{got:#?}");
        assert!(
            at("E5")[0].contains("fill the options in order"),
            "{got:#?}"
        );
        assert!(at("B6")[0].contains("单选, 多选 or 判断"), "{got:#?}");
        assert!(
            at("I7")[0].contains("no-such-board"),
            "the loader's problem, moved to its cell: {got:#?}"
        );
    }

    #[test]
    fn an_unknown_column_is_a_problem_with_the_name_it_was_meant_to_be() {
        let rows: &[&[&str]] = &[
            &["题型", "题目", "选项Ａ", "选项B（英文）", "答按"],
            &["单选", "一", "甲", "", "A"],
        ];
        let report = parse_grids(&[grid(QUESTIONS, rows)], "x.csv");
        let cells: Vec<(String, String)> = report
            .problems
            .iter()
            .map(|p| (p.cell.clone().unwrap_or_default(), p.message.clone()))
            .collect();
        assert!(
            cells.iter().any(|(c, m)| c == "E1" && m.contains("答按")),
            "{cells:#?}"
        );
        assert!(
            cells.iter().any(|(c, m)| c == "A1" && m.contains("答案")),
            "the missing required column: {cells:#?}"
        );
        assert!(
            !cells.iter().any(|(c, _)| c == "C1" || c == "D1"),
            "full-width letters and brackets read as the plain ones: {cells:#?}"
        );
    }

    #[test]
    fn settings_and_rounds_are_read_from_their_sheets() {
        let settings = grid(
            SETTINGS,
            &[
                &["项目", "值"],
                &["编号", "week-quiz"],
                &["标题", "网安周"],
                &["及格线", "80"],
                &["打乱选项", "否"],
                &["每人题数", "十"],
            ],
        );
        let rounds = grid(
            ROUNDS,
            &[
                &["编号", "开始", "结束"],
                &["w1", "2026-11-01 09:00", "2026-11-08T18:00:00+08:00"],
            ],
        );
        let questions = grid(
            QUESTIONS,
            &[HEAD, &["", "判断", "一", "", "", "", "", "错", ""]],
        );
        let report = parse_grids(&[settings, rounds, questions], "x.xlsx");
        let errors: Vec<_> = report.problems.iter().filter(|p| !p.warning).collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].sheet.as_deref(), Some(SETTINGS));
        assert_eq!(errors[0].cell.as_deref(), Some("B6"));
        assert!(errors[0].message.contains("whole number"));
        assert_eq!(column_name(27), "AA");
    }
}
