//! Bench-only: fills a quizbooth database directly through rusqlite (see `bench/run.sh`).
//!
//! The database must already have the service's schema and the bank's version:
//! start `quizbooth serve` once on it with the same `--questions`, stop it, then
//! seed (the `open` and `passed` modes may also run beside a live server: SQLite
//! in WAL mode takes the second writer). Sessions are served and scored with
//! quizbooth's own `quiz::serve` and `quiz::score`, so they are the rows the
//! service itself would have written, and `round_stats` / `question_stats` are
//! counted to match.
//!
//! ```text
//! seed open   --db DB --questions BANK.yaml --count N --out FILE
//!     N started, unsubmitted sessions; FILE gets `ID<TAB>{"answers":{...}}` per
//!     line, the body that passes with every answer right.
//! seed passed --db DB --questions BANK.yaml --count N --out FILE [--phone-from K]
//!     N submitted, passed sessions without an entry; FILE gets `TOKEN<TAB>PHONE`
//!     per line, phones 13 + (K + i) as 9 digits: distinct, valid, unused.
//! seed draw   --db DB --questions BANK.yaml --count N [--phone-from K]
//!     N submitted, passed sessions, each with its entry (distinct phone, unique
//!     code) in the bank's open round: the pool of a draw, and N submissions
//!     for the stats.
//! ```

use anyhow::{bail, ensure, Context};
use quizbooth::bank::{parse_bank, Bank};
use quizbooth::clock::rfc3339;
use quizbooth::contact::EntryCode;
use quizbooth::quiz::{self, SessionToken, TokenKey};

