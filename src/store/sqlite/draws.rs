//! `draws`, `draw_winners` and `claims` (SPEC §5, §7): commit, reveal and
//! claim, each one transaction on the writer that calls the pure
//! [`crate::draw`] functions inside it (so the pool committed is exactly the
//! entries stored before it) and appends its audit row in the same breath.

use super::audit::append as audit;
use super::{is_duplicate, Result, Sqlite};
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
use rusqlite::{named_params, params, Connection, OptionalExtension};

const MAX_ENTRY_ROWID: &str = "SELECT COALESCE(MAX(rowid), 0) FROM entries";
/// Read from `entries_code` alone, in code order (the phone index would
/// take one lookup into the table per entry); withdrawn entries leave.
pub(super) const POOL_CODES: &str = "SELECT code FROM entries INDEXED BY entries_code
     WHERE set_id = :set_id AND round_id = :round_id
     AND code NOT IN (SELECT w.code FROM draw_winners w JOIN draws d ON d.id = w.draw_id
                      WHERE d.set_id = :set_id AND d.round_id = :round_id)
     AND code NOT IN (SELECT code FROM withdrawals)";

fn draw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Draw> {
    Ok(Draw {
        id: r.get(0)?,
        set_id: r.get(1)?,
        round_id: r.get(2)?,
        prize: r.get(3)?,
        winners_wanted: r.get(4)?,
        entries_digest: r.get(5)?,
        entry_count: r.get(6)?,
        committed_at: r.get(7)?,
        public_seed: r.get(8)?,
        revealed_at: r.get(9)?,
        claim_by: r.get(10)?,
        replaces: r.get(11)?,
        replaced_by: r.get(12)?,
        seed_digits: r.get(13)?,
        winners: Vec::new(),
    })
}

