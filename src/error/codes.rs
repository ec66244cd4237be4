//! Every error code the API sends, as one enum: `{"error": CODE}` is one of
//! these strings and nothing else. The strings are the wire format (the
//! SPEC names many, clients and tests compare them): a variant may be added,
//! never renamed.

/// Declares [`ErrorCode`] with each variant's wire string, once.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $wire:literal,)*) => {
        /// An error code, serialised as its wire string ([`ErrorCode::as_str`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant,)*];

            /// The string sent as `"error"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)*
                }
            }
        }
    };
}

error_codes! {
    // Any request.
    /// 400: the request could not be read.
    BadRequest = "bad_request",
    /// 401: no valid staff token.
    Unauthorized = "unauthorized",
    /// 404: no such resource.
    NotFound = "not_found",
    /// 405.
    MethodNotAllowed = "method_not_allowed",
    /// 408: the body did not arrive in time.
    Timeout = "timeout",
    /// 413.
    TooLarge = "too_large",
    /// 415: not JSON.
    UnsupportedMediaType = "unsupported_media_type",
    /// 429, with `Retry-After`.
    RateLimited = "rate_limited",
    /// 500: a response actix wrote itself (never one of ours).
    Internal = "internal",
    /// 503: storage trouble; the client may retry.
    Unavailable = "unavailable",

    // The visitor's quiz (SPEC §3).
    /// 503: no question set is loaded.
    NoSet = "no_set",
    /// 409: no round is open now.
    Closed = "closed",
    /// 410: the quiz's time ran out.
    Expired = "expired",
    /// 422: an answer names a question not served or a key not an option.
    InvalidAnswer = "invalid_answer",
    /// 409: the session was submitted already.
    AlreadySubmitted = "already_submitted",

    // Entries (SPEC §3, §8).
    /// 403: the session did not pass.
    NotPassed = "not_passed",
    /// 403: submitted faster than the bank's minimum.
    TooFast = "too_fast",
    /// 409: the round's entries have closed.
    RoundClosed = "round_closed",
    /// 422: name, phone or consent, with `fields`.
    InvalidFields = "invalid_fields",
    /// 409: the session entered already.
    AlreadyEntered = "already_entered",
    /// 409: the phone entered this round already.
    PhoneUsed = "phone_used",
    /// 404: the session made no entry to withdraw.
    NoEntry = "no_entry",

    // Draws (SPEC §4, §5).
    /// 422: no loaded set has that id.
    UnknownSet = "unknown_set",
    /// 422: the set has no such round.
    UnknownRound = "unknown_round",
    /// 422: the prize text is empty or too long.
    InvalidPrize = "invalid_prize",
    /// 422: winners out of range.
    InvalidWinners = "invalid_winners",
    /// 422: seed_digits out of range.
    InvalidSeedDigits = "invalid_seed_digits",
    /// 422: claim_by unreadable or not after now.
    InvalidClaimBy = "invalid_claim_by",
    /// 409: a draw of the round is committed and not revealed.
    PendingDraw = "pending_draw",
    /// 422: nothing left in the pool.
    EmptyPool = "empty_pool",
    /// 422: the draw to re-draw does not exist.
    UnknownDraw = "unknown_draw",
    /// 422: the draw to re-draw is of another set or round.
    OtherRound = "other_round",
    /// 409: the claim time is still open (a re-draw, a purge).
    ClaimOpen = "claim_open",
    /// 422: more winners than unclaimed places.
    TooManyWinners = "too_many_winners",
    /// 422: the public seed is not digits the draw takes.
    InvalidSeed = "invalid_seed",
    /// 409: the draw was revealed already.
    AlreadyRevealed = "already_revealed",
    /// 409/410: the claim deadline has passed.
    ClaimClosed = "claim_closed",
    /// 500: the stored pool no longer matches its digest.
    PoolCorrupt = "pool_corrupt",

    // Claims (SPEC §7).
    /// 422: neither a receipt nor a code and a phone.
    InvalidClaim = "invalid_claim",
    /// 404: no win for that receipt, or code and phone.
    NotAWinner = "not_a_winner",
    /// 409: handed out already.
    AlreadyClaimed = "already_claimed",
    /// 410: the winner withdrew.
    Withdrawn = "withdrawn",

    // The console (SPEC §4).
    /// 422: a bank with problems, with `problems`.
    Invalid = "invalid",
    /// 409: the set is live and cannot be removed.
    SetLive = "set_live",
    /// 503: another upload is being stored.
    UploadBusy = "upload_busy",
    /// 410: a search by query string (names stay out of URLs).
    UsePost = "use_post",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    /// The codes SPEC.md names (§3, §4, §5, §7).
    const IN_THE_SPEC: &[&str] = &[
        "closed",
        "round_closed",
        "invalid",
        "claim_closed",
        "invalid_seed",
        "pool_corrupt",
        "too_many_winners",
        "already_claimed",
        "not_a_winner",
        "claim_open",
    ];

    #[test]
    fn every_code_is_unique_lowercase_words() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s} is not [a-z_]+"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(s));
        }
        assert_eq!(seen.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn every_code_the_spec_names_is_a_variant() {
        let all: HashSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for code in IN_THE_SPEC {
            assert!(all.contains(code), "SPEC's {code} is not an ErrorCode");
        }
    }
}
