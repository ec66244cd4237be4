//! `draws`, `draw_winners` and `claims` (SPEC §5, §7): commit, reveal and
//! claim, each one transaction on the writer that calls the pure
//! [`crate::draw`] functions inside it (so the pool committed is exactly the
//! entries stored before it) and appends its audit row in the same breath.

use super::audit::append as audit;
use super::{is_constraint, Result, Sqlite};
use crate::draw;
use crate::store::contract::Draws;
use crate::store::rules::{self, erasure, Win};
use crate::store::{
    AuditAction, ClaimBy, ClaimMode, ClaimRefused, Claimed, CommitRefused, Draw, DrawRequest,
    RevealRefused, StoreError, Winner,
};
use rusqlite::{named_params, Connection, OptionalExtension};

const DRAW_COLUMNS: &str = "SELECT id, set_id, round_id, prize, winners_wanted, entries_digest,
     entry_count, committed_at, public_seed, revealed_at, claim_by, replaces,
     (SELECT r.id FROM draws r WHERE r.replaces = draws.id), seed_digits FROM draws";
const DRAW_ENTRIES_TXT: &str = "SELECT entries_txt FROM draws WHERE id = :id";
const DRAW_WINNERS: &str = "SELECT w.code, e.name, e.phone, e.name_mask, e.phone_mask,
       e.erased, e.erased_at, c.claimed_at
     FROM draw_winners w LEFT JOIN entries e ON e.code = w.code
     LEFT JOIN claims c ON c.draw_id = w.draw_id AND c.code = w.code
     WHERE w.draw_id = :id ORDER BY w.position";
const MAX_ENTRY_ROWID: &str = "SELECT COALESCE(MAX(rowid), 0) FROM entries";
const CLAIMED_COUNT: &str = "SELECT COUNT(*) FROM claims WHERE draw_id = :id";
/// A code's win in a revealed draw (a code wins at most one draw: every
/// later pool of its round leaves it out, and codes are unique).
const WIN_OF_CODE: &str = "SELECT d.id, d.prize, d.claim_by, w.code, e.name, e.phone, e.phone_key,
       e.erased, e.erased_at, c.claimed_at, k.secret
     FROM draw_winners w JOIN draws d ON d.id = w.draw_id
     LEFT JOIN entries e ON e.code = w.code
     LEFT JOIN claims c ON c.draw_id = w.draw_id AND c.code = w.code
     LEFT JOIN round_keys k ON k.set_id = d.set_id AND k.round_id = d.round_id
     WHERE w.code = :code LIMIT 1";
const CODE_OF_RECEIPT: &str = "SELECT code FROM entries WHERE receipt = :receipt";
const INSERT_CLAIM: &str =
    "INSERT INTO claims (draw_id, code, claimed_at) VALUES (:draw_id, :code, :claimed_at)";
/// A round's unrevealed draw holds the round: also one past its claim
/// deadline, which can never be revealed, so that letting a draw lapse is
/// no way to try again with other numbers.
const PENDING_DRAW: &str = "SELECT id FROM draws WHERE set_id = :set_id AND round_id = :round_id
     AND public_seed IS NULL LIMIT 1";
/// Read from `entries_code` alone, in code order (the phone index would
/// take one lookup into the table per entry); withdrawn entries leave.
pub(super) const POOL_CODES: &str = "SELECT code FROM entries INDEXED BY entries_code
     WHERE set_id = :set_id AND round_id = :round_id
     AND code NOT IN (SELECT w.code FROM draw_winners w JOIN draws d ON d.id = w.draw_id
                      WHERE d.set_id = :set_id AND d.round_id = :round_id)
     AND code NOT IN (SELECT code FROM withdrawals)";
/// The pool's size without reading it: the round's entries (counted as
/// they come) less its winners and withdrawals (few, found by code).
const POOL_SIZE: &str = "SELECT COALESCE((SELECT entries FROM round_stats
         WHERE set_id = :set_id AND round_id = :round_id), 0)
     - (SELECT COUNT(*) FROM (
         SELECT w.code FROM draw_winners w JOIN draws d ON d.id = w.draw_id
         WHERE d.set_id = :set_id AND d.round_id = :round_id
         UNION
         SELECT x.code FROM withdrawals x JOIN entries e ON e.code = x.code
         WHERE e.set_id = :set_id AND e.round_id = :round_id))";