use rand::seq::SliceRandom;
use rusqlite::{named_params, Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

const USAGE: &str = "usage: seed open|passed|draw --db DB --questions BANK.yaml --count N [--out FILE] [--phone-from K]";

/// Rows per transaction.
const CHUNK: usize = 50_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Open,
    Passed,
    Draw,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let mode = match args.first().map(String::as_str) {
        Some("open") => Mode::Open,
        Some("passed") => Mode::Passed,
        Some("draw") => Mode::Draw,
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let db = PathBuf::from(flag("--db").context("--db is required")?);
    let questions = PathBuf::from(flag("--questions").context("--questions is required")?);
    let count: usize = flag("--count").context("--count is required")?.parse()?;
    let out = flag("--out").map(PathBuf::from);
    let phone_from: u64 = flag("--phone-from").unwrap_or_else(|| "0".into()).parse()?;
    ensure!(
        phone_from + count as u64 <= 1_000_000_000,
        "--phone-from + --count must stay below 10^9"
    );
    if mode != Mode::Draw && out.is_none() {
        bail!("--out is required for `open` and `passed`");
    }

    let source = std::fs::read_to_string(&questions)
        .with_context(|| format!("cannot read {}", questions.display()))?;
    let report = parse_bank(&source);
    let Some(bank) = report.bank else {
        bail!("{} is not a valid bank", questions.display());
    };
    ensure!(
        db.exists(),
        "{}: no such database; start the service once on it first",
        db.display()
    );
    let conn = quizbooth::store::sqlite::connect(&db)?;
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    ensure!(
        version > 0,
        "the database has no schema; start the service once on it first"
    );
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM set_versions WHERE version = ?1)",
        [&bank.version],
        |r| r.get(0),
    )?;
    ensure!(
        known,
        "set version {} of `{}` is not in the database; start the service once with this bank",
        bank.version,
        bank.id
    );
    // Seeding is setup, not the measured path: no fsync, a big cache.
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")?;

    let started = Instant::now();
    let seeded = seed(&conn, &bank, mode, count, phone_from, out.as_ref())?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    drop(conn);
    // Seeding ran without fsync: flush now, or the server's first checkpoint
    // pays for the seed's dirty pages (a one-off stall of hundreds of ms).
    for suffix in ["", "-wal"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if path.exists() {
            std::fs::File::open(&path)?.sync_all()?;
        }
    }
    eprintln!(
        "seeded {count} {} sessions in set `{}` round `{}` in {:.1}s",
        match mode {
            Mode::Open => "open",
            Mode::Passed => "passed",
            Mode::Draw => "passed+entered",
        },
        bank.id,
        seeded,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Per question: (answered, correct).
type QuestionCounts = HashMap<String, (i64, i64)>;

/// Seeds; returns the round id used.
fn seed(
    conn: &Connection,
    bank: &Bank,
    mode: Mode,
    count: usize,
    phone_from: u64,
    out: Option<&PathBuf>,
) -> anyhow::Result<String> {
    let now = chrono::Local::now().fixed_offset();
    let round_index = bank
        .open_round_index(now)
        .context("the bank has no open round now")?;
    let round = bank.rounds[round_index].id.clone();
    let created = rfc3339(now);
    let mut rng = rand::rng();
    let secret: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'session_secret'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .context("the database has no session secret; start the service once on it first")?;
    let sealer = TokenKey::new(secret.as_bytes());
    let first_key = u64::try_from(now.timestamp_millis() - 120_000)? << quiz::token::SEQ_BITS;

    let mut codes: HashSet<String> = HashSet::new();
    if mode == Mode::Draw {
        let mut taken = conn.prepare("SELECT code FROM entries")?;
        let rows = taken.query_map([], |r| r.get::<_, String>(0))?;
        let existing: HashSet<String> = rows.collect::<rusqlite::Result<_>>()?;
        while codes.len() < count {
            let code = EntryCode::random(&mut rng).to_string();
            if !existing.contains(&code) {
                codes.insert(code);
            }
        }
    }
    let mut codes = codes.into_iter();

    // Lines for --out, shuffled before writing: sessions are used in an order unrelated to their keys.
    let mut lines: Vec<String> = Vec::new();
    let mut per_question: QuestionCounts = HashMap::new();
    let (mut submitted, mut passed) = (0i64, 0i64);

    for chunk_start in (0..count).step_by(CHUNK) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        {
            let mut insert_entry = conn.prepare_cached(
                "INSERT INTO entries
                 (code, session_id, set_id, set_version, round_id, name, phone, score, percent, created_at)
                 VALUES (:code, :session_id, :set_id, :set_version, :round_id, :name, :phone, :score, :percent, :created_at)",
            )?;
            let mut insert_submission = conn.prepare_cached(
                "INSERT INTO submissions (id, submitted_at, score, percent, passed, given)
                 VALUES (:id, :submitted_at, :score, :percent, :passed, :given)",
            )?;
            for i in chunk_start..(chunk_start + CHUNK).min(count) {
                let token = SessionToken::seal(
                    &sealer,
                    first_key + i as u64,
                    &bank.version,
                    u16::try_from(round_index)?,
                    "zh",
                );
                let served = quiz::serve(bank, &mut token.rng());
                let answers: HashMap<String, Vec<String>> = served
                    .iter()
                    .map(|s| {
                        let q = bank.question(&s.id).expect("served from the bank");
                        (s.id.clone(), q.answer.iter().map(char::to_string).collect())
                    })
                    .collect();
                let phone = format!("13{:09}", phone_from + i as u64);
                let id = token.encode();
                if mode == Mode::Open {
                    let body = serde_json::json!({ "answers": answers });
                    lines.push(format!("{id}\t{body}"));
                    continue;
                }
                let outcome = quiz::score(bank, &served, &answers)?;
                submitted += 1;
                passed += i64::from(outcome.passed);
                for r in &outcome.results {
                    let e = per_question.entry(r.id.clone()).or_default();
                    e.0 += 1;
                    e.1 += i64::from(r.correct);
                }
                let given: serde_json::Map<String, serde_json::Value> = outcome
                    .results
                    .iter()
                    .map(|r| (r.id.clone(), r.given.iter().collect::<String>().into()))
                    .collect();
                // The row `store::sqlite::submissions` writes.
                insert_submission
                    .execute(named_params! {
                        ":id": i64::try_from(token.key)?, ":submitted_at": created,
                        ":score": outcome.score, ":percent": outcome.percent,
                        ":passed": outcome.passed,
                        ":given": serde_json::Value::Object(given).to_string(),
                    })
                    .with_context(|| format!("session key {} is already submitted", token.key))?;
                if mode == Mode::Passed {
                    lines.push(format!("{id}\t{phone}"));
                } else {
                    insert_entry.execute(named_params! {
                        ":code": codes.next().expect("one code per session"),
                        // As `store::sqlite::entries` keeps it: 16 hex digits.
                        ":session_id": format!("{:016x}", token.key),
                        ":set_id": bank.id, ":set_version": bank.version, ":round_id": round,
                        ":name": "张三丰", ":phone": phone, ":score": outcome.score,
                        ":percent": outcome.percent, ":created_at": created,
                    })?;
                }
            }
        }
        conn.execute_batch("COMMIT")?;
    }

    let entries = if mode == Mode::Draw { count as i64 } else { 0 };
    conn.execute_batch("BEGIN IMMEDIATE")?;
    conn.execute(
        "INSERT INTO round_stats (set_id, round_id, started, submitted, passed, entries)
         VALUES (:set_id, :round_id, :started, :submitted, :passed, :entries)
         ON CONFLICT (set_id, round_id) DO UPDATE SET started = started + excluded.started,
           submitted = submitted + excluded.submitted, passed = passed + excluded.passed,
           entries = entries + excluded.entries",
        named_params! {
            ":set_id": bank.id, ":round_id": round, ":started": count as i64,
            ":submitted": submitted, ":passed": passed, ":entries": entries,
        },
    )?;
    for (qid, (answered, correct)) in &per_question {
        conn.execute(
            "INSERT INTO question_stats (set_id, round_id, question_id, answered, correct)
             VALUES (:set_id, :round_id, :question_id, :answered, :correct)
             ON CONFLICT (set_id, round_id, question_id) DO UPDATE SET
               answered = answered + excluded.answered, correct = correct + excluded.correct",
            named_params! {
                ":set_id": bank.id, ":round_id": round, ":question_id": qid,
                ":answered": answered, ":correct": correct,
            },
        )?;
    }
    conn.execute_batch("COMMIT")?;
    if let Some(path) = out {
        lines.shuffle(&mut rng);
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        for line in &lines {
            writeln!(w, "{line}")?;
        }
        w.flush()?;
    }
    Ok(round)
}
