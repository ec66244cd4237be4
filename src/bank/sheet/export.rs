//! A bank as an Excel workbook in the layout of SPEC §9 ([`super`]):
//! a loaded set for staff to edit, `quizbooth convert`'s output, and the
//! template organizers start from (a 说明 sheet in plain Chinese, drop-downs
//! for 题型 and 打乱选项, a frozen header row, widths that fit, and two
//! example questions of each type).

use super::{
    question_columns, BOARDS, BOARD_COLUMNS, HELP, LETTERS, QUESTIONS, ROUNDS, ROUND_COLUMNS,
    SETTINGS,
};
use crate::bank::{Bank, QuestionType, Round, Text};
use rust_xlsxwriter::{Color, DataValidation, Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// The zh and en columns of a text.
fn zh_en(t: &Text) -> (String, String) {
    let zh = if t.has("zh") || !t.has("en") {
        t.get("zh").to_owned()
    } else {
        String::new()
    };
    let en = if t.has("en") {
        t.get("en").to_owned()
    } else {
        String::new()
    };
    (zh, en)
}

fn opt_zh_en(t: Option<&Text>) -> (String, String) {
    t.map(zh_en).unwrap_or_default()
}

struct Formats {
    head: Format,
    wrap: Format,
}

fn formats() -> Formats {
    Formats {
        head: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_align(FormatAlign::Center),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// A sheet with its header row (frozen) and column widths.
fn sheet<'a>(
    book: &'a mut Workbook,
    name: &str,
    columns: &[String],
    widths: &[f64],
    f: &Formats,
) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    for (i, c) in columns.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, c, &f.head)?;
        let width = widths.get(i).copied().unwrap_or(14.0);
        ws.set_column_width(i as u16, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

fn put(ws: &mut Worksheet, row: u32, col: usize, text: &str, f: &Formats) -> Result<(), XlsxError> {
    if !text.is_empty() {
        ws.write_string_with_format(row, col as u16, text, &f.wrap)?;
    }
    Ok(())
}

/// Whether the bank has only the default round (no `rounds:` written).
fn default_rounds(rounds: &[Round]) -> bool {
    matches!(rounds, [r] if r.id == Round::DEFAULT_ID && r.opens.is_none() && r.closes.is_none()
        && r.title.as_ref().is_none_or(|t| *t == Round::default_title()) && r.notice.is_none())
}

/// A bank as a workbook.
pub fn bank_to_xlsx(bank: &Bank) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    write_bank(&mut book, bank, false)?;
    book.save_to_buffer()
}

/// The template: instructions, then the sheets with examples.
pub fn template_xlsx() -> Result<Vec<u8>, XlsxError> {
    // Valid by a test; never a panic on a staff request.
    let bank = crate::bank::parse_bank(TEMPLATE_BANK).bank.ok_or_else(|| {
        XlsxError::ParameterError("the template's example bank is not valid".into())
    })?;
    let mut book = Workbook::new();
    write_help(&mut book)?;
    write_bank(&mut book, &bank, true)?;
    write_sources(&mut book)?;
    book.save_to_buffer()
}

/// The `来源` sheet (SPEC §11): read by the sources upload, not by the
/// bank, with two channels most booths have as examples.
fn write_sources(book: &mut Workbook) -> Result<(), XlsxError> {
    let f = formats();
    let cols: Vec<String> = crate::sources::COLUMNS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let ws = sheet(book, crate::sources::SHEET, &cols, &[18.0, 30.0, 12.0], &f)?;
    for (i, (id, name)) in [("booth", "展台现场"), ("article", "公众号文章")]
        .iter()
        .enumerate()
    {
        ws.write_string(i as u32 + 1, 0, *id)?;
        ws.write_string(i as u32 + 1, 1, *name)?;
    }
    Ok(())
}

fn write_bank(book: &mut Workbook, bank: &Bank, template: bool) -> Result<(), XlsxError> {
    let f = formats();
    // 设置
    let rows = settings_rows(bank);
    let ws = sheet(
        book,
        SETTINGS,
        &["项目".into(), "值".into()],
        &[18.0, 60.0],
        &f,
    )?;
    for (i, (key, value)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *key)?;
        put(ws, r, 1, value, &f)?;
        if *key == "打乱选项" || *key == "严格限时" {
            ws.add_data_validation(r, 1, r, 1, &yes_no()?)?;
        }
    }
    // 轮次
    let cols: Vec<String> = ROUND_COLUMNS.iter().map(|s| (*s).to_owned()).collect();
    let ws = sheet(
        book,
        ROUNDS,
        &cols,
        &[12.0, 28.0, 28.0, 16.0, 16.0, 40.0, 40.0],
        &f,
    )?;
    if !default_rounds(&bank.rounds) {
        for (i, round) in bank.rounds.iter().enumerate() {
            let r = i as u32 + 1;
            let (title, title_en) = opt_zh_en(round.title.as_ref());
            let (notice, notice_en) = opt_zh_en(round.notice.as_ref());
            let time = |t: Option<chrono::DateTime<chrono::FixedOffset>>| {
                t.map(|t| t.to_rfc3339()).unwrap_or_default()
            };
            for (c, text) in [
                round.id.clone(),
                time(round.opens),
                time(round.closes),
                title,
                title_en,
                notice,
                notice_en,
            ]
            .iter()
            .enumerate()
            {
                put(ws, r, c, text, &f)?;
            }
        }
    }
    // 展板
    let cols: Vec<String> = BOARD_COLUMNS.iter().map(|s| (*s).to_owned()).collect();
    let ws = sheet(book, BOARDS, &cols, &[14.0, 24.0, 24.0, 60.0, 60.0], &f)?;
    for (i, b) in bank.boards.iter().enumerate() {
        let r = i as u32 + 1;
        let (title, title_en) = zh_en(&b.title);
        let (body, body_en) = zh_en(&b.body);
        for (c, text) in [b.id.clone(), title, title_en, body, body_en]
            .iter()
            .enumerate()
        {
            put(ws, r, c, text, &f)?;
        }
    }
    // 题目
    let cols = question_columns();
    let mut widths = vec![14.0, 8.0, 40.0, 30.0];
    widths.extend(std::iter::repeat_n(18.0, LETTERS.len() * 2));
    widths.extend([10.0, 40.0, 30.0, 14.0, 6.0]);
    let ws = sheet(book, QUESTIONS, &cols, &widths, &f)?;
    let col = |name: &str| cols.iter().position(|c| c == name).unwrap_or(0);
    for (i, q) in bank.questions.iter().enumerate() {
        let r = i as u32 + 1;
        put(ws, r, col("编号"), &q.id, &f)?;
        let kind = match q.kind {
            QuestionType::Single => "单选",
            QuestionType::Multiple => "多选",
            QuestionType::Truefalse => "判断",
        };
        ws.write_string(r, col("题型") as u16, kind)?;
        let (text, text_en) = zh_en(&q.text);
        put(ws, r, col("题目"), &text, &f)?;
        put(ws, r, col("题目(英文)"), &text_en, &f)?;
        if q.kind != QuestionType::Truefalse {
            for (key, option) in &q.options {
                let (zh, en) = zh_en(option);
                put(ws, r, col(&format!("选项{key}")), &zh, &f)?;
                put(ws, r, col(&format!("选项{key}(英文)")), &en, &f)?;
            }
        }
        let answer = match q.kind {
            QuestionType::Truefalse => if q.answer == ['T'] { "对" } else { "错" }.to_owned(),
            _ => q.answer.iter().collect(),
        };
        ws.write_string(r, col("答案") as u16, &answer)?;
        let (expl, expl_en) = opt_zh_en(q.explanation.as_ref());
        put(ws, r, col("解析"), &expl, &f)?;
        put(ws, r, col("解析(英文)"), &expl_en, &f)?;
        if let Some(b) = &q.board {
            put(ws, r, col("展板"), b, &f)?;
        }
        ws.write_number(r, col("分值") as u16, f64::from(q.points))?;
    }
    // Drop-downs where a fixed word is asked (the rows an organizer adds too).
    let last = (bank.questions.len() as u32 + 500).min(super::MAX_ROWS as u32);
    let kinds = DataValidation::new()
        .allow_list_strings(&["单选", "多选", "判断"])?
        .set_error_title("题型")?
        .set_error_message("题型只能是 单选、多选 或 判断")?;
    ws.add_data_validation(1, col("题型") as u16, last, col("题型") as u16, &kinds)?;
    if template {
        book.worksheet_from_name(HELP)?.set_active(true);
    }
    Ok(())
}

