//! The visitor API (SPEC §3): the set, sessions, answers and entries.

use super::rendered::Prerendered;
use super::shared::{accept_language, client_ip, no_store, LangQuery};
use super::views::{result_view, session_view, set_view, to_body, EntryWindow, Session};
use crate::bank::text::negotiate;
use crate::bank::Bank;
use crate::clock::{rfc3339, rfc3339_millis};
use crate::contact::{EntrantName, Phone};
use crate::error::{ApiError, ErrorCode};
use crate::quiz::{self, Answers, Entrant, InvalidEntry, Outcome, Served, SessionToken, Timing};
use crate::state::AppState;
use crate::store::{
    AlreadySubmitted, EntryMade, EntryRefused, GivenAnswer, GivenAnswers, NewEntry, NewSubmission,
    Submission,
};
use crate::traffic::Traffic;
use actix_web::http::StatusCode;
use actix_web::mime;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// `GET /api/set` (extension): what the start screen shows, without starting the clock.
#[get("/api/set")]
pub async fn current_set(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = negotiate(q.lang.as_deref(), accept_language(&req));
    let bank = state.active_bank().ok_or_else(no_set)?;
    Ok(no_store(StatusCode::OK).json(set_view(&bank, lang, state.clock.now())))
}

fn no_set() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::NoSet,
        "no question set is loaded",
    )
}

/// This node cannot confirm its node number, so it starts no session.
fn no_lease() -> ApiError {
    ApiError {
        retry_after: Some(1),
        ..ApiError::unavailable("this server cannot start a quiz right now; please try again")
    }
}

/// `POST /api/sessions` body.
#[derive(Debug, Default, Deserialize)]
struct StartBody {
    lang: Option<String>,
    /// 长辈版: large text, and no countdown unless the bank requires it.
    #[serde(default)]
    large: bool,
    /// The source of the page's link (`/?src=ID`, SPEC §11): kept when
    /// listed now, else the session's source is `direct`.
    src: Option<String>,
}

/// `POST /api/sessions`: start a quiz on the active set's open round.
/// Nothing is written: the session is its sealed token ([`crate::quiz::token`]);
/// the start is counted in memory and written with the next commit. A node
/// of several that cannot confirm its node number starts none (`503`
/// `unavailable`, SPEC §10): another node, or this one a moment later, can.
#[post("/api/sessions")]
pub async fn start_session(
    state: web::Data<AppState>,
    prerendered: web::Data<Prerendered>,
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
    let now = state.clock.now();
    let round_index = bank.open_round_index(now).ok_or_else(|| {
        ApiError::conflict(ErrorCode::Closed, "no round of this quiz is open now")
    })?;
    let round = &bank.rounds[round_index];
    let id = state
        .session_keys
        .next(now.timestamp_millis())
        .ok_or_else(no_lease)?;
    let token = SessionToken::seal_from(
        &state.tokens,
        id,
        &bank.version,
        u16::try_from(round_index).unwrap_or(u16::MAX),
        lang,
        start.large,
        state.sources.resolve(start.src.as_deref()),
    );
    let timing = Timing::new(&bank.quiz, round, token.started_ms(), token.large);
    let served = quiz::serve(&bank, &mut token.rng());
    let hour = token.started_ms().div_euclid(3_600_000);
    state
        .store
        .count_start(&bank.id, &round.id, hour, token.source_id());
    state.playing.started();
    let session = Session {
        id: token.encode(),
        round_id: &round.id,
        now,
        expires_at: rfc3339(timing.expires_at(now)),
        served: &served,
        large: token.large,
        timer: timing.timed(),
    };
    Ok(unsubmitted(
        &prerendered,
        StatusCode::CREATED,
        &bank,
        &session,
        lang,
    ))
}

/// A session not yet submitted.
fn unsubmitted(
    prerendered: &Prerendered,
    status: StatusCode,
    bank: &Bank,
    session: &Session<'_>,
    lang: &str,
) -> HttpResponse {
    let parts = prerendered.get(bank, lang);
    let view = session_view(&parts, bank, session, None, None);
    json_body(status, to_body(&view, SESSION_BYTES))
}

