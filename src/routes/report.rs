//! The report organizers send upward (SPEC §11): `GET /admin/api/report`
//! gives the data the printable page `/admin/report` (web/report.js) lays
//! out. Every figure in it is read through the function its own API uses
//! (the stats' [`super::admin::set_stats`], the rounds'
//! [`super::admin::round_view`], the funnel's store read grouped by
//! [`crate::funnel::group`], the public draw's [`super::draws::draw_view`]),
//! so the report and the APIs cannot drift.
//!
//! No name or phone is in it: draws carry winners' codes and the masks of
//! those who agreed to their publication, exactly as the public draw page
//! shows them; rounds carry counts and dates.

use super::admin::{numbers_set, round_view, set_stats};
use super::draws::draw_view;
use super::shared::{json_no_store, Staff};
use crate::bank::text::Text;
use crate::bank::{Bank, Question};
use crate::clock::rfc3339;
use crate::error::ApiError;
use crate::funnel::{group, By, Stages};
use crate::state::AppState;
use crate::store::{QuestionCounts, Stats};
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

/// How many questions the report lists as answered worst.
pub const WORST: usize = 5;

/// `?set=ID` (default: the live set).
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    set: Option<String>,
}

/// A bank text in both languages.
fn both(t: &Text) -> Value {
    json!({"zh": t.get("zh"), "en": t.get("en")})
}

/// `GET /admin/api/report?set=ID`: the report's data (staff). An unknown
/// set is `404`.
#[get("/admin/api/report")]
pub async fn report(
    _staff: Staff,
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let bank = numbers_set(&state, q.set.as_deref()).await?;
    let now = state.clock.now();
    let stats = set_stats(&state, &bank.id, None).await?;
    let counts = &stats.rounds;
    let privacy = &bank.privacy;
    // set_stats committed the counted starts and visits just now.
    let funnel = funnel(&state, &bank.id).await?;

    Ok(json_no_store(
        StatusCode::OK,
        json!({
            "generated_at": rfc3339(now),
            "public_url": state.settings.public_url,
            "set": {"id": bank.id, "version": bank.version, "title": both(&bank.title)},
            "organizer": privacy.organizer.as_ref().map(both),
            "contact": privacy.contact.as_ref().map(both),
            "keep_days": privacy.keep_days,
            "dates": dates(&bank),
            "rounds": rounds(&state, &bank, now).await?,
            "figures": {
                "visits": funnel.totals.visits,
                "started": counts.started,
                "submitted": counts.submitted,
                "passed": counts.passed,
                "entries": counts.entries,
                "pass_percent": bank.quiz.pass_percent,
            },
            "funnel": funnel.view,
            "worst": worst(&bank, &stats),
            "draws": draws(&state, &bank.id).await?,
        }),
    ))
}

/// The funnel of every round of the set, as `GET /admin/api/funnel` groups
/// it by day and by source, with the totals; and the sources' league as
/// the wall ranks it ([`crate::league::rank`]), each with its starts.
struct FunnelParts {
    totals: Stages,
    view: Value,
}

async fn funnel(state: &AppState, set_id: &str) -> Result<FunnelParts, ApiError> {
    let counts = state.store.funnel(set_id, None).await?;
    let list = state.sources.known();
    let tz = state.settings.tz;
    let by_day = group(&counts, By::Day, tz, &list.list);
    let by_source = group(&counts, By::Source, tz, &list.list);
    let (ranked_by, standings) = crate::league::rank(&by_source.rows);
    let league: Vec<Value> = standings
        .iter()
        .map(|s| {
            let starts = by_source
                .rows
                .iter()
                .find(|r| r.key == s.id)
                .map_or(0, |r| r.stages.starts);
            json!({"key": s.id, "name": s.name, "headcount": s.headcount, "starts": starts,
                   "entries": s.entries, "rate": s.rate})
        })
        .collect();
    Ok(FunnelParts {
        totals: by_day.totals,
        view: json!({
            "tz": tz.name(),
            "totals": by_day.totals,
            "by_day": by_day.rows,
            "by_source": by_source.rows,
            "league": league,
            "league_by": ranked_by,
        }),
    })
}

/// The event's first opening and last close over its rounds (`null` for
/// a round that is always open or never closes).
fn dates(bank: &Bank) -> Value {
    let opens = bank
        .rounds
        .iter()
        .map(|r| r.opens)
        .collect::<Option<Vec<_>>>();
    let closes = bank
        .rounds
        .iter()
        .map(|r| r.closes)
        .collect::<Option<Vec<_>>>();
    json!({
        "opens": opens.and_then(|o| o.into_iter().min()).map(rfc3339),
        "closes": closes.and_then(|c| c.into_iter().max()).map(rfc3339),
    })
}

