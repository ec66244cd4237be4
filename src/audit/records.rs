//! The audit log against the records it speaks of (SPEC §7), pure: every
//! revealed draw's winners follow from its stored `entries.txt` and seed
//! (§5); every draw, reveal, claim, withdrawal and purge has its row in the
//! log, and every such row its record; the chain holds. Each break is one
//! line naming ids, codes, rounds and times only (no name, no phone, no
//! audit detail, which may hold masked contacts).

use crate::store::inspect::{DrawRecord, Inspection};
use crate::ui_keys::AuditAction;
use std::collections::HashMap;

/// What was checked, and every break found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One line per break, the chain's first.
    pub breaks: Vec<String>,
    /// Rows of the log.
    pub rows: usize,
    /// Draws checked (pool against digest, rows both ways).
    pub draws: usize,
    /// Of them, revealed: winners recomputed.
    pub revealed: usize,
    /// Claims matched to their rows.
    pub claims: usize,
    /// Withdrawals matched to their rows.
    pub withdrawals: usize,
    /// Purges matched to their rows.
    pub purges: usize,
    /// The last row's hash (publish it: a rewritten chain ends elsewhere).
    pub head: Option<String>,
}

/// What a row of one of the checked actions says, read from its detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// `draw_committed`: the draw, its digest and pool size.
    Committed {
        /// The draw.
        draw: i64,
        /// Its digest, if the line names one.
        digest: Option<String>,
        /// Its pool size, if the line names it.
        entries: Option<i64>,
    },
    /// `draw_revealed`: the draw, its seed and winners in order.
    Revealed {
        /// The draw.
        draw: i64,
        /// The seed as stored.
        seed: String,
        /// The winning codes, in pick order.
        winners: Vec<String>,
    },
    /// `prize_claimed`: the draw and the winning code.
    Claimed {
        /// The draw.
        draw: i64,
        /// The code.
        code: String,
    },
    /// `entry_withdrawn`: the code.
    Withdrawn {
        /// The code.
        code: String,
    },
    /// `contacts_purged`: the round and how many entries it erased.
    Purged {
        /// The set.
        set_id: String,
        /// The round.
        round_id: String,
        /// Entries erased.
        erased: i64,
    },
}

/// Reads what a row of a checked action says; `None` for another action
/// (`Some(Err(()))` when a checked action's detail cannot be read).
pub fn said(action: &str, detail: &str) -> Option<Result<Said, ()>> {
    let parsed = match AuditAction::from_code(action)? {
        AuditAction::DrawCommitted => committed(detail),
        AuditAction::DrawRevealed => revealed(detail),
        AuditAction::PrizeClaimed => claimed(detail),
        AuditAction::EntryWithdrawn => withdrawn(detail),
        AuditAction::ContactsPurged => purged(detail),
        _ => return None,
    };
    Some(parsed.ok_or(()))
}

/// `draw 3 of set/round: 120 entries, 2 winner(s)…, digest HEX`.
fn committed(detail: &str) -> Option<Said> {
    let (draw, rest) = draw_id(detail)?;
    let rest = rest.strip_prefix(" of ")?;
    let digest = rest.find("digest ").and_then(|i| {
        let hex = rest.get(i + 7..i + 7 + 64)?;
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| hex.to_owned())
    });
    let entries = rest
        .split_once(": ")
        .and_then(|(_, r)| r.split_once(" entries"))
        .and_then(|(n, _)| n.parse().ok());
    Some(Said::Committed {
        draw,
        digest,
        entries,
    })
}

/// `draw 3: seed "73915", winners AAAA-AAAA BBBB-BBBB`.
fn revealed(detail: &str) -> Option<Said> {
    let (draw, rest) = draw_id(detail)?;
    let (seed, rest) = debug_string(rest.strip_prefix(": seed ")?)?;
    let winners = rest.strip_prefix(", winners")?;
    let winners = winners.split(' ').filter(|c| !c.is_empty());
    Some(Said::Revealed {
        draw,
        seed,
        winners: winners.map(str::to_owned).collect(),
    })
}

