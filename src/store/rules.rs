//! What the draw, claim and purge operations decide, apart from how an
//! engine reads and writes: both engines run these inside their own
//! transaction, so a rule is written once and holds on either.

use super::{
    ClaimBy, ClaimMode, ClaimRefused, CommitRefused, Draw, DrawRequest, Erased, Erasure, Keeping,
    Purge, RevealRefused,
};
use crate::contact::{mask_name, PhoneKey};
use crate::draw::Commitment;
use chrono::DateTime;

/// Whether RFC 3339 time `a` is after `b` (unreadable times are not).
pub(super) fn after(a: &str, b: &str) -> bool {
    match (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a > b,
        _ => false,
    }
}

/// Whether a re-draw of `replaced` (whose claimed wins number `claimed`)
/// may be committed as `d`.
pub(super) fn check_replacement(
    replaced: &Draw,
    claimed: i64,
    d: &DrawRequest,
) -> Result<(), CommitRefused> {
    if replaced.set_id != d.set_id || replaced.round_id != d.round_id {
        return Err(CommitRefused::ReplacesOtherRound);
    }
    let claim_passed = replaced
        .claim_by
        .as_deref()
        .is_some_and(|by| after(&d.at, by));
    if replaced.public_seed.is_none() || !claim_passed || replaced.replaced_by.is_some() {
        return Err(CommitRefused::ClaimOpen);
    }
    let unclaimed = replaced.winners.len() as i64 - claimed;
    if d.winners > unclaimed {
        return Err(CommitRefused::TooManyWinners(unclaimed));
    }
    Ok(())
}

/// The audit line of a committed draw.
pub(super) fn commit_detail(id: i64, d: &DrawRequest, c: &Commitment) -> String {
    let redraw = d
        .replaces
        .map(|old| format!(", re-draw of draw {old}"))
        .unwrap_or_default();
    format!(
        "draw {id} of {}/{}: {} entries, {} winner(s){redraw}, digest {}",
        d.set_id,
        d.round_id,
        c.pool.len(),
        d.winners,
        c.digest
    )
}

/// What a reveal of `d` at `at` with the typed `public_seed` stores: the
/// seed (its digits) and the winners it picks from the committed pool
/// `text`, which must still hash to the published digest and read back as
/// a sorted list of codes. The draw must be unrevealed, its claim deadline
/// not passed (else its winners would forfeit at once), and the seed
/// digits only, exactly `seed_digits` of them when the commit set it.
pub(super) fn pick_winners(
    d: &Draw,
    text: Option<String>,
    public_seed: &str,
    at: &str,
) -> Result<(String, Vec<String>), RevealRefused> {
    if d.public_seed.is_some() {
        return Err(RevealRefused::AlreadyRevealed);
    }
    if d.claim_by.as_deref().is_some_and(|by| after(at, by)) {
        return Err(RevealRefused::ClaimClosed);
    }
    let digits = d.seed_digits.and_then(|n| usize::try_from(n).ok());
    let seed = crate::draw::digit_seed(public_seed, digits).map_err(RevealRefused::InvalidSeed)?;
    let text = text.ok_or(RevealRefused::PoolCorrupt)?;
    if crate::draw::sha256_hex(text.as_bytes()) != d.entries_digest {
        return Err(RevealRefused::PoolCorrupt);
    }
    let pool = crate::draw::parse_entries_txt(&text).map_err(|_| RevealRefused::PoolCorrupt)?;
    let winners = crate::draw::pick(
        &pool,
        crate::draw::seed(&d.entries_digest, &seed),
        d.winners_wanted as usize,
    );
    Ok((seed, winners))
}

/// The audit line of a reveal.
pub(super) fn reveal_detail(id: i64, public_seed: &str, picked: &[String]) -> String {
    format!(
        "draw {id}: seed {public_seed:?}, winners {}",
        picked.join(" ")
    )
}

/// A code's win in a revealed draw, as an engine reads it.
pub(super) struct Win {
    pub draw_id: i64,
    pub prize: String,
    pub claim_by: Option<String>,
    pub code: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phone_key: Option<String>,
    /// The key of the draw's round (none after its purge).
    pub round_secret: Option<String>,
    pub erased: Option<Erasure>,
    pub claimed_at: Option<String>,
}

