//! Building the application: open the store, load the banks, settle the
//! staff token, bind the listener. Tests use the same [`Application::build`]
//! on port 0.

use crate::clock::Clock;
use crate::config::{derived_public_url, Settings};
use crate::connections::{self, ConnectionCap, REQUEST_WITHIN};
use crate::error::{json_error_handler, path_error_handler, query_error_handler, ApiError};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::pages::Pages;
use crate::routes::rendered::Prerendered;
use crate::routes::{
    admin, assets, draws, funnel, health, metrics, report, sources, visitor, wall,
};
use crate::sets::Registry;
use crate::state::{AdminToken, AppState};
use crate::store::{Secret, Store};
use crate::traffic::Traffic;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use rand::RngCore;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

/// Visitor JSON bodies are small; this bounds them.
pub const JSON_LIMIT: usize = 16 * 1024;
/// Largest sources upload (5,000 sources as a workbook or JSON).
pub const SOURCES_LIMIT: usize = 4 * 1024 * 1024;
/// Largest bank upload.
pub const UPLOAD_LIMIT: usize = crate::bank::load::MAX_BANK_BYTES;

/// The strict content security policy: everything from this origin, nothing inline.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A built application, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    traffic: Arc<Traffic>,
}

impl Application {
    /// Opens everything and binds; errors say which step failed.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// The same, on a clock the caller holds (tests move it).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.db).await?;
        let mut state = load_state(settings, store, clock).await?;
        let listener = TcpListener::bind(state.settings.bind)
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        let bound = listener.local_addr()?;
        let port = bound.port();
        if let Some(settings) = bound_settings(&state.settings, bound) {
            state.settings = Arc::new(settings);
        }
        let metrics = web::Data::new(Metrics::new(state.store.meters(), state.store.is_shared()));
        if let Some(addr) = state.settings.metrics_bind {
            let private = TcpListener::bind(addr)
                .with_context(|| format!("cannot listen on {addr} (--metrics-bind)"))?;
            let bound = private.local_addr()?;
            if bound != addr {
                let mut settings = (*state.settings).clone();
                settings.metrics_bind = Some(bound);
                state.settings = Arc::new(settings);
            }
            tokio::spawn(run_metrics(private, state.clone(), metrics.clone())?);
        }
        let traffic = web::Data::new(Traffic::default());
        let server = run(
            listener,
            state.clone(),
            traffic.clone().into_inner(),
            metrics,
        )?;
        let counted = traffic.clone().into_inner();
        crate::keeping::spawn(state.clone(), state.settings.purge_every);
        let limits = state.limits.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                every.tick().await;
                limits.shrink();
            }
        });
        tokio::spawn(async move {
            let mut every = tokio::time::interval(crate::traffic::SUMMARY_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                if let Some(line) = traffic.summary() {
                    tracing::info!("{line}");
                }
            }
        });
        Ok(Self {
            port,
            server,
            state,
            traffic: counted,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests read the token from it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until stopped (Ctrl-C / SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        // What was counted since the last minute's line.
        if let Some(line) = self.traffic.summary() {
            tracing::info!("at stop: {line}");
        }
        // Session starts counted since the last commit.
        if let Err(e) = self.state.store.flush_counts().await {
            tracing::warn!(error = %e, "the last session starts could not be counted");
        }
        if let Err(e) = self.state.store.leave().await {
            tracing::warn!(error = %e, "cannot give this node's number back; it is free in a minute");
        }
        served
    }
}

/// The settings with the address actually bound, when `--bind` asked for
/// port 0 (any free port): what start-up prints and the derived public URL
/// (QR codes, receipts' links) name that port, not 0. A public URL given
/// by hand is kept as given.
fn bound_settings(settings: &Settings, bound: SocketAddr) -> Option<Settings> {
    if settings.bind.port() != 0 {
        return None;
    }
    let mut out = settings.clone();
    out.bind = bound;
    if settings.public_url == derived_public_url(settings.bind) {
        out.public_url = derived_public_url(bound);
    }
    Some(out)
}

/// Loads banks, token, secret and active set into the shared state.
async fn load_state(settings: Settings, store: Store, clock: Clock) -> anyhow::Result<AppState> {
    let sets = Registry::open(
        &settings.questions,
        store.clone(),
        settings.set.as_deref(),
        clock.clone(),
    )
    .await?;
    let token = match &settings.admin_token {
        Some(t) => t.clone(),
        None => {
            store
                .meta_or_insert(Secret::AdminToken, || {
                    let mut bytes = [0u8; 20];
                    rand::rng().fill_bytes(&mut bytes);
                    hex::encode(bytes)
                })
                .await?
        }
    };
    let secret = store
        .meta_or_insert(Secret::SessionSecret, crate::quiz::token::new_secret)
        .await?;
    let key_floor = store.highest_session_key().await?;
    // Nodes of one database must never hand out the same session key.
    let session_keys = Arc::new(match store.node_number() {
        Some(lease) => crate::quiz::KeyClock::for_node(key_floor, lease),
        None => crate::quiz::KeyClock::new(key_floor),
    });
    let sets = Arc::new(sets);
    let sources = Arc::new(crate::source_list::SourceList::open(store.clone()).await?);
    if store.is_shared() {
        Registry::follow(sets.clone());
        crate::source_list::SourceList::follow(sources.clone());
    }
    Ok(AppState {
        store,
        sets,
        limits: Limits::new(settings.limits),
        settings: Arc::new(settings),
        admin_token: AdminToken(token.into()),
        tokens: crate::quiz::TokenKey::new(secret.as_bytes()),
        session_keys,
        clock,
        playing: Arc::default(),
        sources,
    })
}

/// Registers every route: the whole HTTP surface on one screen.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Visitors (SPEC §3), first: actix tries routes in order, and these take
    // nearly all the traffic.
    cfg.service(visitor::start_session)
        .service(visitor::submit_answers)
        .service(visitor::create_entry)
        .service(visitor::get_session)
        .service(visitor::receipt_qr)
        .service(visitor::withdraw_entry)
        .service(health::healthz)
        .service(metrics::with_token)
        .service(assets::index)
        .service(assets::hashed)
        .service(assets::statics)
        .service(assets::draw_page)
        .service(assets::draws_page)
        .service(assets::admin_page)
        .service(assets::show_page)
        .service(assets::poster_page)
        .service(assets::report_page)
        .service(assets::wall_page)
        .route("/qr.png", web::get().to(assets::qr_png))
        .route("/qr.svg", web::get().to(assets::qr_svg))
        .route("/admin/qr.png", web::get().to(assets::qr_png))
        .route("/admin/qr.svg", web::get().to(assets::qr_svg))
        .service(visitor::current_set)
        .service(draws::list)
        .service(draws::show)
        .service(draws::entries_txt)
        .service(wall::data)
        // Staff (SPEC §4).
        .service(admin::whoami)
        .service(admin::list_sets)
        .service(admin::template)
        .service(admin::set_xlsx)
        .service(admin::remove_set)
        .service(admin::activate_set)
        .service(admin::reload)
        .service(admin::stats)
        .service(funnel::funnel)
        .service(funnel::funnel_csv)
        .service(admin::entries_csv)
        .service(admin::entries)
        .service(admin::search_entries)
        .configure(admin::erasure_and_sheets)
        .service(admin::rounds)
        .service(admin::purge_round)
        .service(admin::audit_verify)
        .service(admin::audit)
        .service(report::report)
        .service(draws::commit)
        .service(draws::reveal)
        .service(draws::winner_contacts)
        .service(draws::winners_csv)
        .service(draws::winners_tsv)
        .service(draws::hand_out)
        .service(sources::qr_codes)
        .service(
            web::resource("/admin/api/sets")
                .app_data(web::PayloadConfig::new(UPLOAD_LIMIT))
                .route(web::post().to(admin::upload_set)),
        )
        .service(
            web::resource("/admin/api/sources")
                .app_data(web::PayloadConfig::new(SOURCES_LIMIT))
                .route(web::get().to(sources::list))
                .route(web::put().to(sources::replace)),
        );
}

