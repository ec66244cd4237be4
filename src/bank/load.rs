//! Reading banks from text, files and folders. The one loader `check`,
//! `serve`, uploads and reloads share.

use super::raw::RawBank;
use super::validate::validate;
use super::{Bank, Problem};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Largest bank text accepted, in bytes.
pub const MAX_BANK_BYTES: usize = 2 * 1024 * 1024;

/// The outcome of parsing one bank text.
#[derive(Debug)]
pub struct LoadReport {
    /// The bank, when there is no error.
    pub bank: Option<Bank>,
    /// Errors and warnings, in text order.
    pub problems: Vec<Problem>,
}

/// Lowercase hex SHA-256 of a bank's text: its version.
pub fn version_of(source: &str) -> String {
    hex::encode(Sha256::digest(source.as_bytes()))
}

/// Parses and checks one bank text.
pub fn parse_bank(source: &str) -> LoadReport {
    if source.len() > MAX_BANK_BYTES {
        let mb = (MAX_BANK_BYTES / 1024 / 1024).to_string();
        let message = format!("the file is larger than {mb} MB");
        return failed(Problem::error(1, 1, message).of_kind("file_too_big", &[("mb", &mb)]));
    }
    // An unknown key stops the YAML reader; to report every problem in one
    // go, the key is blanked out (lines kept, so places stay right) and the
    // text read again.
    let mut text = source.to_owned();
    let mut problems = Vec::new();
    for _ in 0..MAX_UNKNOWN_KEYS {
        match serde_saphyr::from_str::<RawBank>(&text) {
            Ok(raw) => {
                let (bank, mut more) = validate(raw, version_of(source), source.to_owned());
                more.append(&mut problems);
                more.sort_by_key(|p| (p.line, p.column));
                let bank = bank.filter(|_| more.iter().all(|p| p.warning));
                return LoadReport {
                    bank,
                    problems: more,
                };
            }
            Err(e) => {
                let (line, column) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                let raw_message = e.without_snippet().to_string();
                // The commonest slips, said so and stepped over, so the rest
                // of the file is checked in the same pass.
                if let Some((at, next)) = fullwidth_colon(&text, line) {
                    problems.push(
                        Problem::error(at, column_of(&text, at, '：'), "a full-width colon `：` is used here; YAML needs the plain colon `:` followed by a space")
                            .of_kind("fullwidth_colon", &[]),
                    );
                    text = next;
                    continue;
                }
                if line <= 2 && looks_like_csv(&text) {
                    problems.push(
                        Problem::error(1, 1, "this is a CSV table, not YAML: save it as a .csv file and upload that (or pick the file instead of pasting it)")
                            .of_kind("looks_like_csv", &[]),
                    );
                    break;
                }
                let mut p = Problem::error(line, column, yaml_message(&raw_message));
                p.set_kind("yaml_syntax", &[]);
                if let Some(key) = field(&raw_message, "unknown field ") {
                    let expected = raw_message
                        .split_once("expected one of ")
                        .map_or("", |(_, rest)| rest.lines().next().unwrap_or(""));
                    let near = nearest(&key, expected);
                    p.set_kind(
                        "unknown_key",
                        &[("key", &key), ("suggestion", near.unwrap_or(""))],
                    );
                } else if let Some(key) = field(&raw_message, "missing field ") {
                    p.set_kind("missing_key", &[("key", &key)]);
                }
                problems.push(p);
                let unknown_key = raw_message.contains("unknown field");
                match unknown_key
                    .then(|| blank_key(&text, line, column))
                    .flatten()
                {
                    Some(next) => text = next,
                    None => break,
                }
            }
        }
    }
    problems.sort_by_key(|p| (p.line, p.column));
    LoadReport {
        bank: None,
        problems,
    }
}

/// What a bank file is, by its name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.yaml`, `.yml`.
    Yaml,
    /// `.xlsx`.
    Xlsx,
    /// `.csv`: the `题目` sheet alone.
    Csv,
}

