//! The render cache: the texts of every set version seen, serialized once
//! per language as `RawValue`s ([`Prerendered`]), so a session's views in
//! [`super::views`] copy no text per request.

use super::views::{boards, head, OptionView};
use crate::bank::Bank;
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// The texts of a set version in one language, as JSON made once (they are
/// most of a session's bytes, and escaping them was a third of its cost);
/// the views in [`super::views`] hold them as they are.
#[derive(Debug)]
pub struct SetParts {
    pub(super) lang: &'static str,
    pub(super) set: Box<RawValue>,
    pub(super) boards: Box<RawValue>,
    /// Aligned with [`Bank::questions`].
    pub(super) questions: Vec<QuestionTexts>,
}

/// One question's texts as JSON.
#[derive(Debug)]
pub(super) struct QuestionTexts {
    pub(super) id: Box<RawValue>,
    pub(super) kind: Box<RawValue>,
    pub(super) text: Box<RawValue>,
    /// Each option's whole [`OptionView`], by key.
    pub(super) options: Vec<(char, Box<RawValue>)>,
    /// A JSON string, or `null`.
    pub(super) explanation: Box<RawValue>,
}

/// `value` as JSON made now (a text serializes; `null` otherwise).
fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_default()
}

impl SetParts {
    /// Serializes a set version's texts in `lang`.
    pub fn build(bank: &Bank, lang: &'static str) -> Self {
        let questions = bank
            .questions
            .iter()
            .map(|q| QuestionTexts {
                id: raw(&q.id),
                kind: raw(&q.kind),
                text: raw(q.text.get(lang)),
                options: q
                    .options
                    .iter()
                    .map(|(k, t)| {
                        let view = OptionView {
                            key: *k,
                            text: t.get(lang),
                        };
                        (*k, raw(&view))
                    })
                    .collect(),
                explanation: raw(&q.explanation.as_ref().map(|t| t.get(lang))),
            })
            .collect();
        Self {
            lang,
            set: raw(&head(bank, lang, true)),
            boards: raw(&boards(bank, lang)),
            questions,
        }
    }
}

/// [`SetParts`] of every set version seen, in both languages, made on first use.
#[derive(Debug, Default)]
pub struct Prerendered(RwLock<HashMap<String, Arc<[SetParts; 2]>>>);

impl Prerendered {
    /// The parts of `bank` in `lang` (`zh` unless `en`).
    pub fn get(&self, bank: &Bank, lang: &str) -> PartsOf {
        let index = usize::from(lang == "en");
        let found = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&bank.version)
            .cloned();
        let both = found.unwrap_or_else(|| {
            let built = Arc::new([SetParts::build(bank, "zh"), SetParts::build(bank, "en")]);
            self.0
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(bank.version.clone())
                .or_insert(built)
                .clone()
        });
        PartsOf { both, index }
    }
}

/// One language's [`SetParts`], shared.
#[derive(Debug, Clone)]
pub struct PartsOf {
    both: Arc<[SetParts; 2]>,
    index: usize,
}

impl std::ops::Deref for PartsOf {
    type Target = SetParts;
    fn deref(&self) -> &SetParts {
        &self.both[self.index]
    }
}
