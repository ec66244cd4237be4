//! Bench-only: fills a quizbooth database directly, through rusqlite or,
//! for a `postgres://` URL, tokio-postgres (see `bench/run.sh`).
//!
//! The database must already have the service's schema and the bank's version:
//! start `quizbooth serve` once on it with the same `--questions` (SQLite: stop
//! it again before `draw`), then seed (the `open` and `passed` modes may also run
//! beside live servers: SQLite in WAL mode takes the second writer, PostgreSQL
//! takes any number). Sessions are served and scored with quizbooth's own
//! `quiz::serve` and `quiz::score`, so they are the rows the service itself
//! would have written, and `round_stats` / `question_stats` are counted to match.
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
//!     for the stats. SQLite only.
//! ```
//!
//! DB is a SQLite file, or `postgres://USER@HOST:PORT/DB`. On PostgreSQL the
//! session keys are those of node [`PG_SEED_NODE`] (`KeyClock::for_node`),
//! a node number no running node has, so they never meet a live node's keys.

use anyhow::{bail, ensure, Context};
use quizbooth::bank::{parse_bank, Bank};
use quizbooth::clock::rfc3339;
use quizbooth::contact::EntryCode;
use quizbooth::quiz::{self, KeyClock, NodeLease, Outcome, SessionId, SessionToken, TokenKey};

use rand::seq::SliceRandom;
use rusqlite::{named_params, Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const USAGE: &str = "usage: seed open|passed|draw --db DB|postgres://URL --questions BANK.yaml --count N [--out FILE] [--phone-from K]";

/// Rows per transaction.
const CHUNK: usize = 50_000;

/// The node whose key class the seeded sessions have on PostgreSQL: node
/// numbers are leased from 0 up, so no bench node holds 255.
const PG_SEED_NODE: u64 = 255;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Open,
    Passed,
    Draw,
}

impl Mode {
    fn noun(self) -> &'static str {
        match self {
            Mode::Open => "open",
            Mode::Passed => "passed",
            Mode::Draw => "passed+entered",
        }
    }
}

/// What every mode is asked for.
struct Job<'a> {
    bank: &'a Bank,
    mode: Mode,
    count: usize,
    phone_from: u64,
    out: Option<&'a PathBuf>,
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
    let db = flag("--db").context("--db is required")?;
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
    let job = Job {
        bank: &bank,
        mode,
        count,
        phone_from,
        out: out.as_ref(),
    };
    let started = Instant::now();
    let round = if quizbooth::store::is_postgres_url(&db) {
        ensure!(
            mode != Mode::Draw,
            "`seed draw` is SQLite only (bench/run.sh measures the draw on SQLite)"
        );
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(postgres::seed(&db, &job))?
    } else {
        seed_sqlite(Path::new(&db), &job)?
    };
    eprintln!(
        "seeded {count} {} sessions in set `{}` round `{}` in {:.1}s",
        mode.noun(),
        bank.id,
        round,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Per question: (answered, correct).
type QuestionCounts = HashMap<String, (i64, i64)>;

/// The counters the seeded sessions add.
#[derive(Default)]
struct Tally {
    submitted: i64,
    passed: i64,
    per_question: QuestionCounts,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        self.submitted += 1;
        self.passed += i64::from(outcome.passed);
        for r in &outcome.results {
            let e = self.per_question.entry(r.id.clone()).or_default();
            e.0 += 1;
            e.1 += i64::from(r.correct);
        }
    }

    /// In question order, as the service takes the rows.
    fn questions(&self) -> Vec<(&String, &(i64, i64))> {
        let mut q: Vec<_> = self.per_question.iter().collect();
        q.sort();
        q
    }
}

/// A session's nonce as both engines keep it: bit for bit in a signed integer.
fn nonce(id: SessionId) -> i64 {
    i64::from_be_bytes(id.nonce.to_be_bytes())
}

/// One seeded session: its token, the right answers, and (`passed`, `draw`)
/// how they score.
struct Made {
    token: SessionToken,
    answers: HashMap<String, Vec<String>>,
    outcome: Option<Outcome>,
}

impl Made {
    fn new(
        bank: &Bank,
        sealer: &TokenKey,
        id: SessionId,
        round_index: usize,
        mode: Mode,
    ) -> anyhow::Result<Self> {
        let token =
            SessionToken::seal(sealer, id, &bank.version, u16::try_from(round_index)?, "zh");
        let served = quiz::serve(bank, &mut token.rng());
        let answers: HashMap<String, Vec<String>> = served
            .iter()
            .map(|s| {
                let q = bank.question(&s.id).expect("served from the bank");
                (s.id.clone(), q.answer.iter().map(char::to_string).collect())
            })
            .collect();
        let outcome = match mode {
            Mode::Open => None,
            _ => Some(quiz::score(bank, &served, &answers)?),
        };
        Ok(Self {
            token,
            answers,
            outcome,
        })
    }

