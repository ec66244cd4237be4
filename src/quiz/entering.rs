//! What a visitor sends to enter the draw, parsed (SPEC §3, §8): a name and
//! a phone that parse, and consent to the notice; else the reason for each
//! marked field.

use crate::contact::{EntrantName, Phone};

/// Why nothing is kept without the ticked notice (SPEC §8).
pub const CONSENT_MISSING: &str =
    "tick the box to agree to the notice on how your name and phone are used";

/// An entrant who may be kept: a valid name and phone, who agreed to the
/// notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entrant {
    /// As normalised.
    pub name: EntrantName,
    /// As normalised (11 digits).
    pub phone: Phone,
    /// May the masked name and phone be published (default no).
    pub publish: bool,
}

/// An entry form refused: the reason for each marked field (`name`,
/// `phone`, `consent`), and the name and phone when both parse (a retry of
/// an entry stored before is still recognised by them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntry {
    /// `(field, reason)`, in the order name, phone, consent.
    pub fields: Vec<(&'static str, &'static str)>,
    /// The name and phone, when both parse.
    pub contact: Option<(EntrantName, Phone)>,
}

impl Entrant {
    /// The entrant of a form with this `name` and `phone` as typed, the
    /// notice ticked or not (`consent`), and `publish`.
    pub fn parse(
        name: &str,
        phone: &str,
        consent: bool,
        publish: bool,
    ) -> Result<Self, InvalidEntry> {
        let (name, phone) = (EntrantName::parse(name), Phone::parse(phone));
        let mut fields = Vec::new();
        if let Err(e) = &name {
            fields.push(("name", *e));
        }
        if let Err(e) = &phone {
            fields.push(("phone", *e));
        }
        if !consent {
            fields.push(("consent", CONSENT_MISSING));
        }
        match (name, phone, consent) {
            (Ok(name), Ok(phone), true) => Ok(Self {
                name,
                phone,
                publish,
            }),
            (Ok(name), Ok(phone), false) => Err(InvalidEntry {
                fields,
                contact: Some((name, phone)),
            }),
            _ => Err(InvalidEntry {
                fields,
                contact: None,
            }),
        }
    }
}

/// The name and phone sent, when both parse, whether or not the form was
/// otherwise valid.
pub fn sent_contact(form: &Result<Entrant, InvalidEntry>) -> Option<(&EntrantName, &Phone)> {
    match form {
        Ok(e) => Some((&e.name, &e.phone)),
        Err(e) => e.contact.as_ref().map(|(n, p)| (n, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_name_and_phone_with_consent_is_an_entrant() {
        let e = Entrant::parse("张三", "138 0013 8000", true, true).expect("valid");
        assert_eq!(
            (e.name.as_ref(), e.phone.as_ref(), e.publish),
            ("张三", "13800138000", true)
        );
    }

    #[test]
    fn each_bad_field_is_marked_with_its_reason() {
        let cases: [(&str, &str, bool, &[&str], bool); 4] = [
            ("", "13800138000", true, &["name"], false),
            ("张三", "123", true, &["phone"], false),
            ("张三", "13800138000", false, &["consent"], true),
            ("", "x", false, &["name", "phone", "consent"], false),
        ];
        for (name, phone, consent, marked, contact) in cases {
            let e = Entrant::parse(name, phone, consent, false).expect_err("refused");
            let got: Vec<_> = e.fields.iter().map(|(f, _)| *f).collect();
            assert_eq!(got, marked, "{name:?} {phone:?} consent={consent}");
            assert!(
                e.fields.iter().all(|(_, why)| !why.is_empty()),
                "{marked:?} has reasons"
            );
            assert_eq!(
                e.contact.is_some(),
                contact,
                "{marked:?}: contact kept only when both parse"
            );
            assert_eq!(sent_contact(&Err(e)).is_some(), contact);
        }
    }
}
