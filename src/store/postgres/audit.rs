//! `audit`: the append-only log of staff actions, each row chained to the
//! one before by its hash ([`crate::audit`]). Appends hold the audit lock
//! ([`super::Lock::Audit`]) so two nodes never chain onto the same row.

use super::{lock, Lock, Postgres, Result};
use super::{Cached, Col};
use crate::store::contract::Audit;
use crate::store::sql::audit::{ALL_NEWEST_FIRST, INSERT, LAST};
use crate::store::{AuditAction, AuditEntry};

/// Appends a row after the last one, in the caller's transaction (which
/// holds the audit lock).
pub(super) async fn append(
    tx: &deadpool_postgres::Transaction<'_>,
    action: AuditAction,
    detail: &str,
    at: &str,
) -> Result<AuditEntry> {
    let last = tx.row_opt(LAST, &[]).await?;
    let (seq, prev) = match last {
        Some(r) => (r.col::<i64>(0)? + 1, r.col::<String>(1)?),
        None => (1, crate::audit::GENESIS.to_owned()),
    };
    let hash = crate::audit::hash(&prev, seq, at, action.as_str(), detail);
    tx.exec(INSERT, &[&seq, &at, &action.as_str(), &detail, &hash])
        .await?;
    Ok(AuditEntry {
        seq,
        at: at.to_owned(),
        action: action.as_str().to_owned(),
        detail: detail.to_owned(),
        hash,
    })
}

impl Audit for Postgres {
    async fn audit(&self, action: AuditAction, detail: &str, at: &str) -> Result<AuditEntry> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        lock(&tx, Lock::Audit).await?;
        let row = append(&tx, action, detail, at).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let rows = self.client().await?.rows(ALL_NEWEST_FIRST, &[]).await?;
        Ok(rows
            .iter()
            .map(audit_row)
            .collect::<std::result::Result<_, _>>()?)
    }
}

/// An audit row read as `seq, at, action, detail, hash` (the log and
/// `audit-verify`'s reader alike).
pub(super) fn audit_row(
    r: &tokio_postgres::Row,
) -> std::result::Result<AuditEntry, tokio_postgres::Error> {
    Ok(AuditEntry {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        action: r.try_get(2)?,
        detail: r.try_get(3)?,
        hash: r.try_get(4)?,
    })
}
