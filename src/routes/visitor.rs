//! The visitor API (SPEC §3): the set, sessions, answers and entries.

pub use super::views::set_view;
use super::views::{result_view, session_view};
use super::{now, rfc3339};
use crate::bank::text::negotiate;
use crate::bank::Bank;
use crate::contact::{EntrantName, EntryCode, Phone};
use crate::error::ApiError;
use crate::quiz::{self, Outcome, Served};
use crate::state::AppState;
use crate::store::queries::{self, EntryConflict, EntryRow, SessionRow};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Seconds after `expires_at` in which a submission is still taken.
pub const GRACE_SECS: i64 = 30;

/// `?lang=`.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn accept_language(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
}

fn no_store(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.insert_header(("Cache-Control", "no-store"));
    b
}

/// `GET /api/set` (extension): what the start screen shows, without starting the clock.
#[get("/api/set")]
pub async fn current_set(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = negotiate(q.lang.as_deref(), accept_language(&req));
    let bank = state.active_bank().ok_or_else(no_set)?;
    Ok(no_store(StatusCode::OK).json(set_view(&bank, lang)))
}

/// The language a request prefers (`Accept-Language`, else `zh`).
pub fn request_lang(req: &HttpRequest) -> &'static str {
    negotiate(None, accept_language(req))
}

/// The client's address (the TCP peer; unknown peers share one bucket).
pub fn client_ip(req: &HttpRequest) -> std::net::IpAddr {
    req.peer_addr()
        .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |a| a.ip())
}

fn no_set() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_set",
        "no question set is loaded",
    )
}

/// `POST /api/sessions` body.
#[derive(Debug, Default, Deserialize)]
struct StartBody {
    lang: Option<String>,
}

/// A fresh unguessable session id: 128 random bits, hex.
fn session_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// `POST /api/sessions`: start a quiz on the active set's open round.
#[post("/api/sessions")]
pub async fn start_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let start: StartBody = if body.iter().all(u8::is_ascii_whitespace) {
        StartBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the JSON body is not valid: {e}")))?
    };
    state
        .limits
        .start(client_ip(&req))
        .map_err(ApiError::rate_limited)?;
    let lang = negotiate(start.lang.as_deref(), accept_language(&req));
    let bank = state.active_bank().ok_or_else(no_set)?;
    let now = now();
    let round = bank
        .open_round(now)
        .ok_or_else(|| ApiError::conflict("closed", "no round of this quiz is open now"))?
        .clone();
    let served = quiz::serve(&bank, &mut rand::rng());
    let expires = now + chrono::Duration::seconds(i64::from(bank.quiz.time_limit_secs));
    let row = SessionRow {
        id: session_id(),
        set_id: bank.id.clone(),
        set_version: bank.version.clone(),
        round_id: round.id.clone(),
        lang: lang.to_owned(),
        served: serde_json::to_string(&served).unwrap_or_default(),
        created_at: rfc3339(now),
        expires_at: rfc3339(expires),
        submitted_at: None,
        outcome: None,
    };
    let stored = row.clone();
    state
        .store
        .write(move |c| queries::insert_session(c, &stored))
        .await?;
    let view = session_view(&bank, &row, &served, lang, None, None);
    Ok(no_store(StatusCode::CREATED).json(view))
}

/// A session, its bank version and served questions.
struct Loaded {
    row: SessionRow,
    bank: Arc<Bank>,
    served: Vec<Served>,
    outcome: Option<Outcome>,
}

async fn load_session(state: &AppState, id: &str) -> Result<Loaded, ApiError> {
    // Ids are 32 hex digits: anything else is unknown without touching the store.
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found("session"));
    }
    let row = state
        .store
        .lookup(|c| queries::get_session(c, id))?
        .ok_or_else(|| ApiError::not_found("session"))?;
    let bank = state
        .bank_version(&row.set_version)
        .await?
        .ok_or_else(|| ApiError::unavailable("this session's question set is not available"))?;
    let served: Vec<Served> = serde_json::from_str(&row.served)
        .map_err(|_| ApiError::unavailable("stored session is unreadable"))?;
    let outcome = match &row.outcome {
        Some(o) => Some(
            serde_json::from_str(o)
                .map_err(|_| ApiError::unavailable("stored result is unreadable"))?,
        ),
        None => None,
    };
    Ok(Loaded {
        row,
        bank,
        served,
        outcome,
    })
}

