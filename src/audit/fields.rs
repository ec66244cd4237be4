//! An audit row's detail as named values, so the console can phrase it in
//! its own language (`GET /admin/api/audit` carries them as `fields`). The
//! detail itself stays as written (the hash chain covers it); this reads
//! it with [`super::records`]' parser, the one `audit-verify` uses, and
//! reads the rest of each line the service writes in the same way. Only
//! ids, counts, masks and words the service chose come out: a detail
//! holds nothing else.

use super::records::{draw_id, said, Said};
use serde_json::{json, Map, Value};

/// The named values of a row's detail; `None` when the line is not one the
/// service writes (the console then shows the detail as it is).
pub fn fields(action: &str, detail: &str) -> Option<Map<String, Value>> {
    let value = match said(action, detail) {
        Some(Ok(said)) => checked(said, detail),
        Some(Err(())) => return None,
        None => other(action, detail)?,
    };
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The actions `audit-verify` reads, with what their lines say beyond it.
fn checked(said: Said, detail: &str) -> Value {
    match said {
        Said::Committed {
            draw,
            digest,
            entries,
        } => {
            // `draw N of SET/ROUND: E entries, W winner(s)[, re-draw of draw M], digest HEX`
            let rest = draw_id(detail).map_or("", |(_, r)| r);
            let round = rest
                .strip_prefix(" of ")
                .and_then(|r| r.split_once(": "))
                .and_then(|(round, _)| round.split_once('/'));
            let winners = number_before(rest, " winner(s)");
            let replaces = rest
                .split_once(", re-draw of draw ")
                .and_then(|(_, r)| r.split(',').next())
                .and_then(|n| n.trim().parse::<i64>().ok());
            let mut v = json!({"draw": draw, "entries": entries, "winners": winners,
                               "replaces": replaces, "digest": digest});
            if let Some((set, round)) = round {
                v["set"] = json!(set);
                v["round"] = json!(round);
            }
            v
        }
        Said::Revealed {
            draw,
            seed,
            winners,
        } => json!({"draw": draw, "seed": seed, "codes": winners, "winners": winners.len()}),
        Said::Claimed { draw, code } => {
            // `draw N: CODE (MASKS) handed out` or `… (contacts erased) handed out by receipt`
            let masks = detail
                .split_once(" (")
                .and_then(|(_, r)| r.split_once(')'))
                .map(|(m, _)| m)
                .filter(|m| *m != "contacts erased");
            let mut v = json!({"draw": draw, "code": code});
            if let Some(masks) = masks {
                let mut words = masks.split(' ');
                v["name"] = json!(words.next());
                if let Some(phone) = words.next() {
                    v["phone"] = json!(phone);
                }
            } else {
                v["contact"] = json!("erased");
            }
            if detail.ends_with(" by receipt") {
                v["by"] = json!("receipt");
            }
            v
        }
        Said::Withdrawn { code } => {
            let by = if detail.ends_with(" by staff") {
                "staff"
            } else {
                "entrant"
            };
            json!({"code": code, "by": by})
        }
        Said::Purged {
            set_id,
            round_id,
            erased,
        } => {
            // `…entries erased (HOW)`, HOW `automatic`, `staff` or `staff, forced`
            let how = detail
                .rsplit_once(" (")
                .and_then(|(_, h)| h.strip_suffix(')'))
                .unwrap_or("");
            let (how, forced) = match how.split_once(", ") {
                Some((how, "forced")) => (how, true),
                _ => (how, false),
            };
            json!({"set": set_id, "round": round_id, "erased": erased, "how": how, "forced": forced})
        }
    }
}

/// The actions only the console reads.
fn other(action: &str, detail: &str) -> Option<Value> {
    match action {
        // `set ID version V[, N questions[, a draft of the live set]]`
        "set_uploaded" | "set_activated" | "set_removed" => {
            let rest = detail.strip_prefix("set ")?;
            let (set, rest) = rest.split_once(" version ")?;
            let mut parts = rest.split(", ");
            let version = parts.next()?;
            let mut v = json!({"set": set, "version": version});
            for part in parts {
                if let Some(n) = part.strip_suffix(" questions") {
                    v["questions"] = json!(n.parse::<i64>().ok()?);
                } else if part == "a draft of the live set" {
                    v["draft"] = json!(true);
                }
            }
            Some(v)
        }
        // `N file(s), B broken`
        "sets_reloaded" => Some(json!({
            "count": number_before(detail, " file(s)")?,
            "broken": number_before(detail, " broken")?,
        })),
        // `N entries, H with full name and phone[, as FORMAT]`
        "entries_exported" => {
            let mut v = json!({
                "rows": number_before(detail, " entries")?,
                "contacts": number_before(detail, " with full name and phone")?,
                "format": "csv",
            });
            if let Some(format) = export_format(detail) {
                v["format"] = json!(format);
            }
            Some(v)
        }
        // `draw N: W winners, H with full name and phone, as FORMAT`
        "winners_exported" => {
            let (draw, rest) = draw_id(detail)?;
            Some(json!({
                "draw": draw,
                "winners": number_before(rest, " winners")?,
                "contacts": number_before(rest, " with full name and phone")?,
                "format": export_format(detail),
            }))
        }
        _ => None,
    }
}

/// The file an export's line names (`as CSV file`, `as copied text`, `as
/// Excel file`) as `csv`, `tsv` or `xlsx`.
fn export_format(detail: &str) -> Option<&'static str> {
    match detail.rsplit_once(", as ")?.1 {
        "CSV file" => Some("csv"),
        "copied text" => Some("tsv"),
        "Excel file" => Some("xlsx"),
        _ => None,
    }
}

