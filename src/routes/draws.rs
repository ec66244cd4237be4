//! The draw, public side (SPEC §3) and staff side (SPEC §4, §7): commit,
//! read, `entries.txt`, reveal, the winners' contacts, claims. Each step is
//! one operation of the store.

use super::draw_reads::{Answer, DrawReads};
use super::shared::{erased_view, json_no_store, win_expired, Staff};
use crate::bank::Bank;
use crate::clock::rfc3339;
use crate::contact::{EntryCode, Phone, Receipt};
use crate::draw;
use crate::draw_terms::{DrawTerms, InvalidDraw, Sent};
use crate::error::{not_a_winner, ApiError, ErrorCode};
use crate::state::AppState;
use crate::store::{AuditAction, ClaimBy, ClaimMode, Draw, DrawRequest, RevealRefused};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// A draw as the public sees it: every winner by code and claim state; the
/// masked name and phone only of winners who agreed to their publication.
pub(super) fn draw_view(state: &AppState, d: &Draw) -> Value {
    let now = state.clock.now();
    let winners: Vec<Value> = d
        .winners
        .iter()
        .map(|w| {
            // The masks were taken when the entrant agreed; a purge keeps
            // them, a withdrawal takes them away.
            let (name, phone) = match &w.published {
                Some((name, phone)) => (json!(name), json!(phone)),
                None => (Value::Null, Value::Null),
            };
            let claimed = w.claimed_at.is_some();
            let expired = win_expired(d.claim_by.as_deref(), claimed, now);
            json!({"code": w.code, "name": name, "phone": phone, "claimed": claimed, "expired": expired})
        })
        .collect();
    let round = state.sets.get(&d.set_id);
    let round = round.as_ref().and_then(|b| b.round(&d.round_id));
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
        "claim_by": d.claim_by,
        "seed_digits": d.seed_digits,
        "replaces": d.replaces,
        "replaced_by": d.replaced_by,
        "round_title": round.map(|r| r.name("zh")),
        "round_title_en": round.map(|r| r.name("en")),
        "round_notice": round.and_then(|r| r.notice.as_ref()).map(|n| n.get("zh")),
        "round_notice_en": round.and_then(|r| r.notice.as_ref()).map(|n| n.get("en")),
        "winners": winners,
    })
}

/// Draws in a page of `GET /api/draws` by default, and at most.
pub const PAGE: i64 = 50;
/// Most draws in a page of `GET /api/draws`.
pub const PAGE_MAX: i64 = 500;

/// `GET /api/draws` query: `?before=ID&limit=N`.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// Spends a public read of the client's budget.
fn spend(req: &actix_web::HttpRequest, reads: &DrawReads) -> Result<(), ApiError> {
    reads
        .spend(super::shared::client_ip(req))
        .map_err(ApiError::rate_limited)
}

/// A kept answer, or `build`'s kept now (the store's change count is read
/// before the store, so a change during the build makes it stale).
async fn kept_or<F>(
    state: &AppState,
    reads: &DrawReads,
    key: String,
    build: F,
) -> Result<Answer, ApiError>
where
    F: std::future::Future<Output = Result<(Value, Option<i64>), ApiError>>,
{
    let changes = state.store.draw_changes();
    if let Some(answer) = reads.get(&key, changes) {
        return Ok(answer);
    }
    let (v, next) = build.await?;
    let answer = (web::Bytes::from(v.to_string()), next);
    reads.keep(key, changes, answer.clone());
    Ok(answer)
}

/// A `no-store` JSON response, for a body already serialized.
fn json_ok() -> actix_web::HttpResponseBuilder {
    let mut res = super::shared::no_store(StatusCode::OK);
    res.content_type("application/json");
    res
}

/// `GET /api/draws`: a page of draws, newest first, as summaries: what a
/// draw's page shows but its winners (at `GET /api/draws/{id}`).
/// `?before=ID` pages on; a full page carries a `Link` to the next.
#[get("/api/draws")]
pub async fn list(
    state: web::Data<AppState>,
    reads: web::Data<DrawReads>,
    req: actix_web::HttpRequest,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    spend(&req, &reads)?;
    let before = q.before.unwrap_or(i64::MAX);
    let limit = q.limit.unwrap_or(PAGE).clamp(1, PAGE_MAX);
    let key = format!("page:{before}:{limit}");
    let (body, next) = kept_or(&state, &reads, key, async {
        let page = state.store.draw_page(before, limit).await?;
        let next = page
            .last()
            .filter(|_| page.len() as i64 == limit)
            .map(|d| d.id);
        let views = page
            .iter()
            .map(|d| {
                let mut v = draw_view(&state, d);
                if let Some(o) = v.as_object_mut() {
                    o.remove("winners");
                }
                v
            })
            .collect();
        Ok((Value::Array(views), next))
    })
    .await?;
    let mut res = json_ok();
    if let Some(last) = next {
        res.insert_header((
            actix_web::http::header::LINK,
            format!("</api/draws?before={last}&limit={limit}>; rel=\"next\""),
        ));
    }
    Ok(res.body(body))
}