/// `draw 3: CODE (…) handed out…`.
fn claimed(detail: &str) -> Option<Said> {
    let (draw, rest) = draw_id(detail)?;
    let code = rest.strip_prefix(": ")?.split(' ').next()?;
    (!code.is_empty()).then(|| Said::Claimed {
        draw,
        code: code.to_owned(),
    })
}

/// `entry CODE withdrawn`.
fn withdrawn(detail: &str) -> Option<Said> {
    let code = detail.strip_prefix("entry ")?.split(' ').next()?;
    (!code.is_empty()).then(|| Said::Withdrawn {
        code: code.to_owned(),
    })
}

/// `set/round: names and phones of N entries erased (how)`.
fn purged(detail: &str) -> Option<Said> {
    let (round, rest) = detail.split_once(": ")?;
    let (set_id, round_id) = round.split_once('/')?;
    let n = rest.split_once(" of ")?.1.split(' ').next()?.parse().ok()?;
    Some(Said::Purged {
        set_id: set_id.to_owned(),
        round_id: round_id.to_owned(),
        erased: n,
    })
}

/// `draw N` at the start, and what follows.
pub(super) fn draw_id(detail: &str) -> Option<(i64, &str)> {
    let rest = detail.strip_prefix("draw ")?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    Some((rest[..end].parse().ok()?, &rest[end..]))
}

