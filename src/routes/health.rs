//! `GET /healthz`.

use super::shared::json_no_store;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};

/// 200 while serving, with the active set.
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let active = state.active_bank().map(|b| b.id.clone());
    json_no_store(
        StatusCode::OK,
        serde_json::json!({"status": "ok", "set": active}),
    )
}
