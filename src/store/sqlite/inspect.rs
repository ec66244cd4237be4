//! The SQLite file read for `audit-verify` ([`crate::store::inspect`]):
//! opened `SQLITE_OPEN_READ_ONLY` and `query_only`, in one read
//! transaction, without the engine (which would migrate the file, make it
//! private and start the writer). A read-only connection neither
//! checkpoints the write-ahead log nor writes the database file.

use crate::store::inspect::sql::*;
use crate::store::inspect::{ClaimRecord, DrawRecord, Inspection, PurgeRecord, WithdrawalRecord};
use anyhow::{ensure, Context};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// The tables the audit is checked against (all there since migration 7).
const TABLES: &[&str] = &[
    "audit",
    "draws",
    "draw_winners",
    "claims",
    "entries",
    "withdrawals",
    "purges",
];

/// Reads the file at `path`; refuses one that holds no quizbooth schema.
pub fn read(path: &Path) -> anyhow::Result<Inspection> {
    ensure!(path.is_file(), "{}: no such database file", path.display());
    ensure!(
        super::is_database_file(path),
        "{}: not a SQLite database file",
        path.display()
    );
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {} read-only", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch("PRAGMA query_only = ON; BEGIN")?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| !has_table(&conn, t))
        .collect();
    ensure!(
        version > 0 && missing.is_empty(),
        "{} holds no quizbooth schema (schema version {version}; no table {}): nothing to verify",
        path.display(),
        missing.join(", ")
    );
    let found = collect(&conn)
        .with_context(|| format!("cannot read the audit records of {}", path.display()))?;
    conn.execute_batch("COMMIT")?;
    Ok(found)
}

fn has_table(conn: &Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .is_ok()
}

fn collect(conn: &Connection) -> rusqlite::Result<Inspection> {
    let audit = rows(conn, AUDIT, super::audit::audit_row)?;
    let mut draws = rows(conn, DRAWS, |r| {
        Ok(DrawRecord {
            id: r.get(0)?,
            set_id: r.get(1)?,
            round_id: r.get(2)?,
            winners_wanted: r.get(3)?,
            entries_txt: r.get(4)?,
            entries_digest: r.get(5)?,
            entry_count: r.get(6)?,
            committed_at: r.get(7)?,
            public_seed: r.get(8)?,
            revealed_at: r.get(9)?,
            replaces: r.get(10)?,
            winners: Vec::new(),
        })
    })?;
    for (draw_id, code) in rows(conn, WINNERS, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        if let Some(d) = draws.iter_mut().find(|d| d.id == draw_id) {
            d.winners.push(code);
        }
    }
    Ok(Inspection {
        audit,
        draws,
        claims: rows(conn, CLAIMS, |r| {
            Ok(ClaimRecord {
                draw_id: r.get(0)?,
                code: r.get(1)?,
                claimed_at: r.get(2)?,
            })
        })?,
        withdrawals: rows(conn, WITHDRAWALS, |r| {
            Ok(WithdrawalRecord {
                code: r.get(0)?,
                withdrawn_at: r.get(1)?,
            })
        })?,
        withdrawn_entries: rows(conn, WITHDRAWN_ENTRIES, |r| Ok((r.get(0)?, r.get(1)?)))?,
        purges: rows(conn, PURGES, |r| {
            Ok(PurgeRecord {
                set_id: r.get(0)?,
                round_id: r.get(1)?,
                at: r.get(2)?,
                erased: r.get(3)?,
                how: r.get(4)?,
            })
        })?,
        winners_not_entered: rows(conn, WINNERS_NOT_ENTERED, |r| Ok((r.get(0)?, r.get(1)?)))?,
    })
}

fn rows<T>(
    conn: &Connection,
    sql: &str,
    each: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut st = conn.prepare(sql)?;
    let found = st.query_map([], each)?.collect();
    found
}
