//! What staff commit a draw with (SPEC §4, §5): the round of a set, the
//! prize, how many winners, the seed's digits and the claim deadline, parsed
//! from what was sent, or why not ([`InvalidDraw`], which
//! `error::refusals` turns into `422` and its code). Pure.

use crate::bank::Bank;
use crate::clock::rfc3339;
use crate::draw::SEED_DIGITS_MAX;
use chrono::{DateTime, FixedOffset};

/// Longest prize text.
pub const PRIZE_MAX_CHARS: usize = 100;
/// Most winners in one draw.
pub const WINNERS_MAX: i64 = 10_000;

/// A draw's terms as sent, before they are checked.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    /// The round's id.
    pub round: &'a str,
    /// The prize, as typed.
    pub prize: &'a str,
    /// How many winners.
    pub winners: i64,
    /// How many digits the reveal's seed must have, if fixed.
    pub seed_digits: Option<i64>,
    /// The claim deadline, RFC 3339, if any (empty is none).
    pub claim_by: Option<&'a str>,
}

/// A draw's terms, checked against a set at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawTerms {
    /// A round of the set.
    pub round_id: String,
    /// 1 to [`PRIZE_MAX_CHARS`] characters, trimmed.
    pub prize: String,
    /// 1 to [`WINNERS_MAX`].
    pub winners: i64,
    /// 1 to [`SEED_DIGITS_MAX`], if fixed.
    pub seed_digits: Option<i64>,
    /// RFC 3339, after the moment of the commit.
    pub claim_by: Option<String>,
}

/// Why a draw cannot be committed with the terms sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDraw {
    /// No loaded set has that id.
    #[error("no loaded set has id `{0}`")]
    UnknownSet(String),
    /// No set named, and none is active.
    #[error("no question set is active")]
    NoActiveSet,
    /// The set has no such round.
    #[error("set `{set}` has no round `{round}` (rounds: {known})")]
    UnknownRound {
        /// The set's id.
        set: String,
        /// The round sent.
        round: String,
        /// The set's rounds, comma-separated.
        known: String,
    },
    /// The prize is empty or too long.
    #[error("the prize must be 1 to {PRIZE_MAX_CHARS} characters")]
    Prize,
    /// Too few or too many winners.
    #[error("winners must be from 1 to {WINNERS_MAX}")]
    Winners,
    /// The seed's digits out of bounds.
    #[error("seed_digits must be from 1 to {SEED_DIGITS_MAX}")]
    SeedDigits,
    /// The claim deadline is not after the commit.
    #[error("the claim deadline must be after now")]
    ClaimByPast,
    /// The claim deadline is not an RFC 3339 time.
    #[error("claim_by `{0}` is not an RFC 3339 time such as 2021-10-24T18:00:00+08:00")]
    ClaimByUnreadable(String),
}

impl DrawTerms {
    /// The terms `sent` for a draw of `bank`'s round, committed `now`.
    pub fn parse(
        bank: &Bank,
        sent: Sent<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<Self, InvalidDraw> {
        if bank.round(sent.round).is_none() {
            let known: Vec<&str> = bank.rounds.iter().map(|r| r.id.as_str()).collect();
            return Err(InvalidDraw::UnknownRound {
                set: bank.id.clone(),
                round: sent.round.to_owned(),
                known: known.join(", "),
            });
        }
        let prize = sent.prize.trim();
        if prize.is_empty() || prize.chars().count() > PRIZE_MAX_CHARS {
            return Err(InvalidDraw::Prize);
        }
        if !(1..=WINNERS_MAX).contains(&sent.winners) {
            return Err(InvalidDraw::Winners);
        }
        let most = SEED_DIGITS_MAX as i64;
        if sent.seed_digits.is_some_and(|n| !(1..=most).contains(&n)) {
            return Err(InvalidDraw::SeedDigits);
        }
        Ok(Self {
            round_id: sent.round.to_owned(),
            prize: prize.to_owned(),
            winners: sent.winners,
            seed_digits: sent.seed_digits,
            claim_by: claim_by(sent.claim_by, now)?,
        })
    }
}

/// A claim deadline as sent: none, or a time after `now`.
fn claim_by(sent: Option<&str>, now: DateTime<FixedOffset>) -> Result<Option<String>, InvalidDraw> {
    match sent.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(by) if by > now => Ok(Some(rfc3339(by))),
            Ok(_) => Err(InvalidDraw::ClaimByPast),
            Err(_) => Err(InvalidDraw::ClaimByUnreadable(t.to_owned())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> Bank {
        let yaml = "id: t\ntitle: T\nrounds:\n  - {id: w1, opens: 2026-11-01T09:00:00+08:00, closes: 2026-11-08T09:00:00+08:00}\nquestions:\n  - id: q1\n    type: truefalse\n    text: 题\n    answer: true\n";
        crate::bank::parse_bank(yaml).bank.expect("a valid bank")
    }

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-02T10:00:00+08:00").unwrap()
    }

    const GOOD: Sent<'static> = Sent {
        round: "w1",
        prize: "  U 盘 ",
        winners: 3,
        seed_digits: Some(6),
        claim_by: Some("2026-11-09T18:00:00+08:00"),
    };

    #[test]
    fn good_terms_parse_trimmed() {
        let terms = DrawTerms::parse(&bank(), GOOD, now()).unwrap();
        assert_eq!(terms.prize, "U 盘");
        assert_eq!(terms.round_id, "w1");
        assert_eq!(terms.claim_by.as_deref(), Some("2026-11-09T18:00:00+08:00"));
        let none = Sent {
            claim_by: Some(" "),
            seed_digits: None,
            ..GOOD
        };
        assert_eq!(
            DrawTerms::parse(&bank(), none, now()).unwrap().claim_by,
            None
        );
    }

    #[test]
    fn each_bad_term_is_refused_with_its_reason() {
        let long = "奖".repeat(PRIZE_MAX_CHARS + 1);
        let cases: [(&str, Sent<'_>, InvalidDraw); 8] = [
            (
                "round",
                Sent {
                    round: "w9",
                    ..GOOD
                },
                InvalidDraw::UnknownRound {
                    set: "t".into(),
                    round: "w9".into(),
                    known: "w1".into(),
                },
            ),
            (
                "empty prize",
                Sent { prize: " ", ..GOOD },
                InvalidDraw::Prize,
            ),
            (
                "long prize",
                Sent {
                    prize: &long,
                    ..GOOD
                },
                InvalidDraw::Prize,
            ),
            (
                "no winner",
                Sent { winners: 0, ..GOOD },
                InvalidDraw::Winners,
            ),
            (
                "too many winners",
                Sent {
                    winners: WINNERS_MAX + 1,
                    ..GOOD
                },
                InvalidDraw::Winners,
            ),
            (
                "seed digits",
                Sent {
                    seed_digits: Some(65),
                    ..GOOD
                },
                InvalidDraw::SeedDigits,
            ),
            (
                "claim by in the past",
                Sent {
                    claim_by: Some("2026-11-02T09:59:59+08:00"),
                    ..GOOD
                },
                InvalidDraw::ClaimByPast,
            ),
            (
                "claim by unreadable",
                Sent {
                    claim_by: Some("next friday"),
                    ..GOOD
                },
                InvalidDraw::ClaimByUnreadable("next friday".into()),
            ),
        ];
        for (why, sent, want) in cases {
            assert_eq!(DrawTerms::parse(&bank(), sent, now()), Err(want), "{why}");
        }
    }
}
