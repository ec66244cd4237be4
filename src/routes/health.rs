//! `GET /healthz`.

use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// 200 while serving, with the active set.
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let active = state.active_bank().map(|b| b.id.clone());
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({"status": "ok", "set": active}))
}
