//! The funnel for staff (SPEC §11): `GET /admin/api/funnel` as JSON and
//! `GET /admin/api/funnel.csv` as a spreadsheet, both grouped by
//! [`crate::funnel::group`] from the one store read, so they agree.

use super::shared::{json_no_store, Staff};
use crate::error::ApiError;
use crate::funnel::{By, Funnel};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

/// `?set=ID&round=ID&by=day|hour|source` (the live set and every round,
/// by day, when left out).
#[derive(Debug, Deserialize)]
pub struct FunnelQuery {
    set: Option<String>,
    round: Option<String>,
    by: Option<String>,
}

/// The funnel of the set and round asked for, grouped as asked: the set
/// `404` when unknown (as `GET /admin/api/stats`), the round too, and a
/// `by` other than `day`, `hour` or `source` `400`.
async fn read(state: &AppState, q: &FunnelQuery) -> Result<(By, Funnel), ApiError> {
    let by = match q.by.as_deref() {
        None | Some("") => By::Day,
        Some(s) => {
            By::parse(s).ok_or_else(|| ApiError::bad_request("by must be day, hour or source"))?
        }
    };
    let bank = super::admin::numbers_set(state, q.set.as_deref().filter(|s| !s.is_empty())).await?;
    let round = q.round.as_deref().filter(|r| !r.is_empty());
    if let Some(r) = round {
        bank.round(r).ok_or_else(|| ApiError::not_found("round"))?;
    }
    // Starts and visits wait in memory until the next commit: commit them
    // first, so the numbers are exact (as the stats do). If nothing can be
    // written, show what is stored.
    if let Err(e) = state.store.flush_counts().await {
        tracing::warn!(error = %e, "funnel: counted starts could not be written");
    }
    let counts = state.store.funnel(&bank.id, round).await?;
    let list = state.sources.known();
    Ok((
        by,
        crate::funnel::group(&counts, by, state.settings.tz, &list.list),
    ))
}

/// `GET /admin/api/funnel`: `{"rows": [{"key", "visits", "starts",
/// "submitted", "passed", "entries"}], "totals": {…}, "tz"}`; by source each
/// row also has `name`, `headcount` and `rate` (entries per head, or null).
#[get("/admin/api/funnel")]
pub async fn funnel(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<FunnelQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, f) = read(&state, &q).await?;
    Ok(json_no_store(
        StatusCode::OK,
        json!({"rows": f.rows, "totals": f.totals, "tz": state.settings.tz.name()}),
    ))
}

/// The CSV's first cells: Chinese, then English.
const KEY_HEADERS: [(By, &str); 3] = [
    (By::Day, "日期 day"),
    (By::Hour, "小时 hour"),
    (By::Source, "来源 source"),
];
/// The stages' headers, in the rows' order.
const STAGE_HEADERS: [&str; 5] = [
    "访问 visits",
    "开始答题 starts",
    "交卷 submitted",
    "及格 passed",
    "抽奖登记 entries",
];
/// By source, after the stages.
const SOURCE_HEADERS: [&str; 3] = ["名称 name", "人数 headcount", "参与率 rate"];

/// The funnel as CSV: UTF-8 with a BOM (Excel opens it as such), a header
/// row, a row per day, hour or source, and a last row of totals.
pub fn csv(by: By, f: &Funnel) -> String {
    let mut out = String::from("\u{feff}");
    let key = KEY_HEADERS
        .iter()
        .find(|(b, _)| *b == by)
        .map_or("", |(_, h)| *h);
    let mut header: Vec<&str> = vec![key];
    header.extend(STAGE_HEADERS);
    if by == By::Source {
        header.extend(SOURCE_HEADERS);
    }
    line(&mut out, header.into_iter().map(str::to_owned));
    for r in &f.rows {
        let mut cells = vec![r.key.clone()];
        cells.extend(r.stages.each().iter().map(i64::to_string));
        if let Some(s) = &r.source {
            cells.push(s.name.clone().unwrap_or_default());
            cells.push(s.headcount.map(|h| h.to_string()).unwrap_or_default());
            cells.push(s.rate.map(|r| format!("{r:.4}")).unwrap_or_default());
        }
        line(&mut out, cells.into_iter());
    }
    let mut total = vec!["合计 total".to_owned()];
    total.extend(f.totals.each().iter().map(i64::to_string));
    line(&mut out, total.into_iter());
    out
}

fn line(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| super::admin::csv_field(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// `GET /admin/api/funnel.csv`: the same rows as `GET /admin/api/funnel`
/// (same query), to open in Excel.
#[get("/admin/api/funnel.csv")]
pub async fn funnel_csv(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<FunnelQuery>,
) -> Result<HttpResponse, ApiError> {
    let (by, f) = read(&state, &q).await?;
    let name = match by {
        By::Day => "funnel-by-day.csv",
        By::Hour => "funnel-by-hour.csv",
        By::Source => "funnel-by-source.csv",
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(csv(by, &f)))
}