fn winners(conn: &Connection, id: i64) -> Result<Vec<Winner>> {
    let mut st = conn.prepare_cached(DRAW_WINNERS)?;
    let rows = st.query_map([id], |r| {
        let masks: (Option<String>, Option<String>) = (r.get(3)?, r.get(4)?);
        Ok(Winner {
            code: r.get(0)?,
            name: r.get(1)?,
            phone: r.get(2)?,
            published: masks.0.zip(masks.1),
            erased: erasure(r.get(5)?, r.get(6)?),
            claimed_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One draw with its winners.
fn get_draw(conn: &Connection, id: i64) -> Result<Option<Draw>> {
    let mut st = conn.prepare_cached(DRAW_BY_ID)?;
    let Some(mut d) = st.query_row([id], draw_row).optional()? else {
        return Ok(None);
    };
    d.winners = winners(conn, id)?;
    Ok(Some(d))
}

fn entries_txt(conn: &Connection, id: i64) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(DRAW_ENTRIES_TXT)?;
    Ok(st.query_row([id], |r| r.get(0)).optional()?)
}

/// The round's entries that have not won an earlier draw of the round.
fn pool_codes(conn: &Connection, set_id: &str, round_id: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(POOL_CODES)?;
    let rows = st.query_map(
        named_params! {":set_id": set_id, ":round_id": round_id},
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn commit(conn: &Connection, d: &DrawRequest) -> Result<std::result::Result<Draw, CommitRefused>> {
    let pending: Option<i64> = conn
        .prepare_cached(PENDING_DRAW)?
        .query_row(params![d.set_id, d.round_id], |r| r.get(0))
        .optional()?;
    if let Some(id) = pending {
        return Ok(Err(CommitRefused::Pending(id)));
    }
    if let Some(old) = d.replaces {
        let Some(replaced) = get_draw(conn, old)? else {
            return Ok(Err(CommitRefused::ReplacesUnknown));
        };
        let claimed: i64 = conn
            .prepare_cached(CLAIMED_COUNT)?
            .query_row([old], |r| r.get(0))?;
        if let Err(why) = rules::check_replacement(&replaced, claimed, d) {
            return Ok(Err(why));
        }
    }
    let watermark: i64 = conn
        .prepare_cached(MAX_ENTRY_ROWID)?
        .query_row([], |r| r.get(0))?;
    let pool = pool_codes(conn, &d.set_id, &d.round_id)?;
    if pool.is_empty() {
        return Ok(Err(CommitRefused::EmptyPool));
    }
    let commitment = draw::commit(pool);
    let id: i64 = conn.prepare_cached(INSERT_DRAW)?.query_row(
        params![
            d.set_id,
            d.round_id,
            d.prize,
            d.winners,
            commitment.entries_txt,
            commitment.digest,
            commitment.pool.len() as i64,
            d.at,
            d.claim_by,
            d.replaces,
            watermark,
            d.seed_digits,
        ],
        |r| r.get(0),
    )?;
    let detail = rules::commit_detail(id, d, &commitment);
    audit(conn, AuditAction::DrawCommitted, &detail, &d.at)?;
    let stored = get_draw(conn, id)?.ok_or_else(|| StoreError::Corrupt(format!("draw {id}")))?;
    Ok(Ok(stored))
}

fn reveal(
    conn: &Connection,
    id: i64,
    public_seed: &str,
    at: &str,
) -> Result<std::result::Result<Draw, RevealRefused>> {
    let Some(d) = get_draw(conn, id)? else {
        return Ok(Err(RevealRefused::NotFound));
    };
    let (public_seed, picked) =
        match rules::pick_winners(&d, entries_txt(conn, id)?, public_seed, at) {
            Ok(picked) => picked,
            Err(why) => return Ok(Err(why)),
        };
    let public_seed = public_seed.as_str();

    let changed = conn.prepare_cached(REVEAL_DRAW)?.execute(params![
        public_seed,
        at,
        picked.len() as i64,
        id
    ])?;
    if changed == 0 {
        return Ok(Err(RevealRefused::AlreadyRevealed));
    }
    let mut st = conn.prepare_cached(INSERT_WINNER)?;
    for (i, code) in picked.iter().enumerate() {
        st.execute(params![id, i as i64, code])?;
    }
    let detail = rules::reveal_detail(id, public_seed, &picked);
    audit(conn, AuditAction::DrawRevealed, &detail, at)?;
    let stored = get_draw(conn, id)?.ok_or_else(|| StoreError::Corrupt(format!("draw {id}")))?;
    Ok(Ok(stored))
}

fn claim(
    conn: &Connection,
    by: &ClaimBy,
    at: &str,
    mode: ClaimMode,
) -> Result<std::result::Result<Claimed, ClaimRefused>> {
    let code = match by {
        ClaimBy::Receipt(receipt) => {
            let code: Option<String> = conn
                .prepare_cached(CODE_OF_RECEIPT)?
                .query_row([receipt.as_str()], |r| r.get(0))
                .optional()?;
            let Some(code) = code else {
                return Ok(Err(ClaimRefused::NotAWinner));
            };
            code
        }
        ClaimBy::CodeAndPhone(code, _) => code.as_str().to_owned(),
    };
    let win = conn
        .prepare_cached(WIN_OF_CODE)?
        .query_row([&code], |r| {
            Ok(Win {
                draw_id: r.get(0)?,
                prize: r.get(1)?,
                claim_by: r.get(2)?,
                code: r.get(3)?,
                name: r.get(4)?,
                phone: r.get(5)?,
                phone_key: r.get(6)?,
                erased: erasure(r.get(7)?, r.get(8)?),
                claimed_at: r.get(9)?,
                round_secret: r.get(10)?,
            })
        })
        .optional()?;
    let Some(win) = win else {
        return Ok(Err(ClaimRefused::NotAWinner));
    };
    if let Err(why) = rules::check_claim(&win, by, at) {
        return Ok(Err(why));
    }
    if mode == ClaimMode::HandOut {
        let inserted =
            conn.prepare_cached(INSERT_CLAIM)?
                .execute(params![win.draw_id, win.code, at]);
        match inserted {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => {
                return Ok(Err(ClaimRefused::AlreadyClaimed(at.to_owned())));
            }
            Err(e) => return Err(e.into()),
        }
        audit(conn, AuditAction::PrizeClaimed, &win.claim_detail(), at)?;
    }
    Ok(Ok(win.claimed(mode, at)))
}

impl Draws for Sqlite {
    async fn claim(
        &self,
        by: ClaimBy,
        at: &str,
        mode: ClaimMode,
    ) -> Result<std::result::Result<Claimed, ClaimRefused>> {
        let at = at.to_owned();
        match mode {
            ClaimMode::Check => self.read(move |c| claim(c, &by, &at, mode)).await,
            ClaimMode::HandOut => self.write(move |c| claim(c, &by, &at, mode)).await,
        }
    }

    async fn commit_draw(
        &self,
        d: DrawRequest,
    ) -> Result<std::result::Result<Draw, CommitRefused>> {
        self.write(move |c| commit(c, &d)).await
    }

    async fn reveal_draw(
        &self,
        id: i64,
        public_seed: &str,
        at: &str,
    ) -> Result<std::result::Result<Draw, RevealRefused>> {
        let (public_seed, at) = (public_seed.to_owned(), at.to_owned());
        self.write(move |c| reveal(c, id, &public_seed, &at)).await
    }

    async fn draw(&self, id: i64) -> Result<Option<Draw>> {
        self.read(move |c| get_draw(c, id)).await
    }

    async fn draws(&self) -> Result<Vec<Draw>> {
        self.read(|c| {
            let mut st = c.prepare_cached(DRAWS_NEWEST_FIRST)?;
            let mut draws = st
                .query_map([], draw_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for d in &mut draws {
                d.winners = winners(c, d.id)?;
            }
            Ok(draws)
        })
        .await
    }

    async fn draw_page(&self, before: i64, limit: i64) -> Result<Vec<Draw>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(DRAW_PAGE)?;
            let draws = st
                .query_map([before, limit], draw_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(draws)
        })
        .await
    }

    async fn entries_txt(&self, id: i64) -> Result<Option<String>> {
        self.read(move |c| entries_txt(c, id)).await
    }

    async fn pool_size(&self, set_id: &str, round_id: &str) -> Result<i64> {
        let (set_id, round_id) = (set_id.to_owned(), round_id.to_owned());
        self.read(move |c| {
            Ok(c.prepare_cached(POOL_SIZE)?
                .query_row([set_id, round_id], |r| r.get(0))?)
        })
        .await
    }
}