/// Room for a session before submission (the sample bank's are about 9 KB).
const SESSION_BYTES: usize = 12 * 1024;

fn json_body(status: StatusCode, body: Vec<u8>) -> HttpResponse {
    no_store(status)
        .content_type(mime::APPLICATION_JSON)
        .body(body)
}

/// A session opened from its token: the set version it runs on and its
/// round; its questions are rebuilt from the token when needed.
struct Opened {
    id: String,
    token: SessionToken,
    bank: Arc<Bank>,
    round: usize,
    /// Its timing rules.
    timing: Timing,
    /// When the request came.
    now: DateTime<FixedOffset>,
}

impl Opened {
    fn round_id(&self) -> &str {
        &self.bank.rounds[self.round].id
    }

    /// The questions served, in order, with their option order.
    fn served(&self) -> Vec<Served> {
        quiz::serve(&self.bank, &mut self.token.rng())
    }

    fn session<'a>(&'a self, served: &'a [Served]) -> Session<'a> {
        Session {
            id: self.id.clone(),
            round_id: self.round_id(),
            now: self.now,
            expires_at: rfc3339(self.timing.expires_at(self.now)),
            served,
            large: self.token.large,
            timer: self.timing.timed(),
        }
    }

    /// What the result tells the page about entering, for a submission at `submitted`.
    fn entry_window(&self, submitted: DateTime<FixedOffset>) -> EntryWindow {
        EntryWindow {
            too_fast: self.timing.too_fast(submitted),
            closes: rfc3339(self.timing.entry_closes(self.now)),
        }
    }

    /// `sent` as answers to the questions `served` now: `410 expired` past
    /// the deadline and its grace, `422 invalid_answer` when they are not
    /// answers to these questions.
    fn answers_in_time<'a>(
        &self,
        served: &'a [Served],
        sent: &HashMap<String, Vec<String>>,
    ) -> Result<Answers<'a>, ApiError> {
        self.timing.submission_in_time(self.now)?;
        Ok(Answers::parse(&self.bank, served, sent)?)
    }

    /// The stored submission, if any.
    async fn submission(&self, state: &AppState) -> Result<Option<Submission>, ApiError> {
        Ok(state.store.submission(self.token.id).await?)
    }
}

async fn open_session(state: &AppState, id: &str) -> Result<Opened, ApiError> {
    // Only a token this server sealed opens; anything else is unknown without touching the store.
    let token =
        SessionToken::open(&state.tokens, id).ok_or_else(|| ApiError::not_found("session"))?;
    let bank = state
        .sets
        .version(&token.version)
        .await?
        .ok_or_else(|| ApiError::unavailable("this session's question set is not available"))?;
    let timing = Timing::of(&token, &bank).ok_or_else(|| ApiError::not_found("session"))?;
    Ok(Opened {
        id: id.to_owned(),
        round: usize::from(token.round),
        token,
        bank,
        timing,
        now: state.clock.now(),
    })
}

/// A refusal of a request that names no session it may use (a token that
/// does not open, a session run out of time, not passed, already used…):
/// counted in the address's junk budget, never in what its valid requests
/// spend (SPEC §6); once junk has spent its budget, 429.
fn junk(state: &AppState, ip: IpAddr, refusal: ApiError) -> ApiError {
    match state.limits.junk(ip) {
        Ok(()) => refusal,
        Err(wait) => ApiError::rate_limited(wait),
    }
}

/// [`open_session`] for a request that may spend the session's budget: a
/// token that does not open is junk; one that does is counted against its
/// session (a burst, then one every few seconds).
async fn open_counted(state: &AppState, ip: IpAddr, id: &str) -> Result<Opened, ApiError> {
    let s = open_session(state, id).await.map_err(|e| {
        if e.status == StatusCode::NOT_FOUND {
            junk(state, ip, e)
        } else {
            e
        }
    })?;
    state.limits.session(id).map_err(ApiError::rate_limited)?;
    Ok(s)
}

/// `503`: what the store kept for a session does not read back.
fn unreadable() -> ApiError {
    ApiError::unavailable("stored result is unreadable")
}

/// A stored submission scored again from the answers it gave.
fn rescore(bank: &Bank, served: &[Served], given: &GivenAnswers) -> Result<Outcome, ApiError> {
    quiz::score(bank, served, given).map_err(|_| unreadable())
}

