//! Entrant names, phone numbers and entry codes: parsed once at the border,
//! trusted afterwards, and masked for anything public.

use rand::Rng;
use std::fmt;

/// Longest accepted name, in characters.
pub const NAME_MAX_CHARS: usize = 32;

/// A mainland China mobile number, normalised to its 11 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts `13800138000`, `138 0013 8000`, `138-0013-8000`, `+86 138…`, `0086138…`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .unwrap_or(&compact);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err("not a mainland mobile number (11 digits starting 13-19)")
        }
    }

    /// First 3 and last 4 digits: `138****8000`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Phone {
    /// The checked, normalised text (what the store binds).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keyed hash of a phone, under its round's key (SPEC §8): "one entry
/// per phone per round", a claim by code and phone and the staff's search
/// by number go through it. Its key is random per round and destroyed
/// with the round's purge, together with the hashes: with the key in the
/// same database, the ~1.6·10¹⁰ mobile numbers (10⁴ once a mask is known)
/// are tried in minutes, so nothing a purge leaves may be a hash with a key.
#[derive(Clone)]
pub struct PhoneKey(hmac::Hmac<sha2::Sha256>);

impl PhoneKey {
    /// The key from the database's secret.
    pub fn new(secret: &[u8]) -> Self {
        use hmac::Mac;
        Self(hmac::Hmac::new_from_slice(secret).expect("HMAC takes a key of any length"))
    }

    /// The first 128 bits of HMAC-SHA-256 of the normalised phone, as hex.
    pub fn of(&self, phone: &str) -> String {
        use hmac::Mac;
        let mut mac = self.0.clone();
        mac.update(phone.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

impl fmt::Debug for PhoneKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneKey(..)")
    }
}

/// Masks a stored phone number: first 3 and last 4 characters kept.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len().max(1));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// Masks a name: its first character, then one `*` per other character (at least one).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    let stars = chars.count().max(1);
    format!("{first}{}", "*".repeat(stars))
}

/// An entrant's name: trimmed, 1 to 32 characters, with at least one letter
/// or ideograph and nothing invisible: no control, format (zero-width
/// spaces and joiners, bidi controls, BOM), line or paragraph separator,
/// private-use or unassigned character, no blank filler (U+3164 and its
/// kin, U+2800), no space but U+0020, and no run of more than two
/// combining marks. What staff read on the claim desk is what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrantName(String);

/// Characters that are letters or symbols by category but show as blank.
const BLANK_FILLERS: [char; 5] = ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{2800}'];

/// Longest run of combining marks on one character.
const MAX_COMBINING_RUN: usize = 2;

impl EntrantName {
    /// Trims and checks the name.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        use unicode_properties::{
            GeneralCategory as G, GeneralCategoryGroup, UnicodeGeneralCategory,
        };
        let name = raw.trim();
        if name.is_empty() {
            return Err("name is empty");
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err("name is longer than 32 characters");
        }
        let mut marks = 0;
        for c in name.chars() {
            let category = c.general_category();
            let invisible = matches!(
                category,
                G::Control
                    | G::Format
                    | G::LineSeparator
                    | G::ParagraphSeparator
                    | G::PrivateUse
                    | G::Unassigned
                    | G::Surrogate
            ) || (category == G::SpaceSeparator && c != ' ')
                || BLANK_FILLERS.contains(&c);
            if invisible {
                return Err("name contains invisible or control characters");
            }
            marks = if c.general_category_group() == GeneralCategoryGroup::Mark {
                marks + 1
            } else {
                0
            };
            if marks > MAX_COMBINING_RUN {
                return Err("name stacks too many combining marks");
            }
        }
        if !name
            .chars()
            .any(|c| c.general_category_group() == GeneralCategoryGroup::Letter)
        {
            return Err("name has no letter or ideograph");
        }
        Ok(Self(name.to_owned()))
    }

    /// `张*`, `王**`.
    pub fn masked(&self) -> String {
        mask_name(&self.0)
    }
}

impl AsRef<str> for EntrantName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl EntrantName {
    /// The checked, normalised text (what the store binds).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Crockford base32 alphabet: digits and letters without I, L, O, U.
pub const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// An entry code: 8 Crockford base32 symbols as `XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryCode(String);

impl EntryCode {
    /// A fresh random code (40 bits).
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(random_groups(rng, 2))
    }

    /// Reads a code a person typed: case-insensitive, hyphen optional,
    /// Crockford's look-alikes (`O`→`0`, `I`/`L`→`1`) accepted.
    pub fn parse(raw: &str) -> Option<Self> {
        parse_groups(raw, 2).map(Self)
    }
}

/// A winner's private claim code: 12 Crockford base32 symbols (60 random
/// bits) as `XXXX-XXXX-XXXX`. Only the entrant and the staff at the claim
/// desk ever see it; the public code cannot be turned into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Receipt(String);

impl Receipt {
    /// A fresh random receipt.
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(random_groups(rng, 3))
    }

    /// Reads a receipt as typed or scanned, like [`EntryCode::parse`].
    pub fn parse(raw: &str) -> Option<Self> {
        parse_groups(raw, 3).map(Self)
    }
}