/// A string as Rust's `{:?}` writes it, and what follows it.
fn debug_string(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[i + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '0' => out.push('\0'),
                'u' => {
                    let rest = &text[1..];
                    let (j, _) = chars.next().filter(|(_, c)| *c == '{')?;
                    let close = rest[j..].find('}')? + j;
                    let code = u32::from_str_radix(&rest[j + 1..close], 16).ok()?;
                    out.push(char::from_u32(code)?);
                    while chars.next().is_some_and(|(k, _)| k < close) {}
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// A `draw_committed` row: its seq, time, digest and pool size.
type CommitRow<'a> = (i64, &'a str, Option<String>, Option<i64>);
/// A `draw_revealed` row: its seq, time, seed and winners.
type RevealRow<'a> = (i64, &'a str, String, Vec<String>);

/// Checks everything SPEC §7 says `audit-verify` checks.
pub fn check(found: &Inspection) -> Report {
    let mut breaks = Vec::new();
    if let Err(b) = super::verify(&found.audit) {
        breaks.push(format!("row {}: {}", b.seq, b.why));
    }
    if found.audit.is_empty()
        && (!found.draws.is_empty()
            || !found.claims.is_empty()
            || !found.withdrawals.is_empty()
            || !found.purges.is_empty())
    {
        breaks.push(format!(
            "the audit log is empty, yet the database holds {} draw(s), {} claim(s), {} withdrawal(s) and {} purge(s): the log was emptied",
            found.draws.len(),
            found.claims.len(),
            found.withdrawals.len(),
            found.purges.len()
        ));
    }

    // What the rows say, by kind, each with its row.
    let mut committed: HashMap<i64, Vec<CommitRow>> = HashMap::new();
    let mut revealed: HashMap<i64, Vec<RevealRow>> = HashMap::new();
    let mut claimed: HashMap<(i64, String), Vec<(i64, &str)>> = HashMap::new();
    let mut withdrawn: HashMap<String, Vec<(i64, &str)>> = HashMap::new();
    let mut purged: Vec<(i64, &str, String, String, i64)> = Vec::new();
    for row in &found.audit {
        let at = row.at.as_str();
        match said(&row.action, &row.detail) {
            None => {}
            Some(Err(())) => breaks.push(format!(
                "row {}: its {} detail cannot be read",
                row.seq, row.action
            )),
            Some(Ok(Said::Committed {
                draw,
                digest,
                entries,
            })) => committed
                .entry(draw)
                .or_default()
                .push((row.seq, at, digest, entries)),
            Some(Ok(Said::Revealed {
                draw,
                seed,
                winners,
            })) => revealed
                .entry(draw)
                .or_default()
                .push((row.seq, at, seed, winners)),
            Some(Ok(Said::Claimed { draw, code })) => {
                claimed.entry((draw, code)).or_default().push((row.seq, at))
            }
            Some(Ok(Said::Withdrawn { code })) => {
                withdrawn.entry(code).or_default().push((row.seq, at))
            }
            Some(Ok(Said::Purged {
                set_id,
                round_id,
                erased,
            })) => purged.push((row.seq, at, set_id, round_id, erased)),
        }
    }

    let mut revealed_draws = 0;
    for d in &found.draws {
        check_pool(d, &mut breaks);
        if d.public_seed.is_some() {
            revealed_draws += 1;
        }
        match committed.remove(&d.id).as_deref() {
            None | Some([]) => breaks.push(format!(
                "draw {}: no draw_committed row in the audit log",
                d.id
            )),
            Some([(seq, at, digest, entries)]) => {
                if *at != d.committed_at {
                    breaks.push(format!(
                        "draw {}: committed at {}, its row {seq} says {at}",
                        d.id, d.committed_at
                    ));
                }
                if digest.as_deref() != Some(d.entries_digest.as_str()) {
                    breaks.push(format!(
                        "draw {}: digest {}, its row {seq} says {}",
                        d.id,
                        d.entries_digest,
                        digest.as_deref().unwrap_or("none")
                    ));
                }
                if *entries != Some(d.entry_count) {
                    breaks.push(format!(
                        "draw {}: {} entries, its row {seq} says {}",
                        d.id,
                        d.entry_count,
                        entries.map_or("none".into(), |n| n.to_string())
                    ));
                }
            }
            Some(rows) => breaks.push(format!(
                "draw {}: {} draw_committed rows ({})",
                d.id,
                rows.len(),
                seqs(rows.iter().map(|r| r.0))
            )),
        }
        let rows = revealed.remove(&d.id).unwrap_or_default();
        match (&d.public_seed, rows.as_slice()) {
            (None, []) => {}
            (None, rows) => breaks.push(format!(
                "draw {}: not revealed, yet row(s) {} say it was",
                d.id,
                seqs(rows.iter().map(|r| r.0))
            )),
            (Some(_), []) => breaks.push(format!(
                "draw {}: revealed, but no draw_revealed row in the audit log",
                d.id
            )),
            (Some(seed), [(seq, at, said_seed, said_winners)]) => {
                if Some(*at) != d.revealed_at.as_deref() {
                    breaks.push(format!(
                        "draw {}: revealed at {}, its row {seq} says {at}",
                        d.id,
                        d.revealed_at.as_deref().unwrap_or("no time")
                    ));
                }
                if said_seed != seed {
                    breaks.push(format!(
                        "draw {}: seed {seed:?}, its row {seq} says {said_seed:?}",
                        d.id
                    ));
                }
                if *said_winners != d.winners {
                    breaks.push(format!(
                        "draw {}: winners {}, its row {seq} says {}",
                        d.id,
                        codes(&d.winners),
                        codes(said_winners)
                    ));
                }
            }
            (Some(_), rows) => breaks.push(format!(
                "draw {}: {} draw_revealed rows ({})",
                d.id,
                rows.len(),
                seqs(rows.iter().map(|r| r.0))
            )),
        }
    }
    for (draw, rows) in sorted(committed) {
        breaks.push(format!(
            "row {}: draw_committed names draw {draw}, which the database does not hold",
            seqs(rows.iter().map(|r| r.0))
        ));
    }
    for (draw, rows) in sorted(revealed) {
        breaks.push(format!(
            "row {}: draw_revealed names draw {draw}, which the database does not hold",
            seqs(rows.iter().map(|r| r.0))
        ));
    }
    for (draw, code) in &found.winners_not_entered {
        breaks.push(format!(
            "draw {draw}: winner {code} is not an entry of the draw's round"
        ));
    }

    for c in &found.claims {
        let won = found
            .draws
            .iter()
            .find(|d| d.id == c.draw_id)
            .is_some_and(|d| d.winners.contains(&c.code));
        if !won {
            breaks.push(format!(
                "draw {}: a claim of {}, which did not win it",
                c.draw_id, c.code
            ));
        }
        match claimed.remove(&(c.draw_id, c.code.clone())).as_deref() {
            None | Some([]) => breaks.push(format!(
                "draw {}: the claim of {} (at {}) has no prize_claimed row in the audit log",
                c.draw_id, c.code, c.claimed_at
            )),
            Some([(seq, at)]) => {
                if *at != c.claimed_at {
                    breaks.push(format!(
                        "draw {}: {} claimed at {}, its row {seq} says {at}",
                        c.draw_id, c.code, c.claimed_at
                    ));
                }
            }
            Some(rows) => breaks.push(format!(
                "draw {}: {} claimed once, but {} prize_claimed rows ({})",
                c.draw_id,
                c.code,
                rows.len(),
                seqs(rows.iter().map(|r| r.0))
            )),
        }
    }
    for ((draw, code), rows) in sorted(claimed) {
        breaks.push(format!(
            "row {}: prize_claimed of {code} in draw {draw}, which claims does not hold (the claim was removed: the prize could be handed out again)",
            seqs(rows.iter().map(|r| r.0))
        ));
    }

    let marked: HashMap<&str, Option<&str>> = found
        .withdrawn_entries
        .iter()
        .map(|(code, at)| (code.as_str(), at.as_deref()))
        .collect();
    for w in &found.withdrawals {
        if !marked.contains_key(w.code.as_str()) {
            breaks.push(format!(
                "entry {}: withdrawn at {}, but the entry is not marked withdrawn",
                w.code, w.withdrawn_at
            ));
        }
        match withdrawn.remove(&w.code).as_deref() {
            None | Some([]) => breaks.push(format!(
                "entry {}: withdrawn at {}, but no entry_withdrawn row in the audit log",
                w.code, w.withdrawn_at
            )),
            Some([(seq, at)]) => {
                if *at != w.withdrawn_at {
                    breaks.push(format!(
                        "entry {}: withdrawn at {}, its row {seq} says {at}",
                        w.code, w.withdrawn_at
                    ));
                }
            }
            Some(rows) => breaks.push(format!(
                "entry {}: withdrawn once, but {} entry_withdrawn rows ({})",
                w.code,
                rows.len(),
                seqs(rows.iter().map(|r| r.0))
            )),
        }
    }
    for (code, _) in &found.withdrawn_entries {
        if !found.withdrawals.iter().any(|w| &w.code == code) {
            breaks.push(format!(
                "entry {code}: marked withdrawn, but withdrawals does not hold it"
            ));
        }
    }
    for (code, rows) in sorted(withdrawn) {
        breaks.push(format!(
            "row {}: entry_withdrawn of {code}, which withdrawals does not hold",
            seqs(rows.iter().map(|r| r.0))
        ));
    }

    for p in &found.purges {
        let at = purged.iter().position(|(_, at, set_id, round_id, _)| {
            *at == p.at && *set_id == p.set_id && *round_id == p.round_id
        });
        match at {
            None => breaks.push(format!(
                "purge of {}/{} at {}: no contacts_purged row in the audit log",
                p.set_id, p.round_id, p.at
            )),
            Some(i) => {
                let (seq, _, _, _, erased) = purged.remove(i);
                if erased != p.erased {
                    breaks.push(format!(
                        "purge of {}/{} at {}: {} entries erased, its row {seq} says {erased}",
                        p.set_id, p.round_id, p.at, p.erased
                    ));
                }
            }
        }
    }
    for (seq, at, set_id, round_id, _) in purged {
        breaks.push(format!(
            "row {seq}: contacts_purged of {set_id}/{round_id} at {at}, which purges does not hold"
        ));
    }

    Report {
        breaks,
        rows: found.audit.len(),
        draws: found.draws.len(),
        revealed: revealed_draws,
        claims: found.claims.len(),
        withdrawals: found.withdrawals.len(),
        purges: found.purges.len(),
        head: found.audit.last().map(|r| r.hash.clone()),
    }
}

/// Each head hash published earlier must still be a row's hash: a log
/// rewritten from any row before it, however well its hashes were
/// recomputed, no longer holds it.
pub fn check_published(found: &Inspection, published: &[String]) -> Vec<String> {
    published
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !found.audit.iter().any(|r| r.hash == *h))
        .map(|h| {
            format!("published head hash {h} is not in the chain: the log was rewritten since it was published (or it is another database's)")
        })
        .collect()
}