impl Format {
    /// The format of a file name, if it is a bank's.
    pub fn of(name: &str) -> Option<Self> {
        let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Self::Yaml),
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Parses and checks a bank file in any format. A spreadsheet is read into
/// the YAML it stands for (its bank's `source`, hashed for its version), and
/// every problem points at a cell.
pub fn parse_file(name: &str, bytes: &[u8]) -> LoadReport {
    match Format::of(name).unwrap_or(Format::Yaml) {
        Format::Yaml => match std::str::from_utf8(bytes) {
            Ok(text) => parse_bank(text),
            Err(_) => failed(
                Problem::error(1, 1, "the file is not UTF-8 text; save it as UTF-8")
                    .of_kind("not_utf8", &[]),
            ),
        },
        Format::Xlsx => match super::sheet::workbook::read_xlsx(bytes) {
            Ok(grids) => parse_grids(&grids, name),
            Err(e) => failed(e.problem()),
        },
        Format::Csv => match super::sheet::workbook::read_csv(bytes) {
            Ok(grid) => parse_grids(&[grid], name),
            Err(e) => failed(e.problem()),
        },
    }
}

/// Checks a spreadsheet's grids through the YAML they convert to.
pub fn parse_grids(grids: &[super::sheet::Grid], name: &str) -> LoadReport {
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("bank");
    let converted = super::sheet::convert(grids, stem);
    let report = parse_bank(&converted.yaml);
    let mut problems = converted.problems.clone();
    for p in report.problems {
        let p = english_cell(grids, converted.locate(p));
        // A cell the sheet reader already reported gets no second problem.
        let told = problems
            .iter()
            .any(|q| !q.warning && q.sheet == p.sheet && q.cell == p.cell);
        if !told {
            problems.push(p);
        }
    }
    let order: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
    problems.sort_by_key(|p| {
        let sheet = p
            .sheet
            .as_deref()
            .and_then(|s| order.iter().position(|o| *o == s));
        (sheet, p.line, p.column)
    });
    problems.dedup();
    let bank = report.bank.filter(|_| problems.iter().all(|p| p.warning));
    LoadReport { bank, problems }
}

/// A missing translation points at the empty `(英文)` cell beside the text
/// (the `设置` sheet's `NAME(英文)` row), where the organizer types it.
fn english_cell(grids: &[super::sheet::Grid], mut p: Problem) -> Problem {
    let missing = p
        .kind
        .as_ref()
        .is_some_and(|k| k.code == "missing_translation");
    let (Some(sheet), true) = (p.sheet.clone(), missing) else {
        return p;
    };
    let Some(g) = grids.iter().find(|g| g.name == sheet) else {
        return p;
    };
    let (row, col) = (p.line as usize - 1, p.column as usize - 1);
    let cell = |r: usize, c: usize| {
        g.rows
            .get(r)
            .and_then(|x| x.get(c))
            .map_or("", |s| s.trim())
    };
    let (row, col) = if sheet == super::sheet::SETTINGS {
        // Rows `项目 | 值`: the row named `NAME(英文)`, same column.
        let key = (0..g.rows.first().map_or(0, Vec::len))
            .find(|&c| cell(0, c) == "项目")
            .unwrap_or(0);
        let name = format!("{}(英文)", cell(row, key));
        match (0..g.rows.len()).find(|&r| cell(r, key) == name) {
            Some(r) => (r, col),
            None => return p,
        }
    } else {
        let name = format!("{}(英文)", cell(0, col));
        match g
            .rows
            .first()
            .and_then(|h| h.iter().position(|c| c.trim() == name))
        {
            Some(c) => (row, c),
            None => return p,
        }
    };
    p.line = row as u64 + 1;
    p.column = col as u64 + 1;
    p.cell = Some(format!(
        "{}{}",
        super::sheet::column_name(col as u32 + 1),
        row + 1
    ));
    p
}

/// The known key nearest to a misspelt one (`anwser` → `answer`), from the
/// YAML reader's "expected one of `a`, `b`" list: at most a third of its
/// letters off.
fn nearest<'a>(key: &str, expected: &'a str) -> Option<&'a str> {
    let distance = |a: &str, b: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut diag = row[0];
            row[0] = i;
            for j in 1..=b.len() {
                let up = row[j];
                row[j] = (row[j] + 1)
                    .min(row[j - 1] + 1)
                    .min(diag + usize::from(a[i - 1] != b[j - 1]));
                diag = up;
            }
        }
        row[b.len()]
    };
    let key = key.to_lowercase();
    expected
        .split(',')
        .map(|k| k.trim().trim_matches('`'))
        .filter(|k| !k.is_empty())
        .map(|k| (distance(&key, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The name in `unknown field `x``, `missing field `x``.
fn field(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// The line (the error's or the one before) whose key ends in a full-width
/// colon, and the text with that colon made plain.
fn fullwidth_colon(text: &str, line: u64) -> Option<(u64, String)> {
    let lines: Vec<&str> = text.split('\n').collect();
    for at in [line, line.saturating_sub(1)] {
        let i = usize::try_from(at).ok()?.checked_sub(1)?;
        let l = lines.get(i)?;
        // A key's colon, before any quoted text.
        let head = l.split(['"', '\'']).next().unwrap_or("");
        if let Some(pos) = head.find('：') {
            let fixed = format!("{}: {}", &l[..pos], l[pos + '：'.len_utf8()..].trim_start());
            let mut out: Vec<String> = lines.iter().map(|s| (*s).to_owned()).collect();
            out[i] = fixed;
            return Some((at, out.join("\n")));
        }
    }
    None
}

/// The 1-based column of `c` on a line.
fn column_of(text: &str, line: u64, c: char) -> u64 {
    let l = text
        .split('\n')
        .nth(usize::try_from(line).unwrap_or(1).saturating_sub(1))
        .unwrap_or("");
    l.chars().position(|x| x == c).map_or(1, |p| p as u64 + 1)
}

/// A pasted spreadsheet: commas on the first line and no `key:` anywhere near.
fn looks_like_csv(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first.matches([',', '，', '\t']).count() >= 2 && !first.contains(':')
}

/// Unknown keys reported in one check at most.
const MAX_UNKNOWN_KEYS: usize = 32;

/// Replaces the key at `line:column`, with its value and any more-indented
/// lines under it, by empty lines. `None` when the key shares its line with
/// something before it (such as a list item's `- `), which blanking would break.
fn blank_key(text: &str, line: u64, column: u64) -> Option<String> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let i = usize::try_from(line).ok()?.checked_sub(1)?;
    let indent = usize::try_from(column).ok()?.checked_sub(1)?;
    let target = lines.get(i)?;
    if target.chars().take(indent).any(|c| !c.is_whitespace()) {
        return None;
    }
    lines[i] = "";
    for l in lines.iter_mut().skip(i + 1) {
        let own_indent = l.chars().take_while(|c| *c == ' ').count();
        if l.trim().is_empty() || own_indent > indent {
            *l = "";
        } else {
            break;
        }
    }
    Some(lines.join("\n"))
}

/// Makes the YAML library's message read well for an organizer.
fn yaml_message(raw: &str) -> String {
    // The library may prefix "line X column Y:"; the place is printed separately.
    let first = raw.lines().next().unwrap_or(raw).trim();
    let msg = match first.find(": ") {
        Some(i) if first[..i].contains("line") => first[i + 2..].trim(),
        _ => first,
    };
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains("column") => &msg[..i],
        _ => msg,
    };
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        return format!("unknown key {rest} (check its spelling)");
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("missing key {rest}");
    }
    msg.to_owned()
}

/// The bank files (`*.yaml`, `*.yml`, `*.xlsx`, `*.csv`) of a path (a folder's in file-name order, or the file itself).
pub fn bank_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.to_str().and_then(Format::of).is_some())
            // Excel's lock files (`~$bank.xlsx`) and hidden files are not banks.
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with("~$") && !n.starts_with('.'))
            })
            .collect();
        // By name; of one name, the YAML first (a workbook beside it is its copy).
        files.sort_by_key(|p| {
            let rank = p.to_str().and_then(Format::of).map_or(3, |f| f as u8);
            (p.with_extension(""), rank)
        });
        Ok(files)
    } else {
        std::fs::metadata(path)?;
        Ok(vec![path.to_path_buf()])
    }
}

