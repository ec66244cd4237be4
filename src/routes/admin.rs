//! The staff API (SPEC §4): token check, question sets, stats, entries export.

use super::now;
use crate::bank::{self, Bank};
use crate::error::ApiError;
use crate::state::{read_banks, AppState, ProblemView};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::{ready, Ready};
use subtle::ConstantTimeEq;

/// Proof that the request carries the staff token. Take it as a handler argument.
#[derive(Debug)]
pub struct Staff;

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Ready<Result<Staff, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(ApiError::unauthorized()));
        };
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .unwrap_or("");
        let ip = crate::routes::visitor::client_ip(req);
        if let Err(wait) = state.limits.login_allowed(ip) {
            return ready(Err(ApiError::rate_limited(wait)));
        }
        let expected = state.admin_token.0.as_bytes();
        let ok = !given.is_empty() && bool::from(given.as_bytes().ct_eq(expected));
        if !ok {
            state.limits.login_failed(ip);
            tracing::warn!(%ip, "staff request with a wrong or missing token");
        }
        ready(if ok {
            Ok(Staff)
        } else {
            Err(ApiError::unauthorized())
        })
    }
}

fn no_store(status: StatusCode, v: Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(v)
}

/// `GET /admin/api/whoami`: 200 when the token is right.
#[get("/admin/api/whoami")]
pub async fn whoami(_staff: Staff, state: web::Data<AppState>) -> HttpResponse {
    no_store(
        StatusCode::OK,
        json!({"ok": true, "public_url": state.settings.public_url}),
    )
}

