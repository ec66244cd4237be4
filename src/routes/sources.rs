//! Sources (SPEC §11) for staff: `GET`/`PUT /admin/api/sources`, the list
//! as JSON, a CSV file or a workbook's `来源` sheet.

use super::shared::{json_no_store, Staff};
use crate::clock::rfc3339;
use crate::error::{ApiError, ErrorCode};
use crate::sources::{self, Format, Source};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

/// The list as staff read it: each source with its visitor link.
fn list_view(state: &AppState, list: &[Source]) -> serde_json::Value {
    let base = &state.settings.public_url;
    json!(list
        .iter()
        .map(|s| json!({
            "id": s.id,
            "name": s.name,
            "headcount": s.headcount,
            "link": sources::link(base, &s.id),
        }))
        .collect::<Vec<_>>())
}

/// `GET /admin/api/sources`: the list, in the order it was given.
pub async fn list(_staff: Staff, state: web::Data<AppState>) -> HttpResponse {
    let known = state.sources.known();
    json_no_store(StatusCode::OK, list_view(&state, &known.list))
}

/// What an upload is, by its `Content-Type` (a workbook also by its first
/// bytes, in [`sources::read`]).
fn format_of(req: &HttpRequest) -> Format {
    let kind = super::shared::content_type(req);
    match kind.as_str() {
        "text/csv" | "text/plain" | "application/csv" => Format::Csv,
        super::admin::XLSX_TYPE => Format::Xlsx,
        _ => Format::Json,
    }
}

/// `PUT /admin/api/sources`: replaces the list → `200` the list; a list
/// with problems changes nothing → `422 invalid` with each problem at its
/// row and cell. Audited `sources_changed`.
/// (Registered by hand in `startup::configure` for its larger body limit.)
pub async fn replace(
    _staff: Staff,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let format = format_of(&req);
    let read = web::block(move || sources::read(&body, format))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let list = match read {
        Ok(list) => list,
        Err(problems) => {
            let first = problems
                .first()
                .map_or_else(String::new, |p| format!("{}: {}", p.at, p.message));
            return Err(ApiError::unprocessable(
                ErrorCode::Invalid,
                format!(
                    "the list of sources has {} problem(s); {first}",
                    problems.len()
                ),
            )
            .with("problems", json!(problems)));
        }
    };
    let at = rfc3339(state.clock.now());
    state.sources.replace(list, &at).await?;
    let known = state.sources.known();
    Ok(json_no_store(
        StatusCode::OK,
        list_view(&state, &known.list),
    ))
}

/// Every source's QR code as a PNG and an SVG (`ID.png`, `ID.svg`), with
/// `sources.csv` saying which is which (id, name, headcount, link).
fn qr_zip(public_url: &str, list: &[Source]) -> anyhow::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    let mut index = String::from("\u{feff}id,name,headcount,link\r\n");
    for s in list {
        let url = sources::link(public_url, &s.id);
        zip.start_file(format!("{}.png", s.id), stored)?;
        zip.write_all(&crate::qr::png(&url, 1024)?)?;
        zip.start_file(format!("{}.svg", s.id), deflated)?;
        zip.write_all(crate::qr::svg(&url)?.as_bytes())?;
        let name = s.name.replace('"', "\"\"");
        let head = s.headcount.map_or_else(String::new, |h| h.to_string());
        index.push_str(&format!("{},\"{name}\",{head},{url}\r\n", s.id));
    }
    zip.start_file("sources.csv", deflated)?;
    zip.write_all(index.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

/// `GET /admin/api/sources/qr.zip`: every source's QR code at once, to
/// hand to the units that print their own.
#[actix_web::get("/admin/api/sources/qr.zip")]
pub async fn qr_codes(_staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let known = state.sources.known();
    let url = state.settings.public_url.clone();
    let bytes = web::block(move || qr_zip(&url, &known.list))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"sources-qr.zip\"",
        ))
        .body(bytes))
}
