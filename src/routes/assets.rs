//! The pages and their assets, from memory (or, in a debug build, from
//! `web/` on disk: see [`crate::pages`]).

use super::shared::request_lang;
use super::views::set_view;
use crate::pages::{Page, Pages};
use crate::sources::DIRECT;
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, VARY};
use actix_web::{get, web, HttpRequest, HttpResponse, ResponseError};

/// `?src=ID` on the visitor page: the source its visit counts for.
#[derive(Debug, Default, serde::Deserialize)]
pub struct VisitQuery {
    src: Option<String>,
}

/// `GET /`: the visitor page, never cached (its assets are), with the start
/// screen's data in it so the first visit needs no API call. Each request
/// for it (answered `304` or not) is a visit of the funnel (SPEC §11), counted in
/// memory for the round it serves and its `src` (`direct` when unlisted),
/// and written with the next commit as session starts are. `GET /kiosk` is
/// the same page on the booth's shared tablet: after each visitor it resets
/// itself for the next, so its one load is no visit (its visitors' starts
/// are counted as any).
#[actix_web::routes]
#[get("/")]
#[get("/kiosk")]
pub async fn index(
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    req: HttpRequest,
    query: Option<web::Query<VisitQuery>>,
) -> HttpResponse {
    let now = state.clock.now();
    let data = match state.active_bank() {
        Some(bank) => {
            if req.path() == "/" {
                if let Some(round) = bank.current_round(now) {
                    let src = query.as_ref().and_then(|q| q.src.as_deref());
                    let source = state.sources.resolve(src).unwrap_or(DIRECT);
                    let hour = now.timestamp().div_euclid(3600);
                    state.store.count_visit(&bank.id, &round.id, hour, source);
                }
            }
            serde_json::to_string(&set_view(&bank, request_lang(&req), now))
        }
        None => Ok("null".to_owned()),
    };
    // Inside <script>, `<` must not start a tag: JSON allows it escaped.
    let json = data
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let mut resp = page(
        &pages
            .current()
            .page(Page::Visitor)
            .replace("__SET_JSON__", &json),
    );
    resp.headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept-Language"));
    resp
}

fn page(html: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(html.to_owned())
}

/// `GET /assets/{name}`: hashed visitor assets, cached for a year.
#[get("/assets/{name}")]
pub async fn hashed(pages: web::Data<Pages>, req: HttpRequest) -> HttpResponse {
    match pages.current().hashed(req.path()) {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .body(a.body.clone()),
        None => crate::error::ApiError::not_found("asset").error_response(),
    }
}

/// `GET /static/{name}`: staff and draw page files, revalidated each time.
#[get("/static/{name}")]
pub async fn statics(pages: web::Data<Pages>, req: HttpRequest) -> HttpResponse {
    match pages.current().static_file(req.path()) {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header(("Cache-Control", "no-cache"))
            .body(a.body.clone()),
        None => crate::error::ApiError::not_found("file").error_response(),
    }
}

/// `GET /draws/{id}`: the public draw page.
#[get("/draws/{id}")]
pub async fn draw_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Draw))
}

/// `GET /draws`: every draw, newest first, linked (the draw page's list).
#[get("/draws")]
pub async fn draws_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Draw))
}

/// `GET /admin`: the staff console (it asks for the token itself).
#[get("/admin")]
pub async fn admin_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Admin))
}

/// `GET /admin/poster`: the printable A4 poster with the QR code.
#[get("/admin/poster")]
pub async fn poster_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Poster))
}

/// `GET /admin/report?set=ID`: the report organizers send upward, A4 to
/// print (SPEC §11). The page asks for its data with the staff token kept
/// in the browser (`GET /admin/api/report`), as the console does.
#[get("/admin/report")]
pub async fn report_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Report))
}

/// `GET /admin/draws/{id}/show`: the projector view.
#[get("/admin/draws/{id}/show")]
pub async fn show_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Show))
}

/// `GET /wall`: the booth's big screen (SPEC §11), public; its data is
/// `GET /api/wall` ([`super::wall`]).
#[get("/wall")]
pub async fn wall_page(pages: web::Data<Pages>) -> HttpResponse {
    page(pages.current().page(Page::Wall))
}

/// `?path=/draws/3`: a page of this site other than the visitor page;
/// `?src=ID`: the visitor page from a source (SPEC §11).
#[derive(Debug, serde::Deserialize)]
pub struct QrQuery {
    path: Option<String>,
    src: Option<String>,
}

/// The URL a QR code should carry: the public URL, plus a safe site path
/// or a source if asked. A source that is not listed (nor the share card)
/// is `404`: a poster printed with a mistyped id would send its visitors
/// to `direct` without anyone noticing.
fn qr_url(state: &AppState, q: &QrQuery) -> Result<String, crate::error::ApiError> {
    let base = &state.settings.public_url;
    if let Some(src) = q.src.as_deref() {
        if q.path.as_deref().is_some_and(|p| !p.is_empty() && p != "/") {
            return Err(crate::error::ApiError::bad_request(
                "give either path or src, not both",
            ));
        }
        return match state.sources.resolve(Some(src)) {
            Some(id) => Ok(crate::sources::link(base, id)),
            None => Err(crate::error::ApiError::new(
                actix_web::http::StatusCode::NOT_FOUND,
                crate::error::ErrorCode::NotFound,
                "no source with this id is listed (staff keep the list under 来源 in the console)",
            )),
        };
    }
    match q.path.as_deref() {
        None | Some("" | "/") => Ok(base.clone()),
        Some(p)
            if p.starts_with('/')
                && p.len() <= 64
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_".contains(&b)) =>
        {
            Ok(format!("{base}{p}"))
        }
        Some(_) => Err(crate::error::ApiError::bad_request(
            "path must be a site path such as /draws/3",
        )),
    }
}

/// `GET /qr.png` and `/admin/qr.png`: the visitor URL's QR code.
pub async fn qr_png(state: web::Data<AppState>, q: web::Query<QrQuery>) -> HttpResponse {
    let url = match qr_url(&state, &q) {
        Ok(u) => u,
        Err(e) => return e.error_response(),
    };
    match crate::qr::png(&url, 512) {
        Ok(bytes) => HttpResponse::Ok()
            .content_type("image/png")
            .insert_header(("Cache-Control", "no-cache"))
            .body(bytes),
        Err(e) => crate::error::ApiError::unavailable(e.to_string()).error_response(),
    }
}

/// `GET /qr.svg` and `/admin/qr.svg`.
pub async fn qr_svg(state: web::Data<AppState>, q: web::Query<QrQuery>) -> HttpResponse {
    let url = match qr_url(&state, &q) {
        Ok(u) => u,
        Err(e) => return e.error_response(),
    };
    match crate::qr::svg(&url) {
        Ok(s) => HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header(("Cache-Control", "no-cache"))
            .body(s),
        Err(e) => crate::error::ApiError::unavailable(e.to_string()).error_response(),
    }
}
