//! What the visitor API sends: one typed view per response shape. No JSON
//! tree is built and no text is copied per request.
//!
//! A session before submission is the busiest response (about 9 KB, mostly
//! board and question text), so the texts of a set version are serialized
//! once per language (the cache in [`super::rendered`], as `RawValue`s) and
//! the views hold them as they are.

use super::rendered::SetParts;
use crate::bank::{Bank, Round};
use crate::clock::rfc3339;
use crate::quiz::{Outcome, Served};
use crate::store::EntryOf;
use crate::ui_keys::RoundState;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::value::RawValue;

/// An exhibition board in one language.
#[derive(Debug, Serialize)]
pub struct BoardView<'a> {
    id: &'a str,
    title: &'a str,
    body: &'a str,
}

pub(super) fn boards<'a>(bank: &'a Bank, lang: &str) -> Vec<BoardView<'a>> {
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

pub(super) fn head<'a>(bank: &'a Bank, lang: &str, with_version: bool) -> SetHead<'a> {
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
    /// 长辈版 counts down too (the bank requires its limit): the start screen says so.
    time_limit_required: bool,
    /// Published so the rule is public: answering sooner cannot enter the draw.
    min_answer_secs: Option<u32>,
    open: bool,
    round: Option<RoundView<'a>>,
    next_round: Option<RoundView<'a>>,
    /// What the entry notice says (SPEC §8).
    privacy: PrivacyView<'a>,
}

/// The entry notice's facts: who collects, how to reach them, what for,
/// and how long the name and phone are kept.
#[derive(Debug, Serialize)]
pub struct PrivacyView<'a> {
    organizer: Option<&'a str>,
    contact: Option<&'a str>,
    purpose: Option<&'a str>,
    keep_days: u32,
    /// The open round's close plus `keep_days` (a later claim deadline
    /// moves it later); `None` for a round that never closes.
    keep_until: Option<String>,
}

fn privacy<'a>(bank: &'a Bank, lang: &str, open: Option<&Round>) -> PrivacyView<'a> {
    let p = &bank.privacy;
    PrivacyView {
        organizer: p.organizer.as_ref().map(|t| t.get(lang)),
        contact: p.contact.as_ref().map(|t| t.get(lang)),
        purpose: p.purpose.as_ref().map(|t| t.get(lang)),
        keep_days: p.keep_days,
        keep_until: open
            .and_then(|r| r.closes)
            .map(|c| rfc3339(c + chrono::Duration::days(i64::from(p.keep_days)))),
    }
}

/// The start screen's data: title, intro, boards, rules, and whether a round is open.
pub fn set_view<'a>(bank: &'a Bank, lang: &'a str, now: DateTime<FixedOffset>) -> SetView<'a> {
    let open = bank.open_round(now);
    let next = bank
        .rounds
        .iter()
        .filter(|r| r.state(now) == RoundState::Upcoming)
        .min_by_key(|r| r.opens);
    SetView {
        lang,
        set: head(bank, lang, false),
        boards: boards(bank, lang),
        questions_per_visitor: bank.quiz.questions_per_visitor,
        pass_percent: bank.quiz.pass_percent,
        time_limit_secs: bank.quiz.time_limit_secs,
        time_limit_required: bank.quiz.time_limit_required,
        min_answer_secs: bank.quiz.min_answer_secs,
        open: open.is_some(),
        round: open.map(|r| round(r, lang)),
        next_round: next.map(|r| round(r, lang)),
        privacy: privacy(bank, lang, open),
    }
}

/// An option as shown (serialized once per set version and language:
/// its place in a question is all that changes per visitor).
#[derive(Debug, Serialize)]
pub struct OptionView<'a> {
    pub(super) key: char,
    pub(super) text: &'a str,
}

/// A served question, without its answer.
#[derive(Debug, Serialize)]
pub struct QuestionView<'a> {
    id: &'a RawValue,
    /// `single`, `multiple` or `truefalse` ([`crate::bank::QuestionType`]).
    #[serde(rename = "type")]
    kind: &'a RawValue,
    text: &'a RawValue,
    points: u32,
    options: Options<'a>,
}

/// A question's options in the served order, written as they are read
/// (no list is built per request).
#[derive(Debug)]
pub struct Options<'a> {
    keys: &'a [char],
    texts: &'a [(char, Box<RawValue>)],
}

impl Serialize for Options<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.keys.iter().filter_map(|k| {
            self.texts
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, option)| &**option)
        }))
    }
}

