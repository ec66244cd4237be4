//! Turns the raw model into a checked [`Bank`], collecting every problem
//! (not just the first) with its line and column.

use super::raw::{RawAnswer, RawBank, RawQuestion, RawText, S};
use super::{Bank, Board, Problem, Question, QuestionType, QuizSettings, Round, Text};
use chrono::{DateTime, FixedOffset};
use std::collections::{BTreeSet, HashSet};

/// Default `pass_percent`.
pub const DEFAULT_PASS_PERCENT: u32 = 100;
/// Default `time_limit_secs`.
pub const DEFAULT_TIME_LIMIT_SECS: u32 = 900;
/// Default `entry_grace_secs`.
pub const DEFAULT_ENTRY_GRACE_SECS: u32 = 900;
/// Fewest options for single/multiple.
pub const MIN_OPTIONS: usize = 2;
/// Most options for single/multiple.
pub const MAX_OPTIONS: usize = 8;

// Size limits: what a phone can be served and a console can show in one go.
// A set beyond them is refused with the place and the limit, rather than
// loaded and then slow for every visitor.

/// Most questions in one set.
pub const MAX_QUESTIONS: usize = 5000;
/// Most questions served to one visitor (one session response stays under ~100 KB).
pub const MAX_QUESTIONS_PER_VISITOR: usize = 100;
/// Most exhibition boards in one set (every session carries them all).
pub const MAX_BOARDS: usize = 50;
/// Longest texts, in characters, per language.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest question, option or explanation text.
pub const MAX_QUESTION_CHARS: usize = 1000;
/// Longest intro or board body.
pub const MAX_BODY_CHARS: usize = 5000;

/// Collects problems while checking.
struct Checker {
    problems: Vec<Problem>,
    /// Languages of the title: every other text should have them too.
    langs: Vec<String>,
}

impl Checker {
    fn err<T>(&mut self, at: &S<T>, message: impl Into<String>) {
        self.problems.push(Problem::error(
            at.referenced.line(),
            at.referenced.column(),
            message,
        ));
    }

    /// An error of a kind (see [`Problem::kind`]).
    fn err_of<T>(
        &mut self,
        at: &S<T>,
        message: impl Into<String>,
        code: &'static str,
        args: &[(&'static str, &str)],
    ) {
        self.err(at, message);
        if let Some(p) = self.problems.last_mut() {
            p.set_kind(code, args);
        }
    }

    /// A setting outside its bounds: `name` in the workbook's 设置 sheet,
    /// `key` in YAML.
    #[allow(clippy::too_many_arguments)]
    fn out_of_range<T>(
        &mut self,
        at: &S<T>,
        message: String,
        name: &'static str,
        key: &'static str,
        min: i64,
        max: usize,
        value: i64,
    ) {
        let (min, max, value) = (min.to_string(), max.to_string(), value.to_string());
        self.err_of(
            at,
            message,
            "setting_range",
            &[
                ("name", name),
                ("key", key),
                ("min", &min),
                ("max", &max),
                ("value", &value),
            ],
        );
    }

    fn warn<T>(&mut self, at: &S<T>, message: impl Into<String>) {
        self.problems.push(Problem::warning(
            at.referenced.line(),
            at.referenced.column(),
            message,
        ));
    }

    /// Gives the last problem a kind (see [`Problem::kind`]).
    fn kind(&mut self, code: &'static str, args: &[(&'static str, &str)]) {
        if let Some(p) = self.problems.last_mut() {
            p.set_kind(code, args);
        }
    }

