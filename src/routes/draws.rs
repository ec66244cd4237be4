//! The draw, public side (SPEC §3) and staff side (SPEC §4): commit, read,
//! `entries.txt`, reveal. Each step is one transaction on the writer.

use super::shared::{json_no_store, Staff};
use crate::clock::rfc3339;
use crate::contact::{mask_name, mask_phone};
use crate::draw;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{CommitRefused, Draw, DrawRequest, RevealRefused};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest prize text.
pub const PRIZE_MAX_CHARS: usize = 100;
/// Most winners in one draw.
pub const WINNERS_MAX: i64 = 10_000;

/// A draw as the public sees it: masked winners only.
fn draw_view(d: &Draw) -> Value {
    let winners: Vec<Value> = d
        .winners
        .iter()
        .map(|w| json!({"code": w.code, "name": mask_name(&w.name), "phone": mask_phone(&w.phone)}))
        .collect();
    json!({
        "id": d.id,
        "set": d.set_id,
        "round": d.round_id,
        "prize": d.prize,
        "winners_wanted": d.winners_wanted,
        "status": if d.public_seed.is_some() { "revealed" } else { "committed" },
        "entries_digest": d.entries_digest,
        "entry_count": d.entry_count,
        "public_seed": d.public_seed,
        "committed_at": d.committed_at,
        "revealed_at": d.revealed_at,
        "winners": winners,
    })
}

/// `GET /api/draws`: every draw, newest first.
#[get("/api/draws")]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let views = state.store.draws().await?.iter().map(draw_view).collect();
    Ok(json_no_store(StatusCode::OK, Value::Array(views)))
}

/// `GET /api/draws/{id}`.
#[get("/api/draws/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let draw = state
        .store
        .draw(*id)
        .await?
        .ok_or_else(|| ApiError::not_found("draw"))?;
    Ok(json_no_store(StatusCode::OK, draw_view(&draw)))
}

/// `GET /api/draws/{id}/entries.txt`: the committed pool, never changing.
#[get("/api/draws/{id}/entries.txt")]
pub async fn entries_txt(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = *id;
    let text = state
        .store
        .entries_txt(id)
        .await?
        .ok_or_else(|| ApiError::not_found("draw"))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"draw-{id}-entries.txt\""),
        ))
        .body(text))
}

/// `POST /admin/api/draws` body.
#[derive(Debug, Deserialize)]
pub struct CommitBody {
    round: String,
    prize: String,
    winners: i64,
    set: Option<String>,
}

/// `POST /admin/api/draws`: commit the round's pool.
#[post("/admin/api/draws")]
pub async fn commit(
    _staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<CommitBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let bank = match &body.set {
        Some(id) => state.sets.get(id).ok_or_else(|| {
            ApiError::unprocessable("unknown_set", format!("no loaded set has id `{id}`"))
        })?,
        None => state
            .active_bank()
            .ok_or_else(|| ApiError::unprocessable("unknown_set", "no question set is active"))?,
    };
    if bank.round(&body.round).is_none() {
        let known: Vec<&str> = bank.rounds.iter().map(|r| r.id.as_str()).collect();
        return Err(ApiError::unprocessable(
            "unknown_round",
            format!(
                "set `{}` has no round `{}` (rounds: {})",
                bank.id,
                body.round,
                known.join(", ")
            ),
        ));
    }
    let prize = body.prize.trim().to_owned();
    if prize.is_empty() || prize.chars().count() > PRIZE_MAX_CHARS {
        return Err(ApiError::unprocessable(
            "invalid_prize",
            format!("the prize must be 1 to {PRIZE_MAX_CHARS} characters"),
        ));
    }
    if !(1..=WINNERS_MAX).contains(&body.winners) {
        return Err(ApiError::unprocessable(
            "invalid_winners",
            format!("winners must be from 1 to {WINNERS_MAX}"),
        ));
    }
    let request = DrawRequest {
        set_id: bank.id.clone(),
        round_id: body.round,
        prize,
        winners: body.winners,
        at: rfc3339(state.clock.now()),
    };
    let draw = state
        .store
        .commit_draw(request)
        .await?
        .map_err(|why| match why {
            CommitRefused::Pending(id) => ApiError::conflict(
                "pending_draw",
                format!("draw {id} of this round is committed but not revealed; reveal it first"),
            )
            .with("draw", json!(id)),
            CommitRefused::EmptyPool => ApiError::unprocessable(
                "empty_pool",
                "no entries in this round are left to draw from",
            ),
        })?;
    tracing::info!(draw = draw.id, entries = draw.entry_count, digest = %draw.entries_digest, "draw committed");
    Ok(json_no_store(StatusCode::CREATED, draw_view(&draw)))
}

fn already_revealed() -> ApiError {
    ApiError::conflict(
        "already_revealed",
        "this draw was already revealed; a draw is never changed",
    )
}

/// `POST /admin/api/draws/{id}/reveal` body.
#[derive(Debug, Deserialize)]
pub struct RevealBody {
    public_seed: String,
}

/// `POST /admin/api/draws/{id}/reveal`: fix the public seed and pick the winners.
#[post("/admin/api/draws/{id}/reveal")]
pub async fn reveal(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<RevealBody>,
) -> Result<HttpResponse, ApiError> {
    let id = *id;
    // The seed everyone sees is the seed that is hashed (SPEC §5.2).
    let public_seed = draw::normalise_seed(&body.public_seed)
        .map_err(|e| ApiError::unprocessable("invalid_seed", e.to_string()))?;
    let draw = state
        .store
        .reveal_draw(id, &public_seed, &rfc3339(state.clock.now()))
        .await?
        .map_err(|why| match why {
            RevealRefused::NotFound => ApiError::not_found("draw"),
            RevealRefused::AlreadyRevealed => already_revealed(),
            RevealRefused::PoolCorrupt => {
                tracing::error!(draw = id, "reveal refused: the stored entries.txt no longer hashes to the committed digest");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "pool_corrupt",
                    "the stored list of entries no longer matches the published digest; the draw was not revealed and nothing changed",
                )
            }
        })?;
    tracing::info!(draw = id, "draw revealed");
    Ok(json_no_store(StatusCode::OK, draw_view(&draw)))
}