/// The pool against its digest and count, and a revealed draw's winners
/// against what its pool and seed pick (SPEC §5).
fn check_pool(d: &DrawRecord, breaks: &mut Vec<String>) {
    if crate::draw::sha256_hex(d.entries_txt.as_bytes()) != d.entries_digest {
        breaks.push(format!(
            "draw {}: its entries.txt no longer hashes to its digest {}",
            d.id, d.entries_digest
        ));
        return;
    }
    let pool = match crate::draw::parse_entries_txt(&d.entries_txt) {
        Ok(pool) => pool,
        Err(e) => {
            breaks.push(format!("draw {}: its entries.txt, {e}", d.id));
            return;
        }
    };
    if pool.len() as i64 != d.entry_count {
        breaks.push(format!(
            "draw {}: its entries.txt holds {} codes, the draw says {}",
            d.id,
            pool.len(),
            d.entry_count
        ));
    }
    match &d.public_seed {
        None if !d.winners.is_empty() => breaks.push(format!(
            "draw {}: not revealed, yet winners {} are stored",
            d.id,
            codes(&d.winners)
        )),
        None => {}
        Some(seed) => {
            let picked = crate::draw::pick(
                &pool,
                crate::draw::seed(&d.entries_digest, seed),
                usize::try_from(d.winners_wanted).unwrap_or(0),
            );
            if picked != d.winners {
                breaks.push(format!(
                    "draw {}: winners stored {} do not follow from its entries.txt and seed, which pick {}",
                    d.id,
                    codes(&d.winners),
                    codes(&picked)
                ));
            }
        }
    }
}