    /// The `--out` line of an `open` session.
    fn open_line(&self) -> String {
        let body = serde_json::json!({ "answers": self.answers });
        format!("{}\t{body}", self.token.encode())
    }

    /// The stored answers, as both engines keep them: `{"q1":"AC"}`.
    fn given(outcome: &Outcome) -> String {
        let given: serde_json::Map<String, serde_json::Value> = outcome
            .results
            .iter()
            .map(|r| (r.id.clone(), r.given.iter().collect::<String>().into()))
            .collect();
        serde_json::Value::Object(given).to_string()
    }
}

fn phone(phone_from: u64, i: usize) -> String {
    format!("13{:09}", phone_from + i as u64)
}

/// Writes `--out`, shuffled: sessions are used in an order unrelated to their keys.
fn write_lines(mut lines: Vec<String>, out: Option<&PathBuf>) -> anyhow::Result<()> {
    let Some(path) = out else {
        return Ok(());
    };
    lines.shuffle(&mut rand::rng());
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    for line in &lines {
        writeln!(w, "{line}")?;
    }
    w.flush()?;
    Ok(())
}

fn seed_sqlite(db: &Path, job: &Job) -> anyhow::Result<String> {
    let bank = job.bank;
    ensure!(
        db.exists(),
        "{}: no such database; start the service once on it first",
        db.display()
    );
    let conn = quizbooth::store::sqlite::connect(db)?;
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

    let round = seed(&conn, job)?;
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
    Ok(round)
}

