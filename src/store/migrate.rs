//! Moving an event from a booth's SQLite file into an empty PostgreSQL
//! database (`quizbooth migrate`), beside both engines since it reads one
//! and writes the other: every table, row for row, in one
//! transaction, by `COPY`. Entry rowids become `seq` and draw ids stay, so
//! every draw's pool watermark still means what it did; the secrets and
//! the rounds' phone keys come along, so sessions, tokens, receipts and
//! phone hashes stay valid. What arrived is checked inside the same
//! transaction, as `audit-verify` checks a database, and committed only if
//! it holds: a copy that fails its check leaves nothing behind.

use super::postgres::{inspect, redact, schema, tls};
use anyhow::{ensure, Context};
use futures_util::SinkExt;
use rusqlite::types::ValueRef;
use std::path::Path;

/// What is copied: the SQLite query (columns in the PostgreSQL order) and
/// the PostgreSQL table and columns.
const TABLES: &[(&str, &str, &str)] = &[
    ("SELECT key, value FROM meta", "meta", "key, value"),
    (
        "SELECT version, set_id, source, loaded_at FROM set_versions ORDER BY rowid",
        "set_versions",
        "version, set_id, source, loaded_at",
    ),
    (
        "SELECT id, nonce, submitted_at, score, percent, passed, given, source FROM submissions
         ORDER BY id, nonce",
        "submissions",
        "id, nonce, submitted_at, score, percent, passed, given, source",
    ),
    (
        "SELECT rowid, code, session_id, set_id, set_version, round_id, name, phone, phone_key,
                score, percent, created_at, receipt, publish, name_mask, phone_mask, erased, erased_at,
                source
         FROM entries ORDER BY rowid",
        "entries",
        "seq, code, session_id, set_id, set_version, round_id, name, phone, phone_key, score,
         percent, created_at, receipt, publish, name_mask, phone_mask, erased, erased_at, source",
    ),
    (
        "SELECT position, id, name, headcount FROM sources ORDER BY position",
        "sources",
        "position, id, name, headcount",
    ),
    // `round_versions` is filled by its trigger as the entries arrive.
    (
        "SELECT id, set_id, round_id, secret FROM round_keys ORDER BY id",
        "round_keys",
        "id, set_id, round_id, secret",
    ),
    (
        "SELECT set_id, round_id, 0, started, submitted, passed, entries FROM round_stats",
        "round_stats",
        "set_id, round_id, shard, started, submitted, passed, entries",
    ),
    (
        "SELECT set_id, round_id, question_id, 0, answered, correct FROM question_stats",
        "question_stats",
        "set_id, round_id, question_id, shard, answered, correct",
    ),
    (
        "SELECT set_id, round_id, question_id, option_key, 0, picks FROM question_picks",
        "question_picks",
        "set_id, round_id, question_id, option_key, shard, picks",
    ),
    (
        "SELECT set_id, round_id, question_id, secs, 0, n FROM question_secs",
        "question_secs",
        "set_id, round_id, question_id, secs, shard, n",
    ),
    (
        "SELECT set_id, round_id, hour, source, 0, visits, starts, submitted, passed, entries
         FROM funnel_stats",
        "funnel_stats",
        "set_id, round_id, hour, source, shard, visits, starts, submitted, passed, entries",
    ),
    (
        "SELECT id, set_id, round_id, prize, winners_wanted, entries_txt, entries_digest,
                entry_count, committed_at, public_seed, revealed_at, winner_count, claim_by,
                replaces, COALESCE(pool_watermark, 0), seed_digits
         FROM draws ORDER BY id",
        "draws",
        "id, set_id, round_id, prize, winners_wanted, entries_txt, entries_digest, entry_count,
         committed_at, public_seed, revealed_at, winner_count, claim_by, replaces, pool_watermark,
         seed_digits",
    ),
    (
        "SELECT draw_id, position, code FROM draw_winners ORDER BY draw_id, position",
        "draw_winners",
        "draw_id, position, code",
    ),
    (
        "SELECT draw_id, code, claimed_at FROM claims ORDER BY draw_id, code",
        "claims",
        "draw_id, code, claimed_at",
    ),
    (
        "SELECT seq, at, action, detail, hash FROM audit ORDER BY seq",
        "audit",
        "seq, at, action, detail, hash",
    ),
    (
        "SELECT code, withdrawn_at, after_draw FROM withdrawals",
        "withdrawals",
        "code, withdrawn_at, after_draw",
    ),
    (
        "SELECT set_id, round_id, at, erased, how FROM purges ORDER BY seq",
        "purges",
        "set_id, round_id, at, erased, how",
    ),
];

/// The serial columns whose sequences must continue after the copied rows.
const SERIALS: &[(&str, &str)] = &[
    ("entries", "seq"),
    ("draws", "id"),
    ("set_versions", "seq"),
    ("purges", "seq"),
    ("round_keys", "id"),
];

