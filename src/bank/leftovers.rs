//! Template leftovers (issue 22 item 7): a bank that checks out but still
//! says what the template said. These are warnings, not errors (the set
//! works), but an organizer must see them before 发布:
//!
//! - a text still equal to one of the template's examples
//!   ([`super::sheet::export`]'s example bank);
//! - a text with the template's placeholder wording: `请改成…`, `请填写…`,
//!   `(put … here)`, which visitors would otherwise read as it stands;
//! - a set with no round open now or later (a template whose round is over).
//!
//! [`check_raw`] finds them with their places while a bank is checked;
//! [`of_bank`] finds them again in a loaded set, for 发布's confirm.

use super::raw::{RawBank, RawText, S};
use super::{Bank, Problem, Text};
use chrono::{DateTime, FixedOffset};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Placeholder wording in Chinese: the text after it (to a closing bracket)
/// says what to write instead. `请改成` counts anywhere; the others only
/// in brackets (`（请填写单位名称）`), as a quiz may well say 请填写真实信息.
const ZH_MARKERS: &[(&str, bool)] = &[("请改成", false), ("请填写", true), ("请替换", true)];

/// Opening brackets a placeholder sits in.
const OPENERS: [char; 4] = ['（', '(', '【', '['];

/// The placeholder in a text, if it has one: `请改成你的单位` or
/// `put your organization here` (in brackets: "(put … here)").
pub fn placeholder(s: &str) -> Option<String> {
    for (m, bracketed) in ZH_MARKERS {
        for (i, _) in s.match_indices(m) {
            let opened = s[..i]
                .chars()
                .next_back()
                .is_some_and(|c| OPENERS.contains(&c));
            if *bracketed && !opened {
                continue;
            }
            let rest = &s[i..];
            let end = rest
                .find(['）', ')', '】', ']', '。'])
                .unwrap_or(rest.len());
            return Some(rest[..end].chars().take(40).collect());
        }
    }
    let lower = s.to_ascii_lowercase();
    for (i, _) in lower.match_indices("put ") {
        if !lower[..i].ends_with(['(', '[']) {
            continue;
        }
        // `(put … here)`, within the bracket.
        let rest = &lower[i..];
        let stop = rest.find([')', ']']).unwrap_or(rest.len());
        if let Some(here) = rest[..stop].find(" here") {
            let end = here + " here".len();
            return Some(s[i..i + end].chars().take(60).collect());
        }
    }
    None
}

/// The template's example texts (every language), the options left out: an
/// option such as `12377` is a fact, not a leftover.
fn template_texts() -> &'static HashSet<String> {
    static TEXTS: OnceLock<HashSet<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let mut set = HashSet::new();
        if let Ok(raw) = serde_saphyr::from_str::<RawBank>(super::sheet::export::TEMPLATE_BANK) {
            for (_, _, text) in raw_texts(&raw) {
                for s in raw_strings(&text.value) {
                    set.insert(s.trim().to_owned());
                }
            }
        }
        set
    })
}

fn raw_strings(t: &RawText) -> Vec<&str> {
    match t {
        RawText::Plain(s) => vec![s.as_str()],
        // Chinese first: its placeholder is the one named.
        RawText::Map(m) => {
            let zh = m.get("zh").map(String::as_str);
            zh.into_iter()
                .chain(
                    m.iter()
                        .filter(|(l, _)| *l != "zh")
                        .map(|(_, s)| s.as_str()),
                )
                .collect()
        }
    }
}

