//! Every SQL statement, named, with one function per operation taking a `&Connection`.

use super::StoreError;
use rusqlite::{named_params, Connection, OptionalExtension};

type Result<T> = std::result::Result<T, StoreError>;

const GET_META: &str = "SELECT value FROM meta WHERE key = :key";
const SET_META: &str = "INSERT INTO meta (key, value) VALUES (:key, :value)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// `meta` key of the staff token.
pub const META_ADMIN_TOKEN: &str = "admin_token";
/// `meta` key of the secret that seals session tokens.
pub const META_SESSION_SECRET: &str = "session_secret";
/// `meta` key of the set last made active.
pub const META_ACTIVE_SET: &str = "active_set";

/// Reads a `meta` value.
pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(GET_META)?;
    Ok(st
        .query_row(named_params! {":key": key}, |r| r.get(0))
        .optional()?)
}

/// Writes a `meta` value.
pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(SET_META)?
        .execute(named_params! {":key": key, ":value": value})?;
    Ok(())
}

const INSERT_SET_VERSION: &str =
    "INSERT OR IGNORE INTO set_versions (version, set_id, source, loaded_at)
     VALUES (:version, :set_id, :source, :loaded_at)";
const GET_SET_VERSION: &str = "SELECT source FROM set_versions
     WHERE substr(version, 1, length(:version)) = :version LIMIT 1";

/// Keeps a set version's text, so sessions on it can be scored after a replace or restart.
pub fn insert_set_version(
    conn: &Connection,
    version: &str,
    set_id: &str,
    source: &str,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(INSERT_SET_VERSION)?.execute(
        named_params! {":version": version, ":set_id": set_id, ":source": source, ":loaded_at": now},
    )?;
    Ok(())
}

/// A stored set version's text, by its version or the start of it.
pub fn get_set_version(conn: &Connection, version: &str) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(GET_SET_VERSION)?;
    Ok(st
        .query_row(named_params! {":version": version}, |r| r.get(0))
        .optional()?)
}

/// A submission as stored, under its session's key.
#[derive(Debug, Clone)]
pub struct SubmissionRow {
    /// The session key ([`crate::quiz::token`]).
    pub id: u64,
    /// RFC 3339.
    pub submitted_at: String,
    /// Points scored.
    pub score: u32,
    /// `floor(100 * score / max_score)`.
    pub percent: u32,
    /// Passed.
    pub passed: bool,
    /// JSON object of question id → the letters given, e.g. `{"q1":"AC"}`.
    pub given: String,
}

const INSERT_SUBMISSION: &str =
    "INSERT INTO submissions (id, submitted_at, score, percent, passed, given)
     VALUES (:id, :submitted_at, :score, :percent, :passed, :given)";
const GET_SUBMISSION: &str =
    "SELECT id, submitted_at, score, percent, passed, given FROM submissions WHERE id = :id";
const MAX_SUBMISSION: &str = "SELECT COALESCE(MAX(id), 0) FROM submissions";