/// Whether the win may be handed out now to `by`.
pub(super) fn check_claim(win: &Win, by: &ClaimBy, at: &str) -> Result<(), ClaimRefused> {
    // A code with the wrong phone is no proof: the code is public. The
    // phone is compared through its hash under the round's key; after a
    // purge neither is left, and only the receipt can claim.
    // A withdrawn winner's hash is kept only to refuse that phone a second
    // entry in the round (SPEC §7), never to match it here.
    let withdrawn = win
        .erased
        .as_ref()
        .is_some_and(|e| e.why == Erased::Withdrawn);
    if let ClaimBy::CodeAndPhone(_, given) = by {
        let hash = win.phone_key.as_ref().filter(|_| !withdrawn);
        let (Some(hash), Some(secret)) = (hash, &win.round_secret) else {
            return Err(match &win.erased {
                Some(e) if e.why == Erased::Purged => ClaimRefused::PhoneErased,
                _ => ClaimRefused::NotAWinner,
            });
        };
        if *hash != PhoneKey::new(secret.as_bytes()).of(given.as_str()) {
            return Err(ClaimRefused::NotAWinner);
        }
    }
    if withdrawn {
        return Err(ClaimRefused::Withdrawn);
    }
    if let Some(at) = &win.claimed_at {
        return Err(ClaimRefused::AlreadyClaimed(at.clone()));
    }
    if win.claim_by.as_deref().is_some_and(|by| after(at, by)) {
        return Err(ClaimRefused::Closed);
    }
    Ok(())
}

impl Win {
    /// What the desk is shown: the win, claimed `at` when handed out.
    pub(super) fn claimed(self, mode: ClaimMode, at: &str) -> super::Claimed {
        super::Claimed {
            draw: self.draw_id,
            prize: self.prize,
            code: self.code,
            name: self.name,
            phone: self.phone,
            erased: self.erased,
            claimed_at: (mode == ClaimMode::HandOut).then(|| at.to_owned()),
        }
    }

    /// The audit line of a hand-out: the masked name, never a digit of the
    /// phone (the log outlives every purge, and a mask's seven digits
    /// leave a phone's hash ten thousand tries).
    pub(super) fn claim_detail(&self) -> String {
        let (draw_id, code) = (self.draw_id, &self.code);
        match &self.name {
            Some(name) => format!("draw {draw_id}: {code} ({}) handed out", mask_name(name)),
            None => format!("draw {draw_id}: {code} (contacts erased) handed out by receipt"),
        }
    }
}

/// Who withdrew an entry (SPEC §8: the entrant from their session, or
/// staff for a person who asked at the booth or by phone, SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WithdrawnBy {
    /// The holder of the session token.
    Entrant,
    /// Staff, by the entry's code.
    Staff,
}

/// The audit line of a withdrawal: the code alone (it is public; the
/// name and phone are gone), and whether staff did it. `audit-verify`
/// reads the code as the word after `entry`.
pub(super) fn withdrawal_detail(code: &str, by: WithdrawnBy) -> String {
    match by {
        WithdrawnBy::Entrant => format!("entry {code} withdrawn"),
        WithdrawnBy::Staff => format!("entry {code} withdrawn by staff"),
    }
}

/// The audit line of a purge.
pub(super) fn purge_detail(set_id: &str, round_id: &str, erased: i64, how: &str) -> String {
    format!("{set_id}/{round_id}: names and phones of {erased} entries erased ({how})")
}

/// Whether `last` is a purge at or after RFC 3339 time `since`.
pub(super) fn purged_since(last: Option<&Purge>, since: &str) -> bool {
    last.is_some_and(|p| !after(since, &p.at))
}

/// The keeping of a round from its claim deadlines and its last purge.
pub(super) fn keeping(deadlines: Vec<String>, last_purge: Option<Purge>) -> Keeping {
    let last_claim_by = deadlines
        .into_iter()
        .filter_map(|t| DateTime::parse_from_rfc3339(&t).ok().map(|d| (d, t)))
        .max_by_key(|(d, _)| *d)
        .map(|(_, t)| t);
    Keeping {
        last_claim_by,
        last_purge,
    }
}

/// Rows of (set, round, version), ordered by set and round, as one
/// [`super::RoundEntries`] per round.
pub(super) fn group_round_versions(
    rows: impl IntoIterator<Item = (String, String, String)>,
) -> Vec<super::RoundEntries> {
    let mut out: Vec<super::RoundEntries> = Vec::new();
    for (set_id, round_id, version) in rows {
        match out.last_mut() {
            Some(r) if r.set_id == set_id && r.round_id == round_id => r.versions.push(version),
            _ => out.push(super::RoundEntries {
                set_id,
                round_id,
                versions: vec![version],
            }),
        }
    }
    out
}

/// The stored `erased` and `erased_at` as one value.
pub(super) fn erasure(why: Option<String>, at: Option<String>) -> Option<Erasure> {
    Some(Erasure {
        why: Erased::parse(&why?)?,
        at: at.unwrap_or_default(),
    })
}

/// The masks kept for an entrant who agreed to publication.
pub(super) fn masks(e: &super::NewEntry) -> (Option<String>, Option<String>) {
    if e.publish {
        (Some(e.name.masked()), Some(e.phone.masked()))
    } else {
        (None, None)
    }
}