/// Loads every bank of a path. Each file gets its own report; a file that
/// cannot be read gets a report with one problem at 1:1.
pub fn load_path(path: &Path) -> std::io::Result<Vec<(PathBuf, LoadReport)>> {
    let files = bank_files(path)?;
    Ok(files
        .into_iter()
        .map(|file| {
            let name = file.to_string_lossy();
            let report = match std::fs::read(&file) {
                Ok(bytes) => parse_file(&name, &bytes),
                Err(e) => failed(
                    Problem::error(1, 1, format!("cannot read the file: {e}"))
                        .of_kind("cannot_read", &[("error", &e.to_string())]),
                ),
            };
            (file, report)
        })
        .collect())
}

/// The report of a file that could not be read as a bank at all.
fn failed(problem: Problem) -> LoadReport {
    LoadReport {
        bank: None,
        problems: vec![problem],
    }
}

/// Checks that ids are unique across loaded banks; returns problems for
/// duplicates. A file that says the same as the earlier one (a workbook
/// kept beside the YAML it was made from) is not a clash: it gets a
/// warning, and only the earlier is loaded.
pub fn duplicate_ids(reports: &[(PathBuf, LoadReport)]) -> Vec<(PathBuf, Problem)> {
    let mut seen: std::collections::HashMap<&str, (&Path, &Bank)> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for (file, report) in reports {
        if let Some(bank) = &report.bank {
            match seen.get(bank.id.as_str()) {
                Some((first, earlier)) if earlier.same_content(bank) => {
                    let msg = format!(
                        "the same set as {}; it is loaded from there (keep the two equal, or remove one)",
                        first.display()
                    );
                    let first = first.display().to_string();
                    let p = Problem::warning(1, 1, msg).of_kind("same_set", &[("file", &first)]);
                    out.push((file.clone(), p));
                }
                Some((first, _)) => {
                    let msg = format!(
                        "set id `{}` is already used by {}",
                        bank.id,
                        first.display()
                    );
                    let first = first.display().to_string();
                    let p = Problem::error(1, 1, msg)
                        .of_kind("set_id_taken", &[("id", &bank.id), ("file", &first)]);
                    out.push((file.clone(), p));
                }
                None => {
                    seen.insert(&bank.id, (file, bank));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
id: demo
title: {zh: 演示, en: Demo}
quiz: {questions_per_visitor: 2, pass_percent: 50}
boards:
  - id: b1
    title: {zh: 板, en: Board}
    body: {zh: 内容, en: Body}
questions:
  - id: q1
    type: single
    text: {zh: 问题一, en: Q1}
    options: [{zh: 甲, en: A}, {zh: 乙, en: B}, {zh: 丙, en: C}]
    answer: B
    board: b1
  - id: q2
    type: multiple
    text: {zh: 问题二, en: Q2}
    options: [{zh: 甲, en: A}, {zh: 乙, en: B}, {zh: 丙, en: C}]
    answer: [A, C]
  - id: q3
    type: truefalse
    text: {zh: 问题三, en: Q3}
    answer: false
    points: 2
privacy:
  organizer: {zh: 演示主办方, en: Demo organizer}
  contact: {zh: 展台工作人员, en: Booth staff}
"#;

    #[test]
    fn a_valid_bank_loads_with_defaults() {
        let r = parse_bank(VALID);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let bank = r.bank.unwrap();
        assert_eq!(bank.id, "demo");
        assert_eq!(bank.version, version_of(VALID));
        assert_eq!(bank.version.len(), 64);
        assert_eq!(bank.quiz.questions_per_visitor, 2);
        assert_eq!(bank.quiz.time_limit_secs, 900);
        assert!(bank.quiz.shuffle_options);
        assert_eq!(bank.rounds.len(), 1);
        assert_eq!(bank.rounds[0].id, "open");
        assert_eq!(bank.questions[1].answer, vec!['A', 'C']);
        assert_eq!(bank.questions[2].answer, vec!['F']);
        assert_eq!(bank.questions[2].options.len(), 2);
        assert_eq!(bank.questions[2].points, 2);
    }

    /// Each case replaces one piece of the valid bank and expects a problem
    /// on a given line whose message contains the given words.
    #[test]
    fn every_spec_rule_is_enforced_with_its_place() {
        let cases: &[(&str, &str, &str, u64, &str)] = &[
            ("unknown key", "    answer: B\n    board: b1", "    anwser: B\n    board: b1", 14, "anwser"),
            ("letter with no option", "    answer: B\n", "    answer: E\n", 14, "not an option letter"),
            ("single with two answers", "    answer: B\n", "    answer: [A, B]\n", 14, "exactly one"),
            ("multiple with none", "answer: [A, C]", "answer: []", 20, "at least one"),
            ("board link to no board", "    board: b1", "    board: b9", 15, "b9"),
            ("duplicate question id", "  - id: q2", "  - id: q1", 16, "duplicate question id"),
            ("too many per visitor", "questions_per_visitor: 2", "questions_per_visitor: 4", 4, "questions_per_visitor"),
            ("zero per visitor", "questions_per_visitor: 2", "questions_per_visitor: 0", 4, "questions_per_visitor"),
            ("pass percent over 100", "pass_percent: 50", "pass_percent: 101", 4, "pass_percent"),
            ("truefalse with options", "    answer: false\n", "    answer: false\n    options: [a, b]\n", 25, "no options"),
            ("one option", "    options: [{zh: 甲, en: A}, {zh: 乙, en: B}, {zh: 丙, en: C}]\n    answer: [A, C]", "    options: [{zh: 甲, en: A}]\n    answer: [A]", 19, "2 to 8"),
            ("points below 1", "points: 2", "points: 0", 25, "points"),
            ("bad type", "type: multiple", "type: multi", 17, "multi"),
            ("bad set id", "id: demo", "id: Demo_1", 2, "a-z"),
        ];
        for (why, from, to, line, words) in cases {
            assert!(VALID.contains(from), "{why}: fixture text not found");
            let text = VALID.replacen(from, to, 1);
            let r = parse_bank(&text);
            assert!(r.bank.is_none(), "{why}: should be invalid");
            let hit = r
                .problems
                .iter()
                .find(|p| !p.warning && p.message.contains(words));
            let hit = hit.unwrap_or_else(|| {
                panic!("{why}: no problem mentioning {words:?} in {:?}", r.problems)
            });
            assert_eq!(hit.line, *line, "{why}: line of {hit:?}");
            assert!(hit.column >= 1, "{why}: column");
        }
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let text = VALID
            .replacen("    board: b1", "    anwser: B\n    board: b1", 1)
            .replacen("    points: 2", "    point: 2\n    points: 2", 1)
            .replacen("    answer: B\n", "    answer: E\n", 1)
            .replacen("    board: b1", "    board: b9", 1)
            .replacen("  - id: q2", "  - id: q1", 1);
        let r = parse_bank(&text);
        let errors: Vec<_> = r.problems.iter().filter(|p| !p.warning).collect();
        let lines: Vec<u64> = errors.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![14, 15, 16, 17, 26], "{errors:?}");
    }

    #[test]
    fn rounds_must_not_overlap_or_run_backwards() {
        let round = |a: &str, b: &str, c: &str, d: &str| {
            VALID.replacen(
                "boards:",
                &format!("rounds:\n  - {{id: w1, opens: {a}, closes: {b}}}\n  - {{id: w2, opens: {c}, closes: {d}}}\nboards:"),
                1,
            )
        };
        let t = |d: u32| format!("2021-10-{d:02}T09:00:00+08:00");
        let ok = parse_bank(&round(&t(1), &t(8), &t(8), &t(15)));
        assert!(
            ok.bank.is_some(),
            "back-to-back rounds are fine: {:?}",
            ok.problems
        );
        let overlap = parse_bank(&round(&t(1), &t(9), &t(8), &t(15)));
        assert!(
            overlap
                .problems
                .iter()
                .any(|p| p.message.contains("overlaps")),
            "{:?}",
            overlap.problems
        );
        let backwards = parse_bank(&round(&t(8), &t(1), &t(9), &t(15)));
        assert!(
            backwards
                .problems
                .iter()
                .any(|p| p.message.contains("closes before")),
            "{:?}",
            backwards.problems
        );
        let garbled = parse_bank(&round("next monday", &t(8), &t(9), &t(15)));
        assert!(
            garbled
                .problems
                .iter()
                .any(|p| p.message.contains("RFC 3339") && p.line == 6),
            "{:?}",
            garbled.problems
        );
    }

    #[test]
    fn no_questions_is_invalid_and_syntax_errors_have_places() {
        let empty = parse_bank("id: x\ntitle: T\nquestions: []\n");
        assert!(empty
            .problems
            .iter()
            .any(|p| p.message.contains("no questions")));
        let broken = parse_bank("id: x\ntitle: [unclosed\n");
        assert!(broken.bank.is_none());
        assert!(broken.problems[0].line >= 2, "{:?}", broken.problems);
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_cases(300))]

        /// Any text at all gives a report, never a panic.
        #[test]
        fn fuzz_any_text_is_answered_with_problems_not_a_panic(text in "\\PC{0,400}") {
            let r = parse_bank(&text);
            proptest::prop_assert!(r.bank.is_some() || r.problems.iter().any(|p| !p.warning));
        }

        /// A valid bank with a few bytes spliced in anywhere never panics, and
        /// every problem points inside the text.
        #[test]
        fn fuzz_a_damaged_bank_never_panics(at in 0usize..600, junk in "[ -~\n\t:\\[\\]{}#&*!|>-]{0,12}") {
            let mut at = at.min(VALID.len());
            while !VALID.is_char_boundary(at) {
                at -= 1;
            }
            let text = format!("{}{}{}", &VALID[..at], junk, &VALID[at..]);
            let lines = text.lines().count() as u64 + 1;
            for p in parse_bank(&text).problems {
                proptest::prop_assert!(p.line >= 1 && p.line <= lines && p.column >= 1, "{p:?}");
            }
        }
    }

    #[test]
    fn a_bank_without_its_organizer_and_contact_warns_and_keeps_30_days() {
        let bank = parse_bank(VALID).bank.unwrap();
        assert_eq!(bank.privacy.keep_days, 30);
        assert_eq!(
            bank.privacy.organizer.as_ref().unwrap().get("zh"),
            "演示主办方"
        );
        let at = VALID.find("privacy:").unwrap();
        let r = parse_bank(&VALID[..at]);
        assert!(r.bank.is_some(), "a warning only");
        let w: Vec<&Problem> = r.problems.iter().filter(|p| p.warning).collect();
        assert!(w.iter().any(|p| p.message.contains("privacy")), "{w:?}");
        let r = parse_bank(&format!(
            "{}privacy: {{contact: \"12377\", keep_days: 0}}\n",
            &VALID[..at]
        ));
        assert!(r.bank.is_none(), "keep_days 0 is an error");
        assert!(r
            .problems
            .iter()
            .any(|p| p.message.contains("organizer") && p.warning));
    }

    #[test]
    fn a_missing_translation_is_a_warning_only() {
        let text = VALID.replacen("text: {zh: 问题三, en: Q3}", "text: 问题三", 1);
        let r = parse_bank(&text);
        assert!(r.bank.is_some());
        let w = r.problems.iter().find(|p| p.warning).expect("a warning");
        assert!(w.message.contains("en"), "{w:?}");
        assert_eq!(w.line, 23);
    }

    #[test]
    fn the_commonest_slips_get_a_kind_and_the_rest_is_still_checked() {
        let text = VALID
            .replace("title: {zh: 演示, en: Demo}", "title：{zh: 演示, en: Demo}")
            .replace("    answer: [A, C]", "    answer: \"A、C\"")
            .replace("    answer: false", "    answer: 错")
            .replace("    answer: B\n", "    answer: Z\n");
        let r = parse_bank(&text);
        let kinds: Vec<(&str, u64)> = r
            .problems
            .iter()
            .filter_map(|p| p.kind.as_ref().map(|k| (k.code, p.line)))
            .collect();
        for code in [
            "fullwidth_colon",
            "multiple_list",
            "truefalse_word",
            "answer_not_option",
        ] {
            assert!(
                kinds.iter().any(|(k, _)| *k == code),
                "{code} in one pass: {:#?}",
                r.problems
            );
        }
        let colon = r
            .problems
            .iter()
            .find(|p| p.message.contains('：'))
            .unwrap();
        assert_eq!((colon.line, colon.column), (3, 6), "{colon:?}");
        assert_eq!(
            nearest("anwser", "`id`, `type`, `answer`, `board`"),
            Some("answer")
        );
        assert_eq!(nearest("colour", "`id`, `type`, `answer`"), None);
        let twice = VALID
            .replace("  - id: q2", "  - id: q1")
            .replace("    board: b1", "    board: nowhere");
        let codes: Vec<&str> = parse_bank(&twice)
            .problems
            .iter()
            .filter_map(|p| p.kind.as_ref().map(|k| k.code))
            .collect();
        assert!(
            codes.contains(&"duplicate_id") && codes.contains(&"unknown_board"),
            "{codes:?}"
        );
        let csv = parse_bank("题型,题目,答案\n单选,一,A\n");
        assert_eq!(
            csv.problems[0].kind.as_ref().unwrap().code,
            "looks_like_csv"
        );
    }
}
