//! The question bank: YAML text → [`raw`] serde model → [`validate`] → checked [`Bank`].
//!
//! Pure: parsing and validation only, no store, clock or files written.
//! `check`, `serve`, uploads and reloads all go through [`load::parse_bank`];
//! the loaded sets live in the service [`crate::sets::Registry`].

pub mod leftovers;
pub mod load;
pub mod raw;
pub mod sheet;
pub mod text;
pub mod validate;
pub mod words;

use crate::ui_keys::RoundState;
use chrono::{DateTime, FixedOffset};
use std::fmt;

pub use load::{load_path, parse_bank, LoadReport};
pub use text::Text;

/// A checked question set, ready to serve.
#[derive(Debug, Clone)]
pub struct Bank {
    /// `[a-z0-9-]+`, unique among loaded sets.
    pub id: String,
    /// Lowercase hex SHA-256 of the YAML text.
    pub version: String,
    /// The YAML text itself (kept so every version can be stored and rebuilt).
    pub source: String,
    /// Shown at the top of the page.
    pub title: Text,
    /// Shown under the title before the visitor starts.
    pub intro: Option<Text>,
    /// How a visitor's quiz is made and passed.
    pub quiz: QuizSettings,
    /// Time windows; at least one (the default `open` round never closes).
    pub rounds: Vec<Round>,
    /// Exhibition boards to study.
    pub boards: Vec<Board>,
    /// At least one question.
    pub questions: Vec<Question>,
    /// Who collects the entrants' contacts, and for how long (SPEC §8).
    pub privacy: Privacy,
}

/// The `privacy:` block, with defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privacy {
    /// Who collects the data (shown in the notice; `check` warns without it).
    pub organizer: Option<Text>,
    /// How to reach them (`check` warns without it).
    pub contact: Option<Text>,
    /// What the data is for; the notice has a default.
    pub purpose: Option<Text>,
    /// Days the contacts are kept after the round closes or the last claim
    /// deadline of its draws, whichever is later.
    pub keep_days: u32,
}

impl Bank {
    /// The round open at `now`, if any.
    pub fn open_round(&self, now: DateTime<FixedOffset>) -> Option<&Round> {
        self.rounds.iter().find(|r| r.is_open(now))
    }

    /// Where the open round is in [`Bank::rounds`].
    pub fn open_round_index(&self, now: DateTime<FixedOffset>) -> Option<usize> {
        self.rounds.iter().position(|r| r.is_open(now))
    }

    /// The round the visitor page serves at `now`, whose visits the funnel
    /// counts: the open one, else the next to open, else the last to have
    /// opened.
    pub fn current_round(&self, now: DateTime<FixedOffset>) -> Option<&Round> {
        self.open_round(now)
            .or_else(|| {
                self.rounds
                    .iter()
                    .filter(|r| r.state(now) == RoundState::Upcoming)
                    .min_by_key(|r| r.opens)
            })
            .or_else(|| self.rounds.iter().max_by_key(|r| r.opens))
    }

    /// A round by id.
    pub fn round(&self, id: &str) -> Option<&Round> {
        self.rounds.iter().find(|r| r.id == id)
    }

    /// A question by id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Whether two banks say the same (texts, options, answers, boards,
    /// rounds, settings), whatever text they were written in: a workbook
    /// and the YAML it was made from.
    pub fn same_content(&self, other: &Bank) -> bool {
        self.id == other.id
            && self.title == other.title
            && self.intro == other.intro
            && self.quiz == other.quiz
            && self.rounds == other.rounds
            && self.boards == other.boards
            && self.questions == other.questions
            && self.privacy == other.privacy
    }
}

/// The `quiz:` block, with defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizSettings {
    /// Random subset size per visitor.
    pub questions_per_visitor: usize,
    /// Percent needed to enter the draw.
    pub pass_percent: u32,
    /// Seconds from start to the deadline.
    pub time_limit_secs: u32,
    /// Shuffle each question's options per visitor.
    pub shuffle_options: bool,
    /// The time limit is part of the contest and holds in 长辈版 too; else a
    /// large-text session has no countdown (a pass mark makes the limit
    /// non-essential).
    pub time_limit_required: bool,
    /// Seconds after the earlier of the session's deadline and the round's
    /// close in which a passed session may still enter the draw, whatever
    /// the session's mode.
    pub entry_grace_secs: u32,
    /// A submission sooner than this after the start is scored but cannot
    /// enter the draw (published with the set, so the rule is public).
    pub min_answer_secs: Option<u32>,
}

/// A time window in which visitors can play and enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Round id (`open` for the default round).
    pub id: String,
    /// Start, inclusive; `None` means always.
    pub opens: Option<DateTime<FixedOffset>>,
    /// End, exclusive; `None` means never.
    pub closes: Option<DateTime<FixedOffset>>,
    /// What visitors and the projector call the round (default: its id).
    pub title: Option<Text>,
    /// The prizes, when and where the draw is, how to claim: shown on the
    /// entry and code screens.
    pub notice: Option<Text>,
}