/// The integer written just before `word` (after a space, a colon or the
/// start of the line).
fn number_before(text: &str, word: &str) -> Option<i64> {
    let (before, _) = text.split_once(word)?;
    let start = before
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    before[start..].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(action: &str, detail: &str) -> Value {
        Value::Object(fields(action, detail).unwrap_or_else(|| panic!("{action}: {detail}")))
    }

    #[test]
    fn every_line_the_service_writes_reads_as_fields() {
        let digest = "ab".repeat(32);
        let cases = [
            (
                "draw_committed",
                format!("draw 3 of netsec/week-1: 120 entries, 2 winner(s), re-draw of draw 1, digest {digest}"),
                json!({"draw": 3, "set": "netsec", "round": "week-1", "entries": 120, "winners": 2,
                       "replaces": 1, "digest": digest}),
            ),
            (
                "draw_committed",
                format!("draw 3 of netsec/week-1: 120 entries, 2 winner(s), digest {digest}"),
                json!({"draw": 3, "set": "netsec", "round": "week-1", "entries": 120, "winners": 2,
                       "replaces": null, "digest": digest}),
            ),
            (
                "draw_revealed",
                "draw 3: seed \"73915\", winners AAAA-AAAA BBBB-BBBB".into(),
                json!({"draw": 3, "seed": "73915", "codes": ["AAAA-AAAA", "BBBB-BBBB"], "winners": 2}),
            ),
            (
                "prize_claimed",
                "draw 3: AAAA-AAAA (张*) handed out".into(),
                json!({"draw": 3, "code": "AAAA-AAAA", "name": "张*"}),
            ),
            (
                "prize_claimed",
                "draw 3: AAAA-AAAA (contacts erased) handed out by receipt".into(),
                json!({"draw": 3, "code": "AAAA-AAAA", "contact": "erased", "by": "receipt"}),
            ),
            (
                "entry_withdrawn",
                "entry AAAA-AAAA withdrawn".into(),
                json!({"code": "AAAA-AAAA", "by": "entrant"}),
            ),
            (
                "entry_withdrawn",
                "entry AAAA-AAAA withdrawn by staff".into(),
                json!({"code": "AAAA-AAAA", "by": "staff"}),
            ),
            (
                "contacts_purged",
                "netsec/week-1: names and phones of 12 entries erased (staff, forced)".into(),
                json!({"set": "netsec", "round": "week-1", "erased": 12, "how": "staff", "forced": true}),
            ),
            (
                "contacts_purged",
                "netsec/week-1: names and phones of 0 entries erased (automatic)".into(),
                json!({"set": "netsec", "round": "week-1", "erased": 0, "how": "automatic", "forced": false}),
            ),
            (
                "set_uploaded",
                "set netsec version 0123456789ab, 10 questions, a draft of the live set".into(),
                json!({"set": "netsec", "version": "0123456789ab", "questions": 10, "draft": true}),
            ),
            (
                "set_activated",
                "set netsec version 0123456789ab".into(),
                json!({"set": "netsec", "version": "0123456789ab"}),
            ),
            (
                "sets_reloaded",
                "3 file(s), 1 broken".into(),
                json!({"count": 3, "broken": 1}),
            ),
            (
                "entries_exported",
                "120 entries, 100 with full name and phone".into(),
                json!({"rows": 120, "contacts": 100, "format": "csv"}),
            ),
            (
                "entries_exported",
                "120 entries, 100 with full name and phone, as Excel file".into(),
                json!({"rows": 120, "contacts": 100, "format": "xlsx"}),
            ),
            (
                "winners_exported",
                "draw 3: 2 winners, 1 with full name and phone, as copied text".into(),
                json!({"draw": 3, "winners": 2, "contacts": 1, "format": "tsv"}),
            ),
        ];
        for (action, detail, want) in cases {
            assert_eq!(of(action, &detail), want, "{action}: {detail}");
        }
    }

    #[test]
    fn a_line_the_service_does_not_write_has_no_fields() {
        for (action, detail) in [
            ("draw_committed", "nonsense"),
            ("set_uploaded", "netsec"),
            ("sets_reloaded", "many files"),
            ("something_new", "draw 3"),
        ] {
            assert_eq!(fields(action, detail), None, "{action}: {detail}");
        }
    }
}