/// Stores a submission once; `false` when the session was already submitted.
pub fn insert_submission(conn: &Connection, s: &SubmissionRow) -> Result<bool> {
    let inserted = conn
        .prepare_cached(INSERT_SUBMISSION)?
        .execute(named_params! {
            ":id": key_param(s.id), ":submitted_at": s.submitted_at, ":score": s.score,
            ":percent": s.percent, ":passed": s.passed, ":given": s.given,
        });
    match inserted {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// A session's submission.
pub fn get_submission(conn: &Connection, id: u64) -> Result<Option<SubmissionRow>> {
    let mut st = conn.prepare_cached(GET_SUBMISSION)?;
    Ok(st
        .query_row(named_params! {":id": key_param(id)}, |r| {
            Ok(SubmissionRow {
                id: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                submitted_at: r.get(1)?,
                score: r.get(2)?,
                percent: r.get(3)?,
                passed: r.get(4)?,
                given: r.get(5)?,
            })
        })
        .optional()?)
}

/// The highest session key submitted (0 when none).
pub fn max_submission(conn: &Connection) -> Result<u64> {
    let max: i64 = conn
        .prepare_cached(MAX_SUBMISSION)?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(max).unwrap_or(0))
}

/// Session keys stay below 2^63 (start time in ms, shifted by 20 bits, until
/// the year 2248), so they fit SQLite's signed integers.
fn key_param(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

const ADD_ROUND_COUNTS: &str =
    "INSERT INTO round_stats (set_id, round_id, started, submitted, passed, entries)
     VALUES (:set_id, :round_id, :started, :submitted, :passed, :entries)
     ON CONFLICT (set_id, round_id) DO UPDATE SET started = started + excluded.started,
       submitted = submitted + excluded.submitted, passed = passed + excluded.passed,
       entries = entries + excluded.entries";
const ADD_QUESTION_COUNTS: &str =
    "INSERT INTO question_stats (set_id, round_id, question_id, answered, correct)
     VALUES (:set_id, :round_id, :question_id, :answered, :correct)
     ON CONFLICT (set_id, round_id, question_id)
     DO UPDATE SET answered = answered + excluded.answered, correct = correct + excluded.correct";

/// Adds to a round's counters.
pub fn add_round_counts(
    conn: &Connection,
    set_id: &str,
    round_id: &str,
    add: &RoundCounts,
) -> Result<()> {
    conn.prepare_cached(ADD_ROUND_COUNTS)?
        .execute(named_params! {
            ":set_id": set_id, ":round_id": round_id, ":started": add.started,
            ":submitted": add.submitted, ":passed": add.passed, ":entries": add.entries,
        })?;
    Ok(())
}

/// Adds to a question's counters in a round.
pub fn add_question_counts(
    conn: &Connection,
    set_id: &str,
    round_id: &str,
    question_id: &str,
    answered: i64,
    correct: i64,
) -> Result<()> {
    conn.prepare_cached(ADD_QUESTION_COUNTS)?
        .execute(named_params! {
            ":set_id": set_id, ":round_id": round_id, ":question_id": question_id,
            ":answered": answered, ":correct": correct,
        })?;
    Ok(())
}

/// An entry as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryRow {
    /// `XXXX-XXXX`.
    pub code: String,
    /// The session it came from.
    pub session_id: String,
    /// Set id.
    pub set_id: String,
    /// Set version.
    pub set_version: String,
    /// Round id.
    pub round_id: String,
    /// Full name (staff only).
    pub name: String,
    /// Normalised phone (staff only).
    pub phone: String,
    /// Score.
    pub score: u32,
    /// Percent.
    pub percent: u32,
    /// RFC 3339.
    pub created_at: String,
}

/// Why an entry was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum EntryConflict {
    /// This session already has an entry.
    SessionUsed,
    /// This phone already entered this round.
    PhoneUsed,
    /// The random code is taken (try another).
    CodeTaken,
}

const ENTRY_BY_SESSION: &str = "SELECT code, round_id FROM entries WHERE session_id = :session_id";
const CODE_TAKEN: &str = "SELECT 1 FROM entries WHERE code = :code";
const ENTRY_PHONE_USED: &str =
    "SELECT 1 FROM entries WHERE set_id = :set_id AND round_id = :round_id AND phone = :phone";
const INSERT_ENTRY: &str = "INSERT INTO entries
     (code, session_id, set_id, set_version, round_id, name, phone, score, percent, created_at)
     VALUES (:code, :session_id, :set_id, :set_version, :round_id, :name, :phone, :score, :percent, :created_at)";

