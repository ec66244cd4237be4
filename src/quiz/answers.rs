//! A submission's answers, parsed against the questions served (SPEC §3):
//! only questions served, only keys that are options, one key for a
//! single-choice or true/false question; else the reason, and the session
//! stays open for a corrected try.

use super::Served;
use crate::bank::{Bank, QuestionType};
use std::collections::{BTreeSet, HashMap};

/// Why a submission is refused (the session stays open for a corrected try).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// An answer for a question this session was not served.
    #[error("question `{0}` was not served in this session")]
    NotServed(String),
    /// A key that is not one of the question's options.
    #[error("`{key}` is not an option of question `{question}`")]
    NotAnOption {
        /// Question id.
        question: String,
        /// The offending key.
        key: String,
    },
    /// More than one key for a single-choice or true/false question.
    #[error("question `{0}` takes one answer")]
    TooMany(String),
}

/// The answers to the questions a session was served: for each, in served
/// order, the keys given (distinct, sorted; none for a question left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers<'s> {
    served: &'s [Served],
    given: Vec<Vec<char>>,
}

/// The bank's question a served one stands for.
pub(super) fn question<'a>(bank: &'a Bank, s: &Served) -> Option<&'a crate::bank::Question> {
    bank.questions.get(s.index).filter(|q| q.id == s.id)
}