/// Seeds SQLite; returns the round id used.
fn seed(conn: &Connection, job: &Job) -> anyhow::Result<String> {
    let &Job {
        bank,
        mode,
        count,
        phone_from,
        out,
    } = job;
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

    let mut lines: Vec<String> = Vec::new();
    let mut tally = Tally::default();

    for chunk_start in (0..count).step_by(CHUNK) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        {
            let mut insert_entry = conn.prepare_cached(
                "INSERT INTO entries
                 (code, session_id, set_id, set_version, round_id, name, phone, score, percent, created_at)
                 VALUES (:code, :session_id, :set_id, :set_version, :round_id, :name, :phone, :score, :percent, :created_at)",
            )?;
            let mut insert_submission = conn.prepare_cached(
                "INSERT INTO submissions (id, nonce, submitted_at, score, percent, passed, given)
                 VALUES (:id, :nonce, :submitted_at, :score, :percent, :passed, :given)",
            )?;
            for i in chunk_start..(chunk_start + CHUNK).min(count) {
                let id = SessionId::fresh(first_key + i as u64);
                let made = Made::new(bank, &sealer, id, round_index, mode)?;
                let Some(outcome) = &made.outcome else {
                    lines.push(made.open_line());
                    continue;
                };
                tally.add(outcome);
                let token = &made.token;
                let phone = phone(phone_from, i);
                // The row `store::sqlite::submissions` writes.
                insert_submission
                    .execute(named_params! {
                        ":id": i64::try_from(token.id.key)?, ":nonce": nonce(token.id),
                        ":submitted_at": created,
                        ":score": outcome.score, ":percent": outcome.percent,
                        ":passed": outcome.passed, ":given": Made::given(outcome),
                    })
                    .with_context(|| format!("session {} is already submitted", token.id.hex()))?;
                if mode == Mode::Passed {
                    lines.push(format!("{}\t{phone}", token.encode()));
                } else {
                    insert_entry.execute(named_params! {
                        ":code": codes.next().expect("one code per session"),
                        // As `store::sqlite::entries` keeps it.
                        ":session_id": token.id.hex(),
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
            ":submitted": tally.submitted, ":passed": tally.passed, ":entries": entries,
        },
    )?;
    for (qid, (answered, correct)) in tally.questions() {
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
    write_lines(lines, out)?;
    Ok(round)
}

/// The PostgreSQL path: the rows of `store::postgres::submissions` and
/// `stats`, a chunk per multi-row `INSERT … SELECT FROM UNNEST`, with
/// `synchronous_commit` off (setup, not the measured path).
mod postgres {
    use super::*;
    use tokio_postgres::NoTls;

    /// The shard the seeded counters go to (any of the service's 8).
    const SHARD: i32 = 0;

    const INSERT_SUBMISSIONS: &str =
        "INSERT INTO submissions (id, nonce, submitted_at, score, percent, passed, given)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::BIGINT[],
                              $5::BIGINT[], $6::BOOLEAN[], $7::TEXT[])";
    const ADD_ROUND_COUNTS: &str =
        "INSERT INTO round_stats (set_id, round_id, shard, started, submitted, passed, entries)
         VALUES ($1, $2, $3, $4, $5, $6, 0)
         ON CONFLICT (set_id, round_id, shard) DO UPDATE SET
           started = round_stats.started + EXCLUDED.started,
           submitted = round_stats.submitted + EXCLUDED.submitted,
           passed = round_stats.passed + EXCLUDED.passed";
    const ADD_QUESTION_COUNTS: &str =
        "INSERT INTO question_stats (set_id, round_id, question_id, shard, answered, correct)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (set_id, round_id, question_id, shard) DO UPDATE SET
           answered = question_stats.answered + EXCLUDED.answered,
           correct = question_stats.correct + EXCLUDED.correct";

    /// A chunk of submission rows, column by column.
    #[derive(Default)]
    struct Rows {
        id: Vec<i64>,
        nonce: Vec<i64>,
        submitted_at: Vec<String>,
        score: Vec<i64>,
        percent: Vec<i64>,
        passed: Vec<bool>,
        given: Vec<String>,
    }

    pub(super) async fn seed(url: &str, job: &Job<'_>) -> anyhow::Result<String> {
        let &Job {
            bank,
            mode,
            count,
            phone_from,
            out,
        } = job;
        let shown = redacted(url);
        let (mut client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .with_context(|| format!("cannot connect to {shown}"))?;
        let connection = tokio::spawn(connection);
        let version = client
            .query_opt("SELECT version FROM schema_version", &[])
            .await
            .context("the database has no schema; start the service once on it first")?;
        let version = version.map(|r| r.try_get::<_, i32>(0)).transpose()?;
        ensure!(
            version.is_some_and(|v| v > 0),
            "the database has no schema; start the service once on it first"
        );
        let known: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM set_versions WHERE version = $1)",
                &[&bank.version],
            )
            .await?
            .try_get(0)?;
        ensure!(
            known,
            "set version {} of `{}` is not in the database; start the service once with this bank",
            bank.version,
            bank.id
        );
        let secret: String = client
            .query_opt("SELECT value FROM meta WHERE key = 'session_secret'", &[])
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .context("the database has no session secret; start the service once on it first")?;
        client.batch_execute("SET synchronous_commit = off").await?;

        let now = chrono::Local::now().fixed_offset();
        let round_index = bank
            .open_round_index(now)
            .context("the bank has no open round now")?;
        let round = bank.rounds[round_index].id.clone();
        let created = rfc3339(now);
        let sealer = TokenKey::new(secret.as_bytes());
        // Two minutes ago (so an entry is not too fast), in the seed node's
        // class (clear of the live nodes' keys), and above the keys an earlier
        // seed stored or had submitted.
        let floor = client
            .query_one(
                "SELECT COALESCE(MAX(id), 0) FROM submissions WHERE id % $1 = $2",
                &[
                    &i64::try_from(quiz::NODE_STRIDE)?,
                    &i64::try_from(PG_SEED_NODE)?,
                ],
            )
            .await?
            .try_get::<_, i64>(0)?;
        let keys = KeyClock::for_node(
            u64::try_from(floor)?,
            std::sync::Arc::new(NodeLease::fixed(PG_SEED_NODE)),
        );
        let start_ms = now.timestamp_millis() - 120_000;

        let mut lines: Vec<String> = Vec::with_capacity(count);
        let mut tally = Tally::default();
        for chunk_start in (0..count).step_by(CHUNK) {
            let mut rows = Rows::default();
            for i in chunk_start..(chunk_start + CHUNK).min(count) {
                let id = keys.next(start_ms).context("the seed's number is fixed")?;
                let made = Made::new(bank, &sealer, id, round_index, mode)?;
                let Some(outcome) = &made.outcome else {
                    lines.push(made.open_line());
                    continue;
                };
                tally.add(outcome);
                rows.id.push(i64::try_from(made.token.id.key)?);
                rows.nonce.push(nonce(made.token.id));
                rows.submitted_at.push(created.clone());
                rows.score.push(i64::from(outcome.score));
                rows.percent.push(i64::from(outcome.percent));
                rows.passed.push(outcome.passed);
                rows.given.push(Made::given(outcome));
                lines.push(format!("{}\t{}", made.token.encode(), phone(phone_from, i)));
            }
            if !rows.id.is_empty() {
                let tx = client.transaction().await?;
                tx.execute(
                    INSERT_SUBMISSIONS,
                    &[
                        &rows.id,
                        &rows.nonce,
                        &rows.submitted_at,
                        &rows.score,
                        &rows.percent,
                        &rows.passed,
                        &rows.given,
                    ],
                )
                .await
                .context("inserting submissions")?;
                tx.commit().await?;
            }
        }

        let tx = client.transaction().await?;
        tx.execute(
            ADD_ROUND_COUNTS,
            &[
                &bank.id,
                &round,
                &SHARD,
                &(count as i64),
                &tally.submitted,
                &tally.passed,
            ],
        )
        .await?;
        for (qid, (answered, correct)) in tally.questions() {
            tx.execute(
                ADD_QUESTION_COUNTS,
                &[&bank.id, &round, qid, &SHARD, answered, correct],
            )
            .await?;
        }
        tx.commit().await?;
        drop(client);
        connection.await??;
        write_lines(lines, out)?;
        Ok(round)
    }

    /// The URL without its password, for messages.
    fn redacted(url: &str) -> String {
        quizbooth::store::postgres::redact(url)
    }
}
