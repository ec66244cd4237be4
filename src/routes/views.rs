//! What the visitor API sends, as typed views that borrow their texts from
//! the bank: no JSON tree is built and no board text is copied per request.

use super::{now, rfc3339};
use crate::bank::{Bank, QuestionType, Round};
use crate::quiz::{Outcome, Served};
use serde::Serialize;

/// An exhibition board in one language.
#[derive(Debug, Serialize)]
pub struct BoardView<'a> {
    id: &'a str,
    title: &'a str,
    body: &'a str,
}

fn boards<'a>(bank: &'a Bank, lang: &str) -> Vec<BoardView<'a>> {
    bank.boards
        .iter()
        .map(|b| BoardView {
            id: &b.id,
            title: b.title.get(lang),
            body: b.body.get(lang),
        })
        .collect()
}

/// The set's heading.
#[derive(Debug, Serialize)]
pub struct SetHead<'a> {
    id: &'a str,
    title: &'a str,
    intro: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

fn head<'a>(bank: &'a Bank, lang: &str, with_version: bool) -> SetHead<'a> {
    SetHead {
        id: &bank.id,
        title: bank.title.get(lang),
        intro: bank.intro.as_ref().map(|t| t.get(lang)),
        version: with_version.then_some(bank.version.as_str()),
    }
}

/// A round's window.
#[derive(Debug, Serialize)]
pub struct RoundView<'a> {
    id: &'a str,
    opens: Option<String>,
    closes: Option<String>,
}

fn round(r: &Round) -> RoundView<'_> {
    RoundView {
        id: &r.id,
        opens: r.opens.map(rfc3339),
        closes: r.closes.map(rfc3339),
    }
}

/// `GET /api/set`: the start screen.
#[derive(Debug, Serialize)]
pub struct SetView<'a> {
    lang: &'a str,
    set: SetHead<'a>,
    boards: Vec<BoardView<'a>>,
    questions_per_visitor: usize,
    pass_percent: u32,
    time_limit_secs: u32,
    open: bool,
    round: Option<RoundView<'a>>,
    next_round: Option<RoundView<'a>>,
}

/// The start screen's data: title, intro, boards, rules, and whether a round is open.
pub fn set_view<'a>(bank: &'a Bank, lang: &'a str) -> SetView<'a> {
    let now = now();
    let open = bank.open_round(now);
    let next = bank
        .rounds
        .iter()
        .filter(|r| r.state(now) == "upcoming")
        .min_by_key(|r| r.opens);
    SetView {
        lang,
        set: head(bank, lang, false),
        boards: boards(bank, lang),
        questions_per_visitor: bank.quiz.questions_per_visitor,
        pass_percent: bank.quiz.pass_percent,
        time_limit_secs: bank.quiz.time_limit_secs,
        open: open.is_some(),
        round: open.map(round),
        next_round: next.map(round),
    }
}

/// An option as shown.
#[derive(Debug, Serialize)]
pub struct OptionView<'a> {
    key: char,
    text: &'a str,
}

/// A served question, without its answer.
#[derive(Debug, Serialize)]
pub struct QuestionView<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: QuestionType,
    text: &'a str,
    points: u32,
    options: Vec<OptionView<'a>>,
}

/// The session's round.
#[derive(Debug, Serialize)]
pub struct SessionRound<'a> {
    id: &'a str,
    closes: Option<String>,
}

/// The entry a session made.
#[derive(Debug, Serialize)]
pub struct EntryView {
    code: String,
    round: String,
}

/// A session as its views need it.
#[derive(Debug)]
pub struct Session<'a> {
    /// The token.
    pub id: String,
    /// Its round.
    pub round_id: &'a str,
    /// RFC 3339.
    pub expires_at: String,
    /// The questions served, in order.
    pub served: &'a [Served],
}

/// `POST /api/sessions` and `GET /api/sessions/{id}`.
#[derive(Debug, Serialize)]
pub struct SessionView<'a> {
    session: &'a str,
    lang: &'a str,
    now: String,
    set: SetHead<'a>,
    round: SessionRound<'a>,
    time_limit_secs: u32,
    expires_at: &'a str,
    pass_percent: u32,
    boards: Vec<BoardView<'a>>,
    questions: Vec<QuestionView<'a>>,
    result: Option<ResultView<'a>>,
    entry: Option<EntryView>,
}

/// The session as the page needs it; answers only once submitted.
pub fn session_view<'a>(
    bank: &'a Bank,
    session: &'a Session<'a>,
    lang: &'a str,
    outcome: Option<&'a Outcome>,
    entry: Option<(String, String)>,
) -> SessionView<'a> {
    let questions = session
        .served
        .iter()
        .filter_map(|s| {
            let q = bank.question(&s.id)?;
            let options = s
                .options
                .iter()
                .filter_map(|k| q.options.iter().find(|(key, _)| key == k))
                .map(|(k, t)| OptionView {
                    key: *k,
                    text: t.get(lang),
                })
                .collect();
            Some(QuestionView {
                id: &q.id,
                kind: q.kind,
                text: q.text.get(lang),
                points: q.points,
                options,
            })
        })
        .collect();
    SessionView {
        session: &session.id,
        lang,
        now: rfc3339(now()),
        set: head(bank, lang, true),
        round: SessionRound {
            id: session.round_id,
            closes: bank
                .round(session.round_id)
                .and_then(|r| r.closes)
                .map(rfc3339),
        },
        time_limit_secs: bank.quiz.time_limit_secs,
        expires_at: &session.expires_at,
        pass_percent: bank.quiz.pass_percent,
        boards: boards(bank, lang),
        questions,
        result: outcome.map(|o| result_view(bank, o, lang)),
        entry: entry.map(|(code, round)| EntryView { code, round }),
    }
}

/// One question's outcome, with the right answer and why.
#[derive(Debug, Serialize)]
pub struct ResultItem<'a> {
    id: &'a str,
    correct: bool,
    answer: &'a [char],
    given: &'a [char],
    explanation: Option<&'a str>,
    board: Option<&'a str>,
}

/// A scored submission.
#[derive(Debug, Serialize)]
pub struct ResultView<'a> {
    score: u32,
    max_score: u32,
    percent: u32,
    passed: bool,
    results: Vec<ResultItem<'a>>,
}

/// The scored submission with right answers and explanations.
pub fn result_view<'a>(bank: &'a Bank, o: &'a Outcome, lang: &str) -> ResultView<'a> {
    let results = o
        .results
        .iter()
        .map(|r| {
            let q = bank.question(&r.id);
            ResultItem {
                id: &r.id,
                correct: r.correct,
                answer: q.map_or(&[][..], |q| q.answer.as_slice()),
                given: &r.given,
                explanation: q.and_then(|q| q.explanation.as_ref()).map(|t| t.get(lang)),
                board: q.and_then(|q| q.board.as_deref()),
            }
        })
        .collect();
    ResultView {
        score: o.score,
        max_score: o.max_score,
        percent: o.percent,
        passed: o.passed,
        results,
    }
}
