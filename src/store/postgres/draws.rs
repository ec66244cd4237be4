//! `draws`, `draw_winners` and `claims` (SPEC §5, §7): commit, reveal and
//! claim, each one transaction that runs the same rules as on SQLite
//! ([`crate::store::rules`]). A commit holds its round's lock alone, so the
//! pool it reads in its own transaction is exactly the entries acknowledged
//! before it, whichever node took them; the audit lock keeps the chain whole.

use super::audit::append as audit;
use super::{lock, unique_violation, Lock, Postgres, Result};
use super::{Cached, Col};
use crate::draw;
use crate::store::contract::Draws;
use crate::store::rules::{self, erasure, Win};
use crate::store::sql::draws::{
    CLAIMED_COUNT, CODE_OF_RECEIPT, DRAWS_NEWEST_FIRST, DRAW_BY_ID, DRAW_ENTRIES_TXT, DRAW_PAGE,
    DRAW_WINNERS, INSERT_CLAIM, INSERT_DRAW, INSERT_WINNER, PENDING_DRAW, POOL_SIZE, REVEAL_DRAW,
    WIN_OF_CODE,
};
use crate::store::{
    AuditAction, ClaimBy, ClaimMode, ClaimRefused, Claimed, CommitRefused, Draw, DrawRequest,
    RevealRefused, StoreError, Winner,
};
use deadpool_postgres::GenericClient;

const ROUND_WATERMARK: &str =
    "SELECT COALESCE(MAX(seq), 0) FROM entries WHERE set_id = $1 AND round_id = $2";
const POOL_CODES: &str = "SELECT code FROM entries e
     WHERE e.set_id = $1 AND e.round_id = $2
     AND NOT EXISTS (SELECT 1 FROM draw_winners w JOIN draws d ON d.id = w.draw_id
                     WHERE d.set_id = $1 AND d.round_id = $2 AND w.code = e.code)
     AND NOT EXISTS (SELECT 1 FROM withdrawals x WHERE x.code = e.code)";

fn draw_row(r: &tokio_postgres::Row) -> Result<Draw> {
    Ok(Draw {
        id: r.col(0)?,
        set_id: r.col(1)?,
        round_id: r.col(2)?,
        prize: r.col(3)?,
        winners_wanted: r.col(4)?,
        entries_digest: r.col(5)?,
        entry_count: r.col(6)?,
        committed_at: r.col(7)?,
        public_seed: r.col(8)?,
        revealed_at: r.col(9)?,
        claim_by: r.col(10)?,
        replaces: r.col(11)?,
        replaced_by: r.col(12)?,
        seed_digits: r.col::<Option<i32>>(13)?.map(i64::from),
        winners: Vec::new(),
    })
}

async fn winners(c: &impl GenericClient, id: i64) -> Result<Vec<Winner>> {
    let rows = c.rows(DRAW_WINNERS, &[&id]).await?;
    rows.iter()
        .map(|r| {
            let masks: (Option<String>, Option<String>) = (r.col(3)?, r.col(4)?);
            Ok(Winner {
                code: r.col(0)?,
                name: r.col(1)?,
                phone: r.col(2)?,
                published: masks.0.zip(masks.1),
                erased: erasure(r.col(5)?, r.col(6)?),
                claimed_at: r.col(7)?,
            })
        })
        .collect()
}

async fn get_draw(c: &impl GenericClient, id: i64) -> Result<Option<Draw>> {
    let Some(row) = c.row_opt(DRAW_BY_ID, &[&id]).await? else {
        return Ok(None);
    };
    let mut d = draw_row(&row)?;
    d.winners = winners(c, id).await?;
    Ok(Some(d))
}

async fn entries_txt(c: &impl GenericClient, id: i64) -> Result<Option<String>> {
    c.row_opt(DRAW_ENTRIES_TXT, &[&id])
        .await?
        .map(|r| r.col(0))
        .transpose()
}

async fn commit(
    tx: &deadpool_postgres::Transaction<'_>,
    d: &DrawRequest,
) -> Result<std::result::Result<Draw, CommitRefused>> {
    lock(tx, Lock::Round(&d.set_id, &d.round_id)).await?;
    lock(tx, Lock::Audit).await?;
    if let Some(row) = tx.row_opt(PENDING_DRAW, &[&d.set_id, &d.round_id]).await? {
        return Ok(Err(CommitRefused::Pending(row.col(0)?)));
    }
    if let Some(old) = d.replaces {
        let Some(replaced) = get_draw(tx, old).await? else {
            return Ok(Err(CommitRefused::ReplacesUnknown));
        };
        let claimed: i64 = tx.row(CLAIMED_COUNT, &[&old]).await?.col(0)?;
        if let Err(why) = rules::check_replacement(&replaced, claimed, d) {
            return Ok(Err(why));
        }
    }
    // Under the round's lock, alone: every entry of the round is committed
    // or not begun, and any begun later gets a higher `seq`.
    let watermark: i64 = tx
        .row(ROUND_WATERMARK, &[&d.set_id, &d.round_id])
        .await?
        .col(0)?;
    let pool: Vec<String> = tx
        .rows(POOL_CODES, &[&d.set_id, &d.round_id])
        .await?
        .iter()
        .map(|r| r.col(0))
        .collect::<Result<_>>()?;
    if pool.is_empty() {
        return Ok(Err(CommitRefused::EmptyPool));
    }
    let commitment = draw::commit(pool);
    let id: i64 = tx
        .row(
            INSERT_DRAW,
            &[
                &d.set_id,
                &d.round_id,
                &d.prize,
                &d.winners,
                &commitment.entries_txt,
                &commitment.digest,
                &(commitment.pool.len() as i64),
                &d.at,
                &d.claim_by,
                &d.replaces,
                &watermark,
                &d.seed_digits.and_then(|n| i32::try_from(n).ok()),
            ],
        )
        .await?
        .col(0)?;
    audit(
        tx,
        AuditAction::DrawCommitted,
        &rules::commit_detail(id, d, &commitment),
        &d.at,
    )
    .await?;
    let stored = get_draw(tx, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("draw {id}")))?;
    Ok(Ok(stored))
}