/// `GET /api/sessions/{session}`: the same session again (and its result and entry once there).
#[get("/api/sessions/{session}")]
pub async fn get_session(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let s = load_session(&state, &path).await?;
    let mut lang = s.row.lang.clone();
    if let Some(asked) = q.lang.as_deref().and_then(crate::bank::text::ui_lang) {
        if asked != lang {
            let id = s.row.id.clone();
            state
                .store
                .write(move |c| queries::set_session_lang(c, &id, asked))
                .await?;
            lang = asked.to_owned();
        }
    }
    let entry = if s.outcome.is_some() {
        state
            .store
            .lookup(|c| queries::entry_by_session(c, &s.row.id))?
    } else {
        None
    };
    let view = session_view(&s.bank, &s.row, &s.served, &lang, s.outcome.as_ref(), entry);
    Ok(no_store(StatusCode::OK).json(view))
}

/// `POST /api/sessions/{session}/answers` body.
#[derive(Debug, Deserialize)]
pub struct AnswersBody {
    answers: HashMap<String, Vec<String>>,
}

/// `POST /api/sessions/{session}/answers`: score once, durably.
#[post("/api/sessions/{session}/answers")]
pub async fn submit_answers(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<AnswersBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .limits
        .write(client_ip(&req), &path)
        .map_err(ApiError::rate_limited)?;
    let s = load_session(&state, &path).await?;
    if s.outcome.is_some() {
        return Err(ApiError::conflict(
            "already_submitted",
            "this quiz was already submitted",
        ));
    }
    let now = now();
    let deadline = chrono::DateTime::parse_from_rfc3339(&s.row.expires_at)
        .map_err(|_| ApiError::unavailable("stored session is unreadable"))?
        + chrono::Duration::seconds(GRACE_SECS);
    if now > deadline {
        return Err(ApiError::new(
            StatusCode::GONE,
            "expired",
            "the time for this quiz has run out",
        ));
    }
    let outcome = quiz::score(&s.bank, &s.served, &body.answers)
        .map_err(|e| ApiError::unprocessable("invalid_answer", e.to_string()))?;
    let per_question: Vec<(String, bool)> = outcome
        .results
        .iter()
        .map(|r| (r.id.clone(), r.correct))
        .collect();
    let outcome_json = serde_json::to_string(&outcome).unwrap_or_default();
    let (row, passed, at) = (s.row.clone(), outcome.passed, rfc3339(now));
    let first = state
        .store
        .write(move |c| queries::submit_session(c, &row, &outcome_json, passed, &per_question, &at))
        .await?;
    if !first {
        return Err(ApiError::conflict(
            "already_submitted",
            "this quiz was already submitted",
        ));
    }
    Ok(no_store(StatusCode::OK).json(result_view(&s.bank, &outcome, &s.row.lang)))
}