/// `GET /api/sessions/{session}`: the same session again (and its result and entry once there).
/// `?lang=` shows it in the other language (the page's language switch).
#[get("/api/sessions/{session}")]
pub async fn get_session(
    state: web::Data<AppState>,
    prerendered: web::Data<Prerendered>,
    path: web::Path<String>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let s = open_session(&state, &path).await?;
    let lang = q
        .lang
        .as_deref()
        .and_then(crate::bank::text::ui_lang)
        .unwrap_or(s.token.lang);
    let served = s.served();
    let session = s.session(&served);
    let Some((kept, given)) = state.store.submission_with_answers(s.token.id).await? else {
        return Ok(unsubmitted(
            &prerendered,
            StatusCode::OK,
            &s.bank,
            &session,
            lang,
        ));
    };
    let outcome = rescore(&s.bank, &served, &given)?;
    let submitted = DateTime::parse_from_rfc3339(&kept.submitted_at).map_err(|_| unreadable())?;
    let window = s.entry_window(submitted);
    let entry = state.store.entry_of(s.token.id).await?;
    let parts = prerendered.get(&s.bank, lang);
    let view = session_view(&parts, &s.bank, &session, Some((&outcome, &window)), entry);
    Ok(json_body(StatusCode::OK, to_body(&view, 2 * SESSION_BYTES)))
}

/// The stored result of the session, when `answers` are the answers it
/// kept: a phone that lost the reply to its submission sends it again and
/// gets `200` with what was stored (SPEC §3). `None` when nothing is
/// stored or the answers differ (that is `409`). Asked only once the store
/// or a budget refused the submission: the first one never pays for it.
async fn submitted_before(
    state: &AppState,
    prerendered: &Prerendered,
    s: &Opened,
    answers: &HashMap<String, Vec<String>>,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some((kept, given)) = state.store.submission_with_answers(s.token.id).await? else {
        return Ok(None);
    };
    let served = s.served();
    let stored = Answers::parse(&s.bank, &served, &given).map_err(|_| unreadable())?;
    if Answers::parse(&s.bank, &served, answers).ok() != Some(stored.clone()) {
        return Ok(None);
    }
    let stored = stored.score(&s.bank);
    let submitted = DateTime::parse_from_rfc3339(&kept.submitted_at).map_err(|_| unreadable())?;
    let parts = prerendered.get(&s.bank, s.token.lang);
    let window = s.entry_window(submitted);
    let view = result_view(&parts, &s.bank, &stored, &window);
    Ok(Some(json_body(StatusCode::OK, to_body(&view, 4096))))
}

/// `POST /api/sessions/{session}/answers` body.
#[derive(Debug, Deserialize)]
pub struct AnswersBody {
    answers: HashMap<String, Vec<String>>,
    /// The page's seconds on each question (SPEC §11), any JSON: what is
    /// not a timing is unknown ([`quiz::seconds::spent`]), so no page's
    /// bug or old copy ever costs a visitor the submission.
    #[serde(default)]
    secs: Option<serde_json::Value>,
}

/// `POST /api/sessions/{session}/answers`: score once, durably.
#[post("/api/sessions/{session}/answers")]
pub async fn submit_answers(
    state: web::Data<AppState>,
    prerendered: web::Data<Prerendered>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<AnswersBody>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req);
    let s = open_counted(&state, ip, &path).await?;
    let served = s.served();
    let answers = match s.answers_in_time(&served, &body.answers) {
        Ok(answers) => answers,
        Err(e) => return refuse_submission(&state, &prerendered, ip, &s, &body.answers, e).await,
    };
    let outcome = answers.score(&s.bank);
    let secs = quiz::seconds::spent(body.secs.as_ref(), &served, s.timing.elapsed_secs(s.now));
    if let Some(kept) =
        keep_submission(&state, &prerendered, ip, &s, &outcome, &secs, &body.answers).await?
    {
        return Ok(kept);
    }
    let parts = prerendered.get(&s.bank, s.token.lang);
    let window = s.entry_window(s.now);
    let view = result_view(&parts, &s.bank, &outcome, &window);
    Ok(json_body(StatusCode::OK, to_body(&view, 4096)))
}

