//! `GET /metrics`: what this node is doing, in the Prometheus text format
//! (README "Metrics"; the series are named in [`crate::metrics`]).
//!
//! Who may read it. A public quiz host must not show its traffic, its
//! database's state and its pool to anyone who asks, so on the visitors'
//! port `/metrics` wants the staff token (`Authorization: Bearer TOKEN`,
//! what Prometheus sends with `authorization: credentials_file`), 401
//! without it. But the staff token also opens the console (draws, winners'
//! phones): a monitoring system should not have to hold it. So
//! `--metrics-bind ADDR` opens a listener of its own that serves
//! `/metrics` alone, with no token, meant for an address only the
//! monitoring network reaches (`127.0.0.1:9464`, a private interface).

use super::shared::{no_store, Staff};
use crate::metrics::{Metrics, NodeView, CONTENT_TYPE};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};
use std::time::Instant;

/// `GET /metrics` on the visitors' port: staff only.
#[get("/metrics")]
pub async fn with_token(
    _staff: Staff,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> HttpResponse {
    scrape(&state, &metrics)
}

/// `GET /metrics` on the `--metrics-bind` listener: no token (its address
/// is the guard).
#[get("/metrics")]
pub async fn open(state: web::Data<AppState>, metrics: web::Data<Metrics>) -> HttpResponse {
    scrape(&state, &metrics)
}

fn scrape(state: &AppState, metrics: &Metrics) -> HttpResponse {
    let lease = state.store.node_number();
    let now = Instant::now();
    let view = NodeView {
        number: state.store.node(),
        lease_age: lease
            .as_ref()
            .and_then(|l| l.age(now))
            .map(|d| d.as_secs_f64()),
        lease_held: lease.is_some_and(|l| l.confirmed(now).is_some()),
        pool: state.store.pool_status(),
    };
    no_store(StatusCode::OK)
        .content_type(CONTENT_TYPE)
        .body(metrics.render(view))
}

/// Middleware: counts every response by method, route pattern (never the
/// path: it may hold a session token) and status.
pub async fn count(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let r = res.request();
    if let Some(m) = r.app_data::<web::Data<Metrics>>() {
        m.request(r.method(), r.match_pattern(), res.status().as_u16());
    }
    Ok(res)
}