/// `POST /api/entries` body.
#[derive(Debug, Deserialize)]
pub struct EntryBody {
    session: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

/// Tries for a free random code before giving up.
const CODE_TRIES: usize = 8;

/// `POST /api/entries`: enter the draw after passing.
#[post("/api/entries")]
pub async fn create_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<EntryBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .limits
        .write(client_ip(&req), &body.session)
        .map_err(ApiError::rate_limited)?;
    let s = load_session(&state, &body.session).await?;
    let outcome = s.outcome.as_ref().filter(|o| o.passed).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "not_passed",
            "only a passed quiz can enter the draw",
        )
    })?;
    let name = EntrantName::parse(&body.name);
    let phone = Phone::parse(&body.phone);
    let (name, phone) = match (name, phone) {
        (Ok(n), Ok(p)) => (n, p),
        (n, p) => {
            let mut fields = serde_json::Map::new();
            if let Err(e) = n {
                fields.insert("name".into(), json!(e));
            }
            if let Err(e) = p {
                fields.insert("phone".into(), json!(e));
            }
            return Err(ApiError::unprocessable(
                "invalid_fields",
                "please correct the marked fields",
            )
            .with("fields", Value::Object(fields)));
        }
    };
    let mut entry = EntryRow {
        code: String::new(),
        session_id: s.row.id.clone(),
        set_id: s.row.set_id.clone(),
        set_version: s.row.set_version.clone(),
        round_id: s.row.round_id.clone(),
        name: name.as_ref().to_owned(),
        phone: phone.as_ref().to_owned(),
        score: outcome.score,
        percent: outcome.percent,
        created_at: rfc3339(now()),
    };
    let result = state
        .store
        .write(move |c| {
            let mut rng = rand::rng();
            for _ in 0..CODE_TRIES {
                entry.code = EntryCode::random(&mut rng).to_string();
                match queries::insert_entry(c, &entry)? {
                    Err(EntryConflict::CodeTaken) => continue,
                    other => return Ok(other.map(|()| entry.code)),
                }
            }
            Ok(Err(EntryConflict::CodeTaken))
        })
        .await?;
    match result {
        Ok(code) => {
            tracing::info!(round = %s.row.round_id, "entry stored");
            Ok(no_store(StatusCode::CREATED).json(json!({"code": code, "round": s.row.round_id})))
        }
        Err(EntryConflict::SessionUsed) => Err(ApiError::conflict(
            "already_entered",
            "this quiz has already been entered in the draw",
        )),
        Err(EntryConflict::PhoneUsed) => Err(ApiError::conflict(
            "phone_used",
            "this phone number has already entered this round",
        )),
        Err(EntryConflict::CodeTaken) => Err(ApiError::unavailable(
            "no free entry code; please try again",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bank() -> Bank {
        crate::bank::parse_bank(include_str!("../../tests/fixtures/valid.yaml"))
            .bank
            .expect("valid fixture")
    }

    proptest! {
        #![proptest_config(crate::proptest_cases(500))]

        /// Any bytes as a request body: parsed or refused, and whatever parses
        /// is scored, checked or refused without a panic.
        #[test]
        fn fuzz_request_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = serde_json::from_slice::<StartBody>(&bytes);
            if let Ok(e) = serde_json::from_slice::<EntryBody>(&bytes) {
                let _ = (EntrantName::parse(&e.name), Phone::parse(&e.phone));
            }
            if let Ok(a) = serde_json::from_slice::<AnswersBody>(&bytes) {
                let bank = bank();
                let served = quiz::serve(&bank, &mut rand::rng());
                let _ = quiz::score(&bank, &served, &a.answers);
            }
        }

        /// Well-formed bodies with arbitrary ids and keys: a score or a 422 reason, never a panic.
        #[test]
        fn fuzz_arbitrary_answers_are_scored_or_refused(
            answers in proptest::collection::hash_map("[a-z0-9-]{0,12}|hotline|channels|answer-96110",
                proptest::collection::vec("[A-Z]|T|F|.{0,3}", 0..5), 0..6)
        ) {
            let bank = bank();
            let served = quiz::serve(&bank, &mut rand::rng());
            match quiz::score(&bank, &served, &answers) {
                Ok(o) => prop_assert!(o.score <= o.max_score && o.percent <= 100),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        /// Whatever is typed, a parsed phone is 11 digits and masks to 3 + 4.
        #[test]
        fn typed_phones_parse_to_eleven_digits(raw in ".{0,20}|[+0-9 -]{0,20}") {
            if let Ok(p) = Phone::parse(&raw) {
                prop_assert!(p.as_ref().len() == 11 && p.as_ref().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(p.masked().len(), 11);
            }
        }
    }
}
