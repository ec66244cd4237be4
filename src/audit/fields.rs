//! An audit row's detail as named values, so the console can phrase it in
//! its own language (`GET /admin/api/audit` carries them as `fields`). The
//! detail itself stays as written (the hash chain covers it); this reads
//! it with [`super::records`]' parser, the one `audit-verify` uses, and
//! reads the rest of each line the service writes in the same way. Only
//! ids, counts, masks and words the service chose come out: a detail
//! holds nothing else. Every name is an [`AuditField`] (the console's
//! `audit_f_*` labels), every action an [`AuditAction`] (`audit_act_*`).

use super::records::{draw_id, said, Said};
use crate::ui_keys::{AuditAction, AuditField as F, ExportFormat};
use serde::Serialize;
use serde_json::{Map, Value};

/// The named values of a row's detail; `None` when the line is not one the
/// service writes (the console then shows the detail as it is).
pub fn fields(action: &str, detail: &str) -> Option<Map<String, Value>> {
    let fields = match said(action, detail) {
        Some(Ok(said)) => checked(said, detail),
        Some(Err(())) => return None,
        None => other(AuditAction::from_code(action)?, detail)?,
    };
    Some(fields.0)
}

/// Values named by [`AuditField`]s: no other name can be given.
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Fields {
    /// With `field` set to `value` (`null` for `None`).
    fn with(mut self, field: F, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.0.insert(field.as_str().to_owned(), value);
        self
    }

    /// With `field` set when there is a value.
    fn with_some(self, field: F, value: Option<impl Serialize>) -> Self {
        match value {
            Some(v) => self.with(field, v),
            None => self,
        }
    }
}

/// The actions `audit-verify` reads, with what their lines say beyond it.
fn checked(said: Said, detail: &str) -> Fields {
    let f = Fields::default();
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
            f.with(F::Draw, draw)
                .with(F::Entries, entries)
                .with(F::Winners, winners)
                .with(F::Replaces, replaces)
                .with(F::Digest, digest)
                .with_some(F::Set, round.map(|(set, _)| set))
                .with_some(F::Round, round.map(|(_, round)| round))
        }
        Said::Revealed {
            draw,
            seed,
            winners,
        } => f
            .with(F::Draw, draw)
            .with(F::Seed, seed)
            .with(F::Winners, winners.len())
            .with(F::Codes, winners),
        Said::Claimed { draw, code } => {
            // `draw N: CODE (MASKS) handed out` or `… (contacts erased) handed out by receipt`
            let masks = detail
                .split_once(" (")
                .and_then(|(_, r)| r.split_once(')'))
                .map(|(m, _)| m)
                .filter(|m| *m != "contacts erased");
            let f = f.with(F::Draw, draw).with(F::Code, code);
            let f = match masks {
                Some(masks) => {
                    let mut words = masks.split(' ');
                    f.with(F::Name, words.next())
                        .with_some(F::Phone, words.next())
                }
                None => f.with(F::Contact, "erased"),
            };
            f.with_some(F::By, detail.ends_with(" by receipt").then_some("receipt"))
        }
        Said::Withdrawn { code } => {
            let by = if detail.ends_with(" by staff") {
                "staff"
            } else {
                "entrant"
            };
            f.with(F::Code, code).with(F::By, by)
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
            f.with(F::Set, set_id)
                .with(F::Round, round_id)
                .with(F::Erased, erased)
                .with(F::How, how)
                .with(F::Forced, forced)
        }
    }
}

/// The actions only the console reads.
fn other(action: AuditAction, detail: &str) -> Option<Fields> {
    let f = Fields::default();
    match action {
        // `set ID version V[, N questions[, a draft of the live set]]`
        AuditAction::SetUploaded | AuditAction::SetActivated | AuditAction::SetRemoved => {
            let rest = detail.strip_prefix("set ")?;
            let (set, rest) = rest.split_once(" version ")?;
            let mut parts = rest.split(", ");
            let version = parts.next()?;
            let mut f = f.with(F::Set, set).with(F::Version, version);
            for part in parts {
                if let Some(n) = part.strip_suffix(" questions") {
                    f = f.with(F::Questions, n.parse::<i64>().ok()?);
                } else if part == "a draft of the live set" {
                    f = f.with(F::Draft, true);
                }
            }
            Some(f)
        }
        // `N file(s), B broken`
        AuditAction::SetsReloaded => Some(
            f.with(F::Count, number_before(detail, " file(s)")?)
                .with(F::Broken, number_before(detail, " broken")?),
        ),
        // `N entries, H with full name and phone[, as FORMAT]`
        AuditAction::EntriesExported => Some(
            f.with(F::Rows, number_before(detail, " entries")?)
                .with(
                    F::Contacts,
                    number_before(detail, " with full name and phone")?,
                )
                .with(
                    F::Format,
                    export_format(detail).unwrap_or(ExportFormat::Csv),
                ),
        ),
        // `N source(s), A added, R removed`
        AuditAction::SourcesChanged => Some(f.with(F::Count, number_before(detail, " source(s)")?)),
        // `draw N: W winners, H with full name and phone, as FORMAT`
        AuditAction::WinnersExported => {
            let (draw, rest) = draw_id(detail)?;
            Some(
                f.with(F::Draw, draw)
                    .with(F::Winners, number_before(rest, " winners")?)
                    .with(
                        F::Contacts,
                        number_before(rest, " with full name and phone")?,
                    )
                    .with(F::Format, export_format(detail)),
            )
        }
        _ => None,
    }
}

/// The file an export's line names (`as CSV file`, `as copied text`, `as
/// Excel file`).
fn export_format(detail: &str) -> Option<ExportFormat> {
    match detail.rsplit_once(", as ")?.1 {
        "CSV file" => Some(ExportFormat::Csv),
        "copied text" => Some(ExportFormat::Tsv),
        "Excel file" => Some(ExportFormat::Xlsx),
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
    use serde_json::json;
    use std::collections::BTreeSet;

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
                // A row written before the hand-out line dropped the phone's mask.
                "prize_claimed",
                "draw 3: AAAA-AAAA (张* 138****0000) handed out".into(),
                json!({"draw": 3, "code": "AAAA-AAAA", "name": "张*", "phone": "138****0000"}),
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
                "set_removed",
                "set old-week version 0123456789ab".into(),
                json!({"set": "old-week", "version": "0123456789ab"}),
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
                "sources_changed",
                "12 source(s), 3 added, 1 removed".into(),
                json!({"count": 12}),
            ),
            (
                "winners_exported",
                "draw 3: 2 winners, 1 with full name and phone, as copied text".into(),
                json!({"draw": 3, "winners": 2, "contacts": 1, "format": "tsv"}),
            ),
        ];
        let (mut actions, mut names) = (BTreeSet::new(), BTreeSet::new());
        for (action, detail, want) in cases {
            let got = of(action, &detail);
            assert_eq!(got, want, "{action}: {detail}");
            actions.insert(action);
            names.extend(got.as_object().unwrap().keys().cloned());
        }
        // Every action has its line here, and every field name comes out of
        // one: no variant the console has a string for is never used.
        let all: BTreeSet<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(actions, all, "a case for every action");
        let all: BTreeSet<String> = F::ALL.iter().map(|f| f.as_str().to_owned()).collect();
        assert_eq!(names, all, "every AuditField is read from some line");
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
