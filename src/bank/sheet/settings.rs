//! The `设置` sheet: the set's id, title, quiz and privacy settings.

use super::*;

/// What `设置` says: the id, and YAML lines by section (`title`, `quiz`,
/// `privacy.`, `privacy.organizer`…), each with its cell.
#[derive(Default)]
pub(super) struct Settings {
    pub(super) id: Option<(String, Place)>,
    pub(super) lines: Vec<(&'static str, Vec<(String, Place)>)>,
}

impl Settings {
    fn push(&mut self, section: &'static str, line: String, at: Place) {
        match self.lines.iter_mut().find(|(k, _)| *k == section) {
            Some((_, v)) => v.push((line, at)),
            None => self.lines.push((section, vec![(line, at)])),
        }
    }
}

pub(super) fn read_settings(w: &mut Writer, g: &Grid) -> Settings {
    let known = vec!["项目".to_owned(), "值".to_owned()];
    let cols = header(w, g, &known);
    let mut s = Settings::default();
    let (Some(&key_col), Some(&value_col)) = (cols.get("项目"), cols.get("值")) else {
        if !g.rows.is_empty() {
            w.problem(
                &place(g, 0, 0),
                format!("the `{SETTINGS}` sheet needs the columns 项目 and 值 in row 1"),
            )
            .set_kind("settings_columns", &[]);
        }
        return s;
    };
    let mut seen = HashMap::new();
    for r in 1..g.rows.len() {
        let key = normalise_header(g.cell(r, key_col));
        let value = g.cell(r, value_col).trim().to_owned();
        if key.is_empty() && value.is_empty() {
            continue;
        }
        let at = place(g, r, value_col);
        let Some((name, setting)) = SETTING_ROWS.iter().find(|(k, _)| *k == key) else {
            let names: Vec<&str> = SETTING_ROWS.iter().map(|(k, _)| *k).collect();
            w.problem(
                &place(g, r, key_col),
                format!(
                    "unknown setting `{key}`; the settings are: {}",
                    names.join(" ")
                ),
            )
            .set_kind(
                "unknown_setting",
                &[("name", &key), ("known", &names.join("、"))],
            );
            continue;
        };
        if seen.insert(*name, r).is_some() {
            w.problem(
                &place(g, r, key_col),
                format!("the setting `{name}` appears twice"),
            )
            .set_kind("duplicate_setting", &[("name", name)]);
            continue;
        }
        if value.is_empty() {
            continue;
        }
        match *setting {
            Setting::Id => s.id = Some((value, at)),
            Setting::Text(path, lang) => {
                s.push(path, format!("{lang}: {}", quoted(&value)), at);
            }
            Setting::Int(section, key) => match whole_number(&value) {
                Some(n) => {
                    let section = if section == "privacy" {
                        "privacy."
                    } else {
                        section
                    };
                    s.push(section, format!("{key}: {n}"), at);
                }
                None => {
                    w.problem(
                        &at,
                        format!("{name} must be a whole number such as 10, not `{value}`"),
                    )
                    .set_kind("not_whole_number", &[("name", name), ("value", &value)]);
                }
            },
            Setting::Bool(section, key) => match yes_no(&value) {
                Some(b) => s.push(section, format!("{key}: {b}"), at),
                None => {
                    w.problem(&at, format!("{name} is 是 or 否, not `{value}`"))
                        .set_kind("not_yes_no", &[("name", name), ("value", &value)]);
                }
            },
        }
    }
    s
}
