//! The `展板` sheet: exhibition boards.

use super::*;

pub(super) fn read_boards(w: &mut Writer, g: &Grid) {
    let known: Vec<String> = BOARD_COLUMNS.iter().map(|s| (*s).to_owned()).collect();
    let cols = header(w, g, &known);
    let rows: Vec<usize> = (1..g.rows.len()).filter(|&r| !is_blank(g, r)).collect();
    if rows.is_empty() {
        return;
    }
    w.line(&place(g, 0, 0), "boards:");
    for r in rows {
        let id_col = cols.get("编号").copied().unwrap_or(0);
        let id = g.cell(r, id_col).trim();
        w.line(&place(g, r, id_col), &format!("  - id: {}", quoted(id)));
        for (name, key) in [("标题", "title"), ("内容", "body")] {
            if !text_lines(w, g, &cols, r, name, key, "    ") {
                w.problem(
                    &place(g, r, cols.get(name).copied().unwrap_or(0)),
                    format!("the board has no {name}"),
                )
                .set_kind("empty_cell", &[("name", name)]);
            }
        }
    }
}
