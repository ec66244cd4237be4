//! The bank as written: a serde model of the YAML that keeps every value's
//! place (`Spanned`) so validation can point at it. Unknown keys are errors.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

/// A value with its place in the YAML.
pub type S<T> = Spanned<T>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBank {
    /// Set id.
    pub id: S<String>,
    /// Title.
    pub title: S<RawText>,
    /// Optional intro.
    pub intro: Option<S<RawText>>,
    /// Optional quiz settings.
    pub quiz: Option<S<RawQuiz>>,
    /// Optional rounds.
    pub rounds: Option<S<Vec<S<RawRound>>>>,
    /// Optional boards.
    pub boards: Option<Vec<S<RawBoard>>>,
    /// The questions.
    pub questions: S<Vec<S<RawQuestion>>>,
    /// Who collects the entrants' contacts, and for how long (SPEC §8).
    pub privacy: Option<S<RawPrivacy>>,
}

/// `privacy:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrivacy {
    /// Who collects the data.
    pub organizer: Option<S<RawText>>,
    /// How to reach them.
    pub contact: Option<S<RawText>>,
    /// What the data is for.
    pub purpose: Option<S<RawText>>,
    /// Days kept after the round (or the last claim deadline).
    pub keep_days: Option<S<i64>>,
}

/// `quiz:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuiz {
    /// Subset size.
    pub questions_per_visitor: Option<S<i64>>,
    /// Pass mark.
    pub pass_percent: Option<S<i64>>,
    /// Time limit.
    pub time_limit_secs: Option<S<i64>>,
    /// Shuffle options.
    pub shuffle_options: Option<bool>,
    /// The time limit holds in 长辈版 too (it is part of the contest).
    pub time_limit_required: Option<bool>,
    /// How long after the round (or the session) ends an entry is still taken.
    pub entry_grace_secs: Option<S<i64>>,
    /// Fewest seconds from start to submission for the result to enter the draw.
    pub min_answer_secs: Option<S<i64>>,
}

/// One of `rounds:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRound {
    /// Round id.
    pub id: S<String>,
    /// RFC 3339.
    pub opens: S<String>,
    /// RFC 3339.
    pub closes: S<String>,
    /// What visitors call the round.
    pub title: Option<S<RawText>>,
    /// Prizes, draw time and place, how to claim.
    pub notice: Option<S<RawText>>,
}

/// One of `boards:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBoard {
    /// Board id.
    pub id: S<String>,
    /// Heading.
    pub title: S<RawText>,
    /// Body.
    pub body: S<RawText>,
}

/// One of `questions:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    /// Question id.
    pub id: S<String>,
    /// `single`, `multiple` or `truefalse`.
    #[serde(rename = "type")]
    pub kind: S<String>,
    /// The question.
    pub text: S<RawText>,
    /// Options (not for truefalse).
    pub options: Option<S<Vec<S<RawText>>>>,
    /// The answer.
    pub answer: S<RawAnswer>,
    /// Explanation.
    pub explanation: Option<S<RawText>>,
    /// Board link.
    pub board: Option<S<String>>,
    /// Points.
    pub points: Option<S<i64>>,
}

/// A text: a plain scalar (default language) or a map of language → string.
#[derive(Debug, Clone)]
pub enum RawText {
    /// One language.
    Plain(String),
    /// Language code → text.
    Map(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for RawText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text, or a map of language to text such as {zh: …, en: …}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawText, E> {
                Ok(RawText::Plain(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawText, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, RawText>()? {
                    let v = match v {
                        RawText::Plain(s) => s,
                        RawText::Map(_) => {
                            return Err(de::Error::custom(format!(
                                "the `{k}` text must be a plain string, not a map"
                            )))
                        }
                    };
                    out.insert(k, v);
                }
                Ok(RawText::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// An answer as written: `B`, `[A, C]` or `true`.
#[derive(Debug, Clone)]
pub enum RawAnswer {
    /// One letter (or any scalar, checked later).
    One(String),
    /// A list of letters.
    Many(Vec<String>),
    /// For truefalse.
    Bool(bool),
}

impl<'de> Deserialize<'de> for RawAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAnswer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an answer: a letter (B), a list of letters ([A, C]) or true/false")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAnswer, E> {
                Ok(RawAnswer::One(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawAnswer, E> {
                Ok(RawAnswer::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawAnswer, E> {
                Ok(RawAnswer::One(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawAnswer, E> {
                Ok(RawAnswer::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawAnswer, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<RawText>()? {
                    match item {
                        RawText::Plain(s) => out.push(s),
                        RawText::Map(_) => {
                            return Err(de::Error::custom(
                                "an answer letter must be a plain letter",
                            ))
                        }
                    }
                }
                Ok(RawAnswer::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}