/// Starts the HTTP server on a bound listener.
pub fn run(
    listener: TcpListener,
    state: AppState,
    traffic: Arc<Traffic>,
    metrics: web::Data<Metrics>,
) -> anyhow::Result<Server> {
    let state = web::Data::new(state);
    let traffic = web::Data::from(traffic);
    let pages = web::Data::new(Pages::new());
    if let Some(dir) = pages.dir() {
        tracing::info!(
            "debug build: serving the pages from {} (edit, reload)",
            dir.display()
        );
    }
    let prerendered = web::Data::new(Prerendered::default());
    let draw_reads = web::Data::new(crate::routes::draw_reads::DrawReads::new(
        &state.settings.limits,
    ));
    let wall = web::Data::new(wall::Wall::default());
    let limits = state.settings.limits;
    let cap = ConnectionCap::new(limits.conn_per_ip, &state.settings.trusted_proxies);
    let workers = state.settings.workers;
    let files = match connections::raise_fd_limit() {
        Ok((before, now)) => {
            if now > before {
                tracing::debug!(before, now, "open-file limit raised to the hard limit");
            }
            now
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit; assuming 1024");
            1024
        }
    };
    let per_worker = connections::max_connections(files, workers);
    if per_worker * workers < 4 * limits.conn_per_ip as usize {
        tracing::warn!(
            "only {files} files may be open: {} connections at once, {} per address; \
             raise the hard limit (ulimit -Hn, LimitNOFILE=) or lower --max-conn-per-ip",
            per_worker * workers,
            limits.conn_per_ip
        );
    }
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(traffic.clone())
            .app_data(pages.clone())
            .app_data(prerendered.clone())
            .app_data(draw_reads.clone())
            .app_data(wall.clone())
            .app_data(metrics.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT)
                    .error_handler(json_error_handler),
            )
            .app_data(web::PathConfig::default().error_handler(path_error_handler))
            .app_data(web::QueryConfig::default().error_handler(query_error_handler))
            .app_data(web::PayloadConfig::new(JSON_LIMIT))
            .wrap(from_fn(crate::connections::body_deadline))
            .wrap(ErrorHandlers::new().default_handler(crate::error::json_fallback))
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("Content-Security-Policy", CSP))
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "no-referrer"))
                    .add(("X-Frame-Options", "DENY")),
            )
            .wrap(from_fn(metrics::count))
            .wrap(from_fn(crate::traffic::count_and_log))
            .configure(configure)
            .default_service(web::to(not_found))
    })
    .workers(workers)
    .max_connections(per_worker)
    .client_request_timeout(REQUEST_WITHIN)
    .on_connect(move |conn, data| cap.on_connect(conn, data))
    .listen(listener)?
    .run();
    Ok(server)
}

/// The `--metrics-bind` listener: `/metrics` alone, without a token (see
/// `routes::metrics` for why), on one worker.
fn run_metrics(
    listener: TcpListener,
    state: AppState,
    metrics: web::Data<Metrics>,
) -> anyhow::Result<Server> {
    let state = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .wrap(ErrorHandlers::new().default_handler(crate::error::json_fallback))
            .service(metrics::open)
            .default_service(web::to(not_found))
    })
    .workers(1)
    .client_request_timeout(REQUEST_WITHIN)
    .listen(listener)?
    .run())
}

async fn not_found() -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    ApiError::not_found("page").error_response()
}
