//! `node_leases`: which node numbers are in use. Session keys carry their
//! node's number ([`crate::quiz::KeyClock`]), so two live nodes must never
//! hold the same one: a node leases the lowest number nobody renewed for
//! 60 seconds, renews it every [`RENEW_EVERY`], and gives it back when it
//! stops. The database's clock (`now()`) is the only one that counts, so
//! nodes whose clocks disagree still agree on who holds what.

use super::{lock, Cached, Lock, Postgres, Result};
use crate::quiz::NODE_STRIDE;
use crate::store::StoreError;
use deadpool_postgres::GenericClient;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often a node renews its lease: a quarter of the lease, which is
/// free once not renewed for 60 seconds (in `FREE`).
pub(super) const RENEW_EVERY: Duration = Duration::from_secs(15);

const FREE: &str = "SELECT number FROM node_leases
     WHERE renewed_at < now() - INTERVAL '60 seconds' ORDER BY number LIMIT 1";
const TAKE: &str = "UPDATE node_leases SET holder = $2, renewed_at = now() WHERE number = $1";
const NEXT: &str = "SELECT CAST(COALESCE(MAX(number) + 1, 0) AS INTEGER) FROM node_leases";
const ADD: &str = "INSERT INTO node_leases (number, holder, renewed_at) VALUES ($1, $2, now())";
const RENEW: &str = "UPDATE node_leases SET renewed_at = now() WHERE number = $1 AND holder = $2";
const GIVE_BACK: &str = "UPDATE node_leases SET renewed_at = CAST('epoch' AS TIMESTAMPTZ)
     WHERE number = $1 AND holder = $2";

/// Leases the lowest free number for `holder`.
pub(super) async fn lease(client: &mut deadpool_postgres::Object, holder: &str) -> Result<u64> {
    let tx = client.transaction().await?;
    lock(&tx, Lock::Nodes).await?;
    let number: i32 = match tx.row_opt(FREE, &[]).await? {
        Some(row) => {
            let n: i32 = row.get(0);
            tx.exec(TAKE, &[&n, &holder]).await?;
            n
        }
        None => {
            let n: i32 = tx.row(NEXT, &[]).await?.get(0);
            if i64::from(n) >= NODE_STRIDE as i64 {
                return Err(StoreError::Database(format!(
                    "{NODE_STRIDE} nodes hold a lease on this database already"
                )));
            }
            tx.exec(ADD, &[&n, &holder]).await?;
            n
        }
    };
    tx.commit().await?;
    Ok(u64::try_from(number).unwrap_or(0))
}

async fn renew(c: &impl GenericClient, number: u64, holder: &str) -> Result<bool> {
    let n = i32::try_from(number).unwrap_or(i32::MAX);
    Ok(c.exec(RENEW, &[&n, &holder]).await? == 1)
}

impl Postgres {
    /// Renews this node's lease for as long as the service runs; a lease
    /// lost (the database unreachable for longer than the lease) is
    /// replaced by a new number, which the session keys then carry.
    pub(super) fn spawn_lease_renewal(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RENEW_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                let number = engine.node.load(Ordering::SeqCst);
                let renewed = async {
                    let mut client = engine.client().await?;
                    if renew(&client, number, &engine.holder).await? {
                        return Ok(None);
                    }
                    lease(&mut client, &engine.holder).await.map(Some)
                };
                match renewed.await {
                    Ok(None) => {}
                    Ok(Some(new)) => {
                        engine.node.store(new, Ordering::SeqCst);
                        tracing::error!(lost = number, new,
                            "this node's number was leased by another node while the database was out of reach; session keys now carry the new number");
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot renew this node's lease yet"),
                }
            }
        });
    }

    /// Gives the lease back, so a node started next may take the number.
    pub(in crate::store) async fn leave(&self) -> Result<()> {
        let number = i32::try_from(self.node.load(Ordering::SeqCst)).unwrap_or(i32::MAX);
        self.client()
            .await?
            .exec(GIVE_BACK, &[&number, &&*self.holder])
            .await?;
        Ok(())
    }
}
