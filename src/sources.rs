//! Sources (SPEC §11): the units and channels a campaign mobilises, each
//! with an id for its link (`/?src=ID`), a name and, where known, a
//! headcount. Pure: reading the list staff upload (JSON, a CSV file, or the
//! `来源` sheet of a workbook: `编号 | 名称 | 人数`) and saying what is
//! wrong with it at its row and cell, Chinese first.
//!
//! Two ids are the service's own and never listed: `direct` (a session
//! with no source, or one whose id was not on the list when it started)
//! and `share` (the share card's link, issue 26), which every session
//! started from it keeps whether or not staff list it. Listing either
//! would let a unit's numbers swallow the visitors who came without a
//! source or from a friend's card, so both are refused with their reason.

use crate::bank::sheet::Grid;
use crate::ui_keys::SourceProblemKey as K;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The source of a session that came without a listed one.
pub const DIRECT: &str = "direct";
/// The share card's source (issue 26): known whatever the list says.
pub const SHARE: &str = "share";
/// The sheet a workbook keeps its sources on.
pub const SHEET: &str = "来源";
/// The sheet's columns, in the template's order.
pub const COLUMNS: [&str; 3] = ["编号", "名称", "人数"];
/// English names a CSV or sheet may use for the same columns.
const COLUMNS_EN: [&str; 3] = ["id", "name", "headcount"];
/// Most sources in one list (a province's districts, schools and
/// companies are a few hundred to a couple of thousand).
pub const MAX_SOURCES: usize = 5000;
/// Longest id.
pub const MAX_ID: usize = 32;
/// Longest name, in characters.
pub const MAX_NAME: usize = 64;
/// Largest headcount (a province's population is far below).
pub const MAX_HEADCOUNT: u64 = 200_000_000;

/// One source as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `[a-z0-9-]{1,32}`, not `direct` or `share`.
    pub id: String,
    /// What staff call it (`五华区`, `云南大学`).
    pub name: String,
    /// How many people it has, when known (the rate's denominator).
    pub headcount: Option<u32>,
}

/// Whether `id` can name a source in a link: `[a-z0-9-]{1,32}`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What is wrong with one cell (or the whole file) of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceProblem {
    /// Where, as an organizer finds it: `sources.csv:3:1`,
    /// `sources.xlsx:来源!A3`, `sources.json[2].id`.
    pub at: String,
    /// The sheet, for a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The cell (`A3`), for a CSV file or a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// 1-based row (a JSON item's position in the list).
    pub line: u64,
    /// 1-based column (a JSON item's field: 1 id, 2 name, 3 headcount).
    pub column: u64,
    /// The kind, for the console's `src_pk_*` strings.
    pub kind: K,
    /// Its particulars (`{"id": "Ab"}`).
    pub args: BTreeMap<&'static str, String>,
    /// Chinese, then the English in brackets.
    pub message: String,
}