fn yes_no() -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(&["是", "否"])?
        .set_error_message("打乱选项写 是 或 否")
}

/// The `设置` rows of a bank, every setting written out.
fn settings_rows(bank: &Bank) -> Vec<(&'static str, String)> {
    let (title, title_en) = zh_en(&bank.title);
    let (intro, intro_en) = opt_zh_en(bank.intro.as_ref());
    let p = &bank.privacy;
    let (org, org_en) = opt_zh_en(p.organizer.as_ref());
    let (contact, contact_en) = opt_zh_en(p.contact.as_ref());
    let (purpose, purpose_en) = opt_zh_en(p.purpose.as_ref());
    let q = &bank.quiz;
    vec![
        ("编号", bank.id.clone()),
        ("标题", title),
        ("标题(英文)", title_en),
        ("简介", intro),
        ("简介(英文)", intro_en),
        ("每人题数", q.questions_per_visitor.to_string()),
        ("及格线", q.pass_percent.to_string()),
        ("限时(秒)", q.time_limit_secs.to_string()),
        (
            "打乱选项",
            if q.shuffle_options { "是" } else { "否" }.to_owned(),
        ),
        ("登记宽限(秒)", q.entry_grace_secs.to_string()),
        (
            "最短答题(秒)",
            q.min_answer_secs.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("领奖后保留天数", p.keep_days.to_string()),
        ("主办方", org),
        ("主办方(英文)", org_en),
        ("联系方式", contact),
        ("联系方式(英文)", contact_en),
        ("用途", purpose),
        ("用途(英文)", purpose_en),
    ]
}

/// The 说明 sheet: how to fill the template, in plain Chinese.
fn write_help(book: &mut Workbook) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(HELP)?;
    ws.set_column_width(0, 100.0)?;
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    ws.write_string_with_format(0, 0, "题库模板：怎么填", &title)?;
    for (i, line) in HELP_LINES.iter().enumerate() {
        ws.write_string_with_format(i as u32 + 2, 0, *line, &wrap)?;
    }
    Ok(())
}

