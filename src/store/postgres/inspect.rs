//! The PostgreSQL database read for `audit-verify`
//! ([`crate::store::inspect`]): one connection with
//! `default_transaction_read_only` on, one `REPEATABLE READ READ ONLY`
//! transaction, and nothing of the engine: no migration, no node lease,
//! no pool.

use crate::store::inspect::sql::*;
use crate::store::inspect::{ClaimRecord, DrawRecord, Inspection, PurgeRecord, WithdrawalRecord};
use crate::store::StoreError;
use anyhow::{ensure, Context};

/// Reads the database at `url`; refuses one that holds no quizbooth schema.
pub(in crate::store) async fn read(url: &str) -> anyhow::Result<Inspection> {
    let shown = super::redact(url);
    let mut client = super::tls::connect_with(url, |c| {
        c.options("-c default_transaction_read_only=on");
        c.application_name("quizbooth audit-verify");
        c.connect_timeout(super::pool::WAIT);
    })
    .await
    .map_err(|e| match e.downcast::<tokio_postgres::Error>() {
        Ok(e) => StoreError::from(e).into(),
        Err(other) => other,
    })
    .with_context(|| format!("cannot connect to {shown}"))?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(StoreError::from)?;
    let version: Option<i32> = match tx
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .await
        .map_err(StoreError::from)?
        .try_get(0)
        .map_err(StoreError::from)?
    {
        true => tx
            .query_opt("SELECT version FROM schema_version", &[])
            .await
            .map_err(StoreError::from)?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::from)?,
        false => None,
    };
    ensure!(
        version.is_some_and(|v| v > 0),
        "{shown} holds no quizbooth schema (no schema version): nothing to verify"
    );
    let found = collect(&tx)
        .await
        .map_err(StoreError::from)
        .with_context(|| format!("cannot read the audit records of {shown}"))?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(found)
}

pub(in crate::store) async fn collect(
    tx: &tokio_postgres::Transaction<'_>,
) -> Result<Inspection, tokio_postgres::Error> {
    let audit = tx
        .query(AUDIT, &[])
        .await?
        .iter()
        .map(super::audit::audit_row)
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()?;
    let mut draws = tx
        .query(DRAWS, &[])
        .await?
        .iter()
        .map(|r| {
            Ok(DrawRecord {
                id: r.try_get(0)?,
                set_id: r.try_get(1)?,
                round_id: r.try_get(2)?,
                winners_wanted: r.try_get(3)?,
                entries_txt: r.try_get(4)?,
                entries_digest: r.try_get(5)?,
                entry_count: r.try_get(6)?,
                committed_at: r.try_get(7)?,
                public_seed: r.try_get(8)?,
                revealed_at: r.try_get(9)?,
                replaces: r.try_get(10)?,
                winners: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()?;
    for r in tx.query(WINNERS, &[]).await? {
        let (draw_id, code): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        if let Some(d) = draws.iter_mut().find(|d| d.id == draw_id) {
            d.winners.push(code);
        }
    }
    Ok(Inspection {
        audit,
        draws,
        claims: tx
            .query(CLAIMS, &[])
            .await?
            .iter()
            .map(|r| {
                Ok(ClaimRecord {
                    draw_id: r.try_get(0)?,
                    code: r.try_get(1)?,
                    claimed_at: r.try_get(2)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()?,
        withdrawals: tx
            .query(WITHDRAWALS, &[])
            .await?
            .iter()
            .map(|r| {
                Ok(WithdrawalRecord {
                    code: r.try_get(0)?,
                    withdrawn_at: r.try_get(1)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()?,
        withdrawn_entries: pairs(tx.query(WITHDRAWN_ENTRIES, &[]).await?)?,
        purges: tx
            .query(PURGES, &[])
            .await?
            .iter()
            .map(|r| {
                Ok(PurgeRecord {
                    set_id: r.try_get(0)?,
                    round_id: r.try_get(1)?,
                    at: r.try_get(2)?,
                    erased: r.try_get(3)?,
                    how: r.try_get(4)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()?,
        winners_not_entered: pairs(tx.query(WINNERS_NOT_ENTERED, &[]).await?)?,
    })
}

/// Rows of two columns.
fn pairs<A, B>(rows: Vec<tokio_postgres::Row>) -> Result<Vec<(A, B)>, tokio_postgres::Error>
where
    A: for<'a> tokio_postgres::types::FromSql<'a>,
    B: for<'a> tokio_postgres::types::FromSql<'a>,
{
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