impl<'s> Answers<'s> {
    /// `sent` (question id → keys, as the body carries them) as answers to
    /// the questions `served` from `bank`.
    pub fn parse(
        bank: &Bank,
        served: &'s [Served],
        sent: &HashMap<String, Vec<String>>,
    ) -> Result<Self, AnswerError> {
        let mut given = vec![Vec::new(); served.len()];
        for (qid, keys) in sent {
            let at = served
                .iter()
                .position(|s| &s.id == qid)
                .ok_or_else(|| AnswerError::NotServed(qid.clone()))?;
            let s = &served[at];
            let mut distinct = BTreeSet::new();
            for key in keys {
                let mut chars = key.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if s.options.contains(&c) => distinct.insert(c),
                    _ => {
                        return Err(AnswerError::NotAnOption {
                            question: qid.clone(),
                            key: key.clone(),
                        })
                    }
                };
            }
            let single = question(bank, s).is_some_and(|q| q.kind != QuestionType::Multiple);
            if single && distinct.len() > 1 {
                return Err(AnswerError::TooMany(qid.clone()));
            }
            given[at] = distinct.into_iter().collect();
        }
        Ok(Self { served, given })
    }

    /// The questions these answer, in served order.
    pub fn served(&self) -> &'s [Served] {
        self.served
    }

    /// The keys given to each served question, in served order.
    pub fn given(&self) -> &[Vec<char>] {
        &self.given
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_bank;
    use proptest::prelude::*;

    fn bank() -> Bank {
        parse_bank(
            r#"
id: t
title: T
quiz: {pass_percent: 75}
questions:
  - {id: s, type: single, text: S, options: [a, b, c], answer: C}
  - {id: m, type: multiple, text: M, options: [a, b, c, d], answer: [A, D]}
  - {id: tf, type: truefalse, text: TF, answer: true}
  - {id: unserved, type: single, text: U, options: [a, b], answer: A}
"#,
        )
        .bank
        .expect("valid")
    }

    fn served() -> Vec<Served> {
        vec![
            Served {
                index: 1,
                id: "m".into(),
                options: vec!['D', 'C', 'B', 'A'],
            },
            Served {
                index: 0,
                id: "s".into(),
                options: vec!['A', 'B', 'C'],
            },
            Served {
                index: 2,
                id: "tf".into(),
                options: vec!['T', 'F'],
            },
        ]
    }

    /// (question id, keys sent).
    type Sent<'a> = &'a [(&'a str, &'a [&'a str])];

    fn sent(pairs: Sent<'_>) -> HashMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(q, ks)| (q.to_string(), ks.iter().map(|k| k.to_string()).collect()))
            .collect()
    }

    #[test]
    fn each_wrong_answer_is_refused_with_its_reason() {
        let (bank, served) = (bank(), served());
        let not_an_option = |q: &str, k: &str| AnswerError::NotAnOption {
            question: q.into(),
            key: k.into(),
        };
        let cases: &[(&str, Sent<'_>, AnswerError)] = &[
            (
                "a question not in the bank",
                &[("nope", &["A"])],
                AnswerError::NotServed("nope".into()),
            ),
            (
                "a question of the bank not served",
                &[("unserved", &["A"])],
                AnswerError::NotServed("unserved".into()),
            ),
            (
                "a letter past the options",
                &[("s", &["D"])],
                not_an_option("s", "D"),
            ),
            (
                "a letter on true/false",
                &[("tf", &["A"])],
                not_an_option("tf", "A"),
            ),
            ("a lowercase key", &[("s", &["c"])], not_an_option("s", "c")),
            (
                "two letters in one key",
                &[("s", &["AB"])],
                not_an_option("s", "AB"),
            ),
            ("an empty key", &[("m", &[""])], not_an_option("m", "")),
            (
                "a full-width letter",
                &[("s", &["Ａ"])],
                not_an_option("s", "Ａ"),
            ),
            (
                "a second key on single choice",
                &[("s", &["A", "B"])],
                AnswerError::TooMany("s".into()),
            ),
            (
                "both keys on true/false",
                &[("tf", &["T", "F"])],
                AnswerError::TooMany("tf".into()),
            ),
        ];
        for (why, pairs, reason) in cases {
            assert_eq!(
                Answers::parse(&bank, &served, &sent(pairs)).as_ref().err(),
                Some(reason),
                "{why}"
            );
        }
    }

    #[test]
    fn answers_are_kept_in_served_order_distinct_and_sorted() {
        let (bank, served) = (bank(), served());
        let a = Answers::parse(
            &bank,
            &served,
            &sent(&[("s", &["C", "C"]), ("m", &["D", "A"])]),
        )
        .unwrap();
        assert_eq!(a.given(), &[vec!['A', 'D'], vec!['C'], vec![]]);
        assert_eq!(a.served().len(), 3);
        let none = Answers::parse(&bank, &served, &HashMap::new()).unwrap();
        assert_eq!(
            none.given(),
            &[Vec::<char>::new(), vec![], vec![]],
            "every question left out"
        );
    }

    fn fixture() -> Bank {
        parse_bank(include_str!("../../tests/fixtures/valid.yaml"))
            .bank
            .expect("valid fixture")
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_cases(500))]

        /// Well-formed bodies with arbitrary ids and keys: a score when
        /// every answer is a served question's option, else a 422 reason
        /// naming what is wrong; never a panic.
        #[test]
        fn fuzz_arbitrary_answers_are_scored_or_refused(
            answers in proptest::collection::hash_map("[a-z0-9-]{0,12}|hotline|channels|answer-96110",
                proptest::collection::vec("[A-Z]|T|F|.{0,3}", 0..5), 0..6)
        ) {
            let bank = fixture();
            let served = crate::quiz::serve(&bank, &mut rand::rng());
            let options = |q: &str| served.iter().find(|s| s.id == q).map(|s| s.options.clone());
            let is_option = |q: &str, key: &str| {
                let mut chars = key.chars();
                match (options(q), chars.next(), chars.next()) {
                    (Some(o), Some(c), None) => o.contains(&c),
                    _ => false,
                }
            };
            match crate::quiz::score(&bank, &served, &answers) {
                Ok(o) => {
                    prop_assert!(o.score <= o.max_score && o.percent <= 100);
                    for (q, keys) in &answers {
                        prop_assert!(keys.iter().all(|k| is_option(q, k)), "{q}: {keys:?} scored");
                    }
                }
                Err(AnswerError::NotServed(q)) => {
                    prop_assert!(answers.contains_key(&q) && options(&q).is_none(), "{q}");
                }
                Err(AnswerError::NotAnOption { question, key }) => {
                    prop_assert!(answers[&question].contains(&key) && !is_option(&question, &key));
                }
                Err(AnswerError::TooMany(q)) => {
                    let distinct: std::collections::BTreeSet<_> = answers[&q].iter().collect();
                    prop_assert!(distinct.len() > 1, "{q}: {:?}", answers[&q]);
                }
            }
        }
    }
}
