//! The staff API (SPEC §4): token check, question sets, stats, entries export.

use super::shared::{erased_view, json_no_store, Staff};
use crate::bank::Bank;
use crate::clock::rfc3339;
use crate::error::{ApiError, ErrorCode};
use crate::keeping;
use crate::state::AppState;
use crate::store::AuditAction;
use crate::ui_keys::RoundState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /admin/api/whoami`: 200 when the token is right.
#[get("/admin/api/whoami")]
pub async fn whoami(_staff: Staff, state: web::Data<AppState>) -> HttpResponse {
    json_no_store(
        StatusCode::OK,
        json!({"ok": true, "public_url": state.settings.public_url}),
    )
}

/// A loaded set as the console lists it (JSON, both titles, its rounds).
fn console_set_view(
    b: &Bank,
    active: Option<&str>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Value {
    json!({
        "id": b.id,
        "version": b.version,
        "questions": b.questions.len(),
        "title": b.title.get("zh"),
        "title_en": b.title.get("en"),
        "active": active == Some(b.id.as_str()),
        "rounds": b.rounds.iter().map(|r| json!({
            "id": r.id,
            "opens": r.opens.map(rfc3339),
            "closes": r.closes.map(rfc3339),
            "state": r.state(now),
        })).collect::<Vec<_>>(),
        // Template leftovers and a set with every round over: 发布's
        // confirm says them again (issue 22).
        "warnings": crate::bank::leftovers::of_bank(b, now),
    })
}

/// `GET /admin/api/sets`: loaded sets with their versions and which is
/// active; the active one also says roughly how many visitors are
/// mid-quiz on it (`playing`), for the confirm before switching.
#[get("/admin/api/sets")]
pub async fn list_sets(_staff: Staff, state: web::Data<AppState>) -> HttpResponse {
    let (all, active) = state.sets.list();
    let now = state.clock.now();
    let sets: Vec<Value> = all
        .iter()
        .map(|b| {
            let mut v = console_set_view(b, active.as_deref(), now);
            if active.as_deref() == Some(b.id.as_str()) {
                let window = u64::from(b.quiz.time_limit_secs);
                v["playing"] = json!(state.playing.now(window));
            }
            // A new version waiting for 发布 while this one serves.
            v["draft"] = state.sets.draft(&b.id).map_or(Value::Null, |d| {
                json!({"version": d.version, "questions": d.questions.len(), "title": d.title.get("zh"),
                       "warnings": crate::bank::leftovers::of_bank(&d, now)})
            });
            v
        })
        .collect();
    json_no_store(StatusCode::OK, json!(sets))
}

/// `POST /admin/api/sets` query.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// `false`: store the set without making it live (it waits for 发布).
    activate: Option<bool>,
    /// The uploaded file's name: a spreadsheet's stem is the set id when
    /// it names none.
    name: Option<String>,
}

/// The content types of SPEC §9.
pub(super) const XLSX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `POST /admin/api/sets`: upload a set as YAML, an xlsx workbook or a CSV
/// file (by `Content-Type`, or the file name's extension); it is saved as
/// `ID.yaml` and becomes active unless `?activate=false`; with it, a new
/// version of the live set is kept as a draft and visitors keep the live
/// version until the set is activated (SPEC §4).
/// (Registered by hand in `startup::configure` for its larger body limit.)
pub async fn upload_set(
    _staff: Staff,
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    q: web::Query<UploadQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let kind = super::shared::content_type(&req);
    let given = q
        .name
        .as_deref()
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n));
    let by_type = match kind.as_str() {
        XLSX_TYPE => Some("xlsx"),
        "text/csv" => Some("csv"),
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => Some("yaml"),
        _ => None,
    };
    // A workbook is a zip: its first bytes say so whatever the header claims.
    let ext = if body.starts_with(b"PK\x03\x04") {
        "xlsx"
    } else {
        by_type
            .or_else(|| given.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e))
            .unwrap_or("yaml")
    };
    let stem = given
        .map(|n| n.rsplit_once('.').map_or(n, |(s, _)| s))
        .filter(|s| !s.is_empty())
        .unwrap_or("bank");
    let name = format!("{stem}.{ext}");
    let activate = q.activate.unwrap_or(true);
    let up = state.sets.upload(body.to_vec(), &name, activate).await?;
    let b = &up.bank;
    let live = state.sets.active().is_some_and(|a| a.version == b.version);
    Ok(json_no_store(
        StatusCode::CREATED,
        json!({"id": b.id, "version": b.version, "questions": b.questions.len(), "warnings": up.warnings,
               "active": live, "draft": up.draft}),
    ))
}

/// `DELETE /admin/api/sets/{id}` (extension): remove a set that is not
/// live; its versions stay, so sessions and entries on it keep working.
#[actix_web::delete("/admin/api/sets/{id}")]
pub async fn remove_set(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.sets.remove(&id).await?;
    Ok(json_no_store(
        StatusCode::OK,
        json!({"id": *id, "removed": true}),
    ))
}

/// `GET /admin/api/template.xlsx`: the workbook organizers start from.
#[get("/admin/api/template.xlsx")]
pub async fn template(_staff: Staff) -> Result<HttpResponse, ApiError> {
    let bytes = web::block(crate::bank::sheet::export::template_xlsx)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(xlsx_response(bytes, "quizbooth-template.xlsx"))
}

/// `GET /admin/api/sets/{id}.xlsx`: a loaded set as a workbook, to edit.
#[get("/admin/api/sets/{file}")]
pub async fn set_xlsx(
    _staff: Staff,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = file
        .strip_suffix(".xlsx")
        .ok_or_else(|| ApiError::not_found("set workbook"))?;
    let bank = state
        .sets
        .get(id)
        .ok_or_else(|| ApiError::not_found("set"))?;
    let bytes = web::block(move || crate::bank::sheet::export::bank_to_xlsx(&bank))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(xlsx_response(bytes, &format!("{id}.xlsx")))
}

fn xlsx_response(bytes: Vec<u8>, file: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(XLSX_TYPE)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes)
}

/// `POST /admin/api/sets/{id}/activate`.
#[post("/admin/api/sets/{id}/activate")]
pub async fn activate_set(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let bank = state.sets.activate(&id).await?;
    let view = console_set_view(&bank, Some(&bank.id), state.clock.now());
    Ok(json_no_store(StatusCode::OK, view))
}

/// `POST /admin/api/reload`: re-reads the banks folder; broken files are
/// reported and loaded sets keep serving.
#[post("/admin/api/reload")]
pub async fn reload(_staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let report = state.sets.reload().await?;
    Ok(json_no_store(StatusCode::OK, json!(report)))
}

/// `?round=`.
#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    /// A set other than the live one.
    set: Option<String>,
    round: Option<String>,
}

/// `GET /admin/api/stats`: counts for the active set, or with `?set=ID`
/// for any set loaded or holding entries (a set no longer loaded is read
/// as the newest version its entries were made on); `?round=ID` narrows
/// to a round. An unknown set is `404`.
#[get("/admin/api/stats")]
pub async fn stats(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let bank = numbers_set(&state, q.set.as_deref()).await?;
    let stats = set_stats(&state, &bank.id, q.round.as_deref()).await?;
    let questions: Vec<Value> = bank
        .questions
        .iter()
        .map(|qn| {
            let n = stats.questions.get(&qn.id).cloned().unwrap_or_default();
            // Every option of the question, 0 when nobody chose it (SPEC §11).
            let picks: serde_json::Map<String, Value> = qn
                .options
                .iter()
                .map(|(k, _)| (k.to_string(), json!(n.picks.get(k).copied().unwrap_or(0))))
                .collect();
            // The options' texts and the right keys, so the console and the
            // report can name the wrong option most picked (staff only).
            let options: Vec<Value> = qn
                .options
                .iter()
                .map(|(k, t)| json!({"key": k.to_string(), "text": t.get("zh"), "text_en": english(t)}))
                .collect();
            let answer: Vec<String> = qn.answer.iter().map(char::to_string).collect();
            json!({
                "id": qn.id, "text": qn.text.get("zh"), "text_en": english(&qn.text),
                "answered": n.answered, "correct": n.correct,
                "picks": picks, "median_secs": crate::quiz::seconds::median(&n.secs),
                "options": options, "answer": answer,
            })
        })
        .collect();
    let counts = stats.rounds;
    Ok(json_no_store(
        StatusCode::OK,
        json!({
            "set": bank.id,
            "round": q.round,
            "sessions": {"started": counts.started, "submitted": counts.submitted, "passed": counts.passed},
            "entries": counts.entries,
            "questions": questions,
        }),
    ))
}

/// A bank text's English, when the bank gives one (the console in English
/// shows it; `text` stays the Chinese).
fn english(t: &crate::bank::Text) -> Option<&str> {
    t.has("en").then(|| t.get("en"))
}

/// A set's numbers as stored, exact: session starts are counted in memory
/// until the next commit, so they are committed first (if nothing can be
/// written, what is stored is shown). The stats and the report read them here.
pub(super) async fn set_stats(
    state: &AppState,
    set_id: &str,
    round: Option<&str>,
) -> Result<crate::store::Stats, ApiError> {
    if let Err(e) = state.store.flush_counts().await {
        tracing::warn!(error = %e, "stats: counted starts could not be written");
    }
    Ok(state.store.stats(set_id, round).await?)
}

/// The set whose numbers staff asked for (the stats, the funnel, the
/// report): `id` as [`stats_set`] finds it, or the active set when none is
/// named; `404` when there is no such set.
pub(super) async fn numbers_set(state: &AppState, id: Option<&str>) -> Result<Arc<Bank>, ApiError> {
    match id {
        None => state
            .active_bank()
            .ok_or_else(|| ApiError::not_found("active set")),
        Some(id) => stats_set(state, id)
            .await?
            .ok_or_else(|| ApiError::not_found("set")),
    }
}

/// The set `id` as loaded, else as the newest version its entries were
/// made on (a set removed or renamed since still has its numbers).
pub(super) async fn stats_set(state: &AppState, id: &str) -> Result<Option<Arc<Bank>>, ApiError> {
    if let Some(b) = state.sets.get(id) {
        return Ok(Some(b));
    }
    let held = state.store.rounds_with_entries().await?;
    let newest = held
        .iter()
        .filter(|r| r.set_id == id)
        .filter_map(|r| r.versions.last())
        .next_back();
    match newest {
        Some(v) => Ok(state.sets.version(v).await?),
        None => Ok(None),
    }
}

/// What a spreadsheet takes for the start of a formula: `= + - @`, their
/// full-width forms (which some spreadsheets accept too), and the tab and
/// carriage return that some strip before looking.
const FORMULA_STARTS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// One cell of a file or text staff open in a spreadsheet, `separator`
/// between cells: a text that a spreadsheet would read as a formula is
/// defused with a leading `'`, and the cell is quoted (RFC 4180) when it
/// holds the separator, a quote, a line break, or (in CSV) a `;`, which
/// some locales' Excel splits on. The one rule for every export: the
/// entries CSV, the winners CSV, and the winners list the console copies.
pub(super) fn sheet_cell(s: &str, separator: char) -> String {
    let s = if s.starts_with(FORMULA_STARTS) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    let quote =
        s.contains(['"', '\n', '\r', separator]) || (separator == ',' && s.contains([';', '\t']));
    if quote {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A CSV cell ([`sheet_cell`] with `,`).
pub(super) fn csv_field(s: &str) -> String {
    sheet_cell(s, ',')
}

/// `GET /admin/api/entries.csv`: every entry with full contact details,
/// UTF-8 with BOM; `created_at` in the service's local offset.
#[get("/admin/api/entries.csv")]
pub async fn entries_csv(
    _staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let header = format!("\u{feff}{}\r\n", super::sheets::ENTRY_COLUMNS.join(","));
    let now = state.clock.now();
    let (at, offset) = (rfc3339(now), *now.offset());
    let (csv, rows, held) = state
        .store
        .export_entries((header, 0usize, 0usize), move |(out, rows, held), e| {
            *rows += 1;
            *held += usize::from(e.erased.is_none());
            let row = [
                e.code,
                e.round_id,
                e.name.unwrap_or_default(),
                e.phone.unwrap_or_default(),
                e.score.to_string(),
                e.percent.to_string(),
                super::sheets::local_time(&e.created_at, offset),
            ];
            out.push_str(
                &row.iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        })
        .await?;
    state
        .store
        .audit(
            AuditAction::EntriesExported,
            &format!("{rows} entries, {held} with full name and phone"),
            &at,
        )
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"entries.csv\"",
        ))
        .body(csv))
}