fn codes(codes: &[String]) -> String {
    if codes.is_empty() {
        "(none)".into()
    } else {
        codes.join(" ")
    }
}

fn seqs(seqs: impl Iterator<Item = i64>) -> String {
    seqs.map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

fn sorted<K: Ord, V>(map: HashMap<K, V>) -> Vec<(K, V)> {
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::inspect::{ClaimRecord, PurgeRecord, WithdrawalRecord};
    use crate::store::AuditEntry;

    const AT: &str = "2026-12-01T10:00:00+08:00";

    /// A small event: one draw of three, revealed, its winner claimed,
    /// one withdrawal and one purge, with the rows the service writes.
    fn event() -> Inspection {
        let commitment = crate::draw::commit(["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"]);
        let winners = crate::draw::draw(&commitment, "73915", 1);
        let details = [
            ("set_uploaded", "netsec-week".to_owned()),
            (
                "draw_committed",
                format!(
                    "draw 1 of netsec-week/open: 3 entries, 1 winner(s), digest {}",
                    commitment.digest
                ),
            ),
            (
                "draw_revealed",
                format!("draw 1: seed \"73915\", winners {}", winners.join(" ")),
            ),
            (
                "prize_claimed",
                format!("draw 1: {} (张* 138****0000) handed out", winners[0]),
            ),
            ("entry_withdrawn", "entry CCCC-CCCC withdrawn".into()),
            (
                "contacts_purged",
                "netsec-week/open: names and phones of 2 entries erased (staff, forced)".into(),
            ),
        ];
        let mut prev = crate::audit::GENESIS.to_owned();
        let audit = details
            .iter()
            .enumerate()
            .map(|(i, (action, detail))| {
                let seq = i as i64 + 1;
                let hash = crate::audit::hash(&prev, seq, AT, action, detail);
                prev = hash.clone();
                AuditEntry {
                    seq,
                    at: AT.into(),
                    action: (*action).into(),
                    detail: detail.clone(),
                    hash,
                }
            })
            .collect();
        Inspection {
            audit,
            draws: vec![DrawRecord {
                id: 1,
                set_id: "netsec-week".into(),
                round_id: "open".into(),
                winners_wanted: 1,
                entries_txt: commitment.entries_txt.clone(),
                entries_digest: commitment.digest.clone(),
                entry_count: 3,
                committed_at: AT.into(),
                public_seed: Some("73915".into()),
                revealed_at: Some(AT.into()),
                replaces: None,
                winners: winners.clone(),
            }],
            claims: vec![ClaimRecord {
                draw_id: 1,
                code: winners[0].clone(),
                claimed_at: AT.into(),
            }],
            withdrawals: vec![WithdrawalRecord {
                code: "CCCC-CCCC".into(),
                withdrawn_at: AT.into(),
            }],
            withdrawn_entries: vec![("CCCC-CCCC".into(), Some(AT.into()))],
            purges: vec![PurgeRecord {
                set_id: "netsec-week".into(),
                round_id: "open".into(),
                at: AT.into(),
                erased: 2,
                how: "staff, forced".into(),
            }],
            winners_not_entered: Vec::new(),
        }
    }

    /// Recomputes every hash, as someone rewriting the chain would.
    fn rehashed(mut found: Inspection) -> Inspection {
        let mut prev = crate::audit::GENESIS.to_owned();
        for (i, r) in found.audit.iter_mut().enumerate() {
            r.seq = i as i64 + 1;
            r.hash = crate::audit::hash(&prev, r.seq, &r.at, &r.action, &r.detail);
            prev = r.hash.clone();
        }
        found
    }

    #[test]
    fn an_untouched_event_holds_and_counts_what_it_checked() {
        let r = check(&event());
        assert_eq!(r.breaks, Vec::<String>::new());
        assert_eq!(
            (
                r.rows,
                r.draws,
                r.revealed,
                r.claims,
                r.withdrawals,
                r.purges
            ),
            (6, 1, 1, 1, 1, 1)
        );
        assert_eq!(r.head.as_deref(), Some(event().audit[5].hash.as_str()));
    }

    #[test]
    fn a_forged_winner_is_named() {
        let mut found = event();
        let other = ["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"]
            .into_iter()
            .find(|c| *c != found.draws[0].winners[0])
            .unwrap();
        found.draws[0].winners = vec![other.into()];
        let r = check(&found);
        assert!(
            r.breaks
                .iter()
                .any(|b| b.starts_with("draw 1: winners stored") && b.contains(other)),
            "{:?}",
            r.breaks
        );
    }

    #[test]
    fn records_without_rows_and_rows_without_records_are_each_named() {
        let mut found = event();
        found.audit.retain(|r| r.action == "set_uploaded");
        let r = check(&rehashed(found));
        let want = [
            "draw 1: no draw_committed row",
            "draw 1: revealed, but no draw_revealed row",
            "has no prize_claimed row",
            "entry CCCC-CCCC: withdrawn at",
            "purge of netsec-week/open at",
        ];
        for w in want {
            assert!(
                r.breaks.iter().any(|b| b.contains(w)),
                "{w}: {:?}",
                r.breaks
            );
        }

        let mut found = event();
        found.claims.clear();
        found.withdrawals.clear();
        found.withdrawn_entries.clear();
        found.purges.clear();
        let r = check(&found);
        for w in [
            "row 4: prize_claimed of",
            "row 5: entry_withdrawn of CCCC-CCCC",
            "row 6: contacts_purged of netsec-week/open",
        ] {
            assert!(
                r.breaks.iter().any(|b| b.starts_with(w)),
                "{w}: {:?}",
                r.breaks
            );
        }
    }

    #[test]
    fn an_emptied_log_beside_draws_fails() {
        let mut found = event();
        found.audit.clear();
        let r = check(&found);
        assert!(
            r.breaks[0].starts_with("the audit log is empty, yet the database holds 1 draw(s)"),
            "{:?}",
            r.breaks
        );
        let r = check(&Inspection::default());
        assert_eq!(r.breaks, Vec::<String>::new(), "a new booth holds");
    }

    #[test]
    fn a_rewritten_detail_with_hashes_recomputed_is_caught_by_the_records() {
        let mut found = event();
        found.audit[2].detail = "draw 1: seed \"11111\", winners AAAA-AAAA".into();
        let found = rehashed(found);
        assert_eq!(
            crate::audit::verify(&found.audit),
            Ok(()),
            "the chain holds"
        );
        let r = check(&found);
        assert!(
            r.breaks.iter().any(|b| b.starts_with("draw 1: seed")),
            "{:?}",
            r.breaks
        );
    }

    #[test]
    fn a_changed_pool_and_an_unreadable_row_are_named() {
        let mut found = event();
        found.draws[0].entries_txt.push_str("DDDD-DDDD\n");
        found.audit[1].detail = "nothing".into();
        let r = check(&rehashed(found));
        assert!(r
            .breaks
            .iter()
            .any(|b| b.contains("no longer hashes to its digest")));
        assert!(r
            .breaks
            .iter()
            .any(|b| b == "row 2: its draw_committed detail cannot be read"));
    }

    #[test]
    fn a_published_head_hash_must_stay_in_the_chain() {
        let found = event();
        let head = found.audit[3].hash.to_ascii_uppercase();
        assert_eq!(
            check_published(&found, std::slice::from_ref(&head)),
            Vec::<String>::new()
        );
        let mut rewritten = found.clone();
        rewritten.audit[3].detail = "draw 1: X (changed) handed out".into();
        let rewritten = rehashed(rewritten);
        let breaks = check_published(&rewritten, std::slice::from_ref(&head));
        assert_eq!(breaks.len(), 1);
        assert!(breaks[0].contains(&head.to_ascii_lowercase()), "{breaks:?}");
    }

    #[test]
    fn details_are_read_back_as_written() {
        assert_eq!(
            said(
                "draw_revealed",
                "draw 12: seed \"a\\\"b\\\\c\", winners X Y"
            ),
            Some(Ok(Said::Revealed {
                draw: 12,
                seed: "a\"b\\c".into(),
                winners: vec!["X".into(), "Y".into()]
            }))
        );
        assert_eq!(
            said("draw_revealed", "draw 2: seed \"7\", winners"),
            Some(Ok(Said::Revealed {
                draw: 2,
                seed: "7".into(),
                winners: vec![]
            }))
        );
        assert_eq!(
            said(
                "prize_claimed",
                "draw 3: AB12-CD34 (contacts erased) handed out by receipt"
            ),
            Some(Ok(Said::Claimed {
                draw: 3,
                code: "AB12-CD34".into()
            }))
        );
        assert_eq!(said("set_uploaded", "x"), None);
        assert_eq!(said("draw_committed", "draw x"), Some(Err(())));
    }
}