    /// Checks a text; `what` is its [`crate::ui_keys::LeftoverWhat`] code
    /// and `id` the board, round or question it belongs to.
    fn text(&mut self, raw: &S<RawText>, what: &'static str, id: &str, max_chars: usize) -> Text {
        let en = super::leftovers::what_en(what, id);
        let text = match &raw.value {
            RawText::Plain(s) => Text::plain(s.clone()),
            RawText::Map(map) => {
                if map.is_empty() {
                    self.err_of(
                        raw,
                        format!("{en} has no text in any language"),
                        "no_text",
                        &[("what", what), ("id", id)],
                    );
                }
                for (lang, s) in map {
                    if lang.is_empty()
                        || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        self.err_of(
                            raw,
                            format!("{en}: `{lang}` is not a language code such as zh or en"),
                            "bad_lang",
                            &[("what", what), ("id", id), ("lang", lang)],
                        );
                    }
                    if s.trim().is_empty() {
                        self.err_of(
                            raw,
                            format!("{en}: the `{lang}` text is empty"),
                            "empty_text",
                            &[("what", what), ("id", id), ("lang", lang)],
                        );
                    }
                }
                Text::from_map(map.clone())
            }
        };
        for lang in text.langs() {
            let n = text.get(lang).chars().count();
            if n > max_chars {
                self.err_of(
                    raw,
                    format!("{en} is {n} characters long in `{lang}`; at most {max_chars}"),
                    "too_long",
                    &[
                        ("what", what),
                        ("id", id),
                        ("lang", lang),
                        ("n", &n.to_string()),
                        ("max", &max_chars.to_string()),
                    ],
                );
            }
        }
        let missing: Vec<&str> = self
            .langs
            .iter()
            .map(String::as_str)
            .filter(|l| !text.has(l))
            .collect();
        if !missing.is_empty() && !self.langs.is_empty() {
            let langs = missing.join(", ");
            self.warn(
                raw,
                format!("{en} has no `{langs}` translation (visitors see the zh text)"),
            );
            self.kind("missing_translation", &[("langs", &langs)]);
        }
        text
    }

    fn id(&mut self, raw: &S<String>, what: &str) -> String {
        let id = raw.value.clone();
        let ok = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            self.err(raw, format!("{what} `{id}` may only use a-z, 0-9 and -"));
            self.kind("bad_id", &[("id", &id)]);
        }
        id
    }

    fn time(&mut self, raw: &S<String>, what: &str) -> Option<DateTime<FixedOffset>> {
        match DateTime::parse_from_rfc3339(raw.value.trim()) {
            Ok(t) => Some(t),
            Err(_) => {
                self.err(
                    raw,
                    format!(
                        "{what} `{}` is not an RFC 3339 time such as 2021-10-11T09:00:00+08:00",
                        raw.value
                    ),
                );
                self.kind("bad_time", &[("value", &raw.value)]);
                None
            }
        }
    }
}

/// Checks a parsed bank. Returns the bank when there is no error, and every
/// problem found (errors and warnings) either way.
pub fn validate(raw: RawBank, version: String, source: String) -> (Option<Bank>, Vec<Problem>) {
    let langs = match &raw.title.value {
        RawText::Map(m) => m.keys().cloned().collect(),
        RawText::Plain(_) => Vec::new(),
    };
    let mut c = Checker {
        problems: Vec::new(),
        langs,
    };

    let id = c.id(&raw.id, "set id");
    let title = c.text(&raw.title, "title", "", MAX_TITLE_CHARS);
    let intro = raw
        .intro
        .as_ref()
        .map(|t| c.text(t, "intro", "", MAX_BODY_CHARS));

    // Boards.
    let mut boards = Vec::new();
    let mut board_ids = HashSet::new();
    let all_boards = raw.boards.iter().flatten();
    if let Some(b) = all_boards.clone().nth(MAX_BOARDS) {
        c.err_of(
            &b.value.id,
            format!("a set has at most {MAX_BOARDS} boards (every visitor is sent them all)"),
            "too_many_boards",
            &[("max", &MAX_BOARDS.to_string())],
        );
    }
    for b in all_boards {
        let bid = c.id(&b.value.id, "board id");
        if !board_ids.insert(bid.clone()) {
            c.err(&b.value.id, format!("duplicate board id `{bid}`"));
            c.kind("duplicate_id", &[("id", &bid)]);
        }
        let title = c.text(&b.value.title, "board_title", &bid, MAX_TITLE_CHARS);
        let body = c.text(&b.value.body, "board_body", &bid, MAX_BODY_CHARS);
        boards.push(Board {
            id: bid,
            title,
            body,
        });
    }

    // Questions.
    let mut questions = Vec::new();
    let mut question_ids = HashSet::new();
    if raw.questions.value.is_empty() {
        c.err_of(&raw.questions, "the set has no questions", "empty_set", &[]);
    }
    if raw.questions.value.len() > MAX_QUESTIONS {
        let n = raw.questions.value.len();
        c.err_of(
            &raw.questions,
            format!(
                "the set has {n} questions; at most {MAX_QUESTIONS} (split it into several sets)"
            ),
            "too_many_questions",
            &[("n", &n.to_string()), ("max", &MAX_QUESTIONS.to_string())],
        );
    }
    for q in &raw.questions.value {
        if !question_ids.insert(q.value.id.value.clone()) {
            c.err(
                &q.value.id,
                format!("duplicate question id `{}`", q.value.id.value),
            );
            c.kind("duplicate_id", &[("id", &q.value.id.value)]);
        }
        if let Some(question) = check_question(&mut c, &q.value, &board_ids) {
            questions.push(question);
        }
    }

    let quiz = check_quiz(&mut c, raw.quiz.as_ref(), &raw.questions);
    let privacy = check_privacy(&mut c, raw.privacy.as_ref(), &raw.id);
    let rounds = check_rounds(&mut c, raw.rounds.as_ref());

    let has_errors = c.problems.iter().any(|p| !p.warning);
    let mut problems = c.problems;
    problems.extend(super::leftovers::check_raw(&raw));
    problems.sort_by_key(|p| (p.line, p.column));
    if has_errors {
        return (None, problems);
    }
    let bank = Bank {
        id,
        version,
        source,
        title,
        intro,
        quiz,
        rounds,
        boards,
        questions,
        privacy,
    };
    (Some(bank), problems)
}