/// `GET /admin/api/entries` query: `?limit=` (a `q` is refused).
#[derive(Debug, Deserialize)]
pub struct EntriesQuery {
    q: Option<String>,
    limit: Option<i64>,
}

/// `POST /admin/api/entries/search` body.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct SearchBody {
    /// A code, a phone (or part of one) or a name.
    q: Option<String>,
    limit: Option<i64>,
}

/// `GET /admin/api/entries`: the newest entries of every round, with
/// masked contacts. A search is a POST ([`search_entries`]): a `?q=` is
/// refused, so names and phones stay out of URLs and proxy logs.
#[get("/admin/api/entries")]
pub async fn entries(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<EntriesQuery>,
) -> Result<HttpResponse, ApiError> {
    if q.q.is_some() {
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::UsePost,
            "search with POST /admin/api/entries/search and {\"q\": ...} in the body: names and phones are kept out of URLs",
        ));
    }
    entries_found(&state, None, q.limit).await
}

/// `POST /admin/api/entries/search` with `{"q": NAME_OR_PHONE}` (SPEC §4):
/// entries found by code, phone or name, newest first, masked. A phone
/// also finds the entries whose contacts were purged (through its keyed
/// hash), so a person who asks what is held about them gets every record.
#[post("/admin/api/entries/search")]
pub async fn search_entries(
    _staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<SearchBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    entries_found(&state, body.q.as_deref(), body.limit).await
}

