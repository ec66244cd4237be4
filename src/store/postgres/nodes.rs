//! `node_leases`: which node numbers are in use. Session keys carry their
//! node's number ([`crate::quiz::KeyClock`]), so two live nodes must never
//! hold the same one: a node leases the lowest number nobody renewed for
//! 60 seconds, renews it every [`RENEW_EVERY`], and gives it back when it
//! stops. The database's clock (`now()`) is the only one that counts, so
//! nodes whose clocks disagree still agree on who holds what.
//!
//! A node starts sessions only while its lease is confirmed
//! ([`crate::quiz::NodeLease`]): for [`crate::quiz::token::LEASE_HOLD`]
//! (30 s) after the statement that last renewed it was sent, so a node cut
//! off from the database stops well before another may take its number;
//! and not at all from the moment it finds its number taken (a lease table
//! changed by hand, a database clock that jumped) until it holds a new one.
//! Meanwhile `POST /api/sessions` answers `503` `unavailable`; sessions
//! already started go on. Should two nodes still use one number (the
//! seconds before the first notices), their tokens differ by their nonces
//! ([`crate::quiz::token`]).

use super::{lock, Cached, Col, Lock, Postgres, Result};
use crate::store::contract::Nodes;
use crate::store::StoreError;
use crate::store::NODE_STRIDE;
use deadpool_postgres::GenericClient;
use std::time::{Duration, Instant};

/// How often a node renews its lease, which is free once not renewed for
/// 60 seconds (in `FREE`).
pub(super) const RENEW_EVERY: Duration = Duration::from_secs(10);

/// How soon a node tries again when it could not renew its lease.
const RETRY: Duration = Duration::from_secs(1);

const FREE: &str = "SELECT number FROM node_leases
     WHERE renewed_at < now() - INTERVAL '60 seconds' ORDER BY number LIMIT 1";
// Still free when taken: its holder may have renewed it since `FREE` read it.
const TAKE: &str = "UPDATE node_leases SET holder = $2, renewed_at = now()
     WHERE number = $1 AND renewed_at < now() - INTERVAL '60 seconds'";
const NEXT: &str = "SELECT CAST(COALESCE(MAX(number) + 1, 0) AS INTEGER) FROM node_leases";
const ADD: &str = "INSERT INTO node_leases (number, holder, renewed_at) VALUES ($1, $2, now())";
const RENEW: &str = "UPDATE node_leases SET renewed_at = now() WHERE number = $1 AND holder = $2";
/// The nodes whose lease is live (this one included).
const LIVE: &str = "SELECT CAST(count(*) AS INTEGER) FROM node_leases
     WHERE renewed_at >= now() - INTERVAL '60 seconds'";
const GIVE_BACK: &str = "UPDATE node_leases SET renewed_at = CAST('epoch' AS TIMESTAMPTZ)
     WHERE number = $1 AND holder = $2";

/// Leases the lowest free number for `holder`.
pub(super) async fn lease(client: &mut deadpool_postgres::Object, holder: &str) -> Result<u64> {
    let tx = client.transaction().await?;
    lock(&tx, Lock::Nodes).await?;
    let number: i32 = loop {
        match tx.row_opt(FREE, &[]).await? {
            Some(row) => {
                let n: i32 = row.col(0)?;
                if tx.exec(TAKE, &[&n, &holder]).await? == 1 {
                    break n;
                }
            }
            None => {
                let n: i32 = tx.row(NEXT, &[]).await?.col(0)?;
                if i64::from(n) >= NODE_STRIDE as i64 {
                    return Err(StoreError::Database(format!(
                        "{NODE_STRIDE} nodes hold a lease on this database already"
                    )));
                }
                tx.exec(ADD, &[&n, &holder]).await?;
                break n;
            }
        }
    };
    tx.commit().await?;
    Ok(u64::try_from(number).unwrap_or(0))
}