async fn reveal(
    tx: &deadpool_postgres::Transaction<'_>,
    id: i64,
    public_seed: &str,
    at: &str,
) -> Result<std::result::Result<Draw, RevealRefused>> {
    lock(tx, Lock::Audit).await?;
    let Some(d) = get_draw(tx, id).await? else {
        return Ok(Err(RevealRefused::NotFound));
    };
    let (public_seed, picked) =
        match rules::pick_winners(&d, entries_txt(tx, id).await?, public_seed, at) {
            Ok(picked) => picked,
            Err(why) => return Ok(Err(why)),
        };
    let public_seed = public_seed.as_str();

    let changed = tx
        .exec(
            REVEAL_DRAW,
            &[&public_seed, &at, &(picked.len() as i64), &id],
        )
        .await?;
    if changed == 0 {
        return Ok(Err(RevealRefused::AlreadyRevealed));
    }
    for (i, code) in picked.iter().enumerate() {
        tx.exec(INSERT_WINNER, &[&id, &(i as i64), code]).await?;
    }
    audit(
        tx,
        AuditAction::DrawRevealed,
        &rules::reveal_detail(id, public_seed, &picked),
        at,
    )
    .await?;
    let stored = get_draw(tx, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("draw {id}")))?;
    Ok(Ok(stored))
}

async fn find_win(c: &impl GenericClient, by: &ClaimBy) -> Result<Option<Win>> {
    let code = match by {
        ClaimBy::Receipt(receipt) => {
            let Some(row) = c.row_opt(CODE_OF_RECEIPT, &[&receipt.as_str()]).await? else {
                return Ok(None);
            };
            row.col::<String>(0)?
        }
        ClaimBy::CodeAndPhone(code, _) => code.as_str().to_owned(),
    };
    let Some(r) = c.row_opt(WIN_OF_CODE, &[&code]).await? else {
        return Ok(None);
    };
    Ok(Some(Win {
        draw_id: r.col(0)?,
        prize: r.col(1)?,
        claim_by: r.col(2)?,
        code: r.col(3)?,
        name: r.col(4)?,
        phone: r.col(5)?,
        phone_key: r.col(6)?,
        erased: erasure(r.col(7)?, r.col(8)?),
        claimed_at: r.col(9)?,
        round_secret: r.col(10)?,
    }))
}

impl Draws for Postgres {
    async fn claim(
        &self,
        by: ClaimBy,
        at: &str,
        mode: ClaimMode,
    ) -> Result<std::result::Result<Claimed, ClaimRefused>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if mode == ClaimMode::HandOut {
            lock(&tx, Lock::Audit).await?;
        }
        let Some(win) = find_win(&tx, &by).await? else {
            return Ok(Err(ClaimRefused::NotAWinner));
        };
        if let Err(why) = rules::check_claim(&win, &by, at) {
            return Ok(Err(why));
        }
        if mode == ClaimMode::HandOut {
            match tx.exec(INSERT_CLAIM, &[&win.draw_id, &win.code, &at]).await {
                Ok(_) => {}
                Err(e) if unique_violation(&e).is_some() => {
                    return Ok(Err(ClaimRefused::AlreadyClaimed(at.to_owned())));
                }
                Err(e) => return Err(e.into()),
            }
            audit(&tx, AuditAction::PrizeClaimed, &win.claim_detail(), at).await?;
            tx.commit().await?;
        }
        Ok(Ok(win.claimed(mode, at)))
    }

    async fn commit_draw(
        &self,
        d: DrawRequest,
    ) -> Result<std::result::Result<Draw, CommitRefused>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let out = commit(&tx, &d).await?;
        if out.is_ok() {
            tx.commit().await?;
        }
        Ok(out)
    }

    async fn reveal_draw(
        &self,
        id: i64,
        public_seed: &str,
        at: &str,
    ) -> Result<std::result::Result<Draw, RevealRefused>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let out = reveal(&tx, id, public_seed, at).await?;
        if out.is_ok() {
            tx.commit().await?;
        }
        Ok(out)
    }

    async fn draw(&self, id: i64) -> Result<Option<Draw>> {
        get_draw(&self.client().await?, id).await
    }

    async fn draws(&self) -> Result<Vec<Draw>> {
        let client = self.client().await?;
        let rows = client.rows(DRAWS_NEWEST_FIRST, &[]).await?;
        let mut draws = rows.iter().map(draw_row).collect::<Result<Vec<Draw>>>()?;
        for d in &mut draws {
            d.winners = winners(&client, d.id).await?;
        }
        Ok(draws)
    }

    async fn draw_page(&self, before: i64, limit: i64) -> Result<Vec<Draw>> {
        let rows = self
            .client()
            .await?
            .rows(DRAW_PAGE, &[&before, &limit])
            .await?;
        rows.iter().map(draw_row).collect()
    }

    async fn entries_txt(&self, id: i64) -> Result<Option<String>> {
        entries_txt(&self.client().await?, id).await
    }

    async fn pool_size(&self, set_id: &str, round_id: &str) -> Result<i64> {
        let row = self
            .client()
            .await?
            .row(POOL_SIZE, &[&set_id, &round_id])
            .await?;
        row.col(0)
    }
}
