//! What the visitor API sends, as typed views that borrow their texts from
//! the bank: no JSON tree is built and no board text is copied per request.
//!
//! A session before submission is the busiest response (about 9 KB, mostly
//! board and question text), so its parts are serialized once per set
//! version and language ([`Prerendered`]) and only put together per request
//! ([`session_json`]). A test holds the two ways to the same JSON.

use crate::bank::{Bank, QuestionType, Round};
use crate::clock::rfc3339;
use crate::quiz::{Outcome, Served};
use crate::store::EntryOf;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, PoisonError, RwLock};

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
    title: &'a str,
    notice: Option<&'a str>,
    opens: Option<String>,
    closes: Option<String>,
}

fn round<'a>(r: &'a Round, lang: &str) -> RoundView<'a> {
    RoundView {
        id: &r.id,
        title: r.name(lang),
        notice: r.notice.as_ref().map(|n| n.get(lang)),
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
    /// Published so the rule is public: answering sooner cannot enter the draw.
    min_answer_secs: Option<u32>,
    open: bool,
    round: Option<RoundView<'a>>,
    next_round: Option<RoundView<'a>>,
}

/// The start screen's data: title, intro, boards, rules, and whether a round is open.
pub fn set_view<'a>(bank: &'a Bank, lang: &'a str, now: DateTime<FixedOffset>) -> SetView<'a> {
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
        min_answer_secs: bank.quiz.min_answer_secs,
        open: open.is_some(),
        round: open.map(|r| round(r, lang)),
        next_round: next.map(|r| round(r, lang)),
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
    title: &'a str,
    notice: Option<&'a str>,
    closes: Option<String>,
}

/// The entry a session made, its private receipt, and how its draws went.
#[derive(Debug, Serialize)]
pub struct EntryView {
    code: String,
    round: String,
    receipt: String,
    draws: Vec<EntryDrawView>,
}

/// One draw of the entry's round, as the entrant sees it.
#[derive(Debug, Serialize)]
pub struct EntryDrawView {
    id: i64,
    prize: String,
    status: &'static str,
    won: Option<bool>,
    claim_by: Option<String>,
    claimed: bool,
}

/// A session as its views need it.
#[derive(Debug)]
pub struct Session<'a> {
    /// The token.
    pub id: String,
    /// Its round.
    pub round_id: &'a str,
    /// When the request came.
    pub now: DateTime<FixedOffset>,
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
    min_answer_secs: Option<u32>,
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
    outcome: Option<(&'a Outcome, &'a EntryWindow)>,
    entry: Option<EntryOf>,
) -> SessionView<'a> {
    let questions = session
        .served
        .iter()
        .filter_map(|s| {
            let q = bank.questions.get(s.index).filter(|q| q.id == s.id)?;
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
        now: rfc3339(session.now),
        set: head(bank, lang, true),
        round: SessionRound {
            id: session.round_id,
            title: bank
                .round(session.round_id)
                .map_or(session.round_id, |r| r.name(lang)),
            notice: bank
                .round(session.round_id)
                .and_then(|r| r.notice.as_ref())
                .map(|n| n.get(lang)),
            closes: bank
                .round(session.round_id)
                .and_then(|r| r.closes)
                .map(rfc3339),
        },
        time_limit_secs: bank.quiz.time_limit_secs,
        expires_at: &session.expires_at,
        pass_percent: bank.quiz.pass_percent,
        min_answer_secs: bank.quiz.min_answer_secs,
        boards: boards(bank, lang),
        questions,
        result: outcome.map(|(o, w)| result_view(bank, o, lang, w)),
        entry: entry.map(|e| EntryView {
            code: e.code,
            round: e.round_id,
            receipt: e.receipt,
            draws: e
                .draws
                .into_iter()
                .map(|d| EntryDrawView {
                    id: d.id,
                    prize: d.prize,
                    status: if d.revealed { "revealed" } else { "committed" },
                    won: d.won,
                    claim_by: d.claim_by,
                    claimed: d.claimed_at.is_some(),
                })
                .collect(),
        }),
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

/// Whether and until when a passed submission may enter the draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryWindow {
    /// Answered sooner than the set's `min_answer_secs`: scored, but no entry.
    pub too_fast: bool,
    /// RFC 3339: entries close then (`entry_grace_secs` after the later of
    /// the round's close and the session's deadline).
    pub closes: String,
}

/// A scored submission.
#[derive(Debug, Serialize)]
pub struct ResultView<'a> {
    score: u32,
    max_score: u32,
    percent: u32,
    passed: bool,
    too_fast: bool,
    entry_closes: &'a str,
    results: Vec<ResultItem<'a>>,
}