/// Every text of a raw bank that an organizer writes for visitors, options
/// left out, as (what it is, the id it belongs to, the text).
fn raw_texts(raw: &RawBank) -> Vec<(&'static str, String, &S<RawText>)> {
    let mut out: Vec<(&'static str, String, &S<RawText>)> =
        vec![("title", String::new(), &raw.title)];
    if let Some(t) = &raw.intro {
        out.push(("intro", String::new(), t));
    }
    if let Some(p) = &raw.privacy {
        for (what, t) in [
            ("organizer", &p.value.organizer),
            ("contact", &p.value.contact),
            ("purpose", &p.value.purpose),
        ] {
            if let Some(t) = t {
                out.push((what, String::new(), t));
            }
        }
    }
    for r in raw.rounds.iter().flat_map(|r| r.value.iter()) {
        let id = r.value.id.value.clone();
        if let Some(t) = &r.value.title {
            out.push(("round_title", id.clone(), t));
        }
        if let Some(t) = &r.value.notice {
            out.push(("round_notice", id, t));
        }
    }
    for b in raw.boards.iter().flatten() {
        let id = b.value.id.value.clone();
        out.push(("board_title", id.clone(), &b.value.title));
        out.push(("board_body", id, &b.value.body));
    }
    for q in &raw.questions.value {
        let id = q.value.id.value.clone();
        out.push(("question_text", id.clone(), &q.value.text));
        if let Some(e) = &q.value.explanation {
            out.push(("explanation", id, e));
        }
    }
    out
}

/// The same texts of a loaded bank.
fn bank_texts(bank: &Bank) -> Vec<(&'static str, String, &Text)> {
    let mut out: Vec<(&'static str, String, &Text)> = vec![("title", String::new(), &bank.title)];
    if let Some(t) = &bank.intro {
        out.push(("intro", String::new(), t));
    }
    for (what, t) in [
        ("organizer", &bank.privacy.organizer),
        ("contact", &bank.privacy.contact),
        ("purpose", &bank.privacy.purpose),
    ] {
        if let Some(t) = t {
            out.push((what, String::new(), t));
        }
    }
    for r in &bank.rounds {
        if let Some(t) = &r.title {
            out.push(("round_title", r.id.clone(), t));
        }
        if let Some(t) = &r.notice {
            out.push(("round_notice", r.id.clone(), t));
        }
    }
    for b in &bank.boards {
        out.push(("board_title", b.id.clone(), &b.title));
        out.push(("board_body", b.id.clone(), &b.body));
    }
    for q in &bank.questions {
        out.push(("question_text", q.id.clone(), &q.text));
        if let Some(e) = &q.explanation {
            out.push(("explanation", q.id.clone(), e));
        }
    }
    out
}

/// English words for what a text is, for the `message` of a problem.
pub(super) fn what_en(what: &str, id: &str) -> String {
    match what {
        "title" | "intro" => format!("the set's {what}"),
        "organizer" | "contact" | "purpose" => format!("privacy {what}"),
        "round_title" => format!("round `{id}` title"),
        "round_notice" => format!("round `{id}` notice"),
        "board_title" => format!("board `{id}` title"),
        "board_body" => format!("board `{id}` body"),
        "question_text" => format!("question `{id}` text"),
        "explanation" => format!("question `{id}` explanation"),
        _ => format!("question `{id}` {what}"),
    }
}

/// The leftover warning of one text, if it is one.
fn text_warning(what: &'static str, id: &str, strings: &[&str]) -> Option<Problem> {
    if let Some(found) = strings.iter().find_map(|s| placeholder(s)) {
        let message = format!(
            "{} still has the template's placeholder \"{found}\": write the real text (visitors read it as it stands)",
            what_en(what, id)
        );
        return Some(Problem::warning(1, 1, message).of_kind(
            "placeholder",
            &[("what", what), ("id", id), ("found", &found)],
        ));
    }
    let examples = template_texts();
    if strings.iter().any(|s| examples.contains(s.trim())) {
        let message = format!(
            "{} is still the template's example: replace it with your own, or delete it",
            what_en(what, id)
        );
        return Some(
            Problem::warning(1, 1, message)
                .of_kind("template_example", &[("what", what), ("id", id)]),
        );
    }
    None
}

/// Leftovers of a bank being checked, at their places: texts (placeholder
/// wording, the template's examples) and options (placeholder wording only).
pub fn check_raw(raw: &RawBank) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut at = |p: Option<Problem>, s: &S<RawText>| {
        if let Some(mut p) = p {
            p.line = s.referenced.line().max(1);
            p.column = s.referenced.column().max(1);
            out.push(p);
        }
    };
    for (what, id, text) in raw_texts(raw) {
        at(text_warning(what, &id, &raw_strings(&text.value)), text);
    }
    for q in &raw.questions.value {
        for o in q.value.options.iter().flat_map(|o| o.value.iter()) {
            let found = raw_strings(&o.value).into_iter().find_map(placeholder);
            let p = found.map(|found| {
                let id = &q.value.id.value;
                Problem::warning(1, 1, format!("question `{id}`: an option still has the template's placeholder \"{found}\""))
                    .of_kind("placeholder", &[("what", "option"), ("id", id), ("found", &found)])
            });
            at(p, o);
        }
    }
    if let Some(rounds) = &raw.rounds {
        let closes = rounds.value.iter().filter_map(|r| {
            DateTime::parse_from_rfc3339(r.value.closes.value.trim())
                .ok()
                .map(|t| (t, &r.value.closes))
        });
        let now = chrono::Local::now().fixed_offset();
        if let Some((last, place)) = closes.max_by_key(|(t, _)| *t) {
            if let Some(mut p) = rounds_over(last, now) {
                p.line = place.referenced.line().max(1);
                p.column = place.referenced.column().max(1);
                out.push(p);
            }
        }
    }
    out
}

/// The warning for a set whose last round closed at `last`, if that is
/// before `now`: visitors can neither play nor enter.
fn rounds_over(last: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> Option<Problem> {
    (last <= now).then(|| {
        let last = crate::clock::rfc3339(last);
        Problem::warning(
            1,
            1,
            format!("every round is over (the last closed at {last}): no visitor can play or enter; give the rounds the event's real times"),
        )
        .of_kind("no_round_ahead", &[("last", &last)])
    })
}

/// Leftovers of a loaded set at `now`, without places (发布's confirm says
/// them again).
pub fn of_bank(bank: &Bank, now: DateTime<FixedOffset>) -> Vec<Problem> {
    let mut out: Vec<Problem> = bank_texts(bank)
        .into_iter()
        .filter_map(|(what, id, text)| {
            let mut langs: Vec<&str> = text.langs().collect();
            langs.sort_by_key(|l| *l != "zh");
            let strings: Vec<&str> = langs.into_iter().map(|l| text.get(l)).collect();
            text_warning(what, &id, &strings)
        })
        .collect();
    for q in &bank.questions {
        for (_, o) in &q.options {
            if let Some(found) = o.langs().find_map(|l| placeholder(o.get(l))) {
                out.push(
                    Problem::warning(1, 1, format!("question `{}`: an option still has the template's placeholder \"{found}\"", q.id))
                        .of_kind("placeholder", &[("what", "option"), ("id", &q.id), ("found", &found)]),
                );
            }
        }
    }
    let last = bank
        .rounds
        .iter()
        .map(|r| r.closes)
        .collect::<Option<Vec<_>>>();
    if let Some(last) = last.and_then(|c| c.into_iter().max()) {
        out.extend(rounds_over(last, now));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_in_both_languages() {
        assert_eq!(
            placeholder("某某区委网信办（请改成你的单位）").as_deref(),
            Some("请改成你的单位")
        );
        assert_eq!(
            placeholder("District Cyberspace Office (put your organization here)").as_deref(),
            Some("put your organization here")
        );
        assert_eq!(placeholder("Put the phone down and call 12377"), None);
        assert_eq!(placeholder("Put your phone here and scan"), None);
        assert_eq!(placeholder("中央网信办违法和不良信息举报中心"), None);
        assert_eq!(placeholder("举报时请填写真实信息。"), None);
        assert_eq!(
            placeholder("某单位（请填写单位名称）").as_deref(),
            Some("请填写单位名称")
        );
    }

    #[test]
    fn the_template_unchanged_is_all_leftovers_and_the_sample_bank_only_its_placeholder_contact() {
        let t = crate::bank::parse_bank(crate::bank::sheet::export::TEMPLATE_BANK);
        let kinds: Vec<&str> = t
            .problems
            .iter()
            .filter_map(|p| p.kind.as_ref().map(|k| k.code))
            .collect();
        assert!(t.bank.is_some(), "{:#?}", t.problems);
        assert_eq!(
            kinds.iter().filter(|k| **k == "placeholder").count(),
            2,
            "{kinds:?}"
        );
        assert!(kinds.contains(&"template_example"), "{kinds:?}");
        assert!(kinds.contains(&"no_round_ahead"), "{kinds:?}");
        assert!(t.problems.iter().all(|p| p.warning));

        // The sample bank's privacy block is an obvious placeholder, caught
        // here so a real event does not go live with it; nothing else warns.
        let sample = std::fs::read_to_string("questions/netsec-week.yaml").unwrap();
        let s = crate::bank::parse_bank(&sample);
        let whats: Vec<&str> = s
            .problems
            .iter()
            .filter_map(|p| p.kind.as_ref())
            .filter(|k| k.code == "placeholder")
            .map(|k| k.args["what"].as_str())
            .collect();
        assert_eq!(whats, ["organizer", "contact"], "{:#?}", s.problems);
        assert_eq!(s.problems.len(), 2, "{:#?}", s.problems);
        let bank = s.bank.unwrap();
        assert_eq!(of_bank(&bank, chrono::Local::now().fixed_offset()).len(), 2);
    }

    #[test]
    fn a_loaded_template_says_the_same_leftovers_for_the_confirm() {
        let bank = crate::bank::parse_bank(crate::bank::sheet::export::TEMPLATE_BANK)
            .bank
            .unwrap();
        let now = chrono::Local::now().fixed_offset();
        let found = of_bank(&bank, now);
        assert!(found.iter().any(|p| p
            .kind
            .as_ref()
            .is_some_and(|k| k.code == "placeholder" && k.args["what"] == "organizer")));
        assert!(found
            .iter()
            .any(|p| p.kind.as_ref().is_some_and(|k| k.code == "no_round_ahead")));
        // Before its round closed, the same set has no round warning.
        let before = DateTime::parse_from_rfc3339("2026-09-16T10:00:00+08:00").unwrap();
        assert!(!of_bank(&bank, before)
            .iter()
            .any(|p| p.kind.as_ref().is_some_and(|k| k.code == "no_round_ahead")));
    }
}
