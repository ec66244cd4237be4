//! The wall (SPEC §11): `GET /api/wall`, what the booth's big screen
//! (`GET /wall`, web/wall.js) shows and polls: the visitor link, the live
//! set's counts for today (the funnel's day in `--tz`) and for the round it
//! counts, the sources' league over the whole set (a campaign's rounds
//! add up; [`crate::league`] on the funnel by source, so its entries and
//! rates are the console's), and the latest revealed draw as the public
//! draw page shows it.
//!
//! Anyone may read it, so it is built for the crowd and the attacker alike:
//! it takes no parameter (it always shows the live set's live version, so
//! nothing names another set, a draft or a round), an answer is built at
//! most once per [`KEEP`] per node whoever asks (one query of the store a
//! second under any flood, the others wait for it or take it kept), it
//! carries an `ETag` so an unchanged answer is a bodiless `304`, and reads
//! spend the public draw routes' budget per address. No full name, phone,
//! receipt or token is in it: winners appear by code, with the masks only
//! of those who chose to have them published.

use super::draw_reads::DrawReads;
use super::shared::client_ip;
use crate::bank::{Bank, Round};
use crate::error::ApiError;
use crate::funnel::{self, By, Stages};
use crate::league::{self, RankedBy, Standing};
use crate::state::AppState;
use crate::ui_keys::RoundState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// How long a built answer serves everyone on this node.
pub const KEEP: Duration = Duration::from_secs(1);
/// How long a kept answer may stand in when the store cannot answer (a
/// restarting database): the wall keeps its numbers rather than blank.
pub const STALE_AT_MOST: Duration = Duration::from_secs(60);
/// Most winners of the latest draw in an answer (a screen shows fewer).
pub const WINNERS_MAX: usize = 60;
/// Most sources of the league in an answer (a screen shows fewer).
pub const LEAGUE_MAX: usize = 20;
/// Draws looked through, newest first, for the live set's latest revealed one.
const DRAWS_LOOKED_AT: i64 = 50;

/// Counts of one span (today, the round).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct WallCounts {
    starts: i64,
    passed: i64,
    entries: i64,
}

/// The round the wall counts.
#[derive(Debug, Serialize)]
struct WallRound<'a> {
    id: &'a str,
    /// `None` for a round without a title (the page says 本轮 alone).
    title: Option<&'a str>,
    title_en: Option<&'a str>,
    state: RoundState,
    counts: WallCounts,
}

/// The league as the wall shows it.
#[derive(Debug, Serialize)]
struct WallLeague {
    by: RankedBy,
    /// Listed sources in all.
    sources: usize,
    rows: Vec<Standing>,
}

/// `GET /api/wall`.
#[derive(Debug, Serialize)]
struct WallView<'a> {
    /// The visitor link the QR code (`/qr.svg`) carries.
    url: &'a str,
    set: Option<WallSet<'a>>,
    round: Option<WallRound<'a>>,
    /// The live set's counts of today in the service's time zone (`--tz`).
    today: Option<WallToday>,
    league: WallLeague,
    draw: Option<Value>,
}

/// The live set's titles.
#[derive(Debug, Serialize)]
struct WallSet<'a> {
    id: &'a str,
    title: &'a str,
    title_en: &'a str,
}

/// Today's counts.
#[derive(Debug, Serialize)]
struct WallToday {
    /// `YYYY-MM-DD` in the service's time zone, as the funnel's days.
    date: String,
    #[serde(flatten)]
    counts: WallCounts,
}

/// A built answer: its body and its `ETag`.
#[derive(Debug, Clone)]
struct Built {
    body: Bytes,
    etag: String,
    at: Instant,
}

/// The answer this node keeps: built under the lock, so concurrent
/// requests past [`KEEP`] wait for one build instead of each querying.
#[derive(Debug, Default)]
pub struct Wall {
    kept: tokio::sync::Mutex<Option<Built>>,
}

impl Wall {
    /// The kept answer while fresh, else one built now (kept for the next
    /// [`KEEP`]); if building fails, the kept one up to [`STALE_AT_MOST`] old.
    async fn answer(&self, state: &AppState) -> Result<Built, ApiError> {
        let mut kept = self.kept.lock().await;
        if let Some(b) = kept.as_ref().filter(|b| b.at.elapsed() < KEEP) {
            return Ok(b.clone());
        }
        match build(state).await {
            Ok(body) => {
                let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
                let built = Built {
                    body,
                    etag,
                    at: Instant::now(),
                };
                tracing::debug!(bytes = built.body.len(), "wall answer built");
                *kept = Some(built.clone());
                Ok(built)
            }
            Err(e) => match kept.as_ref().filter(|b| b.at.elapsed() < STALE_AT_MOST) {
                Some(b) => {
                    tracing::warn!(error = %e, "wall: the store did not answer; the last numbers stand");
                    Ok(b.clone())
                }
                None => Err(e),
            },
        }
    }
}

