//! The `题目` sheet: questions, their types, options and answers.

use super::*;

/// `题型` words.
fn question_type(s: &str) -> Option<&'static str> {
    match s.trim().trim_end_matches('题').to_lowercase().as_str() {
        "单选" | "single" => Some("single"),
        "多选" | "multiple" => Some("multiple"),
        "判断" | "truefalse" | "true/false" => Some("truefalse"),
        _ => None,
    }
}

/// A 判断 answer.
fn true_false(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "对" | "正确" | "是" | "true" | "t" | "√" | "✓" | "yes" => Some(true),
        "错" | "错误" | "否" | "false" | "f" | "×" | "✗" | "x" | "no" => Some(false),
        _ => None,
    }
}

/// The letters of a 单选/多选 answer: `AC`, `A,C`, `A，C`, `A、C`, `A C`,
/// lower case or full width; `None` for anything that is not letters.
fn answer_letters(s: &str) -> Option<Vec<char>> {
    let mut out = Vec::new();
    for c in s.chars().map(half_width) {
        match c {
            ',' | '，' | '、' | ';' | '；' | '/' => {}
            c if c.is_whitespace() => {}
            c if c.is_ascii_alphabetic() => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

pub(super) fn read_questions(w: &mut Writer, g: &Grid) {
    let known = question_columns();
    let cols = header(w, g, &known);
    for required in ["题型", "题目", "答案"] {
        if !cols.contains_key(required) && !g.rows.is_empty() {
            w.problem(
                &place(g, 0, 0),
                format!(
                    "the `{QUESTIONS}` sheet has no `{required}` column (row 1 names the columns)"
                ),
            )
            .set_kind("missing_column", &[("name", required)]);
        }
    }
    let rows: Vec<usize> = (1..g.rows.len()).filter(|&r| !is_blank(g, r)).collect();
    if rows.is_empty() {
        w.problem(
            &place(g, 1, 0),
            "there are no questions: write one question per row from row 2",
        )
        .set_kind("no_questions", &[]);
        w.line(&place(g, 0, 0), "questions: []");
        return;
    }
    w.line(&place(g, 0, 0), "questions:");
    let col = |name: &str| cols.get(name).copied();
    for r in rows {
        let first = place(g, r, 0);
        let id = col("编号").map_or("", |c| g.cell(r, c).trim());
        let id = if id.is_empty() {
            format!("q{}", r + 1)
        } else {
            id.to_owned()
        };
        w.line(
            &col("编号").map_or(first.clone(), |c| place(g, r, c)),
            &format!("  - id: {}", quoted(&id)),
        );
        let kind_col = col("题型").unwrap_or(0);
        let kind_text = g.cell(r, kind_col).trim();
        let kind = question_type(kind_text);
        let kind_at = place(g, r, kind_col);
        match kind {
            Some(k) => w.line(&kind_at, &format!("    type: {k}")),
            None => {
                w.problem(
                    &kind_at,
                    if kind_text.is_empty() {
                        "题型 is empty: write 单选, 多选 or 判断".to_owned()
                    } else {
                        format!("题型 `{kind_text}` is not 单选, 多选 or 判断")
                    },
                )
                .set_kind("question_type", &[("value", kind_text)]);
                w.line(&kind_at, "    type: single");
            }
        }
        if !text_lines(w, g, &cols, r, "题目", "text", "    ") {
            w.problem(
                &place(g, r, col("题目").unwrap_or(0)),
                "题目 is empty: write the question",
            )
            .set_kind("empty_cell", &[("name", "题目")]);
            w.line(&first, "    text: \"\"");
        }
        // Options: A, B, C… in order, no gaps.
        let mut options: Vec<(char, usize)> = Vec::new();
        let mut gap: Option<char> = None;
        for (i, l) in LETTERS.iter().enumerate() {
            let zh = col(&format!("选项{l}")).map_or("", |c| g.cell(r, c).trim());
            let en = col(&format!("选项{l}(英文)")).map_or("", |c| g.cell(r, c).trim());
            if zh.is_empty() && en.is_empty() {
                gap.get_or_insert(*l);
                continue;
            }
            if let Some(missing) = gap {
                let at = col(&format!("选项{missing}")).map_or(first.clone(), |c| place(g, r, c));
                w.problem(
                    &at,
                    format!("选项{missing} is empty but 选项{l} is not: fill the options in order from 选项A"),
                )
                .set_kind("option_gap", &[("missing", &missing.to_string()), ("next", &l.to_string())]);
                gap = None;
            }
            options.push((*l, i));
        }
        let answer_col = col("答案").unwrap_or(0);
        let answer_at = place(g, r, answer_col);
        let answer = g.cell(r, answer_col).trim();
        if kind == Some("truefalse") {
            if let Some((l, _)) = options.first() {
                let at = col(&format!("选项{l}")).map_or(first.clone(), |c| place(g, r, c));
                w.warning(&at, "a 判断 question has no options (对 and 错 are given); these cells are not read")
                    .set_kind("truefalse_options", &[]);
            }
            match true_false(answer) {
                Some(b) => w.line(&answer_at, &format!("    answer: {b}")),
                None => {
                    w.problem(
                        &answer_at,
                        format!("the answer of a 判断 question is 对 or 错, not `{answer}`"),
                    )
                    .set_kind("truefalse_answer", &[("answer", answer)]);
                    w.line(&answer_at, "    answer: true");
                }
            }
        } else {
            if !options.is_empty() {
                w.line(&first, "    options:");
                for (l, _) in &options {
                    let zh_col = col(&format!("选项{l}"));
                    let en_col = col(&format!("选项{l}(英文)"));
                    let zh = zh_col.map_or("", |c| g.cell(r, c).trim());
                    let en = en_col.map_or("", |c| g.cell(r, c).trim());
                    let at = zh_col.or(en_col).map_or(first.clone(), |c| place(g, r, c));
                    if en.is_empty() {
                        w.line(&at, &format!("      - {}", quoted(zh)));
                    } else {
                        let mut line = String::from("      - {");
                        if !zh.is_empty() {
                            let _ = write!(line, "zh: {}, ", quoted(zh));
                        }
                        let _ = write!(line, "en: {}}}", quoted(en));
                        w.line(&at, &line);
                    }
                }
            }
            match answer_letters(answer) {
                Some(letters) if !letters.is_empty() => {
                    let last = options.last().map_or('A', |(l, _)| *l);
                    let bad: Vec<String> = letters
                        .iter()
                        .filter(|l| !options.iter().any(|(o, _)| o == *l))
                        .map(char::to_string)
                        .collect();
                    if !bad.is_empty() {
                        w.problem(
                            &answer_at,
                            format!(
                                "the answer `{}` is not an option: this question has options A to {last}",
                                bad.join("")
                            ),
                        )
                        .set_kind(
                            "answer_not_option",
                            &[("answer", &bad.join("")), ("last", &last.to_string())],
                        );
                    }
                    if kind == Some("single") && letters.len() > 1 {
                        w.problem(
                            &answer_at,
                            format!("a 单选 question has one answer, not `{answer}`: for several, set 题型 to 多选"),
                        )
                        .set_kind("single_many", &[("answer", answer)]);
                    }
                    let list: Vec<String> = letters.iter().map(char::to_string).collect();
                    if kind == Some("multiple") {
                        w.line(&answer_at, &format!("    answer: [{}]", list.join(", ")));
                    } else {
                        w.line(&answer_at, &format!("    answer: {}", list[0]));
                    }
                }
                _ => {
                    w.problem(
                        &answer_at,
                        if answer.is_empty() {
                            "答案 is empty: write the letter of the right option, such as B (多选: AC)".to_owned()
                        } else {
                            format!("the answer `{answer}` is not option letters: write B, or AC for 多选")
                        },
                    )
                    .set_kind("answer_letters", &[("answer", answer)]);
                    w.line(&answer_at, "    answer: A");
                }
            }
        }
        text_lines(w, g, &cols, r, "解析", "explanation", "    ");
        if let Some(c) = col("展板") {
            let board = g.cell(r, c).trim();
            if !board.is_empty() {
                w.line(&place(g, r, c), &format!("    board: {}", quoted(board)));
            }
        }
        if let Some(c) = col("分值") {
            let points = g.cell(r, c).trim();
            if !points.is_empty() {
                match whole_number(points) {
                    Some(n) => w.line(&place(g, r, c), &format!("    points: {n}")),
                    None => {
                        w.problem(
                            &place(g, r, c),
                            format!("分值 must be a whole number such as 1, not `{points}`"),
                        )
                        .set_kind("not_whole_number", &[("name", "分值"), ("value", points)]);
                    }
                }
            }
        }
    }
}