async fn entries_found(
    state: &AppState,
    q: Option<&str>,
    limit: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let needle = q.map(str::trim).filter(|s| !s.is_empty()).map(|s| {
        // A typed code in any case and with or without its hyphen finds the entry.
        crate::contact::EntryCode::parse(s).map_or_else(|| s.to_owned(), |c| c.to_string())
    });
    let limit = limit.unwrap_or(100).clamp(1, 1000);
    let (total, rows) = state.store.search_entries(needle, limit).await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            // Masked: full contacts leave only through the CSV, a draw's
            // winners and the claim desk.
            let name = e.name.as_deref().map(crate::contact::mask_name);
            let phone = e.phone.as_deref().map(crate::contact::mask_phone);
            json!({"code": e.code, "set": e.set_id, "round": e.round_id, "name": name, "phone": phone,
                   "erased": erased_view(e.erased.as_ref()),
                   "score": e.score, "percent": e.percent, "created_at": e.created_at})
        })
        .collect();
    Ok(json_no_store(
        StatusCode::OK,
        json!({"total": total, "entries": rows}),
    ))
}

/// The staff routes of one person's erasure and of the spreadsheet
/// exports, registered together from [`crate::startup::configure`].
pub fn erasure_and_sheets(cfg: &mut web::ServiceConfig) {
    cfg.service(withdraw_entry)
        .service(super::sheets::entries_xlsx)
        .service(super::sheets::winners_xlsx);
}