/// Each kind's Chinese and English; `{name}` is filled from the particulars.
fn words(kind: K) -> (&'static str, &'static str) {
    match kind {
        K::BadId => (
            "编号“{id}”不能用：只能用小写字母 a–z、数字和 -，最多 32 个字符，例如 wuhua-1。",
            "the id \"{id}\" cannot be used: lower-case a-z, digits and - only, at most 32 characters, such as wuhua-1",
        ),
        K::EmptyId => (
            "编号是空的：每个来源都要有编号（会出现在链接 /?src=编号 里）。",
            "the id is empty: every source needs one (it goes into its link /?src=ID)",
        ),
        K::ReservedId => (
            "编号“{id}”是系统保留的（direct 表示没有来源，share 表示分享卡），请换一个。",
            "the id \"{id}\" is reserved (direct means no source, share is the share card); choose another",
        ),
        K::DuplicateId => (
            "编号“{id}”重复了，第 {first} 行已经用过：每个编号只能用一次。",
            "the id \"{id}\" is used twice, first on row {first}: each id once only",
        ),
        K::EmptyName => (
            "名称是空的：请写上单位或渠道的名称，海报上会印出来。",
            "the name is empty: write the unit's or channel's name, which its poster shows",
        ),
        K::LongName => (
            "名称太长（{n} 个字）：最多 64 个字。",
            "the name is too long ({n} characters): at most 64",
        ),
        K::BadHeadcount => (
            "人数“{value}”不对：填正整数（如 1200），不知道就留空。",
            "the headcount \"{value}\" is not a positive whole number (such as 1200); leave it empty when unknown",
        ),
        K::MissingColumn => (
            "缺少“{name}”列：第 1 行要写 编号、名称、人数（人数可以不要）。",
            "the column \"{name}\" is missing: row 1 reads 编号, 名称, 人数 (人数 optional)",
        ),
        K::UnknownColumn => (
            "不认识的列名“{name}”：来源表只有 编号、名称、人数 三列。",
            "unknown column \"{name}\": the sources sheet has 编号, 名称 and 人数 only",
        ),
        K::DuplicateColumn => (
            "列名“{name}”出现了两次：请删掉一列。",
            "the column \"{name}\" appears twice: delete one",
        ),
        K::NoSheet => (
            "工作簿里没有“来源”表：请把来源写在名为“来源”的工作表里（模板里有）。",
            "the workbook has no sheet named 来源: put the sources on it (the template has one)",
        ),
        K::TooMany => (
            "来源太多（{n} 个）：最多 5000 个。",
            "too many sources ({n}): at most 5000",
        ),
        K::Unreadable => (
            "文件读不出来：{why}",
            "the file cannot be read: {why}",
        ),
    }
}

fn fill(template: &str, args: &BTreeMap<&'static str, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// Where a problem is.
#[derive(Debug, Clone)]
enum Place {
    /// A CSV file's or a sheet's cell: 0-based row and column.
    Cell { row: usize, col: usize },
    /// A JSON item's field.
    Item { index: usize, field: usize },
    /// The whole file.
    File,
}

/// The upload's file, for its problems' places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `[{"id", "name", "headcount"}]`.
    Json,
    /// A CSV file, UTF-8 or GB18030.
    Csv,
    /// An Excel workbook's `来源` sheet.
    Xlsx,
}

impl Format {
    fn file(self) -> &'static str {
        match self {
            Self::Json => "sources.json",
            Self::Csv => "sources.csv",
            Self::Xlsx => "sources.xlsx",
        }
    }
}

