use crate::bank::Bank;
use rand::seq::SliceRandom;
use rand::Rng;

/// One question as served to one visitor: its id and its option keys in the order shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Where the question is in [`Bank::questions`].
    pub index: usize,
    /// Question id.
    pub id: String,
    /// Option keys in display order.
    pub options: Vec<char>,
}

/// Picks `questions_per_visitor` questions at random, in random order, and
/// shuffles each one's options when the bank asks for it (true/false stays T, F).
pub fn serve(bank: &Bank, rng: &mut impl Rng) -> Vec<Served> {
    let mut picked: Vec<usize> = (0..bank.questions.len()).collect();
    picked.shuffle(rng);
    picked.truncate(bank.quiz.questions_per_visitor);
    picked
        .into_iter()
        .map(|i| {
            let q = &bank.questions[i];
            let mut options: Vec<char> = q.options.iter().map(|(k, _)| *k).collect();
            if bank.quiz.shuffle_options && q.kind != crate::bank::QuestionType::Truefalse {
                options.shuffle(rng);
            }
            Served {
                index: i,
                id: q.id.clone(),
                options,
            }
        })
        .collect()
}
