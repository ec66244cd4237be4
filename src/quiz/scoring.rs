//! Scoring a submission's [`Answers`] (SPEC §3): a question left out counts
//! as wrong, a multiple-choice answer is right only when its set of keys is
//! exactly right, `percent` is floored.

use super::answers::question;
use super::{AnswerError, Answers, Served};
use crate::bank::Bank;
use std::collections::HashMap;

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

impl Answers<'_> {
    /// The outcome of these answers on `bank`, the bank they were parsed against.
    pub fn score(&self, bank: &Bank) -> Outcome {
        let mut score = 0;
        let mut max_score = 0;
        let mut results = Vec::with_capacity(self.served().len());
        for (s, given) in self.served().iter().zip(self.given()) {
            let Some(q) = question(bank, s) else {
                continue;
            };
            max_score += q.points;
            let correct = *given == q.answer;
            if correct {
                score += q.points;
            }
            results.push(QuestionResult {
                index: s.index,
                id: s.id.clone(),
                correct,
                given: given.clone(),
            });
        }
        let percent = if max_score == 0 {
            0
        } else {
            (100 * u64::from(score) / u64::from(max_score)) as u32
        };
        Outcome {
            score,
            max_score,
            percent,
            passed: percent >= bank.quiz.pass_percent,
            results,
        }
    }
}

/// Parses `answers` against the questions served ([`Answers::parse`]) and
/// scores them: for answers kept as sent (a stored submission scored again).
pub fn score(
    bank: &Bank,
    served: &[Served],
    answers: &HashMap<String, Vec<String>>,
) -> Result<Outcome, AnswerError> {
    Ok(Answers::parse(bank, served, answers)?.score(bank))
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