/// `POST /admin/api/entries/{code}/withdraw` (SPEC §4): staff withdraw an
/// entry for a person who asks at the booth or by phone, exactly as the
/// entrant's own withdrawal does (SPEC §8): the name and phone are erased
/// at once, the code leaves every pool committed from now on and can no
/// longer claim in pools already committed. The code is matched in any
/// case, with or without its hyphen. `204`, again `204`; an unknown code `404`.
#[post("/admin/api/entries/{code}/withdraw")]
pub async fn withdraw_entry(
    _staff: Staff,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = crate::contact::EntryCode::parse(code.trim())
        .ok_or_else(|| ApiError::not_found("entry"))?;
    let at = rfc3339(state.clock.now());
    let withdrawn = state
        .store
        .withdraw_code(&code, &at)
        .await?
        .ok_or_else(|| ApiError::not_found("entry"))?;
    tracing::info!(
        held_by_committed_draws = withdrawn.held_by.len(),
        "an entry was withdrawn by staff; its name and phone are erased"
    );
    keeping::scrub_soon(state.store.clone());
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

/// `GET /admin/api/rounds`: the live set's rounds, then every other round
/// that holds entries (of a set no longer live, or renamed or dropped by a
/// later version of its set), each with its state, counts, pool and
/// keeping time (SPEC §4, §8). `in_set` says whether the set as loaded
/// still has the round (a draw can be committed for it); `erase_after` is
/// null with `erase_warning` (`never_closes`, `version_missing`) when no
/// date erases the round's names and phones.
#[get("/admin/api/rounds")]
pub async fn rounds(_staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let live = state.active_bank();
    let with_entries = state.store.rounds_with_entries().await?;
    let mut listed: Vec<(String, String, Vec<String>)> = Vec::new();
    if let Some(bank) = &live {
        for r in &bank.rounds {
            let versions = with_entries
                .iter()
                .find(|e| e.set_id == bank.id && e.round_id == r.id)
                .map(|e| e.versions.clone())
                .unwrap_or_default();
            listed.push((bank.id.clone(), r.id.clone(), versions));
        }
    }
    for e in with_entries {
        if !listed
            .iter()
            .any(|(s, r, _)| *s == e.set_id && *r == e.round_id)
        {
            listed.push((e.set_id, e.round_id, e.versions));
        }
    }
    let now = state.clock.now();
    let mut rounds = Vec::with_capacity(listed.len());
    for (set_id, round_id, versions) in listed {
        let live_set = live.as_ref().map(|b| b.id.as_str());
        rounds.push(round_view(&state, live_set, &set_id, &round_id, &versions, now).await?);
    }
    Ok(json_no_store(StatusCode::OK, json!(rounds)))
}

/// One round as `GET /admin/api/rounds` lists it (and the report, SPEC §11,
/// shows it): its definition, counts, pool and keeping time. `versions` are
/// the set versions its entries were made on; `live_set` the live set's id.
pub(super) async fn round_view(
    state: &AppState,
    live_set: Option<&str>,
    set_id: &str,
    round_id: &str,
    versions: &[String],
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Value, ApiError> {
    // What the round is now: as its set is loaded, else as the newest
    // version its entries were made on defines it.
    let loaded = state.sets.get(set_id);
    let in_set = loaded.as_ref().is_some_and(|b| b.round(round_id).is_some());
    let bank = match (in_set, versions.last()) {
        (false, Some(v)) => state.sets.version(v).await?,
        _ => loaded,
    };
    let def = bank.as_ref().and_then(|b| b.round(round_id));
    let counts = state
        .store
        .round_counts(set_id, vec![round_id.to_owned()])
        .await?
        .pop()
        .unwrap_or_default();
    let pool = state.store.pool_size(set_id, round_id).await?;
    let keeping = keeping::of_round(state, set_id, round_id, versions).await?;
    let last_purge = keeping.kept.last_purge.as_ref();
    Ok(json!({
        "set": set_id, "id": round_id, "in_set": in_set,
        "live": in_set && live_set == Some(set_id),
        "title": def.and_then(|r| r.title.as_ref()).map(|t| t.get("zh")),
        "title_en": def.and_then(|r| r.title.as_ref()).map(|t| t.get("en")),
        "opens": def.and_then(|r| r.opens).map(rfc3339),
        "closes": def.and_then(|r| r.closes).map(rfc3339),
        "state": def.map_or(RoundState::Closed, |r| r.state(now)),
        "entries": counts.entries, "started": counts.started, "passed": counts.passed,
        "pool": pool,
        "keep_days": bank.as_ref().map(|b| b.privacy.keep_days),
        "last_claim_by": keeping.kept.last_claim_by,
        "erase_after": keeping.erase_after.ok().map(rfc3339),
        "erase_warning": keeping.erase_after.err(),
        "purged_at": last_purge.map(|p| p.at.clone()),
        "last_purge": last_purge.map(|p| json!({"at": p.at, "erased": p.erased, "how": p.how})),
    }))
}

/// `POST /admin/api/rounds/{id}/purge` body.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct PurgeBody {
    /// The set (default: the active set).
    set: Option<String>,
    /// Purge even though a claim deadline of the round is still ahead.
    force: bool,
}

/// `POST /admin/api/rounds/{id}/purge`: erase the names and phones of a
/// round's entries now (SPEC §8). Before the round's last `claim_by` only
/// with `force` (winners not yet come could then claim only by receipt, and
/// staff could not call them).
#[post("/admin/api/rounds/{id}/purge")]
pub async fn purge_round(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Option<web::Json<PurgeBody>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map(web::Json::into_inner).unwrap_or_default();
    let set_id = match body.set {
        Some(s) => s,
        None => state
            .active_bank()
            .map(|b| b.id.clone())
            .ok_or_else(|| ApiError::not_found("active set"))?,
    };
    let known = state
        .sets
        .get(&set_id)
        .is_some_and(|b| b.round(&id).is_some())
        || state
            .store
            .rounds_with_entries()
            .await?
            .iter()
            .any(|r| r.set_id == set_id && r.round_id == *id);
    if !known {
        return Err(ApiError::not_found("round"));
    }
    let now = state.clock.now();
    let kept = state.store.keeping(&set_id, &id).await?;
    let claim_open = kept
        .last_claim_by
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .filter(|by| now <= *by);
    if let (Some(by), false) = (claim_open, body.force) {
        return Err(ApiError::conflict(
            ErrorCode::ClaimOpen,
            format!(
                "winners of this round may claim until {}; purge with \"force\": true to erase their contacts anyway",
                rfc3339(by)
            ),
        )
        .with("claim_by", json!(rfc3339(by))));
    }
    let how = if claim_open.is_some() {
        "staff, forced"
    } else {
        "staff"
    };
    let erased = state
        .store
        .purge_round(&set_id, &id, &rfc3339(now), how, None)
        .await?
        .unwrap_or(0);
    tracing::info!(set = %set_id, round = %id, erased, how, "names and phones erased by staff");
    keeping::scrub_soon(state.store.clone());
    Ok(json_no_store(
        StatusCode::OK,
        json!({"set": set_id, "round": *id, "erased": erased, "at": rfc3339(now), "how": how}),
    ))
}

#[cfg(test)]
mod tests {
    use super::{csv_field, sheet_cell};

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("张三"), "张三");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        // Issue 21: a `;` splits a cell in locales whose Excel reads `;` as
        // the separator; so is every formula start defused, full-width too.
        assert_eq!(csv_field("张;三"), "\"张;三\"");
        assert_eq!(csv_field("a\tb"), "\"a\tb\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\";\"点我\")"),
            "\"'=HYPERLINK(\"\"http://x\"\";\"\"点我\"\")\""
        );
        for start in [
            "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠A",
        ] {
            assert!(
                csv_field(start).trim_start_matches('"').starts_with('\''),
                "{start:?}"
            );
        }
        assert_eq!(csv_field("13800138000"), "13800138000", "phones untouched");
    }

    #[test]
    fn tab_separated_cells_are_quoted_for_tabs_and_defused_alike() {
        assert_eq!(sheet_cell("a;b,c", '\t'), "a;b,c", "no need to quote");
        assert_eq!(sheet_cell("a\tb", '\t'), "\"a\tb\"");
        assert_eq!(sheet_cell("=1+1", '\t'), "'=1+1");
        assert_eq!(sheet_cell("x\ny", '\t'), "\"x\ny\"");
    }
}