/// The scored submission with right answers and explanations.
pub fn result_view<'a>(
    bank: &'a Bank,
    o: &'a Outcome,
    lang: &str,
    window: &'a EntryWindow,
) -> ResultView<'a> {
    let results = o
        .results
        .iter()
        .map(|r| {
            let q = bank.questions.get(r.index).filter(|q| q.id == r.id);
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
        too_fast: window.too_fast,
        entry_closes: &window.closes,
        results,
    }
}

/// The parts of the session and result responses that are the same for
/// every visitor of one set version in one language, as JSON.
#[derive(Debug)]
pub struct SetParts {
    set: String,
    boards: String,
    /// Aligned with [`Bank::questions`].
    questions: Vec<QuestionParts>,
    /// Aligned with [`Bank::questions`].
    results: Vec<ResultParts>,
}

/// A question's result as JSON, around `correct` and `given`.
#[derive(Debug)]
struct ResultParts {
    /// `{"id":…,"correct":`
    head: String,
    /// `,"answer":[…],"given":`
    answer: String,
    /// `,"explanation":…,"board":…}`
    tail: String,
}

/// A question as JSON: everything up to its options, then each option.
#[derive(Debug)]
struct QuestionParts {
    head: String,
    options: Vec<(char, String)>,
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl SetParts {
    /// Serializes a set version's parts in `lang`.
    pub fn build(bank: &Bank, lang: &str) -> Self {
        let questions = bank
            .questions
            .iter()
            .map(|q| QuestionParts {
                head: format!(
                    "{{\"id\":{},\"type\":{},\"text\":{},\"points\":{},\"options\":[",
                    json(&q.id),
                    json(&q.kind),
                    json(q.text.get(lang)),
                    q.points
                ),
                options: q
                    .options
                    .iter()
                    .map(|(k, t)| {
                        let view = OptionView {
                            key: *k,
                            text: t.get(lang),
                        };
                        (*k, json(&view))
                    })
                    .collect(),
            })
            .collect();
        let results = bank
            .questions
            .iter()
            .map(|q| ResultParts {
                head: format!("{{\"id\":{},\"correct\":", json(&q.id)),
                answer: format!(",\"answer\":{},\"given\":", json(&q.answer)),
                tail: format!(
                    ",\"explanation\":{},\"board\":{}}}",
                    json(&q.explanation.as_ref().map(|t| t.get(lang))),
                    json(&q.board)
                ),
            })
            .collect();
        Self {
            set: json(&head(bank, lang, true)),
            boards: json(&boards(bank, lang)),
            questions,
            results,
        }
    }
}

/// [`SetParts`] of every set version seen, in both languages, made on first use.
#[derive(Debug, Default)]
pub struct Prerendered(RwLock<HashMap<String, Arc<[SetParts; 2]>>>);

impl Prerendered {
    /// The parts of `bank`, in the order of [`lang_index`].
    pub fn get(&self, bank: &Bank) -> Arc<[SetParts; 2]> {
        let found = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&bank.version)
            .cloned();
        found.unwrap_or_else(|| {
            let built = Arc::new([SetParts::build(bank, "zh"), SetParts::build(bank, "en")]);
            self.0
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(bank.version.clone())
                .or_insert(built)
                .clone()
        })
    }
}

/// Which of a pair of [`SetParts`] holds `lang`.
pub fn lang_index(lang: &str) -> usize {
    usize::from(lang == "en")
}