/// Rows copied into each table, in [`TABLES`] order.
pub type Copied = Vec<(&'static str, u64)>;

/// Why a copy was rolled back: what it copied and the breaks its check found.
#[derive(Debug)]
pub struct Refused {
    /// What was copied before the check.
    pub copied: Copied,
    /// What the check found, with one line per break.
    pub report: crate::audit::records::Report,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the copy does not verify ({} break(s)); it was rolled back and nothing was kept",
            self.report.breaks.len()
        )
    }
}

impl std::error::Error for Refused {}

/// One value in `COPY`'s text format.
fn copy_text(out: &mut String, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => out.push_str("\\N"),
        ValueRef::Integer(i) => out.push_str(&i.to_string()),
        ValueRef::Real(f) => out.push_str(&f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            for c in String::from_utf8_lossy(t).chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// Copies the SQLite database at `from` (brought up to date first) into the
/// PostgreSQL database at `url`, which must hold no quizbooth data yet, and
/// checks the copy before committing it: every draw re-run from its pool
/// and seed, draws, reveals, claims, withdrawals and purges matched to the
/// audit log and back, the chain recomputed. A copy with a break is rolled
/// back ([`Refused`]).
pub async fn import(
    from: &Path,
    url: &str,
) -> anyhow::Result<(Copied, crate::audit::records::Report)> {
    let shown = redact(url);
    ensure!(from.is_file(), "{}: no such database file", from.display());
    ensure!(
        crate::store::sqlite::is_database_file(from),
        "{}: not a SQLite database file",
        from.display()
    );
    // The target first: a wrong URL leaves the booth's file untouched.
    let mut client = tls::connect(url)
        .await
        .map_err(|e| match e.downcast::<tokio_postgres::Error>() {
            Ok(e) => crate::store::StoreError::from(e).into(),
            Err(other) => other,
        })
        .with_context(|| format!("cannot connect to {shown}"))?;
    // Migrates the file to the current schema (the writer stops with it).
    drop(crate::store::Store::open(from)?);
    let sqlite = rusqlite::Connection::open_with_flags(
        from,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", from.display()))?;
    // One read transaction: the copy is one moment of the booth's database.
    sqlite.execute_batch("BEGIN")?;
    schema::migrate(&mut client)
        .await
        .with_context(|| format!("cannot migrate the database {shown}"))?;
    let tx = client.transaction().await?;
    tx.batch_execute("SET LOCAL synchronous_commit = on")
        .await?;
    let held: i64 = tx
        .query_one(
            "SELECT (SELECT COUNT(*) FROM meta) + (SELECT COUNT(*) FROM entries)
                  + (SELECT COUNT(*) FROM submissions) + (SELECT COUNT(*) FROM draws)
                  + (SELECT COUNT(*) FROM audit)",
            &[],
        )
        .await?
        .try_get(0)?;
    ensure!(
        held == 0,
        "{shown} already holds quizbooth data (a node has run on it); migrate into an empty database"
    );

    let mut copied = Vec::with_capacity(TABLES.len());
    for (select, table, columns) in TABLES {
        let sink = tx
            .copy_in(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await
            .with_context(|| format!("cannot copy into {table}"))?;
        futures_util::pin_mut!(sink);
        let mut st = sqlite.prepare(select)?;
        let width = st.column_count();
        let mut rows = st.query([])?;
        let mut chunk = String::new();
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            for i in 0..width {
                if i > 0 {
                    chunk.push('\t');
                }
                copy_text(&mut chunk, r.get_ref(i)?);
            }
            chunk.push('\n');
            n += 1;
            if chunk.len() > 1 << 20 {
                sink.send(bytes_of(&mut chunk)).await?;
            }
        }
        if !chunk.is_empty() {
            sink.send(bytes_of(&mut chunk)).await?;
        }
        let written = sink
            .finish()
            .await
            .with_context(|| format!("cannot copy into {table}"))?;
        ensure!(written == n, "{table}: {n} rows read, {written} written");
        copied.push((*table, n));
    }
    for (table, column) in SERIALS {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                               COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
            ),
            &[],
        )
        .await?;
    }
    // The check reads what this transaction wrote; nothing is committed
    // unless it holds.
    let found = inspect::collect(&tx)
        .await
        .context("cannot read back the copy to check it")?;
    let report = crate::audit::records::check(&found);
    if !report.breaks.is_empty() {
        drop(tx);
        return Err(Refused { copied, report }.into());
    }
    tx.commit().await?;
    Ok((copied, report))
}

fn bytes_of(chunk: &mut String) -> std::io::Cursor<Vec<u8>> {
    std::io::Cursor::new(std::mem::take(chunk).into_bytes())
}