/// The round the wall counts: the one open now, else the latest that has
/// opened, else the first.
pub fn wall_round(bank: &Bank, now: DateTime<FixedOffset>) -> Option<&Round> {
    bank.open_round(now)
        .or_else(|| {
            bank.rounds
                .iter()
                .filter(|r| r.state(now) != RoundState::Upcoming)
                .max_by_key(|r| r.opens)
        })
        .or_else(|| bank.rounds.first())
}

/// The answer as JSON.
async fn build(state: &AppState) -> Result<Bytes, ApiError> {
    let now = state.clock.now();
    let bank = state.active_bank();
    let round = match bank.as_deref().and_then(|b| wall_round(b, now)) {
        Some(r) => {
            let set_id = bank.as_deref().map_or("", |b| b.id.as_str());
            let c = state
                .store
                .round_counts(set_id, vec![r.id.clone()])
                .await?
                .pop()
                .unwrap_or_default();
            // The default round's title is 本轮 itself: the page says it alone.
            let title = r.title.as_ref().filter(|t| **t != Round::default_title());
            Some(WallRound {
                id: &r.id,
                title: title.map(|t| t.get("zh")),
                title_en: title.map(|t| t.get("en")),
                state: r.state(now),
                counts: WallCounts {
                    starts: c.started,
                    passed: c.passed,
                    entries: c.entries,
                },
            })
        }
        None => None,
    };
    let draw = match bank.as_deref() {
        Some(b) => latest_draw(state, &b.id).await?,
        None => None,
    };
    // The set's funnel, every round: today's counts and the league.
    let counts = match bank.as_deref() {
        Some(b) => state.store.funnel(&b.id, None).await?,
        None => Vec::new(),
    };
    let tz = state.settings.tz;
    let date = now.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let today = funnel::group(&counts, By::Day, tz, &[])
        .rows
        .into_iter()
        .find(|r| r.key == date)
        .map_or_else(Stages::default, |r| r.stages);
    let known = state.sources.known();
    let (by, mut rows) = league::rank(&funnel::group(&counts, By::Source, tz, &known.list).rows);
    rows.truncate(LEAGUE_MAX);
    let view = WallView {
        url: &state.settings.public_url,
        set: bank.as_deref().map(|b| WallSet {
            id: &b.id,
            title: b.title.get("zh"),
            title_en: b.title.get("en"),
        }),
        round,
        today: bank.as_ref().map(|_| WallToday {
            date,
            counts: WallCounts {
                starts: today.starts,
                passed: today.passed,
                entries: today.entries,
            },
        }),
        league: WallLeague {
            by,
            sources: known.list.len(),
            rows,
        },
        draw,
    };
    Ok(Bytes::from(serde_json::to_vec(&view).map_err(|e| {
        ApiError::unavailable(format!("the wall's answer: {e}"))
    })?))
}

/// The live set's latest revealed draw as the public draw page shows it
/// (`draws::draw_view`), cut to what the wall shows: never more.
async fn latest_draw(state: &AppState, set_id: &str) -> Result<Option<Value>, ApiError> {
    let page = state.store.draw_page(i64::MAX, DRAWS_LOOKED_AT).await?;
    let Some(id) = page
        .iter()
        .find(|d| d.set_id == set_id && d.public_seed.is_some())
        .map(|d| d.id)
    else {
        return Ok(None);
    };
    // A page of the list carries no winners: the draw itself does.
    let Some(d) = state.store.draw(id).await? else {
        return Ok(None);
    };
    let public = super::draws::draw_view(state, &d);
    let mut out = serde_json::Map::new();
    for key in [
        "id",
        "prize",
        "round_title",
        "round_title_en",
        "revealed_at",
        "winners_wanted",
    ] {
        out.insert(key.into(), public[key].clone());
    }
    let winners = public["winners"].as_array().cloned().unwrap_or_default();
    out.insert("winners_total".into(), winners.len().into());
    let shown: Vec<Value> = winners
        .into_iter()
        .take(WINNERS_MAX)
        .map(|w| {
            let mut o = serde_json::Map::new();
            for key in ["code", "name", "phone", "claimed"] {
                o.insert(key.into(), w[key].clone());
            }
            Value::Object(o)
        })
        .collect();
    out.insert("winners".into(), Value::Array(shown));
    Ok(Some(Value::Object(out)))
}

/// `GET /api/wall`: the wall's data (see the module's doc); `304` when the
/// client holds it already. Any query is ignored.
#[get("/api/wall")]
pub async fn data(
    state: web::Data<AppState>,
    wall: web::Data<Wall>,
    reads: web::Data<DrawReads>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    reads
        .spend(client_ip(&req))
        .map_err(ApiError::rate_limited)?;
    let built = wall.answer(&state).await?;
    let etag = HeaderValue::from_str(&built.etag).ok();
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == built.etag));
    let mut res = if held {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, "no-cache"));
    if let Some(tag) = etag {
        res.insert_header((header::ETAG, tag));
    }
    if held {
        return Ok(res.finish());
    }
    Ok(res.content_type("application/json").body(built.body))
}