fn check_quiz(
    c: &mut Checker,
    raw: Option<&S<super::raw::RawQuiz>>,
    questions: &S<Vec<S<RawQuestion>>>,
) -> QuizSettings {
    let count = questions.value.len();
    let mut quiz = QuizSettings {
        questions_per_visitor: count,
        pass_percent: DEFAULT_PASS_PERCENT,
        time_limit_secs: DEFAULT_TIME_LIMIT_SECS,
        shuffle_options: true,
        time_limit_required: false,
        entry_grace_secs: DEFAULT_ENTRY_GRACE_SECS,
        min_answer_secs: None,
    };
    let per_visitor = raw.and_then(|r| r.value.questions_per_visitor.as_ref());
    if per_visitor.is_none() && count > MAX_QUESTIONS_PER_VISITOR {
        c.err_of(
            questions,
            format!(
                "this set has {count} questions and every visitor would get them all: \
                 set quiz: questions_per_visitor (at most {MAX_QUESTIONS_PER_VISITOR})"
            ),
            "per_visitor_needed",
            &[
                ("n", &count.to_string()),
                ("max", &MAX_QUESTIONS_PER_VISITOR.to_string()),
            ],
        );
    }
    let Some(raw) = raw else { return quiz };
    let raw = &raw.value;
    if let Some(n) = &raw.questions_per_visitor {
        let most = count.min(MAX_QUESTIONS_PER_VISITOR);
        if n.value < 1 || n.value as u64 > most as u64 {
            let why = if count > MAX_QUESTIONS_PER_VISITOR {
                format!("at most {MAX_QUESTIONS_PER_VISITOR} questions are served to one visitor")
            } else {
                format!("the set has {count} questions")
            };
            c.out_of_range(
                n,
                format!(
                    "questions_per_visitor must be from 1 to {most} ({why}), not {}",
                    n.value
                ),
                "每人题数",
                "questions_per_visitor",
                1,
                most,
                n.value,
            );
        } else {
            quiz.questions_per_visitor = n.value as usize;
        }
    }
    if let Some(g) = &raw.entry_grace_secs {
        if !(0..=86_400).contains(&g.value) {
            c.out_of_range(
                g,
                format!(
                    "entry_grace_secs must be from 0 to 86400 seconds, not {}",
                    g.value
                ),
                "登记宽限(秒)",
                "entry_grace_secs",
                0,
                86_400,
                g.value,
            );
        } else {
            quiz.entry_grace_secs = g.value as u32;
        }
    }
    if let Some(p) = &raw.pass_percent {
        if !(0..=100).contains(&p.value) {
            c.out_of_range(
                p,
                format!("pass_percent must be from 0 to 100, not {}", p.value),
                "及格线",
                "pass_percent",
                0,
                100,
                p.value,
            );
        } else {
            quiz.pass_percent = p.value as u32;
        }
    }
    if let Some(t) = &raw.time_limit_secs {
        if !(10..=86_400).contains(&t.value) {
            c.out_of_range(
                t,
                format!(
                    "time_limit_secs must be from 10 to 86400 seconds, not {}",
                    t.value
                ),
                "限时(秒)",
                "time_limit_secs",
                10,
                86_400,
                t.value,
            );
        } else {
            quiz.time_limit_secs = t.value as u32;
        }
    }
    if let Some(r) = raw.time_limit_required {
        quiz.time_limit_required = r;
    }
    if let Some(s) = raw.shuffle_options {
        quiz.shuffle_options = s;
    }
    if let Some(m) = &raw.min_answer_secs {
        if m.value < 0 || m.value >= i64::from(quiz.time_limit_secs) {
            let most = quiz.time_limit_secs.saturating_sub(1) as usize;
            c.out_of_range(
                m,
                format!(
                    "min_answer_secs must be from 0 to less than time_limit_secs ({}), not {}",
                    quiz.time_limit_secs, m.value
                ),
                "最短答题(秒)",
                "min_answer_secs",
                0,
                most,
                m.value,
            );
        } else {
            quiz.min_answer_secs = Some(m.value as u32);
        }
    }
    quiz
}

