//! The string keys the pages build at run time (`'state_' + state`,
//! `'pk_' + code`, `'audit_act_' + action`, …), as enums: each family's wire values in one place,
//! and a test that every value has its string in both languages in the
//! pages' tables (web/strings-draw.js, web/strings-admin.js), so a new
//! round state or problem kind cannot reach the console as a bare key.

use serde::Serialize;

/// One family of keys: an enum whose variants serialise as their wire
/// value, with `ALL`, `as_str()` and `key()` (the page's string key:
/// `PREFIX` + the value).
macro_rules! key_family {
    ($(#[$m:meta])* $name:ident, $prefix:literal { $($(#[$vm:meta])* $v:ident => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $v,)*
        }

        impl $name {
            /// Every variant.
            pub const ALL: &'static [Self] = &[$(Self::$v,)*];
            /// The prefix of the pages' string keys for this family.
            pub const PREFIX: &'static str = $prefix;

            /// The value on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s,)* }
            }

            /// The variant of a wire value.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }

            /// The pages' string key (`PREFIX` + the value).
            pub fn key(self) -> String {
                format!("{}{}", Self::PREFIX, self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

key_family! {
    /// Where a round stands at a moment (`state` in `/admin/api/rounds`,
    /// the console's `state_*`).
    RoundState, "state_" {
        /// Before it opens.
        Upcoming => "upcoming",
        /// Open now.
        Open => "open",
        /// Closed.
        Closed => "closed",
    }
}

key_family! {
    /// How a round's contacts were erased (the audit's `how`, and
    /// `forced`; the console's `purge_how_*`).
    PurgeHow, "purge_how_" {
        /// By the keeping task, when the round's days were up.
        Automatic => "automatic",
        /// By staff.
        Staff => "staff",
        /// By staff, before the last claim deadline.
        StaffForced => "staff_forced",
    }
}

key_family! {
    /// The file format of an entries export (the audit's `format`; the
    /// console's `audit_format_*`).
    ExportFormat, "audit_format_" {
        /// Comma-separated.
        Csv => "csv",
        /// Tab-separated.
        Tsv => "tsv",
        /// Excel workbook.
        Xlsx => "xlsx",
    }
}

key_family! {
    /// What a bank problem says, by its text key: the kind's code, or one
    /// of its forms (`unknown_column_near` when a suggestion is given,
    /// `truefalse_any` when no value is). `check`'s Chinese
    /// (src/bank/words.rs) and the console's `pk_*` strings.
    ProblemKey, "pk_" {
        /// `missing_translation`.
        MissingTranslation => "missing_translation",
        /// `bad_id`.
        BadId => "bad_id",
        /// `bad_time`.
        BadTime => "bad_time",
        /// `duplicate_id`.
        DuplicateId => "duplicate_id",
        /// `closes_before_opens`.
        ClosesBeforeOpens => "closes_before_opens",
        /// `rounds_overlap`.
        RoundsOverlap => "rounds_overlap",
        /// `option_count`.
        OptionCount => "option_count",
        /// `unknown_board`.
        UnknownBoard => "unknown_board",
        /// `privacy_no_organizer`.
        PrivacyNoOrganizer => "privacy_no_organizer",
        /// `privacy_no_contact`.
        PrivacyNoContact => "privacy_no_contact",
        /// `privacy_none`.
        PrivacyNone => "privacy_none",
        /// `answer_not_option`.
        AnswerNotOption => "answer_not_option",
        /// `truefalse_answer`.
        TruefalseAnswer => "truefalse_answer",
        /// `truefalse_word`.
        TruefalseWord => "truefalse_word",
        /// `truefalse_any`.
        TruefalseAny => "truefalse_any",
        /// `multiple_list`.
        MultipleList => "multiple_list",
        /// `single_many`.
        SingleMany => "single_many",
        /// `answer_letters`.
        AnswerLetters => "answer_letters",
        /// `option_gap`.
        OptionGap => "option_gap",
        /// `question_type`.
        QuestionType => "question_type",
        /// `yaml_question_type`.
        YamlQuestionType => "yaml_question_type",
        /// `empty_cell`.
        EmptyCell => "empty_cell",
        /// `not_whole_number`.
        NotWholeNumber => "not_whole_number",
        /// `not_yes_no`.
        NotYesNo => "not_yes_no",
        /// `unknown_column`.
        UnknownColumn => "unknown_column",
        /// `unknown_column_near`.
        UnknownColumnNear => "unknown_column_near",
        /// `duplicate_column`.
        DuplicateColumn => "duplicate_column",
        /// `missing_column`.
        MissingColumn => "missing_column",
        /// `unknown_setting`.
        UnknownSetting => "unknown_setting",
        /// `duplicate_setting`.
        DuplicateSetting => "duplicate_setting",
        /// `settings_columns`.
        SettingsColumns => "settings_columns",
        /// `round_time_missing`.
        RoundTimeMissing => "round_time_missing",
        /// `no_questions_sheet`.
        NoQuestionsSheet => "no_questions_sheet",
        /// `no_questions`.
        NoQuestions => "no_questions",
        /// `unread_sheet`.
        UnreadSheet => "unread_sheet",
        /// `truefalse_options`.
        TruefalseOptions => "truefalse_options",
        /// `fullwidth_colon`.
        FullwidthColon => "fullwidth_colon",
        /// `looks_like_csv`.
        LooksLikeCsv => "looks_like_csv",
        /// `unknown_key`.
        UnknownKey => "unknown_key",
        /// `unknown_key_near`.
        UnknownKeyNear => "unknown_key_near",
        /// `missing_key`.
        MissingKey => "missing_key",
        /// `placeholder`.
        Placeholder => "placeholder",
        /// `template_example`.
        TemplateExample => "template_example",
        /// `no_text`.
        NoText => "no_text",
        /// `bad_lang`.
        BadLang => "bad_lang",
        /// `empty_text`.
        EmptyText => "empty_text",
        /// `too_long`.
        TooLong => "too_long",
        /// `too_many_boards`.
        TooManyBoards => "too_many_boards",
        /// `empty_set`.
        EmptySet => "empty_set",
        /// `too_many_questions`.
        TooManyQuestions => "too_many_questions",
        /// `per_visitor_needed`.
        PerVisitorNeeded => "per_visitor_needed",
        /// `setting_range`.
        SettingRange => "setting_range",
        /// `rounds_empty`.
        RoundsEmpty => "rounds_empty",
        /// `points_range`.
        PointsRange => "points_range",
        /// `yaml_truefalse_options`.
        YamlTruefalseOptions => "yaml_truefalse_options",
        /// `bool_answer`.
        BoolAnswer => "bool_answer",
        /// `answer_twice`.
        AnswerTwice => "answer_twice",
        /// `single_count`.
        SingleCount => "single_count",
        /// `multiple_none`.
        MultipleNone => "multiple_none",
        /// `file_too_big`.
        FileTooBig => "file_too_big",
        /// `yaml_syntax`.
        YamlSyntax => "yaml_syntax",
        /// `not_utf8`.
        NotUtf8 => "not_utf8",
        /// `cannot_read`.
        CannotRead => "cannot_read",
        /// `not_xlsx`.
        NotXlsx => "not_xlsx",
        /// `workbook_too_big`.
        WorkbookTooBig => "workbook_too_big",
        /// `too_many_strings`.
        TooManyStrings => "too_many_strings",
        /// `too_many_cells`.
        TooManyCells => "too_many_cells",
        /// `csv_not_text`.
        CsvNotText => "csv_not_text",
        /// `bad_csv`.
        BadCsv => "bad_csv",
        /// `no_round_ahead`.
        NoRoundAhead => "no_round_ahead",
        /// `same_set`: a file saying what an earlier one says (a workbook
        /// kept beside its YAML).
        SameSet => "same_set",
        /// `set_id_taken`: another set's file already has the id.
        SetIdTaken => "set_id_taken",
    }
}

key_family! {
    /// What text a leftover placeholder or example is in (a problem's
    /// `what`; the console's `what_*`).
    LeftoverWhat, "what_" {
        /// `title`.
        Title => "title",
        /// `intro`.
        Intro => "intro",
        /// `organizer`.
        Organizer => "organizer",
        /// `contact`.
        Contact => "contact",
        /// `purpose`.
        Purpose => "purpose",
        /// `round_title`.
        RoundTitle => "round_title",
        /// `round_notice`.
        RoundNotice => "round_notice",
        /// `board_title`.
        BoardTitle => "board_title",
        /// `board_body`.
        BoardBody => "board_body",
        /// `question_text`.
        QuestionText => "question_text",
        /// `explanation`.
        Explanation => "explanation",
        /// `option`.
        Option => "option",
    }
}

key_family! {
    /// What staff did, as the audit log records it (SPEC §7): a row's
    /// `action`, and the console's `audit_act_*`.
    AuditAction, "audit_act_" {
        /// A set was uploaded.
        SetUploaded => "set_uploaded",
        /// A set was made active.
        SetActivated => "set_activated",
        /// The banks folder was re-read.
        SetsReloaded => "sets_reloaded",
        /// A draw was committed.
        DrawCommitted => "draw_committed",
        /// A draw was revealed.
        DrawRevealed => "draw_revealed",
        /// A prize was handed out.
        PrizeClaimed => "prize_claimed",
        /// A round's contacts were erased.
        ContactsPurged => "contacts_purged",
        /// The entries with full contacts were exported.
        EntriesExported => "entries_exported",
        /// A set that was not live was removed (extension).
        SetRemoved => "set_removed",
        /// A draw's winners with full contacts were exported (CSV, or the
        /// text the console copies).
        WinnersExported => "winners_exported",
        /// An entry was withdrawn, by its entrant or by staff (its code only).
        EntryWithdrawn => "entry_withdrawn",
        /// The list of sources was replaced (SPEC §11).
        SourcesChanged => "sources_changed",
    }
}

key_family! {
    /// What is wrong with a sources upload (src/sources.rs; the console's
    /// `src_pk_*`).
    SourceProblemKey, "src_pk_" {
        /// Not `[a-z0-9-]{1,32}`.
        BadId => "bad_id",
        /// No id.
        EmptyId => "empty_id",
        /// `direct` or `share`.
        ReservedId => "reserved_id",
        /// An id listed twice.
        DuplicateId => "duplicate_id",
        /// No name.
        EmptyName => "empty_name",
        /// A name over 64 characters.
        LongName => "long_name",
        /// Not a positive whole number.
        BadHeadcount => "bad_headcount",
        /// `编号` or `名称` missing from the header.
        MissingColumn => "missing_column",
        /// A column the sheet does not have.
        UnknownColumn => "unknown_column",
        /// A column twice.
        DuplicateColumn => "duplicate_column",
        /// A workbook without a `来源` sheet.
        NoSheet => "no_sheet",
        /// Over 5000 sources.
        TooMany => "too_many",
        /// Not JSON, CSV or a workbook that reads.
        Unreadable => "unreadable",
    }
}

key_family! {
    /// A named value read from an audit row's detail (the keys of `fields`
    /// in `GET /admin/api/audit`, src/audit/fields.rs; the console's
    /// `audit_f_*`, its labels where it has no sentence for a row).
    AuditField, "audit_f_" {
        /// A set's id.
        Set => "set",
        /// A round's id.
        Round => "round",
        /// A set's version.
        Version => "version",
        /// How many questions a set has.
        Questions => "questions",
        /// An upload that is a draft of the live set.
        Draft => "draft",
        /// How many bank files were read.
        Count => "count",
        /// How many of them were broken.
        Broken => "broken",
        /// Rows exported.
        Rows => "rows",
        /// Of them, with full name and phone.
        Contacts => "contacts",
        /// An export's file format ([`ExportFormat`]).
        Format => "format",
        /// A draw's id.
        Draw => "draw",
        /// How many winners.
        Winners => "winners",
        /// A draw's pool size.
        Entries => "entries",
        /// The draw a re-draw replaces.
        Replaces => "replaces",
        /// A draw's digest.
        Digest => "digest",
        /// A draw's seed.
        Seed => "seed",
        /// The winning codes.
        Codes => "codes",
        /// An entry's code.
        Code => "code",
        /// A masked name.
        Name => "name",
        /// A masked phone (hand-out rows written before the line kept the
        /// masked name only).
        Phone => "phone",
        /// `erased` when a claim's round had lost its contacts.
        Contact => "contact",
        /// Who did it (`entrant`, `staff`) or how (`receipt`).
        By => "by",
        /// How many entries a purge erased.
        Erased => "erased",
        /// How a purge came about ([`PurgeHow`] without `_forced`).
        How => "how",
        /// A purge forced before the last claim deadline.
        Forced => "forced",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The keys of each language's table in the staff pages' string files:
    /// `zh: {` / `DRAW_STRINGS.zh, {` opens a table, `  key: …` is a key.
    fn tables() -> [BTreeSet<String>; 2] {
        read_tables(&[
            include_str!("../web/strings-draw.js"),
            include_str!("../web/strings-admin.js"),
            include_str!("../web/strings-poster.js"),
            include_str!("../web/strings-report.js"),
        ])
    }

    fn read_tables(files: &[&str]) -> [BTreeSet<String>; 2] {
        let mut out = [BTreeSet::new(), BTreeSet::new()];
        let mut lang = None;
        for file in files {
            for line in file.lines() {
                let t = line.trim();
                if t.starts_with("zh: {") || t.contains(".zh, {") {
                    lang = Some(0);
                } else if t.starts_with("en: {") || t.contains(".en, {") {
                    lang = Some(1);
                } else if t.starts_with('}') && !line.starts_with("    ") {
                    lang = None;
                } else if let (Some(l), Some((key, _))) = (lang, t.split_once(':')) {
                    if !key.is_empty()
                        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        out[l].insert(key.to_owned());
                    }
                }
            }
        }
        out
    }

    fn check(family: &str, keys: impl Iterator<Item = String>) {
        let [zh, en] = tables();
        assert!(zh.len() > 100 && en.len() > 100, "the tables were read");
        for key in keys {
            assert!(zh.contains(&key), "{family}: `{key}` has no Chinese string");
            assert!(en.contains(&key), "{family}: `{key}` has no English string");
        }
    }

    #[test]
    fn every_variant_has_a_string_in_both_languages() {
        check("RoundState", RoundState::ALL.iter().map(|v| v.key()));
        check("PurgeHow", PurgeHow::ALL.iter().map(|v| v.key()));
        check("ExportFormat", ExportFormat::ALL.iter().map(|v| v.key()));
        check("ProblemKey", ProblemKey::ALL.iter().map(|v| v.key()));
        check("LeftoverWhat", LeftoverWhat::ALL.iter().map(|v| v.key()));
        check("AuditAction", AuditAction::ALL.iter().map(|v| v.key()));
        check("AuditField", AuditField::ALL.iter().map(|v| v.key()));
        check(
            "SourceProblemKey",
            SourceProblemKey::ALL.iter().map(|v| v.key()),
        );
    }

    #[test]
    fn every_string_of_a_family_is_a_variant() {
        let [zh, _] = tables();
        type Known = fn(&str) -> bool;
        let families: [(&str, Known); 8] = [
            (SourceProblemKey::PREFIX, |c| {
                SourceProblemKey::from_code(c).is_some()
            }),
            (RoundState::PREFIX, |c| RoundState::from_code(c).is_some()),
            (PurgeHow::PREFIX, |c| PurgeHow::from_code(c).is_some()),
            (ExportFormat::PREFIX, |c| {
                ExportFormat::from_code(c).is_some()
            }),
            (ProblemKey::PREFIX, |c| ProblemKey::from_code(c).is_some()),
            (LeftoverWhat::PREFIX, |c| {
                LeftoverWhat::from_code(c).is_some()
            }),
            (AuditAction::PREFIX, |c| AuditAction::from_code(c).is_some()),
            (AuditField::PREFIX, |c| AuditField::from_code(c).is_some()),
        ];
        for (prefix, known) in families {
            for key in zh.iter().filter(|k| k.starts_with(prefix)) {
                assert!(
                    known(&key[prefix.len()..]),
                    "`{key}` is no variant: a dead key, or a variant missing"
                );
            }
        }
    }

    #[test]
    fn every_question_type_has_a_visitor_string_in_both_languages() {
        use crate::bank::QuestionType;
        let [zh, en] = read_tables(&[include_str!("../web/strings.js")]);
        assert!(zh.len() > 50 && en.len() > 50, "the visitor table was read");
        // The visitor page shows t(q.type) over each question.
        for ty in [
            QuestionType::Single,
            QuestionType::Multiple,
            QuestionType::Truefalse,
        ] {
            // A new variant stops this match from compiling: add it above.
            match ty {
                QuestionType::Single | QuestionType::Multiple | QuestionType::Truefalse => {}
            }
            let key = ty.to_string();
            assert!(
                zh.contains(&key) && en.contains(&key),
                "`{key}` in both languages"
            );
        }
    }

    #[test]
    fn values_serialise_as_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&RoundState::Upcoming).unwrap(),
            "\"upcoming\""
        );
        assert_eq!(
            ProblemKey::UnknownColumnNear.as_str(),
            "unknown_column_near"
        );
        assert_eq!(PurgeHow::StaffForced.key(), "purge_how_staff_forced");
        assert_eq!(
            LeftoverWhat::from_code("option"),
            Some(LeftoverWhat::Option)
        );
    }
}