impl AsRef<str> for Receipt {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Receipt {
    /// The checked, normalised text (what the store binds).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `groups` groups of 4 random Crockford symbols joined by hyphens.
fn random_groups(rng: &mut impl Rng, groups: usize) -> String {
    let mut s = String::with_capacity(groups * 5);
    for i in 0..groups * 4 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(CROCKFORD[rng.random_range(0..32)] as char);
    }
    s
}

/// Typed Crockford symbols in `groups` groups of 4, normalised.
fn parse_groups(raw: &str, groups: usize) -> Option<String> {
    let mut symbols = String::with_capacity(groups * 4);
    for c in raw.trim().chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
            return None;
        }
        symbols.push(c);
    }
    (symbols.len() == groups * 4).then(|| {
        let parts: Vec<&str> = (0..groups).map(|g| &symbols[g * 4..g * 4 + 4]).collect();
        parts.join("-")
    })
}

impl AsRef<str> for EntryCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl EntryCode {
    /// The checked, normalised text (what the store binds).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phones_are_normalised_or_refused() {
        let cases = [
            ("13800138000", Some("13800138000"), "plain"),
            ("138 0013 8000", Some("13800138000"), "spaces"),
            ("138-0013-8000", Some("13800138000"), "hyphens"),
            ("+86 138 0013 8000", Some("13800138000"), "+86 prefix"),
            ("008613800138000", Some("13800138000"), "0086 prefix"),
            ("19912345678", Some("19912345678"), "199"),
            ("12800138000", None, "second digit 2"),
            ("1380013800", None, "10 digits"),
            ("138001380000", None, "12 digits"),
            ("23800138000", None, "not starting with 1"),
            ("1380013800a", None, "letter"),
            ("", None, "empty"),
            ("+8613800138000x", None, "trailing junk"),
            ("１３８００１３８０００", None, "full-width digits"),
        ];
        for (raw, want, why) in cases {
            let got = Phone::parse(raw).ok();
            assert_eq!(got.as_ref().map(AsRef::as_ref), want, "{why}: {raw:?}");
        }
    }

    #[test]
    fn masks_follow_the_spec() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_name("Ann"), "A**");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(EntrantName::parse("  张三 ").unwrap().as_ref(), "张三");
        assert!(EntrantName::parse("   ").is_err());
        assert!(EntrantName::parse(&"名".repeat(32)).is_ok());
        assert!(EntrantName::parse(&"名".repeat(33)).is_err());
        assert!(EntrantName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn names_must_be_visible() {
        let refused = [
            ("\u{200b}", "zero-width space alone"),
            ("张\u{200b}三", "zero-width space inside"),
            ("\u{feff}", "byte-order mark"),
            (
                "\u{3164}",
                "Hangul filler (a letter by category, blank on screen)",
            ),
            ("\u{3164}\u{3164}", "two fillers"),
            ("\u{2800}\u{2800}", "Braille blank"),
            ("张\u{202e}三", "bidi override"),
            ("\u{2066}李四\u{2069}", "bidi isolates"),
            ("a\u{2028}b", "line separator"),
            ("\u{e000}", "private use"),
            ("张\u{00a0}三", "no-break space"),
            ("1234", "digits only"),
            ("***", "punctuation only"),
            (
                "a\u{301}\u{301}\u{301}",
                "three combining marks on one letter",
            ),
            ("\u{0378}x", "unassigned code point"),
        ];
        for (name, why) in refused {
            assert!(EntrantName::parse(name).is_err(), "{why}: {name:?}");
        }
        let accepted = [
            "张三",
            "Zhang San",
            "阿卜杜·热合曼",
            "José",
            "e\u{301}",
            "O'Brien",
            "王小二2号",
            "김민수",
        ];
        for name in accepted {
            assert!(EntrantName::parse(name).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn receipts_are_twelve_symbols_read_back_however_typed() {
        let r = Receipt::random(&mut rand::rng());
        assert_eq!(r.as_ref().len(), 14);
        assert_eq!(
            Receipt::parse(&r.as_ref().to_lowercase().replace('-', " ")),
            Some(r.clone())
        );
        assert_eq!(
            Receipt::parse("abcd-efgh-jkmo").unwrap().as_ref(),
            "ABCD-EFGH-JKM0"
        );
        assert!(
            Receipt::parse("ABCD-EFGH").is_none(),
            "a code is not a receipt"
        );
        assert!(
            EntryCode::parse("ABCD-EFGH-JKMN").is_none(),
            "a receipt is not a code"
        );
        assert!(
            Receipt::parse("ABCD-EFGH-JKMU").is_none(),
            "U is not Crockford"
        );
    }

    #[test]
    fn codes_have_the_crockford_shape() {
        let mut rng = rand::rng();
        for _ in 0..1000 {
            let code = EntryCode::random(&mut rng);
            let s = code.as_ref();
            assert_eq!(s.len(), 9);
            assert_eq!(&s[4..5], "-");
            assert!(s
                .chars()
                .filter(|c| *c != '-')
                .all(|c| CROCKFORD.contains(&(c as u8))));
            assert_eq!(EntryCode::parse(s), Some(code.clone()));
        }
        assert_eq!(EntryCode::parse("7kq2m9xd").unwrap().as_ref(), "7KQ2-M9XD");
        assert_eq!(EntryCode::parse("7KQ2-M9XO").unwrap().as_ref(), "7KQ2-M9X0");
        assert_eq!(EntryCode::parse("7KQ2-M9X"), None);
        assert_eq!(EntryCode::parse("7KQ2-M9XU"), None);
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_cases(500))]

        /// Whatever is typed, a parsed phone is 11 digits and masks to 3 + 4.
        #[test]
        fn typed_phones_parse_to_eleven_digits(raw in ".{0,20}|[+0-9 -]{0,20}") {
            if let Ok(p) = Phone::parse(&raw) {
                prop_assert!(p.as_ref().len() == 11 && p.as_ref().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(p.masked().len(), 11);
            }
        }
    }
}