const HELP_LINES: &[&str] = &[
    "1. 题目写在“题目”表，一行一题，从第 2 行开始。第 1 行是列名，不要改。",
    "2. 必填的只有三列：题型、题目、答案。编号可以不填（自动用 q + 行号）；填的话只用小写字母、数字和 -，例如 hotline-1。",
    "3. 题型从下拉框选：单选、多选 或 判断。",
    "4. 选项从“选项A”开始依次往后填，中间不要空；最多 8 个（A 到 H）。判断题不填选项。",
    "5. 答案：单选写一个字母，如 B；多选写所有正确的字母，如 AC（写 A,C、A，C、A、C 也可以）；判断写 对 或 错。",
    "6. 解析会在交卷后显示给观众，建议写上依据。展板列填“展板”表里的编号，观众答错时可以点开复习。",
    "7. 带“(英文)”的列是英文版，可以不填；不填时英文界面显示中文。",
    "8. “设置”表：标题是页面标题；每人题数是每位观众随机抽到的题数；及格线是百分比（如 80）；限时以秒计；打乱选项选 是 或 否；严格限时选 否 时，开了“大字”长辈版的观众答题不计时（选 是 则照常计时）。",
    "9. “设置”表的 主办方 和 联系方式 会写进观众登记前看到的个人信息告知里，请如实填写；领奖后保留天数是姓名和手机号在活动结束（或最后领奖截止）后保存的天数，到期自动删除。",
    "10. “轮次”表可以不填（一直开放）；填的话每行一个时间段，开始和结束写成 2026-11-01 09:00（按北京时间）。",
    "11. 填好后保存为 .xlsx，在管理后台“题库”里上传。有问题会指出是哪个表的哪个格子、该怎么改；改好再传即可。上传后检查无误，再按“发布”让观众看到。",
    "12. 也可以只用“题目”表另存为 CSV（UTF-8 或 GB18030 编码都可以）上传，列名与“题目”表相同。",
    "13. “来源”表不属于题库：一行一个单位或渠道（编号只用小写字母、数字和 -；人数可以不填），在管理后台“来源”里上传这个文件，每个来源会有自己的链接、二维码和海报，统计按来源分开。上传题库时这张表不会被读取。",
];