fn problem(
    format: Format,
    place: Place,
    kind: K,
    args: &[(&'static str, String)],
) -> SourceProblem {
    let args: BTreeMap<&'static str, String> = args.iter().cloned().collect();
    let (zh, en) = words(kind);
    let message = format!("{} ({})", fill(zh, &args), fill(en, &args));
    let file = format.file();
    let (at, sheet, cell, line, column) = match place {
        Place::Cell { row, col } => {
            let cell = format!(
                "{}{}",
                crate::bank::sheet::column_name(col as u32 + 1),
                row + 1
            );
            let at = match format {
                Format::Xlsx => format!("{file}:{SHEET}!{cell}"),
                _ => format!("{file}:{}:{}", row + 1, col + 1),
            };
            let sheet = (format == Format::Xlsx).then(|| SHEET.to_owned());
            (at, sheet, Some(cell), row as u64 + 1, col as u64 + 1)
        }
        Place::Item { index, field } => {
            let name = COLUMNS_EN.get(field).copied().unwrap_or("");
            (
                format!("{file}[{index}].{name}"),
                None,
                None,
                index as u64 + 1,
                field as u64 + 1,
            )
        }
        Place::File => (file.to_owned(), None, None, 1, 1),
    };
    SourceProblem {
        at,
        sheet,
        cell,
        line,
        column,
        kind,
        args,
        message,
    }
}

/// One row as sent, before it is checked.
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    /// The headcount as written (empty: unknown).
    headcount: HeadcountCell<'a>,
}

enum HeadcountCell<'a> {
    Empty,
    Text(&'a str),
    Number(i64),
    Other(String),
}

/// Checks rows; `at(row, field)` places a problem.
fn check<'a>(
    format: Format,
    rows: impl Iterator<Item = (usize, Row<'a>)>,
    at: impl Fn(usize, usize) -> Place,
    shown_row: impl Fn(usize) -> usize,
) -> Result<Vec<Source>, Vec<SourceProblem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows {
        let id = row.id.trim();
        if id.is_empty() {
            problems.push(problem(format, at(i, 0), K::EmptyId, &[]));
        } else if id == DIRECT || id == SHARE {
            problems.push(problem(
                format,
                at(i, 0),
                K::ReservedId,
                &[("id", id.to_owned())],
            ));
        } else if !valid_id(id) {
            problems.push(problem(
                format,
                at(i, 0),
                K::BadId,
                &[("id", id.to_owned())],
            ));
        } else if let Some(first) = seen.get(id) {
            problems.push(problem(
                format,
                at(i, 0),
                K::DuplicateId,
                &[
                    ("id", id.to_owned()),
                    ("first", shown_row(*first).to_string()),
                ],
            ));
        } else {
            seen.insert(id.to_owned(), i);
        }
        let name = row.name.trim();
        let chars = name.chars().count();
        if name.is_empty() {
            problems.push(problem(format, at(i, 1), K::EmptyName, &[]));
        } else if chars > MAX_NAME {
            problems.push(problem(
                format,
                at(i, 1),
                K::LongName,
                &[("n", chars.to_string())],
            ));
        }
        let headcount = match row.headcount {
            HeadcountCell::Empty => Ok(None),
            HeadcountCell::Text(t) => parse_headcount(t).map(Some).ok_or_else(|| t.to_owned()),
            HeadcountCell::Number(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n > 0 && u64::from(*n) <= MAX_HEADCOUNT)
                .map(Some)
                .ok_or_else(|| n.to_string()),
            HeadcountCell::Other(v) => Err(v),
        };
        let headcount = match headcount {
            Ok(h) => h,
            Err(value) => {
                problems.push(problem(
                    format,
                    at(i, 2),
                    K::BadHeadcount,
                    &[("value", value)],
                ));
                None
            }
        };
        out.push(Source {
            id: id.to_owned(),
            name: name.to_owned(),
            headcount,
        });
    }
    if out.len() > MAX_SOURCES {
        problems.push(problem(
            format,
            Place::File,
            K::TooMany,
            &[("n", out.len().to_string())],
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A headcount as written: a positive whole number, thousands separators
/// and full-width digits allowed (`1,200`, `１２００`).
fn parse_headcount(text: &str) -> Option<u32> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '_'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let digits = digits.strip_suffix(".0").unwrap_or(&digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (n > 0 && n <= MAX_HEADCOUNT)
        .then(|| u32::try_from(n).ok())
        .flatten()
}

/// Reads a JSON list `[{"id", "name", "headcount"}]`.
pub fn from_json(bytes: &[u8]) -> Result<Vec<Source>, Vec<SourceProblem>> {
    let unreadable = |why: String| {
        vec![problem(
            Format::Json,
            Place::File,
            K::Unreadable,
            &[("why", why)],
        )]
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| unreadable(e.to_string()))?;
    let items = value.as_array().ok_or_else(|| {
        unreadable("a list [{\"id\", \"name\", \"headcount\"}] is expected".into())
    })?;
    let text = |v: Option<&serde_json::Value>| -> String {
        match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    let owned: Vec<(String, String, Option<serde_json::Value>)> = items
        .iter()
        .map(|item| {
            (
                text(item.get("id")),
                text(item.get("name")),
                item.get("headcount").cloned(),
            )
        })
        .collect();
    let rows = owned.iter().enumerate().map(|(i, (id, name, h))| {
        let headcount = match h {
            None | Some(serde_json::Value::Null) => HeadcountCell::Empty,
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(n) => HeadcountCell::Number(n),
                None => HeadcountCell::Other(n.to_string()),
            },
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => HeadcountCell::Empty,
            Some(serde_json::Value::String(s)) => HeadcountCell::Text(s),
            Some(other) => HeadcountCell::Other(other.to_string()),
        };
        (
            i,
            Row {
                id,
                name,
                headcount,
            },
        )
    });
    check(
        Format::Json,
        rows,
        |index, field| Place::Item { index, field },
        |i| i + 1,
    )
}

/// Reads a grid (a CSV file, or a workbook's `来源` sheet) with its header
/// in row 1; empty rows are skipped.
pub fn from_grid(grid: &Grid, format: Format) -> Result<Vec<Source>, Vec<SourceProblem>> {
    let cell = |r: usize, c: usize| -> &str {
        grid.rows
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", String::as_str)
    };
    let mut problems = Vec::new();
    let mut cols: [Option<usize>; 3] = [None; 3];
    if let Some(header) = grid.rows.first() {
        for (c, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            if name.is_empty() {
                continue;
            }
            let which = COLUMNS
                .iter()
                .position(|k| *k == name)
                .or_else(|| COLUMNS_EN.iter().position(|k| k.eq_ignore_ascii_case(name)));
            match which {
                None => problems.push(problem(
                    format,
                    Place::Cell { row: 0, col: c },
                    K::UnknownColumn,
                    &[("name", name.to_owned())],
                )),
                Some(w) if cols[w].is_some() => problems.push(problem(
                    format,
                    Place::Cell { row: 0, col: c },
                    K::DuplicateColumn,
                    &[("name", name.to_owned())],
                )),
                Some(w) => cols[w] = Some(c),
            }
        }
    }
    let width = grid.rows.first().map_or(0, Vec::len);
    for (w, name) in COLUMNS.iter().enumerate().take(2) {
        if cols[w].is_none() {
            problems.push(problem(
                format,
                Place::Cell {
                    row: 0,
                    col: width + w,
                },
                K::MissingColumn,
                &[("name", (*name).to_owned())],
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (id_col, name_col) = (cols[0].unwrap_or(0), cols[1].unwrap_or(1));
    let rows = (1..grid.rows.len())
        .filter(|r| grid.rows[*r].iter().any(|c| !c.trim().is_empty()))
        .map(|r| {
            let headcount = match cols[2].map(|c| cell(r, c).trim()) {
                None | Some("") => HeadcountCell::Empty,
                Some(t) => HeadcountCell::Text(t),
            };
            (
                r,
                Row {
                    id: cell(r, id_col),
                    name: cell(r, name_col),
                    headcount,
                },
            )
        });
    let at = |row: usize, field: usize| Place::Cell {
        row,
        col: cols[field].unwrap_or(field),
    };
    check(format, rows, at, |r| r + 1)
}

/// The grid of a workbook's sources: its `来源` sheet, or its one sheet.
pub fn sheet_of(grids: &[Grid]) -> Result<&Grid, Vec<SourceProblem>> {
    grids
        .iter()
        .find(|g| g.name.trim() == SHEET)
        .or(match grids {
            [one] => Some(one),
            _ => None,
        })
        .ok_or_else(|| vec![problem(Format::Xlsx, Place::File, K::NoSheet, &[])])
}

/// An upload as a whole: JSON, a CSV file or a workbook, by what it is
/// (a workbook is a zip), else by `format`.
pub fn read(bytes: &[u8], format: Format) -> Result<Vec<Source>, Vec<SourceProblem>> {
    let unreadable = |format: Format, why: String| {
        vec![problem(format, Place::File, K::Unreadable, &[("why", why)])]
    };
    if bytes.starts_with(b"PK\x03\x04") {
        let grids = crate::bank::sheet::workbook::read_xlsx(bytes)
            .map_err(|e| unreadable(Format::Xlsx, e.to_string()))?;
        return from_grid(sheet_of(&grids)?, Format::Xlsx);
    }
    match format {
        Format::Json => from_json(bytes),
        Format::Csv => {
            let grid = crate::bank::sheet::workbook::read_csv(bytes)
                .map_err(|e| unreadable(Format::Csv, e.to_string()))?;
            from_grid(&grid, Format::Csv)
        }
        Format::Xlsx => Err(unreadable(
            Format::Xlsx,
            "this is not an Excel workbook (.xlsx)".into(),
        )),
    }
}

/// A source's visitor link under the service's public URL.
pub fn link(public_url: &str, id: &str) -> String {
    format!("{}/?src={id}", public_url.trim_end_matches('/'))
}

/// What a session's `src` becomes: the id when `known` says it is listed
/// (or it is the share card's), else `None`, the source `direct`.
pub fn resolve(src: Option<&str>, known: impl Fn(&str) -> bool) -> Option<&str> {
    let src = src?;
    (valid_id(src) && src != DIRECT && (src == SHARE || known(src))).then_some(src)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &str) -> Grid {
        Grid {
            name: SHEET.into(),
            rows: text
                .lines()
                .map(|l| l.split(',').map(str::to_owned).collect())
                .collect(),
        }
    }

    #[test]
    fn a_csv_list_reads_with_optional_headcounts() {
        let list = from_grid(
            &grid("编号,名称,人数\nwuhua,五华区,1200\n\nynu,云南大学,\n"),
            Format::Csv,
        )
        .unwrap();
        assert_eq!(
            list,
            vec![
                Source {
                    id: "wuhua".into(),
                    name: "五华区".into(),
                    headcount: Some(1200)
                },
                Source {
                    id: "ynu".into(),
                    name: "云南大学".into(),
                    headcount: None
                },
            ]
        );
        // Columns in any order, English names too.
        let list = from_grid(&grid("name,id\n五华区,wuhua"), Format::Csv).unwrap();
        assert_eq!(list[0].id, "wuhua");
    }

    #[test]
    fn each_bad_row_is_named_by_its_cell_chinese_first() {
        let g = grid("编号,名称,人数\nWu Hua,五华区,0\nok,,12\nok,又一个,-3\ndirect,直接,\n");
        let problems = from_grid(&g, Format::Csv).unwrap_err();
        let at: Vec<(&str, K)> = problems.iter().map(|p| (p.at.as_str(), p.kind)).collect();
        assert_eq!(
            at,
            vec![
                ("sources.csv:2:1", K::BadId),
                ("sources.csv:2:3", K::BadHeadcount),
                ("sources.csv:3:2", K::EmptyName),
                ("sources.csv:4:1", K::DuplicateId),
                ("sources.csv:4:3", K::BadHeadcount),
                ("sources.csv:5:1", K::ReservedId),
            ]
        );
        assert!(problems[3].message.starts_with("编号“ok”重复了，第 3 行"));
        assert!(problems[3].message.contains("first on row 3"));
        let xlsx = from_grid(&g, Format::Xlsx).unwrap_err();
        assert_eq!(xlsx[0].at, "sources.xlsx:来源!A2");
        assert_eq!(xlsx[0].cell.as_deref(), Some("A2"));
    }

    #[test]
    fn json_problems_name_the_item_and_field() {
        let problems = from_json(
            br#"[{"id":"a","name":"A"},{"id":"b","name":"  ","headcount":1.5},{"id":"a","name":"A2","headcount":"x"}]"#,
        )
        .unwrap_err();
        let at: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
        assert_eq!(
            at,
            vec![
                "sources.json[1].name",
                "sources.json[1].headcount",
                "sources.json[2].id",
                "sources.json[2].headcount"
            ]
        );
        assert!(from_json(b"{}").is_err());
        assert_eq!(from_json(b"[]").unwrap(), vec![]);
    }

    #[test]
    fn a_missing_or_unknown_column_is_said_at_the_header() {
        let problems = from_grid(&grid("编号,单位\nx,y"), Format::Csv).unwrap_err();
        let kinds: Vec<K> = problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![K::UnknownColumn, K::MissingColumn]);
        assert_eq!(problems[0].at, "sources.csv:1:2");
    }

    #[test]
    fn headcounts_read_as_written() {
        assert_eq!(parse_headcount("1,200"), Some(1200));
        assert_eq!(parse_headcount("１２００"), Some(1200));
        assert_eq!(parse_headcount("7"), Some(7));
        for bad in ["0", "-1", "1.5", "abc", "", "300000000"] {
            assert_eq!(parse_headcount(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_listed_ids_and_the_share_card_resolve() {
        let known = |s: &str| s == "wuhua";
        assert_eq!(resolve(Some("wuhua"), known), Some("wuhua"));
        assert_eq!(resolve(Some("share"), known), Some("share"));
        for other in [None, Some("direct"), Some("nope"), Some("WUHUA"), Some("")] {
            assert_eq!(resolve(other, known), None, "{other:?}");
        }
    }
}