/// The questions served, in order, written as they are read.
#[derive(Debug)]
pub struct Questions<'a> {
    parts: &'a SetParts,
    bank: &'a Bank,
    served: &'a [Served],
}

impl Serialize for Questions<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.served.iter().filter_map(|sv| {
            let q = self
                .bank
                .questions
                .get(sv.index)
                .filter(|q| q.id == sv.id)?;
            let texts = self.parts.questions.get(sv.index)?;
            Some(QuestionView {
                id: &texts.id,
                kind: &texts.kind,
                text: &texts.text,
                points: q.points,
                options: Options {
                    keys: &sv.options,
                    texts: &texts.options,
                },
            })
        }))
    }
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
    /// `null` once withdrawn: it can claim nothing.
    receipt: Option<String>,
    /// RFC 3339, when the entrant withdrew (SPEC §8).
    withdrawn_at: Option<String>,
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
    /// Won, not claimed, and past `claim_by`: the desk no longer hands it out.
    expired: bool,
    /// A later draw re-draws this one's unclaimed places (`replaces` it).
    redrawn: bool,
}

impl EntryView {
    /// The entry as its entrant sees it at `now` (a win expires with time).
    fn new(e: EntryOf, now: DateTime<FixedOffset>) -> Self {
        Self {
            code: e.code,
            round: e.round_id,
            receipt: Some(e.receipt).filter(|r| e.withdrawn_at.is_none() && !r.is_empty()),
            withdrawn_at: e.withdrawn_at,
            draws: e
                .draws
                .into_iter()
                .map(|d| {
                    let claimed = d.claimed_at.is_some();
                    let expired = d.won == Some(true)
                        && super::shared::win_expired(d.claim_by.as_deref(), claimed, now);
                    EntryDrawView {
                        id: d.id,
                        prize: d.prize,
                        status: if d.revealed { "revealed" } else { "committed" },
                        won: d.won,
                        claim_by: d.claim_by,
                        claimed,
                        expired,
                        redrawn: d.replaced_by.is_some(),
                    }
                })
                .collect(),
        }
    }
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
    /// Started in 长辈版.
    pub large: bool,
    /// Counts down (not in 长辈版 unless the bank requires its limit).
    pub timer: bool,
}

/// `POST /api/sessions` and `GET /api/sessions/{id}`: the one definition
/// of a session's JSON, before and after submission.
#[derive(Debug, Serialize)]
pub struct SessionView<'a> {
    session: &'a str,
    lang: &'a str,
    now: String,
    set: &'a RawValue,
    round: SessionRound<'a>,
    time_limit_secs: u32,
    expires_at: &'a str,
    /// 长辈版 (extension), and whether the page counts down.
    large: bool,
    timer: bool,
    pass_percent: u32,
    min_answer_secs: Option<u32>,
    boards: &'a RawValue,
    questions: Questions<'a>,
    result: Option<ResultView<'a>>,
    entry: Option<EntryView>,
}

/// The session as the page needs it, in the language of `parts`; answers
/// only once submitted.
pub fn session_view<'a>(
    parts: &'a SetParts,
    bank: &'a Bank,
    session: &'a Session<'a>,
    outcome: Option<(&'a Outcome, &'a EntryWindow)>,
    entry: Option<EntryOf>,
) -> SessionView<'a> {
    let lang = parts.lang;
    let questions = Questions {
        parts,
        bank,
        served: session.served,
    };
    let round = bank.round(session.round_id);
    SessionView {
        session: &session.id,
        lang,
        now: rfc3339(session.now),
        set: &parts.set,
        round: SessionRound {
            id: session.round_id,
            title: round.map_or(session.round_id, |r| r.name(lang)),
            notice: round.and_then(|r| r.notice.as_ref()).map(|n| n.get(lang)),
            closes: round.and_then(|r| r.closes).map(rfc3339),
        },
        time_limit_secs: bank.quiz.time_limit_secs,
        expires_at: &session.expires_at,
        large: session.large,
        timer: session.timer,
        pass_percent: bank.quiz.pass_percent,
        min_answer_secs: bank.quiz.min_answer_secs,
        boards: &parts.boards,
        questions,
        result: outcome.map(|(o, w)| result_view(parts, bank, o, w)),
        entry: entry.map(|e| EntryView::new(e, session.now)),
    }
}

/// One question's outcome, with the right answer and why.
#[derive(Debug, Serialize)]
pub struct ResultItem<'a> {
    id: &'a str,
    correct: bool,
    answer: &'a [char],
    given: &'a [char],
    explanation: &'a RawValue,
    board: Option<&'a str>,
}