/// Keeps session `s`'s submission, scored as `outcome` with the seconds
/// `secs` spent on its questions, and counts it:
/// `None` once it is stored. Only a submission that can be stored spends
/// the address's budget; a retry of one stored before (the same
/// `answers`) is answered with what was stored, even when the budget is
/// spent (`Some`); other answers to a submitted session are `409`.
async fn keep_submission(
    state: &AppState,
    prerendered: &Prerendered,
    ip: IpAddr,
    s: &Opened,
    outcome: &Outcome,
    secs: &[Option<u32>],
    answers: &HashMap<String, Vec<String>>,
) -> Result<Option<HttpResponse>, ApiError> {
    if let Err(wait) = state.limits.write(ip) {
        return match submitted_before(state, prerendered, s, answers).await? {
            Some(kept) => Ok(Some(kept)),
            None => Err(ApiError::rate_limited(wait)),
        };
    }
    match state
        .store
        .record_submission(new_submission(s, outcome, secs))
        .await
    {
        Ok(Ok(())) => {
            state.playing.submitted();
            Ok(None)
        }
        Ok(Err(already)) => {
            state.limits.give_back_write(ip);
            if let Some(kept) = submitted_before(state, prerendered, s, answers).await? {
                return Ok(Some(kept));
            }
            let _ = state.limits.junk(ip);
            Err(already.into())
        }
        Err(e) => {
            state.limits.give_back_write(ip);
            Err(e.into())
        }
    }
}

/// A submission that cannot be scored (`refusal`). A submitted quiz is 409
/// whatever else is wrong with the request (a double tap just after the
/// time ran out must not read "too late"); the store is asked only now,
/// on a refusal. Past the deadline, a phone that lost the reply to its
/// submission sends it again (the session's own budget bounds how often)
/// and gets the stored result; anything else is junk, its own budget
/// charged before the store is asked.
async fn refuse_submission(
    state: &AppState,
    prerendered: &Prerendered,
    ip: IpAddr,
    s: &Opened,
    answers: &HashMap<String, Vec<String>>,
    refusal: ApiError,
) -> Result<HttpResponse, ApiError> {
    if refusal.status == StatusCode::GONE {
        if let Some(kept) = submitted_before(state, prerendered, s, answers).await? {
            return Ok(kept);
        }
    }
    state.limits.junk(ip).map_err(ApiError::rate_limited)?;
    match s.submission(state).await {
        Ok(Some(_)) => Err(AlreadySubmitted.into()),
        _ => Err(refusal),
    }
}

/// The submission to store for session `s`, scored as `outcome`, made
/// now, with the seconds spent on each question served (`secs`, in served
/// order as the results are; counted, never scored).
fn new_submission(s: &Opened, outcome: &Outcome, secs: &[Option<u32>]) -> NewSubmission {
    NewSubmission {
        session: s.token.id,
        set_id: s.bank.id.clone(),
        round_id: s.round_id().to_owned(),
        submitted_at: rfc3339_millis(s.now),
        score: outcome.score,
        percent: outcome.percent,
        passed: outcome.passed,
        source: s.token.source_id().to_owned(),
        answers: outcome
            .results
            .iter()
            .enumerate()
            .map(|(at, r)| GivenAnswer {
                question: r.id.clone(),
                given: r.given.clone(),
                correct: r.correct,
                secs: secs.get(at).copied().flatten(),
            })
            .collect(),
    }
}

/// `POST /api/entries` body.
#[derive(Debug, Deserialize)]
pub struct EntryBody {
    session: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    /// May the masked name and phone be published (SPEC §3, default no).
    #[serde(default)]
    publish: bool,
    /// The entrant ticked the notice of SPEC §8; without it nothing is kept.
    #[serde(default)]
    consent: bool,
}

impl TryFrom<&EntryBody> for Entrant {
    type Error = InvalidEntry;

    fn try_from(body: &EntryBody) -> Result<Self, InvalidEntry> {
        Entrant::parse(&body.name, &body.phone, body.consent, body.publish)
    }
}