/// The set's rounds as the rounds API shows them: those of the set as
/// loaded, then any other round of it that holds entries (a renamed or
/// dropped one), with their counts and keeping time.
async fn rounds(
    state: &AppState,
    bank: &Bank,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Vec<Value>, ApiError> {
    let held: Vec<_> = state
        .store
        .rounds_with_entries()
        .await?
        .into_iter()
        .filter(|r| r.set_id == bank.id)
        .collect();
    let mut listed: Vec<(String, Vec<String>)> = bank
        .rounds
        .iter()
        .map(|r| {
            let versions = held
                .iter()
                .find(|e| e.round_id == r.id)
                .map(|e| e.versions.clone())
                .unwrap_or_default();
            (r.id.clone(), versions)
        })
        .collect();
    for e in held {
        if !listed.iter().any(|(r, _)| *r == e.round_id) {
            listed.push((e.round_id, e.versions));
        }
    }
    let live = state.active_bank();
    let live = live.as_ref().map(|b| b.id.as_str());
    let mut out = Vec::with_capacity(listed.len());
    for (round_id, versions) in listed {
        out.push(round_view(state, live, &bank.id, &round_id, &versions, now).await?);
    }
    Ok(out)
}

/// A question's share answered right, for the ranking (`None` when no
/// submission was served it).
fn right_share(n: &QuestionCounts) -> Option<f64> {
    (n.answered > 0).then(|| n.correct as f64 / n.answered as f64)
}

/// The questions answered worst: the lowest share right first (more
/// answered first among equals, then the bank's order), at most
/// [`WORST`]; none that nobody was served, nor one nobody got wrong.
fn worst(bank: &Bank, stats: &Stats) -> Vec<Value> {
    let none = QuestionCounts::default();
    let mut ranked: Vec<(usize, &Question, &QuestionCounts, f64)> = bank
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let n = stats.questions.get(&q.id).unwrap_or(&none);
            right_share(n)
                .filter(|_| n.correct < n.answered)
                .map(|share| (i, q, n, share))
        })
        .collect();
    ranked.sort_by(|a, b| {
        a.3.total_cmp(&b.3)
            .then(b.2.answered.cmp(&a.2.answered))
            .then(a.0.cmp(&b.0))
    });
    ranked
        .into_iter()
        .take(WORST)
        .map(|(_, q, n, _)| question_view(q, n))
        .collect()
}

/// A question of the worst five: its text, answer, explanation, counts,
/// its options with how many submissions chose each (the stats' `picks`),
/// and its wrong options most picked first (`wrong`: what people believe).
fn question_view(q: &Question, n: &QuestionCounts) -> Value {
    let picked = |key: &char| n.picks.get(key).copied().unwrap_or(0);
    let options: Vec<Value> = q
        .options
        .iter()
        .map(|(key, text)| {
            json!({"key": key.to_string(), "text": both(text), "right": q.answer.contains(key),
                   "picks": picked(key)})
        })
        .collect();
    let mut wrong: Vec<(char, i64)> = q
        .options
        .iter()
        .map(|(key, _)| *key)
        .filter(|key| !q.answer.contains(key) && picked(key) > 0)
        .map(|key| (key, picked(&key)))
        .collect();
    wrong.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    json!({
        "id": q.id,
        "text": both(&q.text),
        "answered": n.answered,
        "correct": n.correct,
        "answer": q.answer.iter().map(char::to_string).collect::<Vec<_>>(),
        "explanation": q.explanation.as_ref().map(both),
        "options": options,
        "wrong": wrong.iter().map(|(key, picks)| json!({"key": key.to_string(), "picks": picks}))
            .collect::<Vec<_>>(),
    })
}

/// Every draw of the set, oldest first, as its public page shows it (the
/// winners' codes, and masks only of those who agreed), with how many of
/// its prizes were claimed and the address of that public page.
async fn draws(state: &AppState, set_id: &str) -> Result<Vec<Value>, ApiError> {
    let mut all = state.store.draws().await?;
    all.retain(|d| d.set_id == set_id);
    all.sort_by_key(|d| d.id);
    Ok(all
        .iter()
        .map(|d| {
            let mut v = draw_view(state, d);
            let claimed = d.winners.iter().filter(|w| w.claimed_at.is_some()).count();
            v["claimed"] = json!(claimed);
            v["link"] = json!(format!(
                "{}/draws/{}",
                state.settings.public_url.trim_end_matches('/'),
                d.id
            ));
            v
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_bank;

    fn counts(pairs: &[(&str, i64, i64)]) -> Stats {
        Stats {
            questions: pairs
                .iter()
                .map(|(id, answered, correct)| {
                    let n = QuestionCounts {
                        answered: *answered,
                        correct: *correct,
                        picks: [('A', answered - correct), ('B', *correct)].into(),
                        ..QuestionCounts::default()
                    };
                    ((*id).to_owned(), n)
                })
                .collect(),
            ..Stats::default()
        }
    }

    /// Worst share right first, more answered first among equals, then the
    /// bank's order; a question nobody was served or nobody got wrong is
    /// not one answered badly.
    #[test]
    fn the_worst_questions_are_ranked_by_their_share_answered_right() {
        let bank = parse_bank(include_str!("../../questions/netsec-week.yaml"))
            .bank
            .expect("the sample bank");
        let ids: Vec<&str> = bank.questions.iter().map(|q| q.id.as_str()).collect();
        assert!(ids.len() >= 8);
        let stats = counts(&[
            (ids[0], 10, 10), // nobody wrong
            (ids[1], 10, 5),
            (ids[2], 20, 10), // as bad as ids[1], more answered
            (ids[3], 10, 1),
            (ids[4], 0, 0), // never served
            (ids[5], 10, 9),
            (ids[6], 10, 8),
            (ids[7], 10, 5),
        ]);
        let shown: Vec<String> = worst(&bank, &stats)
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(shown, [ids[3], ids[2], ids[1], ids[7], ids[6]]);
        let first = &worst(&bank, &stats)[0];
        assert_eq!(first["answered"], 10);
        assert_eq!(first["correct"], 1);
        assert_eq!(first["text"]["zh"], bank.questions[3].text.get("zh"));
        // The wrong options most picked first, none that nobody chose.
        let q = &bank.questions[3];
        let wrong: Vec<(String, i64)> = first["wrong"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["key"].as_str().unwrap().to_owned(),
                    w["picks"].as_i64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, i64)> = [('A', 9), ('B', 1)]
            .into_iter()
            .filter(|(k, _)| !q.answer.contains(k) && q.options.iter().any(|(o, _)| o == k))
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        assert!(
            !want.is_empty(),
            "{} has a wrong option among A and B",
            q.id
        );
        assert_eq!(wrong, want, "{}'s answer is {:?}", q.id, q.answer);
    }
}