/// The template's examples: two questions of each type, a board, a round.
pub(crate) const TEMPLATE_BANK: &str = r#"
id: my-quiz
title: {zh: 网络安全知识有奖答题, en: Cybersecurity quiz}
intro: {zh: 答对 80% 即可参加抽奖。, en: Score 80% to enter the prize draw.}
quiz: {questions_per_visitor: 6, pass_percent: 80, time_limit_secs: 600, shuffle_options: true}
privacy:
  organizer: {zh: 某某区委网信办（请改成你的单位）, en: District Cyberspace Office (put your organization here)}
  contact: {zh: 展台工作人员，电话 010-00000000（请改成真实电话）, en: "booth staff, phone 010-00000000 (put the real number here)"}
  keep_days: 30
rounds:
  - id: week-1
    opens: 2026-09-15T09:00:00+08:00
    closes: 2026-09-21T18:00:00+08:00
    title: {zh: 宣传周第一期, en: Week 1}
    notice: {zh: 奖品为纪念品一份；开奖后凭领奖凭证到展台领取，截止时间见抽奖页。, en: "Prize: a souvenir; claim it at the booth with your receipt by the deadline shown on the draw page."}
boards:
  - id: report
    title: {zh: 怎样举报违法和不良信息, en: How to report illegal and harmful content}
    body: {zh: 可以拨打 12377 举报电话，或登录 www.12377.cn 举报。, en: Call the 12377 hotline or report at www.12377.cn.}