/// How many nodes hold a live lease, this one included.
pub(super) async fn live(c: &impl GenericClient) -> Result<usize> {
    let n: i32 = c.row(LIVE, &[]).await?.col(0)?;
    Ok(usize::try_from(n).unwrap_or(1).max(1))
}

async fn renew(c: &impl GenericClient, number: u64, holder: &str) -> Result<bool> {
    let n = i32::try_from(number).unwrap_or(i32::MAX);
    Ok(c.exec(RENEW, &[&n, &holder]).await? == 1)
}

/// What a renewal found.
enum Renewal {
    /// The lease holds, renewed.
    Kept,
    /// Another node held the number; this node leased `new`.
    Replaced { lost: u64, new: u64 },
}

impl Postgres {
    /// Renews this node's lease for as long as the service runs (every
    /// [`RENEW_EVERY`], or every second while that fails); a lease found
    /// taken is replaced by a new number, which the session keys then
    /// carry.
    pub(super) fn spawn_lease_renewal(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut failing = false;
            loop {
                tokio::time::sleep(if failing { RETRY } else { RENEW_EVERY }).await;
                // A renewal that does not return is given up and tried
                // again (the lease lapses by itself meanwhile).
                let renewed = tokio::time::timeout(RENEW_EVERY, engine.renew_lease()).await;
                match renewed.unwrap_or_else(|_| Err(StoreError::Database("no answer".into()))) {
                    Ok(Renewal::Kept) => {
                        if failing {
                            tracing::warn!(
                                number = engine.node.number(),
                                "this node's lease is renewed again"
                            );
                        }
                        failing = false;
                    }
                    Ok(Renewal::Replaced { lost, new }) => {
                        failing = false;
                        tracing::error!(lost, new,
                            "this node's number was leased by another node; session keys now carry the new number");
                    }
                    Err(e) => {
                        if !failing {
                            tracing::warn!(error = %e,
                                "cannot renew this node's lease yet; no session starts once it has not been confirmed for 30 s");
                        }
                        failing = true;
                    }
                }
            }
        });
    }

    /// Counts the live leases for the batches' share of the database
    /// (`batch.rs`); a failed count keeps the last one (the lease itself
    /// was renewed).
    async fn count_nodes(&self, client: &impl GenericClient) {
        match live(client).await {
            Ok(n) => self.batcher.share_with(n),
            Err(e) => tracing::debug!(error = %e, "cannot count the nodes; the last count stands"),
        }
    }

    /// Renews the lease, or, found taken, stops session starts under it and
    /// leases another number.
    async fn renew_lease(&self) -> Result<Renewal> {
        let number = self.node.number();
        let mut client = self.client().await?;
        let sent = Instant::now();
        if renew(&client, number, &self.holder).await? {
            self.node.confirm(number, sent);
            self.count_nodes(&client).await;
            return Ok(Renewal::Kept);
        }
        if self.node.confirmed(Instant::now()).is_some() {
            tracing::error!(
                number,
                "this node's number is held by another node: no session starts until it leases another"
            );
        }
        self.node.lapse();
        let sent = Instant::now();
        let new = lease(&mut client, &self.holder).await?;
        self.node.confirm(new, sent);
        self.count_nodes(&client).await;
        Ok(Renewal::Replaced { lost: number, new })
    }
}

impl Nodes for Postgres {
    fn is_shared(&self) -> bool {
        true
    }

    /// This node's lease (session keys carry its number: see
    /// [`crate::quiz::KeyClock`]); the number changes only if the lease is
    /// lost.
    fn node_number(&self) -> Option<std::sync::Arc<crate::store::NodeLease>> {
        Some(self.node.clone())
    }

    /// Gives the lease back, so a node started next may take the number.
    async fn leave(&self) -> Result<()> {
        self.node.lapse();
        let number = i32::try_from(self.node.number()).unwrap_or(i32::MAX);
        self.client()
            .await?
            .exec(GIVE_BACK, &[&number, &&*self.holder])
            .await?;
        Ok(())
    }
}