/// Whether and until when a passed submission may enter the draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryWindow {
    /// Answered sooner than the set's `min_answer_secs`: scored, but no entry.
    pub too_fast: bool,
    /// RFC 3339: entries close then (`entry_grace_secs` after the earlier
    /// of the session's deadline and the round's close).
    pub closes: String,
}

/// `POST /api/sessions/{id}/answers`, and a session's `result`: the one
/// definition of a scored submission's JSON.
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

/// The scored submission with right answers and explanations, in the
/// language of `parts`.
pub fn result_view<'a>(
    parts: &'a SetParts,
    bank: &'a Bank,
    o: &'a Outcome,
    window: &'a EntryWindow,
) -> ResultView<'a> {
    let results = o
        .results
        .iter()
        .filter_map(|r| {
            let q = bank.questions.get(r.index).filter(|q| q.id == r.id)?;
            let texts = parts.questions.get(r.index)?;
            Some(ResultItem {
                id: &r.id,
                correct: r.correct,
                answer: q.answer.as_slice(),
                given: &r.given,
                explanation: &texts.explanation,
                board: q.board.as_deref(),
            })
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

/// A view as a JSON body.
pub fn to_body<T: Serialize>(view: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    // Writing into a Vec cannot fail, and every view serializes.
    let _ = serde_json::to_writer(&mut out, view);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_bank;
    use crate::routes::rendered::Prerendered;
    use serde_json::{json, Value};

    /// The prerendered texts are the bank's, in the session's language and
    /// the served order; nothing before submission holds an answer.
    #[test]
    fn a_session_carries_the_banks_texts_as_served() {
        let banks = [
            include_str!("../../tests/fixtures/valid.yaml"),
            include_str!("../../questions/netsec-week.yaml"),
        ];
        for source in banks {
            let bank = parse_bank(source).bank.expect("a valid bank");
            let cache = Prerendered::default();
            for lang in ["zh", "en"] {
                let parts = cache.get(&bank, lang);
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
                        large: false,
                        timer: true,
                    };
                    let view: Value = serde_json::from_slice(&to_body(
                        &session_view(&parts, &bank, &session, None, None),
                        0,
                    ))
                    .expect("valid JSON");
                    let what = format!("{} {lang} seed {seed}", bank.id);
                    assert_eq!(view["lang"], lang);
                    assert_eq!(view["set"]["title"], bank.title.get(lang), "{what}");
                    assert_eq!(view["boards"].as_array().unwrap().len(), bank.boards.len());
                    for (b, shown) in bank.boards.iter().zip(view["boards"].as_array().unwrap()) {
                        assert_eq!(shown["body"], b.body.get(lang), "{what}");
                    }
                    for (s, q) in served.iter().zip(view["questions"].as_array().unwrap()) {
                        let bq = &bank.questions[s.index];
                        assert_eq!(q["id"], bq.id.as_str());
                        assert_eq!(q["text"], bq.text.get(lang), "{what}");
                        let keys: Vec<String> = s.options.iter().map(char::to_string).collect();
                        let shown: Vec<&str> = q["options"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|o| o["key"].as_str().unwrap())
                            .collect();
                        assert_eq!(shown, keys, "{what}: the served order");
                        for o in q["options"].as_array().unwrap() {
                            let key = o["key"].as_str().unwrap().chars().next().unwrap();
                            let text = bq
                                .options
                                .iter()
                                .find(|(k, _)| *k == key)
                                .unwrap()
                                .1
                                .get(lang);
                            assert_eq!(o["text"], text, "{what}");
                        }
                    }
                    assert!(view["result"].is_null() && view["entry"].is_null());
                    assert!(
                        !view.to_string().contains("\"answer\""),
                        "no answer before submission"
                    );

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
                    let result: Value = serde_json::from_slice(&to_body(
                        &result_view(&parts, &bank, &outcome, &window),
                        0,
                    ))
                    .unwrap();
                    assert_eq!(result["too_fast"], seed % 2 == 0);
                    assert_eq!(result["score"], outcome.score);
                    for (r, shown) in outcome
                        .results
                        .iter()
                        .zip(result["results"].as_array().unwrap())
                    {
                        let bq = &bank.questions[r.index];
                        assert_eq!(shown["correct"], r.correct);
                        let answer: Vec<String> = bq.answer.iter().map(char::to_string).collect();
                        assert_eq!(shown["answer"], json!(answer));
                        assert_eq!(
                            shown["explanation"],
                            json!(bq.explanation.as_ref().map(|t| t.get(lang))),
                            "{what}"
                        );
                    }
                }
            }
        }
    }
}