/// The same JSON as [`session_view`] of a session not yet submitted, put
/// together from parts serialized once.
pub fn session_json(parts: &SetParts, bank: &Bank, session: &Session<'_>, lang: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.boards.len() + 512 * session.served.len() + 1024);
    // Writing into a Vec cannot fail.
    let _ =
        write!(
        out,
        "{{\"session\":{},\"lang\":{},\"now\":{},\"set\":{},\"round\":{{\"id\":{},\"title\":{},\"notice\":{},\"closes\":{}}}",
        json(&session.id),
        json(lang),
        json(&rfc3339(session.now)),
        parts.set,
        json(session.round_id),
        json(bank.round(session.round_id).map_or(session.round_id, |r| r.name(lang))),
        json(&bank.round(session.round_id).and_then(|r| r.notice.as_ref()).map(|n| n.get(lang))),
        json(&bank.round(session.round_id).and_then(|r| r.closes).map(rfc3339)),
    );
    let _ = write!(
        out,
        ",\"time_limit_secs\":{},\"expires_at\":{},\"pass_percent\":{},\"min_answer_secs\":{},\"boards\":{},\"questions\":[",
        bank.quiz.time_limit_secs,
        json(&session.expires_at),
        bank.quiz.pass_percent,
        json(&bank.quiz.min_answer_secs),
        parts.boards,
    );
    for (i, s) in session.served.iter().enumerate() {
        let Some(q) = parts.questions.get(s.index) else {
            continue;
        };
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(q.head.as_bytes());
        let mut first = true;
        for key in &s.options {
            if let Some((_, option)) = q.options.iter().find(|(k, _)| k == key) {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(option.as_bytes());
            }
        }
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"],\"result\":null,\"entry\":null}");
    out
}

/// The same JSON as [`result_view`], put together from parts serialized once.
pub fn result_json(parts: &SetParts, o: &Outcome, window: &EntryWindow) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 * o.results.len() + 192);
    let _ = write!(
        out,
        "{{\"score\":{},\"max_score\":{},\"percent\":{},\"passed\":{},\"too_fast\":{},\"entry_closes\":{},\"results\":[",
        o.score,
        o.max_score,
        o.percent,
        o.passed,
        window.too_fast,
        json(&window.closes),
    );
    for (i, r) in o.results.iter().enumerate() {
        let Some(p) = parts.results.get(r.index) else {
            continue;
        };
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p.head.as_bytes());
        out.extend_from_slice(if r.correct { b"true" } else { b"false" });
        out.extend_from_slice(p.answer.as_bytes());
        let _ = serde_json::to_writer(&mut out, &r.given);
        out.extend_from_slice(p.tail.as_bytes());
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_bank;

    #[test]
    fn the_assembled_session_is_the_serialized_one() {
        let banks = [
            include_str!("../../tests/fixtures/valid.yaml"),
            include_str!("../../questions/netsec-week.yaml"),
        ];
        for source in banks {
            let bank = parse_bank(source).bank.expect("a valid bank");
            let cache = Prerendered::default();
            for lang in ["zh", "en"] {
                for seed in 0..20u64 {
                    use rand::SeedableRng;
                    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                    let served = crate::quiz::serve(&bank, &mut rng);
                    let session = Session {
                        id: format!("{seed:070x}"),
                        round_id: &bank.rounds[0].id,
                        now: crate::clock::Clock::system().now(),
                        expires_at: "2026-11-28T20:00:00+08:00".into(),
                        served: &served,
                    };
                    let parts = cache.get(&bank);
                    let fast = session_json(&parts[lang_index(lang)], &bank, &session, lang);
                    let fast: serde_json::Value =
                        serde_json::from_slice(&fast).expect("valid JSON");
                    let slow =
                        serde_json::to_value(session_view(&bank, &session, lang, None, None))
                            .unwrap();
                    assert_eq!(fast, slow, "{} {lang} seed {seed}", bank.id);

                    // Some right, some wrong, some left out.
                    let answers = served
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 3 != 2)
                        .map(|(i, s)| {
                            let q = &bank.questions[s.index];
                            let keys = if i % 3 == 0 {
                                q.answer.clone()
                            } else {
                                vec![s.options[0]]
                            };
                            (s.id.clone(), keys.iter().map(char::to_string).collect())
                        })
                        .collect();
                    let outcome = crate::quiz::score(&bank, &served, &answers).unwrap();
                    let window = EntryWindow {
                        too_fast: seed % 2 == 0,
                        closes: "2026-11-28T20:15:00+08:00".into(),
                    };
                    let fast = result_json(&parts[lang_index(lang)], &outcome, &window);
                    let fast: serde_json::Value =
                        serde_json::from_slice(&fast).expect("valid JSON");
                    let slow =
                        serde_json::to_value(result_view(&bank, &outcome, lang, &window)).unwrap();
                    assert_eq!(fast, slow, "result: {} {lang} seed {seed}", bank.id);
                }
            }
        }
    }
}
