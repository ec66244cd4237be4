//! Every refusal of the domain, the store and the set registry, turned into
//! the API error the SPEC gives it, side by side: a handler says `?` and the
//! status, code, message and extra fields are decided here.

use super::{ApiError, ErrorCode};
use crate::draw::DigitSeedError;
use crate::draw_terms::InvalidDraw;
use crate::quiz::{AnswerError, InvalidEntry, TooLate};
use crate::sets::RegistryError;
use crate::store::{AlreadySubmitted, ClaimRefused, CommitRefused, EntryRefused, RevealRefused};
use actix_web::http::StatusCode;
use serde_json::{json, Value};

/// `422 invalid_fields` with the reason for each marked field.
impl From<InvalidEntry> for ApiError {
    fn from(why: InvalidEntry) -> Self {
        let fields = why
            .fields
            .into_iter()
            .map(|(field, reason)| (field.to_owned(), json!(reason)))
            .collect();
        ApiError::unprocessable(ErrorCode::InvalidFields, "please correct the marked fields")
            .with("fields", Value::Object(fields))
    }
}

/// `422 invalid_answer`: the answers are not answers to the session's
/// questions (the session stays open for a corrected try).
impl From<AnswerError> for ApiError {
    fn from(why: AnswerError) -> Self {
        ApiError::unprocessable(ErrorCode::InvalidAnswer, why.to_string())
    }
}

/// `410 expired`: the quiz's time and its grace have run out.
impl From<TooLate> for ApiError {
    fn from(_: TooLate) -> Self {
        ApiError::new(
            StatusCode::GONE,
            ErrorCode::Expired,
            "the time for this quiz has run out",
        )
    }
}

/// `409 already_submitted`.
impl From<AlreadySubmitted> for ApiError {
    fn from(_: AlreadySubmitted) -> Self {
        ApiError::conflict(
            ErrorCode::AlreadySubmitted,
            "this quiz was already submitted",
        )
    }
}

/// What a visitor is told when the store refuses an entry.
impl From<EntryRefused> for ApiError {
    fn from(why: EntryRefused) -> Self {
        match why {
            EntryRefused::SessionUsed => ApiError::conflict(
                ErrorCode::AlreadyEntered,
                "this quiz has already been entered in the draw",
            ),
            EntryRefused::PhoneUsed => ApiError::conflict(
                ErrorCode::PhoneUsed,
                "this phone number has already entered this round",
            ),
            EntryRefused::NoFreeCode => {
                ApiError::unavailable("no free entry code; please try again")
            }
        }
    }
}

/// `422` with the code of the term of a draw that is wrong.
impl From<InvalidDraw> for ApiError {
    fn from(why: InvalidDraw) -> Self {
        let code = match why {
            InvalidDraw::UnknownSet(_) | InvalidDraw::NoActiveSet => ErrorCode::UnknownSet,
            InvalidDraw::UnknownRound { .. } => ErrorCode::UnknownRound,
            InvalidDraw::Prize => ErrorCode::InvalidPrize,
            InvalidDraw::Winners => ErrorCode::InvalidWinners,
            InvalidDraw::SeedDigits => ErrorCode::InvalidSeedDigits,
            InvalidDraw::ClaimByPast | InvalidDraw::ClaimByUnreadable(_) => {
                ErrorCode::InvalidClaimBy
            }
        };
        ApiError::unprocessable(code, why.to_string())
    }
}

/// What staff are told when the store refuses to commit a draw.
impl From<CommitRefused> for ApiError {
    fn from(why: CommitRefused) -> Self {
        match why {
            CommitRefused::Pending(id) => ApiError::conflict(
                ErrorCode::PendingDraw,
                format!("draw {id} of this round is committed but not revealed; reveal it first"),
            )
            .with("draw", json!(id)),
            CommitRefused::EmptyPool => ApiError::unprocessable(
                ErrorCode::EmptyPool,
                "no entries in this round are left to draw from",
            ),
            CommitRefused::ReplacesUnknown => ApiError::unprocessable(
                ErrorCode::UnknownDraw,
                "the draw to re-draw does not exist",
            ),
            CommitRefused::ReplacesOtherRound => ApiError::unprocessable(
                ErrorCode::OtherRound,
                "a re-draw is of the same set and round as the draw it replaces",
            ),
            CommitRefused::ClaimOpen => ApiError::conflict(
                ErrorCode::ClaimOpen,
                "a re-draw is only for a revealed draw whose claim deadline has passed, once",
            ),
            CommitRefused::TooManyWinners(left) => ApiError::unprocessable(
                ErrorCode::TooManyWinners,
                format!("that draw has {left} unclaimed place(s) to re-draw"),
            )
            .with("unclaimed", json!(left)),
        }
    }
}