/// Default `keep_days`.
pub const DEFAULT_KEEP_DAYS: u32 = 30;

fn check_privacy(
    c: &mut Checker,
    raw: Option<&S<super::raw::RawPrivacy>>,
    id: &S<String>,
) -> super::Privacy {
    let mut privacy = super::Privacy {
        organizer: None,
        contact: None,
        purpose: None,
        keep_days: DEFAULT_KEEP_DAYS,
    };
    let missing = "the entry notice (个人信息保护法) should say who collects the names and phones and how to reach them";
    let Some(raw) = raw else {
        c.warn(
            id,
            format!("no privacy: block: {missing}; add privacy: {{organizer: …, contact: …}}"),
        );
        c.kind("privacy_none", &[]);
        return privacy;
    };
    let p = &raw.value;
    privacy.organizer = p
        .organizer
        .as_ref()
        .map(|t| c.text(t, "organizer", "", MAX_TITLE_CHARS));
    privacy.contact = p
        .contact
        .as_ref()
        .map(|t| c.text(t, "contact", "", MAX_TITLE_CHARS));
    privacy.purpose = p
        .purpose
        .as_ref()
        .map(|t| c.text(t, "purpose", "", MAX_BODY_CHARS));
    if privacy.organizer.is_none() {
        c.warn(raw, format!("privacy has no organizer: {missing}"));
        c.kind("privacy_no_organizer", &[]);
    }
    if privacy.contact.is_none() {
        c.warn(raw, format!("privacy has no contact: {missing}"));
        c.kind("privacy_no_contact", &[]);
    }
    if let Some(k) = &p.keep_days {
        if !(1..=3650).contains(&k.value) {
            c.out_of_range(
                k,
                format!("keep_days must be from 1 to 3650 days, not {}", k.value),
                "领奖后保留天数",
                "keep_days",
                1,
                3650,
                k.value,
            );
        } else {
            privacy.keep_days = k.value as u32;
        }
    }
    privacy
}

