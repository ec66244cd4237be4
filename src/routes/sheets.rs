//! The staff's spreadsheets as Excel files (`entries.xlsx`, and a draw's
//! `winners.xlsx` beside its CSV), and the one way every export writes a
//! time: in the service's local offset (what the booth's clock says), not
//! as each row happened to be stored. Phones and codes are text cells, so
//! Excel never shows `1.38E+10` or drops a leading zero; times are real
//! date-time cells; a text cell is never read as a formula.

use super::shared::Staff;
use crate::clock::rfc3339;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::AuditAction;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// The entries export's columns (SPEC §4), the CSV's header.
pub const ENTRY_COLUMNS: [&str; 7] = [
    "code",
    "round",
    "name",
    "phone",
    "score",
    "percent",
    "created_at",
];
/// The winners export's columns, the CSV's header.
pub const WINNER_COLUMNS: [&str; 5] = ["place", "code", "name", "phone", "claimed_at"];

/// How a date-time cell shows.
const DATETIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";

/// A stored RFC 3339 time in `offset` (the service's local offset, from
/// its clock); a time that does not read is left as stored.
pub fn local_time(stored: &str, offset: FixedOffset) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| rfc3339(t.with_timezone(&offset)))
        .unwrap_or_else(|_| stored.to_owned())
}

/// The cells of one sheet as they are written.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    /// RFC 3339, written as a date-time in the local offset (a text cell if unreadable).
    Time(&'a str),
}

/// A sheet under construction: its header, the formats, the next row.
struct Sheet {
    ws: Worksheet,
    row: u32,
    offset: FixedOffset,
    time: Format,
    text: Format,
}

impl Sheet {
    fn new(name: &str, header: &[&str], offset: FixedOffset) -> Result<Self, XlsxError> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        let bold = Format::new().set_bold();
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
            ws.set_column_width(i as u16, if *h == "name" { 14 } else { 20 })?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(Self {
            ws,
            row: 1,
            offset,
            time: Format::new().set_num_format(DATETIME_FORMAT),
            // "@": Excel keeps what is typed into the cell later as text too.
            text: Format::new().set_num_format("@"),
        })
    }

    fn push(&mut self, cells: &[Cell<'_>]) -> Result<(), XlsxError> {
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text("") => {}
                Cell::Text(s) => {
                    self.ws
                        .write_string_with_format(self.row, col, *s, &self.text)?;
                }
                Cell::Number(n) => {
                    self.ws.write_number(self.row, col, *n)?;
                }
                Cell::Time("") => {}
                Cell::Time(t) => match excel_time(t, self.offset) {
                    Some(dt) => {
                        self.ws
                            .write_datetime_with_format(self.row, col, &dt, &self.time)?;
                    }
                    None => {
                        self.ws
                            .write_string_with_format(self.row, col, *t, &self.text)?;
                    }
                },
            }
        }
        self.row += 1;
        Ok(())
    }

    fn into_bytes(self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        book.push_worksheet(self.ws);
        book.save_to_buffer()
    }
}

/// A stored RFC 3339 time as an Excel date-time in `offset`.
fn excel_time(stored: &str, offset: FixedOffset) -> Option<ExcelDateTime> {
    let t = DateTime::parse_from_rfc3339(stored)
        .ok()?
        .with_timezone(&offset);
    let year = u16::try_from(t.year()).ok()?;
    ExcelDateTime::from_ymd(year, t.month() as u8, t.day() as u8)
        .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second()))
        .ok()
}

fn sheet_failed(e: XlsxError) -> ApiError {
    ApiError::unavailable(format!("the spreadsheet could not be written: {e}"))
}

/// An `.xlsx` download.
fn xlsx(bytes: Vec<u8>, file: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes)
}

/// `GET /admin/api/entries.xlsx`: every entry with full contact details,
/// the CSV's columns, for Excel: phone and code as text, `created_at` a
/// date-time in the service's local time; audited `entries_exported`.
#[get("/admin/api/entries.xlsx")]
pub async fn entries_xlsx(
    _staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let sheet = Sheet::new("entries", &ENTRY_COLUMNS, *now.offset()).map_err(sheet_failed)?;
    let (sheet, rows, held, failed) = state
        .store
        .export_entries(
            (sheet, 0usize, 0usize, None),
            |(sheet, rows, held, failed), e| {
                if failed.is_some() {
                    return;
                }
                *rows += 1;
                *held += usize::from(e.erased.is_none());
                let row = [
                    Cell::Text(&e.code),
                    Cell::Text(&e.round_id),
                    Cell::Text(e.name.as_deref().unwrap_or_default()),
                    Cell::Text(e.phone.as_deref().unwrap_or_default()),
                    Cell::Number(e.score as f64),
                    Cell::Number(e.percent as f64),
                    Cell::Time(&e.created_at),
                ];
                if let Err(err) = sheet.push(&row) {
                    *failed = Some(err);
                }
            },
        )
        .await?;
    if let Some(e) = failed {
        return Err(sheet_failed(e));
    }
    let bytes = sheet.into_bytes().map_err(sheet_failed)?;
    state
        .store
        .audit(
            AuditAction::EntriesExported,
            &format!("{rows} entries, {held} with full name and phone, as Excel file"),
            &rfc3339(now),
        )
        .await?;
    Ok(xlsx(bytes, "entries.xlsx"))
}

/// `GET /admin/api/draws/{id}/winners.xlsx`: the winners with full name and
/// phone, the CSV's columns, for Excel; audited `winners_exported`.
#[get("/admin/api/draws/{id}/winners.xlsx")]
pub async fn winners_xlsx(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let draw = state
        .store
        .draw(*id)
        .await?
        .ok_or_else(|| ApiError::not_found("draw"))?;
    let now = state.clock.now();
    let mut sheet = Sheet::new("winners", &WINNER_COLUMNS, *now.offset()).map_err(sheet_failed)?;
    let mut held = 0;
    for (i, w) in draw.winners.iter().enumerate() {
        held += usize::from(w.name.is_some());
        sheet
            .push(&[
                Cell::Number((i + 1) as f64),
                Cell::Text(&w.code),
                Cell::Text(w.name.as_deref().unwrap_or_default()),
                Cell::Text(w.phone.as_deref().unwrap_or_default()),
                Cell::Time(w.claimed_at.as_deref().unwrap_or_default()),
            ])
            .map_err(sheet_failed)?;
    }
    let bytes = sheet.into_bytes().map_err(sheet_failed)?;
    state
        .store
        .audit(
            AuditAction::WinnersExported,
            &format!(
                "draw {}: {} winners, {held} with full name and phone, as Excel file",
                draw.id,
                draw.winners.len()
            ),
            &rfc3339(now),
        )
        .await?;
    Ok(xlsx(bytes, &format!("winners-draw-{}.xlsx", draw.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_are_written_in_the_local_offset() {
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            local_time("2026-12-01T02:00:00+00:00", east8),
            "2026-12-01T10:00:00+08:00"
        );
        assert_eq!(
            local_time("2026-12-01T10:00:00+08:00", east8),
            "2026-12-01T10:00:00+08:00"
        );
        assert_eq!(local_time("not a time", east8), "not a time");
        let dt = excel_time("2026-12-01T02:00:00Z", east8).unwrap();
        let want = ExcelDateTime::from_ymd(2026, 12, 1)
            .unwrap()
            .and_hms(10, 0, 0)
            .unwrap();
        assert_eq!(dt.to_excel(), want.to_excel());
    }
}
