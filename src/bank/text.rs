//! Bilingual texts with the SPEC's fallback: the asked language, then `zh`,
//! then any language present.

use std::collections::BTreeMap;

/// The default language.
pub const DEFAULT_LANG: &str = "zh";

/// The languages the visitor page offers, first is the default.
pub const UI_LANGS: [&str; 2] = ["zh", "en"];

/// A text in one or more languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(BTreeMap<String, String>);

impl Text {
    /// A text in the default language only.
    pub fn plain(s: impl Into<String>) -> Self {
        Self(BTreeMap::from([(DEFAULT_LANG.to_owned(), s.into())]))
    }

    /// A text from language → string pairs (must not be empty).
    pub fn from_map(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }

    /// The text in `lang`, falling back to `zh`, then to any language.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get(DEFAULT_LANG))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The languages present.
    pub fn langs(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether `lang` is present as such (no fallback).
    pub fn has(&self, lang: &str) -> bool {
        self.0.contains_key(lang)
    }
}

/// Picks the visitor's language from an explicit choice, else `Accept-Language`, else `zh`.
pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> &'static str {
    if let Some(l) = explicit.and_then(ui_lang) {
        return l;
    }
    if let Some(header) = accept_language {
        // Tags in the order written, ignoring q-values of 0; the first we offer wins.
        for tag in header.split(',') {
            let mut parts = tag.split(';');
            let lang = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            if refused {
                continue;
            }
            if let Some(l) = ui_lang(lang) {
                return l;
            }
        }
    }
    DEFAULT_LANG
}

/// `zh`, `zh-CN`, `en-US`… → the UI language, if offered.
pub fn ui_lang(tag: &str) -> Option<&'static str> {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    UI_LANGS.into_iter().find(|l| *l == primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_zh_then_any() {
        let both = Text::from_map(BTreeMap::from([
            ("zh".into(), "你好".into()),
            ("en".into(), "Hello".into()),
        ]));
        assert_eq!(both.get("en"), "Hello");
        assert_eq!(both.get("fr"), "你好");
        let only_en = Text::from_map(BTreeMap::from([("en".into(), "Hello".into())]));
        assert_eq!(only_en.get("zh"), "Hello");
        assert_eq!(Text::plain("只有中文").get("en"), "只有中文");
    }

    #[test]
    fn negotiates_the_language() {
        assert_eq!(negotiate(Some("en"), Some("zh-CN")), "en");
        assert_eq!(negotiate(Some("fr"), Some("en-US,en;q=0.9")), "en");
        assert_eq!(negotiate(None, Some("zh-CN,zh;q=0.9,en;q=0.8")), "zh");
        assert_eq!(negotiate(None, Some("en-GB,en;q=0.9")), "en");
        assert_eq!(negotiate(None, Some("fr-FR,en;q=0.5")), "en");
        assert_eq!(negotiate(None, Some("de")), "zh");
        assert_eq!(negotiate(None, None), "zh");
    }
}