/// The entry made from a session: (code, round).
pub fn entry_by_session(conn: &Connection, session_id: &str) -> Result<Option<(String, String)>> {
    let mut st = conn.prepare_cached(ENTRY_BY_SESSION)?;
    Ok(st
        .query_row(named_params! {":session_id": session_id}, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// Stores an entry unless the session, the phone in that round, or the code
/// is taken (the caller counts it).
pub fn insert_entry(
    conn: &Connection,
    e: &EntryRow,
) -> Result<std::result::Result<(), EntryConflict>> {
    // Codes are unique across rounds; `entries_code` enforces it only with
    // the round, so the (single) writer looks first. The same index page is
    // written by the insert next.
    if conn
        .prepare_cached(CODE_TAKEN)?
        .exists(named_params! {":code": e.code})?
    {
        return Ok(Err(EntryConflict::CodeTaken));
    }
    // The UNIQUE constraints decide the rest; only a refused insert asks which one.
    let inserted = conn.prepare_cached(INSERT_ENTRY)?.execute(named_params! {
        ":code": e.code, ":session_id": e.session_id, ":set_id": e.set_id, ":set_version": e.set_version,
        ":round_id": e.round_id, ":name": e.name, ":phone": e.phone, ":score": e.score,
        ":percent": e.percent, ":created_at": e.created_at,
    });
    match inserted {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            if entry_by_session(conn, &e.session_id)?.is_some() {
                return Ok(Err(EntryConflict::SessionUsed));
            }
            let phone_used = conn.prepare_cached(ENTRY_PHONE_USED)?.exists(
                named_params! {":set_id": e.set_id, ":round_id": e.round_id, ":phone": e.phone},
            )?;
            if phone_used {
                return Ok(Err(EntryConflict::PhoneUsed));
            }
            return Ok(Err(EntryConflict::CodeTaken));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(Ok(()))
}

/// The columns `entry_row` reads, in its order.
macro_rules! entry_columns {
    () => {
        "SELECT code, session_id, set_id, set_version, round_id, name, phone, score, percent, created_at FROM entries"
    };
}
const ALL_ENTRIES: &str = concat!(entry_columns!(), " ORDER BY created_at, code");

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        code: r.get(0)?,
        session_id: r.get(1)?,
        set_id: r.get(2)?,
        set_version: r.get(3)?,
        round_id: r.get(4)?,
        name: r.get(5)?,
        phone: r.get(6)?,
        score: r.get(7)?,
        percent: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Every entry, oldest first (staff export).
pub fn all_entries(conn: &Connection, mut each: impl FnMut(EntryRow) -> Result<()>) -> Result<()> {
    let mut st = conn.prepare_cached(ALL_ENTRIES)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        each(entry_row(r)?)?;
    }
    Ok(())
}

const SEARCH_ENTRIES: &str = concat!(
    entry_columns!(),
    " WHERE :like IS NULL OR code LIKE :like OR phone LIKE :like OR name LIKE :like
     ORDER BY created_at DESC, code LIMIT :limit"
);
const COUNT_ENTRIES: &str = "SELECT COUNT(*) FROM entries
     WHERE :like IS NULL OR code LIKE :like OR phone LIKE :like OR name LIKE :like";

/// The newest entries whose code, phone or name contains `needle` (all when `None`), and how many match.
pub fn search_entries(
    conn: &Connection,
    needle: Option<&str>,
    limit: i64,
) -> Result<(i64, Vec<EntryRow>)> {
    let like = needle.map(|n| format!("%{}%", n.replace(['%', '_'], "")));
    let mut st = conn.prepare_cached(SEARCH_ENTRIES)?;
    let rows = st.query_map(named_params! {":like": like, ":limit": limit}, entry_row)?;
    let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let total = conn
        .prepare_cached(COUNT_ENTRIES)?
        .query_row(named_params! {":like": like}, |r| r.get(0))?;
    Ok((total, rows))
}

/// Counters of a set (one round or all).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct RoundCounts {
    /// Sessions started.
    pub started: i64,
    /// Sessions submitted.
    pub submitted: i64,
    /// Sessions passed.
    pub passed: i64,
    /// Entries.
    pub entries: i64,
}

const ROUND_COUNTS: &str = "SELECT COALESCE(SUM(started), 0), COALESCE(SUM(submitted), 0),
     COALESCE(SUM(passed), 0), COALESCE(SUM(entries), 0)
     FROM round_stats WHERE set_id = :set_id AND (:round_id IS NULL OR round_id = :round_id)";
const QUESTION_COUNTS: &str = "SELECT question_id, SUM(answered), SUM(correct) FROM question_stats
     WHERE set_id = :set_id AND (:round_id IS NULL OR round_id = :round_id) GROUP BY question_id";

/// Session and entry counts of a set, optionally of one round.
pub fn round_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<RoundCounts> {
    let mut st = conn.prepare_cached(ROUND_COUNTS)?;
    Ok(st.query_row(
        named_params! {":set_id": set_id, ":round_id": round_id},
        |r| {
            Ok(RoundCounts {
                started: r.get(0)?,
                submitted: r.get(1)?,
                passed: r.get(2)?,
                entries: r.get(3)?,
            })
        },
    )?)
}

/// Per question: (id, answered, correct).
pub fn question_counts(
    conn: &Connection,
    set_id: &str,
    round_id: Option<&str>,
) -> Result<Vec<(String, i64, i64)>> {
    let mut st = conn.prepare_cached(QUESTION_COUNTS)?;
    let rows = st.query_map(
        named_params! {":set_id": set_id, ":round_id": round_id},
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A draw as stored (without its entries.txt).
#[derive(Debug, Clone)]
pub struct DrawRow {
    /// Draw id.
    pub id: i64,
    /// Set id.
    pub set_id: String,
    /// Round id.
    pub round_id: String,
    /// Prize.
    pub prize: String,
    /// Winners wanted.
    pub winners_wanted: i64,
    /// Hex SHA-256 of entries.txt.
    pub entries_digest: String,
    /// Codes in the pool.
    pub entry_count: i64,
    /// RFC 3339.
    pub committed_at: String,
    /// Set at reveal.
    pub public_seed: Option<String>,
    /// RFC 3339, set at reveal.
    pub revealed_at: Option<String>,
}

/// A winner with the masked contact details.
#[derive(Debug, Clone)]
pub struct WinnerRow {
    /// Entry code.
    pub code: String,
    /// Full name (mask before it leaves).
    pub name: String,
    /// Full phone (mask before it leaves).
    pub phone: String,
}

const DRAW_COLUMNS: &str = "SELECT id, set_id, round_id, prize, winners_wanted, entries_digest,
     entry_count, committed_at, public_seed, revealed_at FROM draws";

fn draw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DrawRow> {
    Ok(DrawRow {
        id: r.get(0)?,
        set_id: r.get(1)?,
        round_id: r.get(2)?,
        prize: r.get(3)?,
        winners_wanted: r.get(4)?,
        entries_digest: r.get(5)?,
        entry_count: r.get(6)?,
        committed_at: r.get(7)?,
        public_seed: r.get(8)?,
        revealed_at: r.get(9)?,
    })
}

/// Every draw, newest first.
pub fn list_draws(conn: &Connection) -> Result<Vec<DrawRow>> {
    let mut st = conn.prepare_cached(&format!("{DRAW_COLUMNS} ORDER BY id DESC"))?;
    let rows = st.query_map([], draw_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One draw.
pub fn get_draw(conn: &Connection, id: i64) -> Result<Option<DrawRow>> {
    let mut st = conn.prepare_cached(&format!("{DRAW_COLUMNS} WHERE id = :id"))?;
    Ok(st
        .query_row(named_params! {":id": id}, draw_row)
        .optional()?)
}

const DRAW_ENTRIES_TXT: &str = "SELECT entries_txt FROM draws WHERE id = :id";

/// A draw's committed entries.txt.
pub fn draw_entries_txt(conn: &Connection, id: i64) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(DRAW_ENTRIES_TXT)?;
    Ok(st
        .query_row(named_params! {":id": id}, |r| r.get(0))
        .optional()?)
}

const DRAW_WINNERS: &str = "SELECT w.code, COALESCE(e.name, ''), COALESCE(e.phone, '')
     FROM draw_winners w LEFT JOIN entries e ON e.code = w.code
     WHERE w.draw_id = :id ORDER BY w.position";

/// A draw's winners in pick order.
pub fn draw_winners(conn: &Connection, id: i64) -> Result<Vec<WinnerRow>> {
    let mut st = conn.prepare_cached(DRAW_WINNERS)?;
    let rows = st.query_map(named_params! {":id": id}, |r| {
        Ok(WinnerRow {
            code: r.get(0)?,
            name: r.get(1)?,
            phone: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const PENDING_DRAW: &str = "SELECT id FROM draws WHERE set_id = :set_id AND round_id = :round_id
     AND public_seed IS NULL LIMIT 1";
/// Read from `entries_code` alone, in code order (the phone index would
/// take one lookup into the table per entry).
pub const POOL_CODES: &str = "SELECT code FROM entries INDEXED BY entries_code
     WHERE set_id = :set_id AND round_id = :round_id
     AND code NOT IN (SELECT w.code FROM draw_winners w JOIN draws d ON d.id = w.draw_id
                      WHERE d.set_id = :set_id AND d.round_id = :round_id)";
const INSERT_DRAW: &str = "INSERT INTO draws
     (set_id, round_id, prize, winners_wanted, entries_txt, entries_digest, entry_count, committed_at)
     VALUES (:set_id, :round_id, :prize, :winners_wanted, :entries_txt, :entries_digest, :entry_count, :committed_at)";
const REVEAL_DRAW: &str = "UPDATE draws SET public_seed = :public_seed, revealed_at = :revealed_at
     WHERE id = :id AND public_seed IS NULL";
const INSERT_WINNER: &str =
    "INSERT INTO draw_winners (draw_id, position, code) VALUES (:draw_id, :position, :code)";

/// A draw of the same round committed but not yet revealed.
pub fn pending_draw(conn: &Connection, set_id: &str, round_id: &str) -> Result<Option<i64>> {
    let mut st = conn.prepare_cached(PENDING_DRAW)?;
    Ok(st
        .query_row(
            named_params! {":set_id": set_id, ":round_id": round_id},
            |r| r.get(0),
        )
        .optional()?)
}

/// The round's entries that have not won an earlier draw of the round.
pub fn pool_codes(conn: &Connection, set_id: &str, round_id: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(POOL_CODES)?;
    let rows = st.query_map(
        named_params! {":set_id": set_id, ":round_id": round_id},
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a new draw commits to.
pub struct NewDraw<'a> {
    /// Set id.
    pub set_id: &'a str,
    /// Round id.
    pub round_id: &'a str,
    /// Prize.
    pub prize: &'a str,
    /// Winners wanted.
    pub winners_wanted: i64,
    /// The committed entries.txt.
    pub entries_txt: &'a str,
    /// Its digest.
    pub entries_digest: &'a str,
    /// Codes in it.
    pub entry_count: i64,
    /// RFC 3339.
    pub committed_at: &'a str,
}

/// Stores a committed draw; returns its id.
pub fn insert_draw(conn: &Connection, d: &NewDraw<'_>) -> Result<i64> {
    conn.prepare_cached(INSERT_DRAW)?.execute(named_params! {
        ":set_id": d.set_id, ":round_id": d.round_id, ":prize": d.prize, ":winners_wanted": d.winners_wanted,
        ":entries_txt": d.entries_txt, ":entries_digest": d.entries_digest, ":entry_count": d.entry_count,
        ":committed_at": d.committed_at,
    })?;
    Ok(conn.last_insert_rowid())
}

/// Stores the reveal and the winners; `false` when it was already revealed.
pub fn reveal_draw(
    conn: &Connection,
    id: i64,
    public_seed: &str,
    winners: &[String],
    now: &str,
) -> Result<bool> {
    let changed = conn
        .prepare_cached(REVEAL_DRAW)?
        .execute(named_params! {":id": id, ":public_seed": public_seed, ":revealed_at": now})?;
    if changed == 0 {
        return Ok(false);
    }
    let mut st = conn.prepare_cached(INSERT_WINNER)?;
    for (i, code) in winners.iter().enumerate() {
        st.execute(named_params! {":draw_id": id, ":position": i as i64, ":code": code})?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, session: &str, phone: &str) -> EntryRow {
        EntryRow {
            code: code.into(),
            session_id: session.into(),
            set_id: "set".into(),
            set_version: "v".into(),
            round_id: "open".into(),
            name: "张三".into(),
            phone: phone.into(),
            score: 10,
            percent: 100,
            created_at: "2026-11-28T10:00:00+08:00".into(),
        }
    }

    #[test]
    fn a_refused_entry_says_which_rule_refused_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::migrate(&mut conn).unwrap();
        assert_eq!(
            insert_entry(&conn, &entry("AAAA-AAAA", "s1", "13800138000")).unwrap(),
            Ok(())
        );
        let cases = [
            (
                "same session",
                entry("BBBB-BBBB", "s1", "13900139000"),
                EntryConflict::SessionUsed,
            ),
            (
                "same phone, same round",
                entry("BBBB-BBBB", "s2", "13800138000"),
                EntryConflict::PhoneUsed,
            ),
            (
                "same code",
                entry("AAAA-AAAA", "s3", "13700137000"),
                EntryConflict::CodeTaken,
            ),
        ];
        for (why, e, want) in cases {
            assert_eq!(insert_entry(&conn, &e).unwrap(), Err(want), "{why}");
        }
        let other_round = EntryRow {
            round_id: "week-2".into(),
            ..entry("CCCC-CCCC", "s4", "13800138000")
        };
        assert_eq!(
            insert_entry(&conn, &other_round).unwrap(),
            Ok(()),
            "the phone may enter another round"
        );
    }
}
