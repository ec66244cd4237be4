//! What `quizbooth audit-verify` reads (SPEC §7): the audit log and the
//! records it speaks of, as plain rows, from a database opened read-only.
//! No migration, no node lease, no file mode changed: a reader of the
//! evidence must not write to it. Each engine has its own small reader
//! (`sqlite::inspect`, `postgres::inspect`); neither builds the store.

use super::AuditEntry;
use std::path::Path;

/// The statements both engines' readers run: plain SQL the dialects agree on
/// (no parameters), written once.
pub(super) mod sql {
    pub(in crate::store) const AUDIT: &str =
        "SELECT seq, at, action, detail, hash FROM audit ORDER BY seq";
    pub(in crate::store) const DRAWS: &str =
        "SELECT id, set_id, round_id, winners_wanted, entries_txt, entries_digest,
         entry_count, committed_at, public_seed, revealed_at, replaces FROM draws ORDER BY id";
    pub(in crate::store) const WINNERS: &str =
        "SELECT draw_id, code FROM draw_winners ORDER BY draw_id, position";
    pub(in crate::store) const CLAIMS: &str =
        "SELECT draw_id, code, claimed_at FROM claims ORDER BY draw_id, code";
    pub(in crate::store) const WITHDRAWALS: &str =
        "SELECT code, withdrawn_at FROM withdrawals ORDER BY withdrawn_at, code";
    pub(in crate::store) const WITHDRAWN_ENTRIES: &str =
        "SELECT code, erased_at FROM entries WHERE erased = 'withdrawn' ORDER BY code";
    pub(in crate::store) const PURGES: &str =
        "SELECT set_id, round_id, at, erased, how FROM purges ORDER BY seq";
    pub(in crate::store) const WINNERS_NOT_ENTERED: &str = "SELECT w.draw_id, w.code FROM draw_winners w
         JOIN draws d ON d.id = w.draw_id
         WHERE NOT EXISTS (SELECT 1 FROM entries e
                           WHERE e.code = w.code AND e.set_id = d.set_id AND e.round_id = d.round_id)
         ORDER BY w.draw_id, w.position";
}

/// Everything the audit is checked against, read in one transaction (one
/// moment of the database).
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// The audit log, oldest first.
    pub audit: Vec<AuditEntry>,
    /// Every draw, by id.
    pub draws: Vec<DrawRecord>,
    /// Every claim.
    pub claims: Vec<ClaimRecord>,
    /// The `withdrawals` table.
    pub withdrawals: Vec<WithdrawalRecord>,
    /// Entries marked withdrawn (`erased = 'withdrawn'`): code and `erased_at`.
    pub withdrawn_entries: Vec<(String, Option<String>)>,
    /// Every purge of a round's contacts.
    pub purges: Vec<PurgeRecord>,
    /// Codes a revealed draw names as winners that are not entries of its
    /// round: (draw id, code).
    pub winners_not_entered: Vec<(i64, String)>,
}

/// A draw as stored, with its committed pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRecord {
    /// Its id.
    pub id: i64,
    /// Its set.
    pub set_id: String,
    /// Its round.
    pub round_id: String,
    /// How many winners were asked for.
    pub winners_wanted: i64,
    /// The stored `entries.txt`.
    pub entries_txt: String,
    /// The published digest.
    pub entries_digest: String,
    /// How many codes the pool holds.
    pub entry_count: i64,
    /// When it was committed.
    pub committed_at: String,
    /// The seed, once revealed.
    pub public_seed: Option<String>,
    /// When it was revealed.
    pub revealed_at: Option<String>,
    /// The draw it re-draws.
    pub replaces: Option<i64>,
    /// The stored winners' codes, in pick order.
    pub winners: Vec<String>,
}

/// A prize handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    /// The draw.
    pub draw_id: i64,
    /// The winning code.
    pub code: String,
    /// When.
    pub claimed_at: String,
}

/// A row of `withdrawals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRecord {
    /// The withdrawn entry's code.
    pub code: String,
    /// When.
    pub withdrawn_at: String,
}

/// A row of `purges`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRecord {
    /// The set.
    pub set_id: String,
    /// The round.
    pub round_id: String,
    /// When.
    pub at: String,
    /// How many entries it erased.
    pub erased: i64,
    /// `automatic`, `staff` or `staff, forced`.
    pub how: String,
}

/// Reads what `--db` names (a SQLite file or a `postgres://` URL)
/// read-only; refuses a database that holds no quizbooth schema.
pub async fn inspect(db: &Path) -> anyhow::Result<Inspection> {
    match db.to_str().filter(|d| super::is_postgres_url(d)) {
        #[cfg(feature = "postgres")]
        Some(url) => super::postgres::inspect::read(url).await,
        #[cfg(not(feature = "postgres"))]
        Some(_) => anyhow::bail!(super::NO_POSTGRES),
        None => {
            let path = db.to_path_buf();
            tokio::task::spawn_blocking(move || super::sqlite::inspect::read(&path)).await?
        }
    }
}