/// What the staff's search looks for: a `LIKE` pattern of the needle (its
/// wildcards taken out; `None` for no needle), and when the needle is a
/// phone, its hash under each round's key, so a person who asks what is
/// held about them is answered for every round that still holds their
/// phone. (A purged round holds nothing that leads to them.)
pub(super) fn search_terms(
    keys: &[PhoneKey],
    needle: Option<String>,
) -> (Option<String>, Vec<String>) {
    let hashes = needle
        .as_deref()
        .and_then(|n| crate::contact::Phone::parse(n).ok())
        .map(|p| keys.iter().map(|k| k.of(p.as_ref())).collect())
        .unwrap_or_default();
    let like = needle.map(|n| format!("%{}%", n.replace(['%', '_', '\\'], "")));
    (like, hashes)
}

/// An entry's session as stored: its identity in hex, ordered by start time
/// ([`crate::store::SessionId::hex`]).
pub(super) fn session_id(id: crate::store::SessionId) -> String {
    id.hex()
}

/// A session key as stored, on either engine: keys stay below 2^63 (start
/// time in ms, shifted by 20 bits, until the year 2248), so they fit a
/// signed 64-bit integer.
pub(super) fn key_param(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

/// A nonce as stored: any 64 bits, kept bit for bit in a signed 64-bit
/// integer.
pub(super) fn nonce_param(nonce: u64) -> i64 {
    i64::from_be_bytes(nonce.to_be_bytes())
}

/// The stored form of the answers given: question id → the letters given
/// (`{"q1":"AC"}`), on either engine.
pub(super) fn encode_given(s: &super::NewSubmission) -> String {
    let given: serde_json::Map<String, serde_json::Value> = s
        .answers
        .iter()
        .map(|a| {
            (
                a.question.clone(),
                serde_json::Value::String(a.given.iter().collect()),
            )
        })
        .collect();
    serde_json::Value::Object(given).to_string()
}

/// An option key as `question_picks` keeps it (one letter); a row that
/// holds anything else is not an option and is not shown.
pub(super) fn option_key(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

pub(super) fn decode_given(text: &str) -> Result<super::GivenAnswers, super::StoreError> {
    let given: std::collections::HashMap<String, String> = serde_json::from_str(text)
        .map_err(|e| super::StoreError::Corrupt(format!("a submission's answers: {e}")))?;
    Ok(given
        .into_iter()
        .map(|(id, keys)| (id, keys.chars().map(String::from).collect()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::records::{said, Said};

    /// `audit-verify` reads these lines back: a change to one must keep
    /// what it reads (`crate::audit::records`).
    #[test]
    fn the_audit_lines_read_back_as_what_they_record() {
        let c = crate::draw::commit(["BBBB-BBBB", "AAAA-AAAA"]);
        let d = DrawRequest {
            set_id: "netsec-week".into(),
            round_id: "week-1".into(),
            prize: "U 盘".into(),
            winners: 1,
            at: "2026-12-01T10:00:00+08:00".into(),
            claim_by: None,
            replaces: Some(4),
            seed_digits: Some(5),
        };
        assert_eq!(
            said("draw_committed", &commit_detail(7, &d, &c)),
            Some(Ok(Said::Committed {
                draw: 7,
                digest: Some(c.digest.clone()),
                entries: Some(2)
            }))
        );
        let winners = vec!["AAAA-AAAA".to_owned(), "BBBB-BBBB".to_owned()];
        for seed in ["73915", "7 3\"9\\1", "é"] {
            assert_eq!(
                said("draw_revealed", &reveal_detail(7, seed, &winners)),
                Some(Ok(Said::Revealed {
                    draw: 7,
                    seed: seed.into(),
                    winners: winners.clone()
                })),
                "{seed}"
            );
        }
        let win = Win {
            draw_id: 7,
            prize: "U 盘".into(),
            claim_by: None,
            code: "AAAA-AAAA".into(),
            name: Some("张三".into()),
            phone: Some("13800138000".into()),
            phone_key: None,
            round_secret: None,
            erased: None,
            claimed_at: None,
        };
        let claimed = Some(Ok(Said::Claimed {
            draw: 7,
            code: "AAAA-AAAA".into(),
        }));
        assert_eq!(said("prize_claimed", &win.claim_detail()), claimed);
        let erased = Win {
            name: None,
            phone: None,
            ..win
        };
        assert_eq!(said("prize_claimed", &erased.claim_detail()), claimed);
        for by in [WithdrawnBy::Entrant, WithdrawnBy::Staff] {
            assert_eq!(
                said("entry_withdrawn", &withdrawal_detail("AAAA-AAAA", by)),
                Some(Ok(Said::Withdrawn {
                    code: "AAAA-AAAA".into()
                })),
                "{by:?}"
            );
        }
        assert_eq!(
            said(
                "contacts_purged",
                &purge_detail("netsec-week", "week-1", 12, "staff, forced")
            ),
            Some(Ok(Said::Purged {
                set_id: "netsec-week".into(),
                round_id: "week-1".into(),
                erased: 12
            }))
        );
    }
}
