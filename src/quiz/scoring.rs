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

/// How one served question went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResult {
    /// Where the question is in [`Bank::questions`].
    pub index: usize,
    /// Question id.
    pub id: String,
    /// Whether the chosen keys were exactly right.
    pub correct: bool,
    /// The visitor's keys, sorted.
    pub given: Vec<char>,
}

/// A scored submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max_score: u32,
    /// `floor(100 * score / max_score)`.
    pub percent: u32,
    /// `percent >= pass_percent`.
    pub passed: bool,
    /// Every served question, in served order.
    pub results: Vec<QuestionResult>,
}

/// The bank's question a served one stands for.
fn question<'a>(bank: &'a Bank, s: &Served) -> Option<&'a crate::bank::Question> {
    bank.questions.get(s.index).filter(|q| q.id == s.id)
}

/// Scores answers against the questions served. A question left out counts
/// as wrong; a multiple-choice answer is right only when its set of keys is
/// exactly right.
pub fn score(
    bank: &Bank,
    served: &[Served],
    answers: &HashMap<String, Vec<String>>,
) -> Result<Outcome, AnswerError> {
    for (qid, keys) in answers {
        let s = served
            .iter()
            .find(|s| &s.id == qid)
            .ok_or_else(|| AnswerError::NotServed(qid.clone()))?;
        for key in keys {
            let ok = key.chars().count() == 1 && s.options.iter().any(|o| key.starts_with(*o));
            if !ok {
                return Err(AnswerError::NotAnOption {
                    question: qid.clone(),
                    key: key.clone(),
                });
            }
        }
        let distinct: BTreeSet<&String> = keys.iter().collect();
        let single = question(bank, s).is_some_and(|q| q.kind != QuestionType::Multiple);
        if single && distinct.len() > 1 {
            return Err(AnswerError::TooMany(qid.clone()));
        }
    }

    let mut score = 0;
    let mut max_score = 0;
    let mut results = Vec::with_capacity(served.len());
    for s in served {
        let Some(q) = question(bank, s) else {
            continue;
        };
        max_score += q.points;
        let given: BTreeSet<char> = answers
            .get(&s.id)
            .map(|keys| keys.iter().filter_map(|k| k.chars().next()).collect())
            .unwrap_or_default();
        let given: Vec<char> = given.into_iter().collect();
        let correct = given == q.answer;
        if correct {
            score += q.points;
        }
        results.push(QuestionResult {
            index: s.index,
            id: s.id.clone(),
            correct,
            given,
        });
    }
    let percent = if max_score == 0 {
        0
    } else {
        (100 * u64::from(score) / u64::from(max_score)) as u32
    };
    Ok(Outcome {
        score,
        max_score,
        percent,
        passed: percent >= bank.quiz.pass_percent,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_bank;
    use crate::quiz::serve;
    use rand::SeedableRng;

    fn bank() -> Bank {
        parse_bank(
            r#"
id: t
title: T
quiz: {pass_percent: 75, shuffle_options: true}
questions:
  - {id: s, type: single, text: S, options: [a, b, c, d], answer: C}
  - {id: m, type: multiple, text: M, options: [a, b, c, d], answer: [A, D], points: 2}
  - {id: tf, type: truefalse, text: TF, answer: true}
"#,
        )
        .bank
        .expect("valid")
    }

    /// (question id, keys given).
    type Given<'a> = &'a [(&'a str, &'a [&'a str])];

    fn answers(pairs: Given<'_>) -> HashMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(q, ks)| (q.to_string(), ks.iter().map(|k| k.to_string()).collect()))
            .collect()
    }

    #[test]
    fn scoring_follows_the_spec() {
        let bank = bank();
        let served = serve(&bank, &mut rand::rngs::StdRng::seed_from_u64(1));
        let cases: &[(&str, Given<'_>, u32, u32, bool)] = &[
            (
                "all right",
                &[("s", &["C"]), ("m", &["D", "A"]), ("tf", &["T"])],
                4,
                100,
                true,
            ),
            (
                "multiple needs the exact set",
                &[("s", &["C"]), ("m", &["A"]), ("tf", &["T"])],
                2,
                50,
                false,
            ),
            (
                "multiple with an extra key is wrong",
                &[("s", &["C"]), ("m", &["A", "B", "D"]), ("tf", &["T"])],
                2,
                50,
                false,
            ),
            (
                "left out counts as wrong",
                &[("m", &["A", "D"]), ("tf", &["T"])],
                3,
                75,
                true,
            ),
            ("nothing", &[], 0, 0, false),
            (
                "repeated key is the same answer",
                &[("s", &["C", "C"])],
                1,
                25,
                false,
            ),
        ];
        for (why, given, score_, percent, passed) in cases {
            let o = score(&bank, &served, &answers(given)).unwrap();
            assert_eq!(
                (o.score, o.max_score, o.percent, o.passed),
                (*score_, 4, *percent, *passed),
                "{why}"
            );
            assert_eq!(o.results.len(), 3, "{why}: every served question listed");
            let order: Vec<&str> = o.results.iter().map(|r| r.id.as_str()).collect();
            let served_order: Vec<&str> = served.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(order, served_order, "{why}: in served order");
        }
    }

    #[test]
    fn percent_is_floored() {
        let mut bank = bank();
        bank.questions[1].points = 1; // 3 points in all
        let served = serve(&bank, &mut rand::rngs::StdRng::seed_from_u64(2));
        let o = score(&bank, &served, &answers(&[("s", &["C"]), ("tf", &["T"])])).unwrap();
        assert_eq!((o.score, o.max_score, o.percent), (2, 3, 66));
    }

    #[test]
    fn bad_answers_are_refused() {
        let bank = bank();
        let served = serve(&bank, &mut rand::rngs::StdRng::seed_from_u64(3));
        let cases: &[(&str, Given<'_>)] = &[
            ("unknown question", &[("nope", &["A"])]),
            ("key that is no option", &[("s", &["E"])]),
            ("tf key letter", &[("tf", &["A"])]),
            ("long key", &[("s", &["AB"])]),
            ("two keys on single", &[("s", &["A", "B"])]),
        ];
        for (why, given) in cases {
            assert!(score(&bank, &served, &answers(given)).is_err(), "{why}");
        }
    }

    #[test]
    fn serving_picks_a_subset_and_shuffles_options_but_not_true_false() {
        let mut bank = bank();
        bank.quiz.questions_per_visitor = 2;
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let mut orders = std::collections::HashSet::new();
        for _ in 0..50 {
            let served = serve(&bank, &mut rng);
            assert_eq!(served.len(), 2);
            assert_ne!(served[0].id, served[1].id);
            for s in &served {
                if s.id == "tf" {
                    assert_eq!(s.options, vec!['T', 'F']);
                } else {
                    orders.insert(s.options.clone());
                    let mut sorted = s.options.clone();
                    sorted.sort();
                    assert_eq!(sorted, vec!['A', 'B', 'C', 'D']);
                }
            }
        }
        assert!(orders.len() > 5, "options are shuffled");
    }
}