/// `422 invalid_seed`, with the digits the draw takes when that is what is wrong.
impl From<DigitSeedError> for ApiError {
    fn from(e: DigitSeedError) -> Self {
        let error = ApiError::unprocessable(ErrorCode::InvalidSeed, e.to_string());
        match e {
            DigitSeedError::WrongCount { expected, .. } => {
                error.with("seed_digits", json!(expected))
            }
            _ => error,
        }
    }
}

/// What staff are told when the store refuses to reveal a draw.
impl From<RevealRefused> for ApiError {
    fn from(why: RevealRefused) -> Self {
        match why {
            RevealRefused::NotFound => ApiError::not_found("draw"),
            RevealRefused::AlreadyRevealed => ApiError::conflict(
                ErrorCode::AlreadyRevealed,
                "this draw was already revealed; a draw is never changed",
            ),
            RevealRefused::ClaimClosed => ApiError::conflict(
                ErrorCode::ClaimClosed,
                "this draw's claim deadline has passed: revealed now, its winners could not claim; \
                 commit a new draw with a later deadline",
            ),
            RevealRefused::InvalidSeed(e) => e.into(),
            RevealRefused::PoolCorrupt => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::PoolCorrupt,
                "the stored list of entries no longer matches the published digest; the draw was not revealed and nothing changed",
            ),
        }
    }
}

/// `404 not_a_winner`: the receipt or code won no revealed draw, or the
/// phone does not match it (also for what does not parse as one: the desk
/// learns nothing more from a typo).
pub fn not_a_winner() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotAWinner,
        "this receipt or code won no revealed draw, or the phone does not match it",
    )
}

/// What the claim desk is told when the store refuses a claim.
impl From<ClaimRefused> for ApiError {
    fn from(why: ClaimRefused) -> Self {
        match why {
            ClaimRefused::NotAWinner => not_a_winner(),
            ClaimRefused::PhoneErased => ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotAWinner,
                "this winner's name and phone were erased with the round's purge, so the phone cannot be checked; claim with the receipt",
            )
            .with("erased", json!("purged")),
            ClaimRefused::AlreadyClaimed(at) => ApiError::conflict(
                ErrorCode::AlreadyClaimed,
                format!("this prize was handed out already, at {at}"),
            )
            .with("claimed_at", json!(at)),
            ClaimRefused::Closed => ApiError::new(
                StatusCode::GONE,
                ErrorCode::ClaimClosed,
                "the claim deadline of this draw has passed",
            ),
            ClaimRefused::Withdrawn => ApiError::new(
                StatusCode::GONE,
                ErrorCode::Withdrawn,
                "the winner withdrew this entry and their details were erased; the prize is not handed out",
            ),
        }
    }
}

/// What staff are told when the set registry refuses a change.
impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        let message = e.to_string();
        match e {
            RegistryError::Invalid(problems) => {
                ApiError::unprocessable(ErrorCode::Invalid, message)
                    .with("problems", json!(problems))
            }
            RegistryError::NoSuchSet(_) => ApiError::not_found("set"),
            RegistryError::Live(_) => ApiError::conflict(ErrorCode::SetLive, message),
            RegistryError::Folder(message) => ApiError::unavailable(message),
            RegistryError::Busy => ApiError {
                code: ErrorCode::UploadBusy,
                ..ApiError::unavailable(message)
            },
            RegistryError::Store(e) => e.into(),
        }
    }
}