/// `GET /api/draws/{id}`: a draw with its winners.
#[get("/api/draws/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    reads: web::Data<DrawReads>,
    req: actix_web::HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    spend(&req, &reads)?;
    let id = *id;
    let (body, _) = kept_or(&state, &reads, format!("draw:{id}"), async {
        let draw = state
            .store
            .draw(id)
            .await?
            .ok_or_else(|| ApiError::not_found("draw"))?;
        Ok((draw_view(&state, &draw), None))
    })
    .await?;
    Ok(json_ok().body(body))
}

/// `GET /api/draws/{id}/entries.txt`: the committed pool, never changing.
#[get("/api/draws/{id}/entries.txt")]
pub async fn entries_txt(
    state: web::Data<AppState>,
    reads: web::Data<DrawReads>,
    req: actix_web::HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    spend(&req, &reads)?;
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
    claim_by: Option<String>,
    replaces: Option<i64>,
    seed_digits: Option<i64>,
}

impl CommitBody {
    /// The draw to commit from `bank`'s round, made `now`, or why not
    /// (the round, the prize, winners, seed_digits, claim_by).
    fn parse(self, bank: &Bank, now: DateTime<FixedOffset>) -> Result<DrawRequest, InvalidDraw> {
        let sent = Sent {
            round: &self.round,
            prize: &self.prize,
            winners: self.winners,
            seed_digits: self.seed_digits,
            claim_by: self.claim_by.as_deref(),
        };
        let terms = DrawTerms::parse(bank, sent, now)?;
        Ok(DrawRequest {
            set_id: bank.id.clone(),
            round_id: terms.round_id,
            prize: terms.prize,
            winners: terms.winners,
            at: rfc3339(now),
            claim_by: terms.claim_by,
            replaces: self.replaces,
            seed_digits: terms.seed_digits,
        })
    }
}

/// The set a draw is of: the one named, else the active one.
fn draw_set(state: &AppState, named: Option<&str>) -> Result<Arc<Bank>, InvalidDraw> {
    match named {
        Some(id) => state
            .sets
            .get(id)
            .ok_or_else(|| InvalidDraw::UnknownSet(id.to_owned())),
        None => state.active_bank().ok_or(InvalidDraw::NoActiveSet),
    }
}

/// `POST /admin/api/draws`: commit the round's pool.
#[post("/admin/api/draws")]
pub async fn commit(
    _staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<CommitBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let bank = draw_set(&state, body.set.as_deref())?;
    let request = body.parse(&bank, state.clock.now())?;
    let draw = state.store.commit_draw(request).await??;
    tracing::info!(draw = draw.id, entries = draw.entry_count, digest = %draw.entries_digest, "draw committed");
    Ok(json_no_store(StatusCode::CREATED, draw_view(&state, &draw)))
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
    // One call, one seed (SPEC §5.2): the digits of what was typed, checked
    // here for its form and by the store against the draw's seed_digits.
    let public_seed = draw::digit_seed(&body.public_seed, None)?;
    let draw = state
        .store
        .reveal_draw(id, &public_seed, &rfc3339(state.clock.now()))
        .await?
        .inspect_err(|why| {
            if *why == RevealRefused::PoolCorrupt {
                tracing::error!(draw = id, "reveal refused: the stored entries.txt no longer hashes to the committed digest");
            }
        })?;
    tracing::info!(draw = id, "draw revealed");
    Ok(json_no_store(StatusCode::OK, draw_view(&state, &draw)))
}

/// `GET /admin/api/draws/{id}/winners`: the winners with full name and
/// phone and their claim state, for staff to call them.
#[get("/admin/api/draws/{id}/winners")]
pub async fn winner_contacts(
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
    let winners: Vec<Value> = draw
        .winners
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let claimed = w.claimed_at.is_some();
            let expired = win_expired(draw.claim_by.as_deref(), claimed, now);
            json!({"place": i + 1, "code": w.code, "name": w.name, "phone": w.phone,
                   "publish": w.published.is_some(), "erased": erased_view(w.erased.as_ref()),
                   "claimed": claimed, "claimed_at": w.claimed_at, "expired": expired})
        })
        .collect();
    Ok(json_no_store(
        StatusCode::OK,
        json!({"draw": draw.id, "prize": draw.prize, "claim_by": draw.claim_by,
               "status": if draw.public_seed.is_some() { "revealed" } else { "committed" },
               "winners": winners}),
    ))
}