fn check_rounds(c: &mut Checker, raw: Option<&S<Vec<S<super::raw::RawRound>>>>) -> Vec<Round> {
    let Some(raw) = raw else {
        return vec![Round {
            id: Round::DEFAULT_ID.to_owned(),
            opens: None,
            closes: None,
            title: Some(Round::default_title()),
            notice: None,
        }];
    };
    if raw.value.is_empty() {
        c.err_of(
            raw,
            "rounds is empty: leave it out for one always-open round",
            "rounds_empty",
            &[],
        );
    }
    let mut rounds: Vec<(Round, &S<super::raw::RawRound>)> = Vec::new();
    let mut ids = HashSet::new();
    for r in &raw.value {
        let id = c.id(&r.value.id, "round id");
        if !ids.insert(id.clone()) {
            c.err(&r.value.id, format!("duplicate round id `{id}`"));
            c.kind("duplicate_id", &[("id", &id)]);
        }
        let opens = c.time(&r.value.opens, "opens");
        let closes = c.time(&r.value.closes, "closes");
        if let (Some(o), Some(cl)) = (opens, closes) {
            if cl <= o {
                c.err(
                    &r.value.closes,
                    format!("round `{id}` closes before it opens"),
                );
                c.kind("closes_before_opens", &[("id", &id)]);
                continue;
            }
            let title = r
                .value
                .title
                .as_ref()
                .map(|t| c.text(t, "round_title", &id, MAX_TITLE_CHARS));
            let notice = r
                .value
                .notice
                .as_ref()
                .map(|t| c.text(t, "round_notice", &id, MAX_BODY_CHARS));
            rounds.push((
                Round {
                    id,
                    opens,
                    closes,
                    title,
                    notice,
                },
                r,
            ));
        }
    }
    rounds.sort_by_key(|(r, _)| r.opens);
    for pair in rounds.windows(2) {
        let (a, b) = (&pair[0].0, &pair[1].0);
        if b.opens < a.closes {
            c.err(
                &pair[1].1.value.opens,
                format!("round `{}` overlaps round `{}`", b.id, a.id),
            );
            c.kind("rounds_overlap", &[("a", &a.id), ("b", &b.id)]);
        }
    }
    rounds.into_iter().map(|(r, _)| r).collect()
}

fn check_question(c: &mut Checker, q: &RawQuestion, boards: &HashSet<String>) -> Option<Question> {
    let id = c.id(&q.id, "question id");
    let kind = match q.kind.value.as_str() {
        "single" => QuestionType::Single,
        "multiple" => QuestionType::Multiple,
        "truefalse" => QuestionType::Truefalse,
        other => {
            c.err(
                &q.kind,
                format!("question `{id}`: type `{other}` is not single, multiple or truefalse"),
            );
            c.kind("yaml_question_type", &[("id", &id), ("value", other)]);
            return None;
        }
    };
    let text = c.text(&q.text, "question_text", &id, MAX_QUESTION_CHARS);
    let explanation = q
        .explanation
        .as_ref()
        .map(|e| c.text(e, "explanation", &id, MAX_QUESTION_CHARS));
    let board = q.board.as_ref().map(|b| {
        if !boards.contains(&b.value) {
            c.err(
                b,
                format!(
                    "question `{id}` links to board `{}`, which does not exist",
                    b.value
                ),
            );
            c.kind("unknown_board", &[("board", &b.value)]);
        }
        b.value.clone()
    });
    let points = match &q.points {
        Some(p) if p.value < 1 || p.value > 1000 => {
            c.err_of(
                p,
                format!(
                    "question `{id}`: points must be from 1 to 1000, not {}",
                    p.value
                ),
                "points_range",
                &[("id", &id), ("value", &p.value.to_string())],
            );
            1
        }
        Some(p) => p.value as u32,
        None => 1,
    };

    let options: Vec<(char, Text)> = match (kind, &q.options) {
        (QuestionType::Truefalse, Some(opts)) => {
            c.err_of(
                opts,
                format!("question `{id}`: a truefalse question has no options"),
                "yaml_truefalse_options",
                &[("id", &id)],
            );
            Vec::new()
        }
        (QuestionType::Truefalse, None) => {
            vec![
                ('T', tf_text("正确", "True")),
                ('F', tf_text("错误", "False")),
            ]
        }
        (_, None) => {
            c.err(&q.id, format!("question `{id}` needs options (2 to 8)"));
            c.kind("option_count", &[("n", "0")]);
            Vec::new()
        }
        (_, Some(opts)) => {
            let n = opts.value.len();
            if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&n) {
                c.err(
                    opts,
                    format!("question `{id}` has {n} options; it needs 2 to 8"),
                );
                c.kind("option_count", &[("n", &n.to_string())]);
            }
            opts.value
                .iter()
                .take(MAX_OPTIONS)
                .enumerate()
                .map(|(i, o)| {
                    let key = (b'A' + i as u8) as char;
                    (key, c.text(o, "option", &id, MAX_QUESTION_CHARS))
                })
                .collect()
        }
    };

    let answer = check_answer(c, &id, kind, &q.answer, &options);
    Some(Question {
        id,
        kind,
        text,
        options,
        answer: answer?,
        explanation,
        board,
        points,
    })
}