/// `POST /api/entries`: enter the draw after passing.
#[post("/api/entries")]
pub async fn create_entry(
    state: web::Data<AppState>,
    traffic: web::Data<Traffic>,
    req: HttpRequest,
    body: web::Json<EntryBody>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req);
    let sent = Entrant::try_from(&*body);
    let s = open_counted(&state, ip, &body.session).await?;
    let passed = match may_enter(&state, ip, &s, &sent).await? {
        Ok(passed) => passed,
        Err(kept) => return Ok(kept),
    };
    // A typo is neither junk nor an entry: the per-session limit bounds retries.
    let entrant = sent?;
    let made = match keep_entry(&state, ip, &s, &passed, &entrant).await? {
        Ok(made) => made,
        Err(kept) => return Ok(kept),
    };
    traffic.entry_stored();
    tracing::debug!(round = %s.round_id(), "entry stored");
    Ok(entry_answer(&s, &made, s.round_id()))
}

/// Keeps `entrant`'s entry from session `s` that `passed`, spending the
/// address's entry budget: its code and receipt, or (`Err` of the inner
/// result) the answer already given to the same entry sent again (a phone
/// that lost the reply), which is answered even when the budget is spent.
/// A refusal gives the budget back and is junk.
async fn keep_entry(
    state: &AppState,
    ip: IpAddr,
    s: &Opened,
    passed: &Submission,
    entrant: &Entrant,
) -> Result<Result<EntryMade, HttpResponse>, ApiError> {
    if let Err(wait) = state.limits.entry(ip) {
        return match entered_before(state, s, &entrant.name, &entrant.phone).await? {
            Some(kept) => Ok(Err(kept)),
            None => Err(ApiError::rate_limited(wait)),
        };
    }
    match state
        .store
        .record_entry(new_entry(s, passed, entrant))
        .await
    {
        Ok(Ok(made)) => Ok(Ok(made)),
        Ok(Err(why)) => {
            state.limits.give_back_entry(ip);
            if why == EntryRefused::SessionUsed {
                if let Some(kept) = entered_before(state, s, &entrant.name, &entrant.phone).await? {
                    return Ok(Err(kept));
                }
            }
            let _ = state.limits.junk(ip);
            Err(why.into())
        }
        Err(e) => {
            state.limits.give_back_entry(ip);
            Err(e.into())
        }
    }
}

/// Read-only checks first: whether this session may enter now (passed,
/// not too fast, before its entry window closes). A session that cannot
/// is junk, and costs nothing of the address's entry budget; a retry of an
/// entry stored before the close gets its answer again (`Err` of the
/// inner result).
async fn may_enter(
    state: &AppState,
    ip: IpAddr,
    s: &Opened,
    sent: &Result<Entrant, InvalidEntry>,
) -> Result<Result<Submission, HttpResponse>, ApiError> {
    let passed = s.submission(state).await?.filter(|row| row.passed);
    let Some(passed) = passed else {
        return Err(junk(
            state,
            ip,
            ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::NotPassed,
                "only a passed quiz can enter the draw",
            ),
        ));
    };
    let submitted = DateTime::parse_from_rfc3339(&passed.submitted_at).map_err(|_| unreadable())?;
    if s.timing.too_fast(submitted) {
        let min = s.bank.quiz.min_answer_secs.unwrap_or_default();
        return Err(junk(state, ip, ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::TooFast,
            format!("this quiz was submitted less than {min} seconds after it started; such a result is scored but cannot enter the draw"),
        )));
    }
    if s.timing.entry_closed(s.now) {
        if let Some((name, phone)) = quiz::sent_contact(sent) {
            if let Some(kept) = entered_before(state, s, name, phone).await? {
                return Ok(Err(kept));
            }
        }
        return Err(junk(
            state,
            ip,
            ApiError::conflict(ErrorCode::RoundClosed, "entries for this round have closed")
                .with("closed_at", json!(rfc3339(s.timing.entry_closes(s.now)))),
        ));
    }
    Ok(Ok(passed))
}