questions:
  - id: hotline
    type: single
    text: {zh: 违法和不良信息举报电话是多少？, en: Which number takes reports of illegal and harmful content?}
    options: [{zh: "110", en: "110"}, {zh: "12377", en: "12377"}, {zh: "12315", en: "12315"}, {zh: "12345", en: "12345"}]
    answer: B
    explanation: {zh: 中央网信办（国家互联网信息办公室）违法和不良信息举报中心的举报电话是 12377。, en: 12377 is the hotline of the reporting center for illegal and harmful content.}
    board: report
  - id: website
    type: single
    text: {zh: 网上举报违法和不良信息，可以登录哪个网站？, en: Which website takes reports of illegal and harmful content?}
    options: [{zh: www.12377.cn, en: www.12377.cn}, {zh: www.12306.cn, en: www.12306.cn}, {zh: www.12315.cn, en: www.12315.cn}]
    answer: A
    board: report
  - id: ways
    type: multiple
    text: {zh: 以下哪些是举报违法和不良信息的渠道？, en: Which of these are ways to report illegal and harmful content?}
    options: [{zh: 拨打 12377, en: Call 12377}, {zh: 登录 www.12377.cn, en: Go to www.12377.cn}, {zh: 在评论区公开对方的手机号, en: Post the person's phone number in the comments}]
    answer: [A, B]
    board: report
  - id: evidence
    type: multiple
    text: {zh: 举报时提供哪些信息有助于核查？, en: What helps the report to be checked?}
    options: [{zh: 有害信息的网址, en: The link to the content}, {zh: 页面截图, en: A screenshot}, {zh: 自己的银行卡密码, en: Your bank card PIN}]
    answer: [A, B]
  - id: answer-right
    type: truefalse
    text: {zh: 举报违法和不良信息可以拨打 12377。, en: You can report illegal and harmful content by calling 12377.}
    answer: true
  - id: share-rumour
    type: truefalse
    text: {zh: 看到没有核实的消息，应该先转发给亲友提醒他们。, en: "When you see an unverified message, you should forward it to friends first to warn them."}
    answer: false
    explanation: {zh: 未经核实的信息不要转发，以免传播谣言。, en: "Don't forward what hasn't been verified: it may spread a rumour."}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::load::parse_grids;
    use crate::bank::sheet::workbook::read_xlsx;

    /// Everything a bank says, without its version and source text.
    pub(crate) fn same(a: &Bank, b: &Bank) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.title, b.title);
        assert_eq!(a.intro, b.intro);
        assert_eq!(a.quiz, b.quiz);
        assert_eq!(a.rounds, b.rounds);
        assert_eq!(a.boards, b.boards);
        assert_eq!(a.questions, b.questions);
        assert_eq!(a.privacy, b.privacy);
    }

    fn read_back(bytes: &[u8], name: &str) -> Bank {
        let report = parse_grids(&read_xlsx(bytes).unwrap(), name);
        let errors: Vec<_> = report.problems.iter().filter(|p| !p.warning).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        report.bank.expect("valid")
    }

    #[test]
    fn the_template_is_a_valid_bank_with_two_questions_of_each_type() {
        let bytes = template_xlsx().unwrap();
        let report = parse_grids(&read_xlsx(&bytes).unwrap(), "模板.xlsx");
        // Its only warnings are the leftovers an organizer must change
        // (issue 22): placeholders, examples, a round already over.
        assert!(
            report.problems.iter().all(|p| p.warning
                && p.kind.as_ref().is_some_and(|k| matches!(
                    k.code,
                    "placeholder" | "template_example" | "no_round_ahead"
                ))),
            "{:#?}",
            report.problems
        );
        let bank = report.bank.unwrap();
        for kind in [
            QuestionType::Single,
            QuestionType::Multiple,
            QuestionType::Truefalse,
        ] {
            assert_eq!(
                bank.questions.iter().filter(|q| q.kind == kind).count(),
                2,
                "{kind}"
            );
        }
        let names: Vec<String> = read_xlsx(&bytes)
            .unwrap()
            .into_iter()
            .map(|g| g.name)
            .collect();
        assert_eq!(
            names,
            [
                HELP,
                SETTINGS,
                ROUNDS,
                BOARDS,
                QUESTIONS,
                crate::sources::SHEET
            ]
        );
        // Its 来源 sheet is a list the sources upload takes.
        let grids = read_xlsx(&bytes).unwrap();
        let sheet = crate::sources::sheet_of(&grids).unwrap();
        let list = crate::sources::from_grid(sheet, crate::sources::Format::Xlsx).unwrap();
        assert_eq!(list.len(), 2);
    }

    use proptest::prelude::*;

    /// A text as organizers write them: quotes, colons (both widths), `#`,
    /// a leading `=`, digits that look like numbers, Chinese.
    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9网络安全举报电话：:，,、'\"#=+ ]{1,24}"
            .prop_map(|s| s.trim().to_owned())
            .prop_filter("not blank", |s| !s.is_empty())
    }

    fn texts() -> impl Strategy<Value = String> {
        (text(), proptest::option::of(text())).prop_map(|(zh, en)| match en {
            Some(en) => format!("{{zh: {}, en: {}}}", quoted(&zh), quoted(&en)),
            None => quoted(&zh),
        })
    }

    fn quoted(s: &str) -> String {
        serde_json::to_string(s).unwrap()
    }

    /// One question as YAML lines; `boards` is how many boards there are.
    fn question(i: usize, boards: usize) -> impl Strategy<Value = String> {
        (
            0..3usize,
            proptest::collection::vec(texts(), 2..=8),
            texts(),
            proptest::option::of(texts()),
            proptest::option::of(0..boards.max(1)),
            1..5u32,
            any::<u64>(),
        )
            .prop_map(move |(kind, options, stem, expl, board, points, pick)| {
                let mut q = format!("  - id: q-{i}\n    text: {stem}\n    points: {points}\n");
                let letters: Vec<char> = ('A'..='H').take(options.len()).collect();
                match kind {
                    0 => {
                        let l = letters[(pick as usize) % letters.len()];
                        q += &format!("    type: single\n    answer: {l}\n");
                    }
                    1 => {
                        let chosen: Vec<String> = letters
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| {
                                pick >> j & 1 == 1 || *j == (pick as usize) % letters.len()
                            })
                            .map(|(_, l)| l.to_string())
                            .collect();
                        q += &format!("    type: multiple\n    answer: [{}]\n", chosen.join(", "));
                    }
                    _ => q += &format!("    type: truefalse\n    answer: {}\n", pick % 2 == 0),
                }
                if kind < 2 {
                    q += "    options:\n";
                    for o in &options {
                        q += &format!("      - {o}\n");
                    }
                }
                if let Some(e) = expl {
                    q += &format!("    explanation: {e}\n");
                }
                if let (Some(b), true) = (board, boards > 0) {
                    q += &format!("    board: b-{b}\n");
                }
                q
            })
    }

    fn bank_yaml() -> impl Strategy<Value = String> {
        (0..3usize, 1..6usize, any::<bool>(), proptest::option::of(texts()))
            .prop_flat_map(|(boards, questions, rounds, intro)| {
                let qs: Vec<_> = (0..questions).map(|i| question(i, boards)).collect();
                let bs = proptest::collection::vec((texts(), texts()), boards);
                (Just((rounds, intro)), texts(), bs, qs, 1..=100u32, any::<bool>())
            })
            .prop_map(|((rounds, intro), title, boards, questions, pass, shuffle)| {
                let mut y = format!("id: gen\ntitle: {title}\n");
                if let Some(i) = intro {
                    y += &format!("intro: {i}\n");
                }
                y += &format!("quiz: {{pass_percent: {pass}, shuffle_options: {shuffle}}}\n");
                if rounds {
                    y += "rounds:\n  - {id: w1, opens: 2026-11-01T09:00:00+08:00, closes: 2026-11-08T18:00:00+08:00}\n";
                    y += "  - {id: w2, opens: 2026-11-09T09:00:00+08:00, closes: 2026-11-16T18:00:00+08:00}\n";
                }
                if !boards.is_empty() {
                    y += "boards:\n";
                    for (i, (t, b)) in boards.iter().enumerate() {
                        y += &format!("  - id: b-{i}\n    title: {t}\n    body: {b}\n");
                    }
                }
                y += "questions:\n";
                for q in questions {
                    y += &q;
                }
                y
            })
    }

    proptest! {
        #![proptest_config(crate::proptest_cases(64))]

        /// YAML → xlsx → YAML gives the same bank (SPEC §9).
        #[test]
        fn any_bank_goes_to_a_workbook_and_back_unchanged(yaml in bank_yaml()) {
            let report = crate::bank::parse_bank(&yaml);
            let bank = report.bank.unwrap_or_else(|| panic!("{yaml}\n{:#?}", report.problems));
            let back = read_back(&bank_to_xlsx(&bank).unwrap(), "gen.xlsx");
            same(&bank, &back);
        }
    }

    #[test]
    fn the_sample_bank_goes_to_a_workbook_and_back_unchanged() {
        let yaml = include_str!("../../../questions/netsec-week.yaml");
        let bank = crate::bank::parse_bank(yaml).bank.unwrap();
        let back = read_back(&bank_to_xlsx(&bank).unwrap(), "other-name.xlsx");
        same(&bank, &back);
        // And the YAML it reads as is a bank that converts the same way again.
        let again = read_back(&bank_to_xlsx(&back).unwrap(), "x.xlsx");
        assert_eq!(back.source, again.source, "the stored YAML is stable");
    }
}
