//! The `轮次` sheet: rounds and their times.

use super::*;

pub(super) fn read_rounds(w: &mut Writer, g: &Grid) {
    let known: Vec<String> = ROUND_COLUMNS.iter().map(|s| (*s).to_owned()).collect();
    let cols = header(w, g, &known);
    let rows: Vec<usize> = (1..g.rows.len()).filter(|&r| !is_blank(g, r)).collect();
    if rows.is_empty() {
        return;
    }
    w.line(&place(g, 0, 0), "rounds:");
    for r in rows {
        let id_col = cols.get("编号").copied().unwrap_or(0);
        w.line(
            &place(g, r, id_col),
            &format!("  - id: {}", quoted(g.cell(r, id_col).trim())),
        );
        for (name, key) in [("开始", "opens"), ("结束", "closes")] {
            let col = cols.get(name).copied();
            let value = col.map_or("", |c| g.cell(r, c).trim());
            let at = place(g, r, col.unwrap_or(id_col));
            if value.is_empty() {
                w.problem(
                    &at,
                    format!("the round has no {name} time: write it as 2026-11-01 09:00 or 2026-11-01T09:00:00+08:00"),
                )
                .set_kind("round_time_missing", &[("name", name)]);
            }
            w.line(&at, &format!("    {key}: {}", quoted(&sheet_time(value))));
        }
        text_lines(w, g, &cols, r, "名称", "title", "    ");
        text_lines(w, g, &cols, r, "说明", "notice", "    ");
    }
}

/// A time as typed in a sheet: RFC 3339 as it is; `2026-11-01 09:00(:00)`
/// (or with `/`) as that time at +08:00.
fn sheet_time(s: &str) -> String {
    if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        return s.to_owned();
    }
    let t = s.replace('/', "-");
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(&t, f) {
            return format!("{}+08:00", n.format("%Y-%m-%dT%H:%M:%S"));
        }
    }
    s.to_owned()
}
