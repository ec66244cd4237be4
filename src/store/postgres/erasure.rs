//! Erasing names and phones (SPEC §8): a withdrawal, and a round's purge,
//! which also erases the phones' hashes and destroys the round's key.
//! A withdrawal holds its round's lock shared, like an entry, so the draw
//! it is recorded after is exactly the last one committed of its round.

use super::audit::append as audit;
use super::entries::{entry_of, ENTRY_BY_SESSION};
use super::keys::DESTROY_ROUND_KEY;
use super::{lock, lock_shared, Lock, Postgres, Result};
use super::{Cached, Col};
use crate::store::contract::Erasing;
use crate::store::rules::{self, session_id, WithdrawnBy};
use crate::store::sql::erasure::{
    CLAIM_DEADLINES, INSERT_PURGE, INSERT_WITHDRAWAL, LAST_PURGE, PURGE_ROUND,
    PURGE_WITHDRAWN_HASHES, SESSION_BY_CODE, WITHDRAW_ENTRY,
};
use crate::store::{AuditAction, Keeping, Purge, RoundEntries, StoreError, Withdrawn};
use deadpool_postgres::GenericClient;

/// The versions of each round, in the order they were kept.
const ROUNDS_WITH_ENTRIES: &str = "SELECT r.set_id, r.round_id, r.set_version
     FROM round_versions r LEFT JOIN set_versions v ON v.version = r.set_version
     ORDER BY r.set_id, r.round_id, v.seq";

async fn last_purge(c: &impl GenericClient, set_id: &str, round_id: &str) -> Result<Option<Purge>> {
    c.row_opt(LAST_PURGE, &[&set_id, &round_id])
        .await?
        .map(|r| {
            Ok(Purge {
                at: r.col(0)?,
                erased: r.col(1)?,
                how: r.col(2)?,
            })
        })
        .transpose()
}

impl Erasing for Postgres {
    /// Erased values stay in dead row versions until vacuum reclaims them;
    /// this asks for that now. (PostgreSQL's WAL and backups are the
    /// operator's to keep or not: README "Several machines".)
    async fn scrub(&self) -> Result<bool> {
        self.client()
            .await?
            .batch_execute("VACUUM entries, round_keys")
            .await?;
        Ok(true)
    }

    async fn withdraw_entry(
        &self,
        session: crate::store::SessionId,
        at: &str,
    ) -> Result<Option<Withdrawn>> {
        self.withdraw(&session_id(session), at, WithdrawnBy::Entrant)
            .await
    }

    async fn withdraw_code(
        &self,
        code: &crate::contact::EntryCode,
        at: &str,
    ) -> Result<Option<Withdrawn>> {
        let code: &str = code.as_ref();
        let row = self
            .client()
            .await?
            .row_opt(SESSION_BY_CODE, &[&code])
            .await?;
        match row {
            Some(r) => self.withdraw(r.col(0)?, at, WithdrawnBy::Staff).await,
            None => Ok(None),
        }
    }

    async fn purge_round(
        &self,
        set_id: &str,
        round_id: &str,
        at: &str,
        how: &str,
        unless_since: Option<&str>,
    ) -> Result<Option<i64>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // The round's alone first (no entry of it is half-written, and none
        // is stored under the key destroyed here), then the audit chain's.
        lock(&tx, Lock::Round(set_id, round_id)).await?;
        lock(&tx, Lock::Audit).await?;
        if let Some(since) = unless_since {
            // Under the lock: another node's sweep may have just done it.
            let last = last_purge(&tx, set_id, round_id).await?;
            if rules::purged_since(last.as_ref(), since) {
                return Ok(None);
            }
        }
        let erased = tx.exec(PURGE_ROUND, &[&at, &set_id, &round_id]).await? as i64;
        tx.exec(PURGE_WITHDRAWN_HASHES, &[&set_id, &round_id])
            .await?;
        tx.exec(DESTROY_ROUND_KEY, &[&set_id, &round_id]).await?;
        tx.exec(INSERT_PURGE, &[&set_id, &round_id, &at, &erased, &how])
            .await?;
        let detail = rules::purge_detail(set_id, round_id, erased, how);
        audit(&tx, AuditAction::ContactsPurged, &detail, at).await?;
        tx.commit().await?;
        self.round_keys.forget(set_id, round_id);
        Ok(Some(erased))
    }

    async fn keeping(&self, set_id: &str, round_id: &str) -> Result<Keeping> {
        let client = self.client().await?;
        let deadlines = client
            .rows(CLAIM_DEADLINES, &[&set_id, &round_id])
            .await?
            .iter()
            .map(|r| r.col(0))
            .collect::<Result<_>>()?;
        let last_purge = last_purge(&client, set_id, round_id).await?;
        Ok(rules::keeping(deadlines, last_purge))
    }

    async fn rounds_with_entries(&self) -> Result<Vec<RoundEntries>> {
        let rows = self.client().await?.rows(ROUNDS_WITH_ENTRIES, &[]).await?;
        let versions = rows
            .iter()
            .map(|r| Ok((r.col(0)?, r.col(1)?, r.col(2)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(rules::group_round_versions(versions))
    }
}

impl Postgres {
    async fn withdraw(
        &self,
        session: &str,
        at: &str,
        by: WithdrawnBy,
    ) -> Result<Option<Withdrawn>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx.row_opt(ENTRY_BY_SESSION, &[&session]).await? else {
            return Ok(None);
        };
        let (code, round_id, set_id): (String, String, String) =
            (row.col(0)?, row.col(1)?, row.col(4)?);
        lock_shared(&tx, Lock::Round(&set_id, &round_id)).await?;
        let changed = tx.exec(WITHDRAW_ENTRY, &[&at, &session]).await?;
        tx.exec(INSERT_WITHDRAWAL, &[&code, &at]).await?;
        if changed > 0 {
            // After the round's lock, as a draw's commit takes them.
            lock(&tx, Lock::Audit).await?;
            let detail = rules::withdrawal_detail(&code, by);
            audit(&tx, AuditAction::EntryWithdrawn, &detail, at).await?;
        }
        let entry = entry_of(&tx, session)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("entry {code}")))?;
        tx.commit().await?;
        Ok(Some(Withdrawn {
            at: entry.withdrawn_at.unwrap_or_else(|| at.to_owned()),
            held_by: entry.draws.iter().map(|d| d.id).collect(),
        }))
    }
}