/// The entry to store for `entrant`, from session `s` that `passed`.
fn new_entry(s: &Opened, passed: &Submission, entrant: &Entrant) -> NewEntry {
    NewEntry {
        session: s.token.id,
        set_id: s.bank.id.clone(),
        set_version: s.bank.version.clone(),
        round_id: s.round_id().to_owned(),
        name: entrant.name.clone(),
        phone: entrant.phone.clone(),
        score: passed.score,
        percent: passed.percent,
        created_at: rfc3339(s.now),
        publish: entrant.publish,
        source: s.token.source_id().to_owned(),
    }
}

/// The `201` of an entry. The receipt leaves only here and in the
/// entrant's own session.
fn entry_answer(s: &Opened, made: &EntryMade, round_id: &str) -> HttpResponse {
    let title = s
        .bank
        .round(round_id)
        .map_or(round_id, |r| r.name(s.token.lang));
    no_store(StatusCode::CREATED).json(json!({
        "code": made.code,
        "round": round_id,
        "round_title": title,
        "receipt": made.receipt,
    }))
}

/// The answer already given to this session's entry, when the same name
/// and phone (as normalised) are sent again: a phone that lost the reply
/// gets `201` with the same code and receipt, and nothing new is stored
/// (SPEC §3). `None` when the session made no entry, another name or
/// phone is sent, or the entry's contacts were erased (withdrawn or
/// purged: nothing is left to compare, and a withdrawn receipt claims
/// nothing), which stay `409`. Asked only once an entry was refused or
/// could not be taken: the first one never pays for it.
async fn entered_before(
    state: &AppState,
    s: &Opened,
    name: &EntrantName,
    phone: &Phone,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some(sent) = state.store.entry_sent(s.token.id).await? else {
        return Ok(None);
    };
    let same = sent.name.as_deref() == Some(name.as_ref())
        && sent.phone.as_deref() == Some(phone.as_ref());
    Ok(same.then(|| entry_answer(s, &sent.made, &sent.round_id)))
}

/// `GET /api/sessions/{session}/receipt.svg` (extension): the entrant's
/// private receipt as a QR code for the claim desk. It holds the desk's
/// address with the receipt in the fragment, `PUBLIC_URL/admin#claim=RECEIPT`,
/// so any phone camera opens the desk with the receipt filled in, while no
/// request, proxy or log ever carries it (a fragment is never sent); the
/// desk also reads it with its own scanner. Only the holder of the session
/// token gets it; it is never cached.
#[get("/api/sessions/{session}/receipt.svg")]
pub async fn receipt_qr(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let s = open_session(&state, &path).await?;
    let entry = state
        .store
        .entry_of(s.token.id)
        .await?
        .filter(|e| !e.receipt.is_empty() && e.withdrawn_at.is_none())
        .ok_or_else(|| ApiError::not_found("entry"))?;
    let desk = format!(
        "{}/admin#claim={}",
        state.settings.public_url, entry.receipt
    );
    let svg = crate::qr::svg(&desk).map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(no_store(StatusCode::OK)
        .content_type("image/svg+xml")
        .body(svg))
}

/// `DELETE /api/sessions/{session}/entry`: the entrant withdraws (SPEC §8).
/// The name and phone are erased at once; the code leaves every pool
/// committed from now on, and stays (unclaimable) in pools already
/// committed, which never change. Only the holder of the session token can
/// do it; doing it again answers the same.
#[delete("/api/sessions/{session}/entry")]
pub async fn withdraw_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req);
    let s = open_counted(&state, ip, &path).await?;
    let withdrawn = state
        .store
        .withdraw_entry(s.token.id, &rfc3339(s.now))
        .await?
        .ok_or_else(|| {
            junk(
                &state,
                ip,
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NoEntry,
                    "this quiz has not entered the draw",
                ),
            )
        })?;
    tracing::info!(
        held_by_committed_draws = withdrawn.held_by.len(),
        "an entry was withdrawn; its name and phone are erased"
    );
    crate::keeping::scrub_soon(state.store.clone());
    Ok(no_store(StatusCode::NO_CONTENT).finish())
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
                let _ = Entrant::try_from(&e);
            }
            if let Ok(a) = serde_json::from_slice::<AnswersBody>(&bytes) {
                let bank = bank();
                let served = quiz::serve(&bank, &mut rand::rng());
                let _ = quiz::score(&bank, &served, &a.answers);
            }
        }
    }
}