/// `GET /admin/api/audit`: the log of staff actions, newest first (SPEC §7).
/// Each row also carries `fields`, its detail read as named values (ids,
/// counts, masks; `null` for a line the service does not write), for the
/// console to phrase in its language; `detail` is as hashed.
#[get("/admin/api/audit")]
pub async fn audit(_staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let log = state.store.audit_log().await?;
    let rows: Vec<Value> = log
        .into_iter()
        .map(|row| {
            let fields = crate::audit::fields::fields(&row.action, &row.detail);
            json!({"seq": row.seq, "at": row.at, "action": row.action, "detail": row.detail,
                   "hash": row.hash, "fields": fields})
        })
        .collect();
    Ok(json_no_store(StatusCode::OK, json!(rows)))
}

/// `GET /admin/api/audit/verify` (extension): the hash chain recomputed
/// over the whole log, as `quizbooth audit-verify` does.
#[get("/admin/api/audit/verify")]
pub async fn audit_verify(
    _staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut log = state.store.audit_log().await?;
    log.reverse();
    let verified = crate::audit::verify(&log);
    Ok(json_no_store(
        StatusCode::OK,
        json!({
            "rows": log.len(),
            "verified": verified.is_ok(),
            "break": verified.err().map(|b| json!({"seq": b.seq, "why": b.why})),
        }),
    ))
}