const INSERT_DRAW: &str = "INSERT INTO draws
     (set_id, round_id, prize, winners_wanted, entries_txt, entries_digest, entry_count, committed_at,
      claim_by, replaces, pool_watermark, seed_digits)
     VALUES (:set_id, :round_id, :prize, :winners_wanted, :entries_txt, :entries_digest, :entry_count,
      :committed_at, :claim_by, :replaces, :pool_watermark, :seed_digits)";
const REVEAL_DRAW: &str = "UPDATE draws
     SET public_seed = :public_seed, revealed_at = :revealed_at, winner_count = :winner_count
     WHERE id = :id AND public_seed IS NULL";
const INSERT_WINNER: &str =
    "INSERT INTO draw_winners (draw_id, position, code) VALUES (:draw_id, :position, :code)";

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
    let rows = st.query_map(named_params! {":id": id}, |r| {
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
    let mut st = conn.prepare_cached(&format!("{DRAW_COLUMNS} WHERE id = :id"))?;
    let Some(mut d) = st
        .query_row(named_params! {":id": id}, draw_row)
        .optional()?
    else {
        return Ok(None);
    };
    d.winners = winners(conn, id)?;
    Ok(Some(d))
}

fn entries_txt(conn: &Connection, id: i64) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(DRAW_ENTRIES_TXT)?;
    Ok(st
        .query_row(named_params! {":id": id}, |r| r.get(0))
        .optional()?)
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
        .query_row(
            named_params! {":set_id": d.set_id, ":round_id": d.round_id},
            |r| r.get(0),
        )
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
            .query_row(named_params! {":id": old}, |r| r.get(0))?;
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
    conn.prepare_cached(INSERT_DRAW)?.execute(named_params! {
        ":set_id": d.set_id, ":round_id": d.round_id, ":prize": d.prize, ":winners_wanted": d.winners,
        ":entries_txt": commitment.entries_txt, ":entries_digest": commitment.digest,
        ":entry_count": commitment.pool.len() as i64, ":committed_at": d.at,
        ":claim_by": d.claim_by, ":replaces": d.replaces, ":pool_watermark": watermark,
        ":seed_digits": d.seed_digits,
    })?;
    let id = conn.last_insert_rowid();
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

    let changed = conn.prepare_cached(REVEAL_DRAW)?.execute(named_params! {
        ":id": id, ":public_seed": public_seed, ":revealed_at": at,
        ":winner_count": picked.len() as i64,
    })?;
    if changed == 0 {
        return Ok(Err(RevealRefused::AlreadyRevealed));
    }
    let mut st = conn.prepare_cached(INSERT_WINNER)?;
    for (i, code) in picked.iter().enumerate() {
        st.execute(named_params! {":draw_id": id, ":position": i as i64, ":code": code})?;
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
                .query_row(named_params! {":receipt": receipt.as_str()}, |r| r.get(0))
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
        .query_row(named_params! {":code": code}, |r| {
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
        let inserted = conn
            .prepare_cached(INSERT_CLAIM)?
            .execute(named_params! {":draw_id": win.draw_id, ":code": win.code, ":claimed_at": at});
        match inserted {
            Ok(_) => {}
            Err(e) if is_constraint(&e) => {
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
            let mut st = c.prepare_cached(&format!("{DRAW_COLUMNS} ORDER BY id DESC"))?;
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
            let mut st = c.prepare_cached(&format!(
                "{DRAW_COLUMNS} WHERE id < :before ORDER BY id DESC LIMIT :limit"
            ))?;
            let draws = st
                .query_map(named_params! {":before": before, ":limit": limit}, draw_row)?
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
            Ok(c.prepare_cached(POOL_SIZE)?.query_row(
                named_params! {":set_id": set_id, ":round_id": round_id},
                |r| r.get(0),
            )?)
        })
        .await
    }
}