fn check_answer(
    c: &mut Checker,
    id: &str,
    kind: QuestionType,
    raw: &S<RawAnswer>,
    options: &[(char, Text)],
) -> Option<Vec<char>> {
    if kind == QuestionType::Truefalse {
        return match &raw.value {
            RawAnswer::Bool(b) => Some(vec![if *b { 'T' } else { 'F' }]),
            RawAnswer::One(word) => {
                let value = match word.trim() {
                    "对" | "正确" | "是" | "T" | "t" | "√" => "true",
                    "错" | "错误" | "否" | "F" | "f" | "×" => "false",
                    _ => "",
                };
                let message = if value.is_empty() {
                    format!("question `{id}`: a truefalse answer is true or false")
                } else {
                    format!("question `{id}`: a truefalse answer is true or false: write `answer: {value}` for `{word}`")
                };
                c.err_of(
                    raw,
                    message,
                    "truefalse_word",
                    &[("answer", word), ("value", value)],
                );
                None
            }
            RawAnswer::Many(_) => {
                c.err_of(
                    raw,
                    format!("question `{id}`: a truefalse answer is true or false"),
                    "truefalse_word",
                    &[("answer", ""), ("value", "")],
                );
                None
            }
        };
    }
    let letters: Vec<String> = match &raw.value {
        // `A,C`, `A、C` or `AC` written as one text: the list it means.
        RawAnswer::One(s)
            if s.trim().chars().count() > 1
                && s.chars()
                    .all(|ch| ch.is_ascii_alphabetic() || ",，、 ;；".contains(ch)) =>
        {
            let list: Vec<String> = s
                .chars()
                .filter(char::is_ascii_alphabetic)
                .map(|ch| ch.to_ascii_uppercase().to_string())
                .collect();
            let list = format!("[{}]", list.join(", "));
            let message = if kind == QuestionType::Multiple {
                format!("question `{id}`: write the answers of a multiple question as a list: `answer: {list}`")
            } else {
                format!("question `{id}`: a single question has exactly one answer, not `{s}`")
            };
            let code = if kind == QuestionType::Multiple {
                "multiple_list"
            } else {
                "single_many"
            };
            c.err_of(raw, message, code, &[("answer", s), ("list", &list)]);
            return None;
        }
        RawAnswer::One(s) => vec![s.clone()],
        RawAnswer::Many(v) => v.clone(),
        RawAnswer::Bool(_) => {
            c.err_of(
                raw,
                format!("question `{id}`: true/false is only for truefalse questions; give option letters"),
                "bool_answer",
                &[("id", id)],
            );
            return None;
        }
    };
    let mut keys = BTreeSet::new();
    let mut ok = true;
    for l in &letters {
        let l = l.trim();
        let key = l
            .chars()
            .next()
            .filter(|_| l.chars().count() == 1)
            .map(|k| k.to_ascii_uppercase());
        match key.filter(|k| options.iter().any(|(o, _)| o == k)) {
            Some(k) => {
                if !keys.insert(k) {
                    c.err_of(
                        raw,
                        format!("question `{id}`: answer {k} is listed twice"),
                        "answer_twice",
                        &[("id", id), ("answer", &k.to_string())],
                    );
                }
            }
            None => {
                let last = options.last().map(|(k, _)| *k).unwrap_or('A');
                c.err_of(
                    raw,
                    format!("question `{id}`: answer `{l}` is not an option letter (A to {last})"),
                    "answer_not_option",
                    &[("answer", l), ("last", &last.to_string())],
                );
                ok = false;
            }
        }
    }
    match kind {
        QuestionType::Single if letters.len() != 1 => {
            c.err_of(
                raw,
                format!(
                    "question `{id}`: a single question has exactly one answer, not {}",
                    letters.len()
                ),
                "single_count",
                &[("id", id), ("n", &letters.len().to_string())],
            );
            ok = false;
        }
        QuestionType::Multiple if letters.is_empty() => {
            c.err_of(
                raw,
                format!("question `{id}`: a multiple question needs at least one answer"),
                "multiple_none",
                &[("id", id)],
            );
            ok = false;
        }
        _ => {}
    }
    ok.then(|| keys.into_iter().collect())
}

fn tf_text(zh: &str, en: &str) -> Text {
    Text::from_map(
        [
            ("zh".to_owned(), zh.to_owned()),
            ("en".to_owned(), en.to_owned()),
        ]
        .into(),
    )
}