/// `GET /admin/api/draws/{id}/winners.csv`: the winners with full name and
/// phone as a CSV file (UTF-8 with BOM, for Excel), every cell by the one
/// rule of [`super::admin::sheet_cell`]; audited `winners_exported`.
#[get("/admin/api/draws/{id}/winners.csv")]
pub async fn winners_csv(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (text, id) = winners_sheet(&state, *id, ',', "CSV file").await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"winners-draw-{id}.csv\""),
        ))
        .body(format!("\u{feff}{text}")))
}

/// `GET /admin/api/draws/{id}/winners.tsv`: the same as tab-separated text,
/// which the console's copy button puts on the clipboard to paste into a
/// spreadsheet; audited `winners_exported`.
#[get("/admin/api/draws/{id}/winners.tsv")]
pub async fn winners_tsv(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (text, _) = winners_sheet(&state, *id, '\t', "copied text").await?;
    Ok(HttpResponse::Ok()
        .content_type("text/tab-separated-values; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(text))
}

/// The winners of draw `id` as rows of cells split by `separator`, with a
/// header row; the export is audited as `how`.
async fn winners_sheet(
    state: &AppState,
    id: i64,
    separator: char,
    how: &str,
) -> Result<(String, i64), ApiError> {
    let draw = state
        .store
        .draw(id)
        .await?
        .ok_or_else(|| ApiError::not_found("draw"))?;
    let sep = separator.to_string();
    let offset = *state.clock.now().offset();
    let mut text = super::sheets::WINNER_COLUMNS.join(&sep);
    text.push_str("\r\n");
    let mut held = 0;
    for (i, w) in draw.winners.iter().enumerate() {
        held += usize::from(w.name.is_some());
        let place = (i + 1).to_string();
        let claimed_at = w
            .claimed_at
            .as_deref()
            .map(|t| super::sheets::local_time(t, offset))
            .unwrap_or_default();
        let row = [
            place.as_str(),
            w.code.as_str(),
            w.name.as_deref().unwrap_or_default(),
            w.phone.as_deref().unwrap_or_default(),
            claimed_at.as_str(),
        ];
        let cells: Vec<String> = row
            .iter()
            .map(|c| super::admin::sheet_cell(c, separator))
            .collect();
        text.push_str(&cells.join(&sep));
        text.push_str("\r\n");
    }
    state
        .store
        .audit(
            AuditAction::WinnersExported,
            &format!(
                "draw {id}: {} winners, {held} with full name and phone, as {how}",
                draw.winners.len()
            ),
            &rfc3339(state.clock.now()),
        )
        .await?;
    Ok((text, draw.id))
}

/// `POST /admin/api/claims` body: a receipt, or a code and a phone.
#[derive(Debug, Deserialize)]
pub struct ClaimBody {
    receipt: Option<String>,
    code: Option<String>,
    phone: Option<String>,
    /// Only look the win up (extension): nothing is handed out.
    #[serde(default)]
    check: bool,
}

impl TryFrom<&ClaimBody> for ClaimBy {
    type Error = ApiError;

    /// A receipt, else a code and a phone; what does not parse is no
    /// winner's (`404 not_a_winner`, as the store would answer).
    fn try_from(body: &ClaimBody) -> Result<Self, ApiError> {
        match (&body.receipt, &body.code, &body.phone) {
            (Some(r), _, _) if !r.trim().is_empty() => Ok(ClaimBy::Receipt(
                Receipt::parse(r).ok_or_else(not_a_winner)?,
            )),
            (_, Some(c), Some(p)) => Ok(ClaimBy::CodeAndPhone(
                EntryCode::parse(c).ok_or_else(not_a_winner)?,
                Phone::parse(p).map_err(|_| not_a_winner())?,
            )),
            _ => Err(ApiError::unprocessable(
                ErrorCode::InvalidClaim,
                "send a receipt, or a code and a phone",
            )),
        }
    }
}

/// `POST /admin/api/claims`: hand out a prize at the booth (核销).
#[post("/admin/api/claims")]
pub async fn hand_out(
    _staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<ClaimBody>,
) -> Result<HttpResponse, ApiError> {
    let by = ClaimBy::try_from(&*body)?;
    let mode = if body.check {
        ClaimMode::Check
    } else {
        ClaimMode::HandOut
    };
    let claimed = state
        .store
        .claim(by, &rfc3339(state.clock.now()), mode)
        .await??;
    if mode == ClaimMode::HandOut {
        tracing::info!(draw = claimed.draw, code = %claimed.code, "prize handed out");
    }
    Ok(json_no_store(
        StatusCode::OK,
        json!({"draw": claimed.draw, "prize": claimed.prize, "code": claimed.code,
               "name": claimed.name, "phone": claimed.phone,
               "erased": erased_view(claimed.erased.as_ref()), "claimed_at": claimed.claimed_at}),
    ))
}