fn set_view(b: &Bank, active: Option<&str>) -> Value {
    json!({
        "id": b.id,
        "version": b.version,
        "questions": b.questions.len(),
        "title": b.title.get("zh"),
        "title_en": b.title.get("en"),
        "active": active == Some(b.id.as_str()),
        "rounds": b.rounds.iter().map(|r| json!({
            "id": r.id,
            "opens": r.opens.map(super::rfc3339),
            "closes": r.closes.map(super::rfc3339),
            "state": r.state(now()),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /admin/api/sets`: loaded sets with their versions and which is active.
#[get("/admin/api/sets")]
pub async fn list_sets(_staff: Staff, state: web::Data<AppState>) -> HttpResponse {
    let banks = state.banks();
    let sets: Vec<Value> = banks
        .all()
        .iter()
        .map(|b| set_view(b, banks.active_id()))
        .collect();
    no_store(StatusCode::OK, json!(sets))
}

/// `POST /admin/api/sets`: upload a YAML set; it is saved as `ID.yaml` and becomes active.
/// (Registered by hand in `startup::configure` for its larger body limit.)
pub async fn upload_set(
    _staff: Staff,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::unprocessable("invalid", "the file is not UTF-8 text; save it as UTF-8").with(
            "problems",
            json!([{"line": 1, "column": 1, "message": "the file is not UTF-8 text"}]),
        )
    })?;
    let report = bank::parse_bank(text);
    let problems: Vec<ProblemView> = report.problems.iter().map(ProblemView::from).collect();
    let Some(bank) = report.bank else {
        let count = problems.iter().filter(|p| !p.warning).count();
        return Err(ApiError::unprocessable(
            "invalid",
            format!("the set has {count} problem(s); nothing was changed"),
        )
        .with("problems", json!(problems)));
    };
    let dir = state.banks_dir();
    let file = dir.join(format!("{}.yaml", bank.id));
    write_atomically(&file, text).map_err(|e| {
        tracing::error!(file = %file.display(), error = %e, "cannot save the uploaded set");
        ApiError::unavailable(format!("cannot save the set into the banks folder: {e}"))
    })?;
    // The set's old file under another name would clash with ID.yaml at the
    // next reload or start; it is kept beside, renamed so it is not loaded.
    let old = state.banks().file(&bank.id).map(std::path::PathBuf::from);
    if let Some(old) = old.filter(|o| *o != file && o.parent() == Some(dir.as_path()) && o.exists())
    {
        let kept = old.with_extension("yaml.replaced");
        match std::fs::rename(&old, &kept) {
            Ok(()) => {
                tracing::info!(old = %old.display(), kept = %kept.display(), "older file of the set set aside")
            }
            Err(e) => {
                tracing::warn!(old = %old.display(), error = %e, "cannot set the older file of the set aside")
            }
        }
    }
    let bank = state.add_set(bank, &file.display().to_string()).await?;
    activate(&state, &bank.id).await?;
    tracing::info!(set = %bank.id, version = %bank.version, "set uploaded and activated");
    Ok(no_store(
        StatusCode::CREATED,
        json!({"id": bank.id, "version": bank.version, "questions": bank.questions.len(), "warnings": problems}),
    ))
}

fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

async fn activate(state: &AppState, id: &str) -> Result<(), ApiError> {
    if !state.banks_mut().activate(id) {
        return Err(ApiError::not_found("set"));
    }
    state.store.remember_active_set(id).await?;
    Ok(())
}

/// `POST /admin/api/sets/{id}/activate`.
#[post("/admin/api/sets/{id}/activate")]
pub async fn activate_set(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    activate(&state, &id).await?;
    let banks = state.banks();
    let bank = banks.get(&id).ok_or_else(|| ApiError::not_found("set"))?;
    Ok(no_store(StatusCode::OK, set_view(&bank, banks.active_id())))
}

/// Re-reads the banks folder; broken files are reported and loaded sets keep serving.
pub async fn reload_banks(state: &AppState) -> Result<Value, ApiError> {
    let path = state.settings.questions.clone();
    let (ok, files) = tokio::task::spawn_blocking(move || read_banks(&path))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .map_err(|e| ApiError::unavailable(format!("cannot read the banks folder: {e}")))?;
    for (file, bank) in ok {
        state.add_set(bank, &file.display().to_string()).await?;
    }
    let broken = files.iter().filter(|f| f.id.is_none()).count();
    if broken > 0 {
        tracing::warn!(
            broken,
            "reload: some bank files are broken; the sets already loaded keep serving"
        );
    }
    Ok(json!({"files": files, "active": state.banks().active_id()}))
}

/// `POST /admin/api/reload`.
#[post("/admin/api/reload")]
pub async fn reload(_staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(no_store(StatusCode::OK, reload_banks(&state).await?))
}

/// `?round=`.
#[derive(Debug, Deserialize)]
pub struct RoundQuery {
    round: Option<String>,
}

/// `GET /admin/api/stats`: counts for the active set (optionally one round).
#[get("/admin/api/stats")]
pub async fn stats(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<RoundQuery>,
) -> Result<HttpResponse, ApiError> {
    let bank = state
        .active_bank()
        .ok_or_else(|| ApiError::not_found("active set"))?;
    // Session starts are counted in memory until the next commit: commit them
    // first, so the numbers are exact. If nothing can be written, show what is stored.
    if let Err(e) = state.store.flush_counts().await {
        tracing::warn!(error = %e, "stats: counted starts could not be written");
    }
    let stats = state.store.stats(&bank.id, q.round.as_deref()).await?;
    let questions: Vec<Value> = bank
        .questions
        .iter()
        .map(|qn| {
            let n = stats.questions.get(&qn.id).cloned().unwrap_or_default();
            json!({"id": qn.id, "text": qn.text.get("zh"), "answered": n.answered, "correct": n.correct})
        })
        .collect();
    let counts = stats.rounds;
    Ok(no_store(
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

/// Quotes a CSV field when it needs it (RFC 4180), and defuses spreadsheet formulas.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET /admin/api/entries.csv`: every entry with full contact details, UTF-8 with BOM.
#[get("/admin/api/entries.csv")]
pub async fn entries_csv(
    _staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let header = String::from("\u{feff}code,round,name,phone,score,percent,created_at\r\n");
    let csv = state
        .store
        .export_entries(header, |out, e| {
            let row = [
                e.code,
                e.round_id,
                e.name,
                e.phone,
                e.score.to_string(),
                e.percent.to_string(),
                e.created_at,
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
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"entries.csv\"",
        ))
        .body(csv))
}

/// `?q=&limit=`.
#[derive(Debug, Deserialize)]
pub struct EntriesQuery {
    q: Option<String>,
    limit: Option<i64>,
}

/// `GET /admin/api/entries`: the newest entries, searchable by code, phone or name.
#[get("/admin/api/entries")]
pub async fn entries(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<EntriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let needle =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                // A typed code in any case and with or without its hyphen finds the entry.
                crate::contact::EntryCode::parse(s).map_or_else(|| s.to_owned(), |c| c.to_string())
            });
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let (total, rows) = state.store.search_entries(needle, limit).await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({"code": e.code, "set": e.set_id, "round": e.round_id, "name": e.name, "phone": e.phone,
                   "score": e.score, "percent": e.percent, "created_at": e.created_at})
        })
        .collect();
    Ok(no_store(
        StatusCode::OK,
        json!({"total": total, "entries": rows}),
    ))
}

/// `GET /admin/api/rounds`: the active set's rounds with state and entry counts.
#[get("/admin/api/rounds")]
pub async fn rounds(_staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let bank = state
        .active_bank()
        .ok_or_else(|| ApiError::not_found("active set"))?;
    let ids = bank.rounds.iter().map(|r| r.id.clone()).collect();
    let counts = state.store.round_counts(&bank.id, ids).await?;
    let now = now();
    let rounds: Vec<Value> = bank
        .rounds
        .iter()
        .zip(counts)
        .map(|(r, n)| {
            json!({
                "set": bank.id, "id": r.id, "opens": r.opens.map(super::rfc3339), "closes": r.closes.map(super::rfc3339),
                "state": r.state(now), "entries": n.entries, "started": n.started, "passed": n.passed,
            })
        })
        .collect();
    Ok(no_store(StatusCode::OK, json!(rounds)))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("张三"), "张三");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
    }
}
