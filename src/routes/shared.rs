//! What handlers of every audience use: the client's address and language,
//! the staff check, and responses no cache keeps.

use crate::bank::text::negotiate;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Deserialize;
use serde_json::Value;
use std::future::{ready, Ready};
use subtle::ConstantTimeEq;

/// Whether a win is past its claim deadline and was not claimed (SPEC §7:
/// the desk refuses it from then on, and a re-draw may give the place to
/// someone else), as the store's claim decides it: strictly after `claim_by`.
pub fn win_expired(
    claim_by: Option<&str>,
    claimed: bool,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> bool {
    !claimed
        && claim_by
            .and_then(|by| chrono::DateTime::parse_from_rfc3339(by).ok())
            .is_some_and(|by| now > by)
}

/// `?lang=`.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// `zh` or `en`.
    pub lang: Option<String>,
}

/// An upload's media type from its `Content-Type`, lower case, without
/// parameters (`text/csv; charset=utf-8` → `text/csv`); empty when absent.
pub fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The `Accept-Language` header, if readable.
pub fn accept_language(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
}

/// The language a request prefers (`Accept-Language`, else `zh`).
pub fn request_lang(req: &HttpRequest) -> &'static str {
    negotiate(None, accept_language(req))
}

/// The client's address for rate limits: the TCP peer (unknown peers share
/// one bucket), or behind a `--trusted-proxy` the client it forwards for
/// ([`crate::config::client_address`]).
pub fn client_ip(req: &HttpRequest) -> std::net::IpAddr {
    let peer = req
        .peer_addr()
        .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |a| a.ip());
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.trusted_proxies.as_slice())
        .unwrap_or_default();
    if trusted.is_empty() {
        return peer;
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    crate::config::client_address(peer, forwarded.into_iter(), trusted)
}

/// A response builder with `Cache-Control: no-store`.
pub fn no_store(status: StatusCode) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.insert_header(("Cache-Control", "no-store"));
    b
}

/// JSON with `Cache-Control: no-store`.
pub fn json_no_store(status: StatusCode, v: Value) -> HttpResponse {
    no_store(status).json(v)
}

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
        let expected = state.admin_token.0.as_bytes();
        if !given.is_empty() && bool::from(given.as_bytes().ct_eq(expected)) {
            // The right token is never throttled, whatever others send.
            return ready(Ok(Staff));
        }
        let ip = client_ip(req);
        if let Err(wait) = state.limits.login_throttled(ip) {
            return ready(Err(ApiError::rate_limited(wait)));
        }
        state.limits.login_failed(ip);
        tracing::warn!(%ip, "staff request with a wrong or missing token");
        ready(Err(ApiError::unauthorized()))
    }
}

/// An erasure as staff routes show it: `{"why": "withdrawn"|"purged", "at"}`, or `null`.
pub fn erased_view(e: Option<&crate::store::Erasure>) -> serde_json::Value {
    match e {
        Some(e) => serde_json::json!({"why": e.why.as_str(), "at": e.at}),
        None => serde_json::Value::Null,
    }
}
