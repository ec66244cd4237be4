//! Erasing names and phones (SPEC §8): an entrant's withdrawal, and the
//! purge of a round at the end of its keeping time. Codes, draws and
//! `entries.txt` stay, and so do the masks a winner agreed to publish. A
//! purge also erases the phones' hashes and destroys the round's key
//! ([`super::keys`]): nothing it leaves can be tested against a phone.

use super::audit::append as audit;
use super::entries::{entry_of, session_id, ENTRY_BY_SESSION};
use super::keys::destroy_round_key;
use super::{Result, Sqlite};
use crate::store::contract::Erasing;
use crate::store::rules::{self, WithdrawnBy};
use crate::store::sql::erasure::{
    CLAIM_DEADLINES, INSERT_PURGE, INSERT_WITHDRAWAL, LAST_PURGE, PURGE_ROUND,
    PURGE_WITHDRAWN_HASHES, SESSION_BY_CODE, WITHDRAW_ENTRY,
};
use crate::store::{AuditAction, Keeping, Purge, RoundEntries, StoreError, Withdrawn};
use rusqlite::{named_params, params, Connection, OptionalExtension};

/// The versions of each round, in the order they were kept.
const ROUNDS_WITH_ENTRIES: &str = "SELECT r.set_id, r.round_id, r.set_version
     FROM round_versions r LEFT JOIN set_versions v ON v.version = r.set_version
     ORDER BY r.set_id, r.round_id, v.rowid";

fn withdraw(
    conn: &Connection,
    session: &str,
    at: &str,
    by: WithdrawnBy,
) -> Result<Option<Withdrawn>> {
    let code: Option<String> = conn
        .prepare_cached(ENTRY_BY_SESSION)?
        .query_row(named_params! {":session_id": session}, |r| r.get(0))
        .optional()?;
    let Some(code) = code else {
        return Ok(None);
    };
    let changed = conn
        .prepare_cached(WITHDRAW_ENTRY)?
        .execute([at, session])?;
    conn.prepare_cached(INSERT_WITHDRAWAL)?
        .execute(params![code, at])?;
    if changed > 0 {
        let detail = rules::withdrawal_detail(&code, by);
        audit(conn, AuditAction::EntryWithdrawn, &detail, at)?;
    }
    let entry =
        entry_of(conn, session)?.ok_or_else(|| StoreError::Corrupt(format!("entry {code}")))?;
    Ok(Some(Withdrawn {
        at: entry.withdrawn_at.unwrap_or_else(|| at.to_owned()),
        held_by: entry.draws.iter().map(|d| d.id).collect(),
    }))
}

fn purge(
    conn: &Connection,
    set_id: &str,
    round_id: &str,
    at: &str,
    how: &str,
    unless_since: Option<&str>,
) -> Result<Option<i64>> {
    if let Some(since) = unless_since {
        let last = last_purge(conn, set_id, round_id)?;
        if rules::purged_since(last.as_ref(), since) {
            return Ok(None);
        }
    }
    let erased = conn
        .prepare_cached(PURGE_ROUND)?
        .execute([at, set_id, round_id])? as i64;
    conn.prepare_cached(PURGE_WITHDRAWN_HASHES)?
        .execute([set_id, round_id])?;
    destroy_round_key(conn, set_id, round_id)?;
    conn.prepare_cached(INSERT_PURGE)?
        .execute(params![set_id, round_id, at, erased, how])?;
    let detail = rules::purge_detail(set_id, round_id, erased, how);
    audit(conn, AuditAction::ContactsPurged, &detail, at)?;
    Ok(Some(erased))
}

fn last_purge(conn: &Connection, set_id: &str, round_id: &str) -> Result<Option<Purge>> {
    let params = [set_id, round_id];
    Ok(conn
        .prepare_cached(LAST_PURGE)?
        .query_row(params, |r| {
            Ok(Purge {
                at: r.get(0)?,
                erased: r.get(1)?,
                how: r.get(2)?,
            })
        })
        .optional()?)
}

fn keeping(conn: &Connection, set_id: &str, round_id: &str) -> Result<Keeping> {
    let params = [set_id, round_id];
    let mut st = conn.prepare_cached(CLAIM_DEADLINES)?;
    let deadlines = st
        .query_map(params, |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let last_purge = last_purge(conn, set_id, round_id)?;
    Ok(rules::keeping(deadlines, last_purge))
}

impl Erasing for Sqlite {
    /// Copies the WAL into the database and truncates it, so erased
    /// values are gone from the `-wal` file too; `false` when a writer or
    /// reader kept it from finishing (the next one, or SQLite's own, will).
    async fn scrub(&self) -> Result<bool> {
        self.read(|c| {
            let busy: i64 = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            Ok(busy == 0)
        })
        .await
    }

    async fn withdraw_entry(
        &self,
        session: crate::store::SessionId,
        at: &str,
    ) -> Result<Option<Withdrawn>> {
        let (session, at) = (session_id(session), at.to_owned());
        self.write(move |c| withdraw(c, &session, &at, WithdrawnBy::Entrant))
            .await
    }

    async fn withdraw_code(
        &self,
        code: &crate::contact::EntryCode,
        at: &str,
    ) -> Result<Option<Withdrawn>> {
        let code: &str = code.as_ref();
        let (code, at) = (code.to_owned(), at.to_owned());
        self.write(move |c| {
            let session: Option<String> = c
                .prepare_cached(SESSION_BY_CODE)?
                .query_row([&code], |r| r.get(0))
                .optional()?;
            match session {
                Some(s) => withdraw(c, &s, &at, WithdrawnBy::Staff),
                None => Ok(None),
            }
        })
        .await
    }

    async fn purge_round(
        &self,
        set_id: &str,
        round_id: &str,
        at: &str,
        how: &str,
        unless_since: Option<&str>,
    ) -> Result<Option<i64>> {
        let (set_id, round_id, at, how) = (
            set_id.to_owned(),
            round_id.to_owned(),
            at.to_owned(),
            how.to_owned(),
        );
        let since = unless_since.map(str::to_owned);
        self.write(move |c| purge(c, &set_id, &round_id, &at, &how, since.as_deref()))
            .await
    }

    async fn keeping(&self, set_id: &str, round_id: &str) -> Result<Keeping> {
        let (set_id, round_id) = (set_id.to_owned(), round_id.to_owned());
        self.read(move |c| keeping(c, &set_id, &round_id)).await
    }

    async fn rounds_with_entries(&self) -> Result<Vec<RoundEntries>> {
        self.read(|c| {
            let mut st = c.prepare_cached(ROUNDS_WITH_ENTRIES)?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rules::group_round_versions(rows))
        })
        .await
    }
}
