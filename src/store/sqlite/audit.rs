//! `audit`: the append-only log of staff actions, each row chained to the
//! one before by its hash ([`crate::audit`]). Rows are appended inside the
//! transaction of the action they record, so a commit and its row stand or
//! fall together.

use super::{Result, Sqlite};
use crate::store::contract::Audit;
use crate::store::sql::audit::{ALL_NEWEST_FIRST, INSERT, LAST};
use crate::store::{AuditAction, AuditEntry};
use rusqlite::{params, Connection, OptionalExtension};

/// Appends a row after the last one.
pub(super) fn append(
    conn: &Connection,
    action: AuditAction,
    detail: &str,
    at: &str,
) -> Result<AuditEntry> {
    Ok(append_row(conn, action, detail, at)?)
}

/// [`append`], in SQLite's error (for migrations).
pub(super) fn append_row(
    conn: &Connection,
    action: AuditAction,
    detail: &str,
    at: &str,
) -> rusqlite::Result<AuditEntry> {
    let last: Option<(i64, String)> = conn
        .prepare_cached(LAST)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, crate::audit::GENESIS.to_owned()),
    };
    let hash = crate::audit::hash(&prev, seq, at, action.as_str(), detail);
    conn.prepare_cached(INSERT)?
        .execute(params![seq, at, action.as_str(), detail, hash])?;
    Ok(AuditEntry {
        seq,
        at: at.to_owned(),
        action: action.as_str().to_owned(),
        detail: detail.to_owned(),
        hash,
    })
}

impl Audit for Sqlite {
    async fn audit(&self, action: AuditAction, detail: &str, at: &str) -> Result<AuditEntry> {
        let (detail, at) = (detail.to_owned(), at.to_owned());
        self.write(move |c| append(c, action, &detail, &at)).await
    }

    async fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        self.read(|c| {
            let mut st = c.prepare_cached(ALL_NEWEST_FIRST)?;
            let rows = st.query_map([], audit_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}

/// An audit row read as `seq, at, action, detail, hash` (the log and
/// `audit-verify`'s reader alike).
pub(super) fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        action: r.get(2)?,
        detail: r.get(3)?,
        hash: r.get(4)?,
    })
}