impl Round {
    /// The id of the round a bank without `rounds:` gets.
    pub const DEFAULT_ID: &'static str = "open";

    /// The default round's title: 本轮 / "this round" (its id stays
    /// `open`, which sessions, entries and draws record).
    pub fn default_title() -> Text {
        Text::from_map(
            [
                ("zh".to_owned(), "本轮".to_owned()),
                ("en".to_owned(), "this round".to_owned()),
            ]
            .into(),
        )
    }

    /// Whether `now` is inside `[opens, closes)`.
    pub fn is_open(&self, now: DateTime<FixedOffset>) -> bool {
        self.opens.is_none_or(|o| o <= now) && self.closes.is_none_or(|c| now < c)
    }

    /// The round's name in `lang`: its title, else its id.
    pub fn name<'a>(&'a self, lang: &str) -> &'a str {
        self.title
            .as_ref()
            .map_or(self.id.as_str(), |t| t.get(lang))
    }

    /// Upcoming, open or closed at `now`.
    pub fn state(&self, now: DateTime<FixedOffset>) -> RoundState {
        if self.opens.is_some_and(|o| now < o) {
            RoundState::Upcoming
        } else if self.is_open(now) {
            RoundState::Open
        } else {
            RoundState::Closed
        }
    }
}

/// An exhibition board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// Id questions link to.
    pub id: String,
    /// Heading.
    pub title: Text,
    /// Plain paragraphs separated by blank lines.
    pub body: Text,
}

/// The three kinds of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    /// Exactly one right option.
    Single,
    /// One or more right options; all must be chosen.
    Multiple,
    /// True or false (options `T` and `F`).
    Truefalse,
}

impl fmt::Display for QuestionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::Truefalse => "truefalse",
        })
    }
}

/// A checked question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Unique within the set.
    pub id: String,
    /// Single, multiple or true/false.
    pub kind: QuestionType,
    /// The question.
    pub text: Text,
    /// Options with their keys: `A`, `B`… in written order, or `T`/`F`.
    pub options: Vec<(char, Text)>,
    /// The right keys, sorted.
    pub answer: Vec<char>,
    /// Shown after submitting.
    pub explanation: Option<Text>,
    /// The board to read about it.
    pub board: Option<String>,
    /// Points for a right answer.
    pub points: u32,
}

/// One problem found in a bank, with its place in the text, or in a
/// spreadsheet its sheet and cell (SPEC §9: `line` is then the row and
/// `column` the column number).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The sheet, for a spreadsheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The cell (`C5`), for a spreadsheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// 1-based line (a spreadsheet's row).
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// What is wrong, for an organizer.
    pub message: String,
    /// A warning does not make the bank invalid.
    pub warning: bool,
    /// What kind of problem it is, with its particulars, for the console to
    /// say in the organizer's language (`message` is the English of it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
}

/// A problem's kind (`answer_not_option`…) and its particulars
/// (`{"answer": "Z", "last": "D"}`): the console's table of texts per
/// language says it, so no page matches on English wording.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Kind {
    /// The kind.
    pub code: &'static str,
    /// Its particulars.
    pub args: std::collections::BTreeMap<&'static str, String>,
}

impl Problem {
    /// An error at a place.
    pub fn error(line: u64, column: u64, message: impl Into<String>) -> Self {
        Self {
            sheet: None,
            cell: None,
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            warning: false,
            kind: None,
        }
    }

    /// The same problem, of a kind, with its particulars.
    pub fn of_kind(mut self, code: &'static str, args: &[(&'static str, &str)]) -> Self {
        self.set_kind(code, args);
        self
    }

    /// Gives this problem a kind, with its particulars.
    pub fn set_kind(&mut self, code: &'static str, args: &[(&'static str, &str)]) {
        self.kind = Some(Kind {
            code,
            args: args.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        });
    }

    /// A warning at a place.
    pub fn warning(line: u64, column: u64, message: impl Into<String>) -> Self {
        Self {
            warning: true,
            ..Self::error(line, column, message)
        }
    }

    /// `FILE:LINE:COLUMN: message`, or `FILE:SHEET!CELL: message` for a
    /// spreadsheet (with `warning: ` for warnings).
    pub fn display_in(&self, file: &str) -> String {
        let kind = if self.warning { "warning: " } else { "" };
        match (&self.sheet, &self.cell) {
            (Some(sheet), Some(cell)) => format!("{file}:{sheet}!{cell}: {kind}{}", self.message),
            _ => format!(
                "{file}:{}:{}: {kind}{}",
                self.line, self.column, self.message
            ),
        }
    }
}
