//! Schema migrations by `PRAGMA user_version`, each in its own transaction.

use crate::contact::{mask_name, mask_phone, PhoneKey};
use rusqlite::Connection;

/// Migration `i` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the visitor flow, sets, draws.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE set_versions (
        version   TEXT PRIMARY KEY,
        set_id    TEXT NOT NULL,
        source    TEXT NOT NULL,
        loaded_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id           TEXT PRIMARY KEY,
        set_id       TEXT NOT NULL,
        set_version  TEXT NOT NULL,
        round_id     TEXT NOT NULL,
        lang         TEXT NOT NULL,
        served       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        submitted_at TEXT,
        outcome      TEXT
    ) WITHOUT ROWID;
    CREATE TABLE entries (
        code        TEXT PRIMARY KEY,
        session_id  TEXT NOT NULL UNIQUE,
        set_id      TEXT NOT NULL,
        set_version TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        name        TEXT NOT NULL,
        phone       TEXT NOT NULL,
        score       INTEGER NOT NULL,
        percent     INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        UNIQUE (set_id, round_id, phone)
    );
    CREATE TABLE round_stats (
        set_id    TEXT NOT NULL,
        round_id  TEXT NOT NULL,
        started   INTEGER NOT NULL DEFAULT 0,
        submitted INTEGER NOT NULL DEFAULT 0,
        passed    INTEGER NOT NULL DEFAULT 0,
        entries   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id)
    ) WITHOUT ROWID;
    CREATE TABLE question_stats (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        question_id TEXT NOT NULL,
        answered    INTEGER NOT NULL DEFAULT 0,
        correct     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, question_id)
    ) WITHOUT ROWID;
    CREATE TABLE draws (
        id             INTEGER PRIMARY KEY,
        set_id         TEXT NOT NULL,
        round_id       TEXT NOT NULL,
        prize          TEXT NOT NULL,
        winners_wanted INTEGER NOT NULL,
        entries_txt    TEXT NOT NULL,
        entries_digest TEXT NOT NULL,
        entry_count    INTEGER NOT NULL,
        committed_at   TEXT NOT NULL,
        public_seed    TEXT,
        revealed_at    TEXT
    );
    CREATE TABLE draw_winners (
        draw_id  INTEGER NOT NULL REFERENCES draws(id),
        position INTEGER NOT NULL,
        code     TEXT NOT NULL,
        PRIMARY KEY (draw_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX draw_winners_code ON draw_winners(code);
    -- A committed draw is never changed or deleted; a reveal only fills the seed once.
    CREATE TRIGGER draws_never_deleted BEFORE DELETE ON draws
    BEGIN SELECT RAISE(ABORT, 'a committed draw is never deleted'); END;
    CREATE TRIGGER draws_commitment_fixed BEFORE UPDATE ON draws
    WHEN OLD.public_seed IS NOT NULL
      OR NEW.entries_txt IS NOT OLD.entries_txt
      OR NEW.entries_digest IS NOT OLD.entries_digest
      OR NEW.entry_count IS NOT OLD.entry_count
      OR NEW.set_id IS NOT OLD.set_id
      OR NEW.round_id IS NOT OLD.round_id
      OR NEW.prize IS NOT OLD.prize
      OR NEW.winners_wanted IS NOT OLD.winners_wanted
      OR NEW.committed_at IS NOT OLD.committed_at
    BEGIN SELECT RAISE(ABORT, 'a committed draw is never changed'); END;
    CREATE TRIGGER draw_winners_fixed BEFORE DELETE ON draw_winners
    BEGIN SELECT RAISE(ABORT, 'winners are never removed'); END;",
    // 2: sessions as a rowid table (a submitted row is larger than a
    // WITHOUT ROWID page keeps inline, so each spilled into its own overflow
    // page), and a covering index so a draw's pool is read from the index alone.
    "CREATE TABLE sessions_v2 (
        id           TEXT PRIMARY KEY,
        set_id       TEXT NOT NULL,
        set_version  TEXT NOT NULL,
        round_id     TEXT NOT NULL,
        lang         TEXT NOT NULL,
        served       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        submitted_at TEXT,
        outcome      TEXT
    );
    INSERT INTO sessions_v2 SELECT id, set_id, set_version, round_id, lang, served, created_at,
        expires_at, submitted_at, outcome FROM sessions;
    DROP TABLE sessions;
    ALTER TABLE sessions_v2 RENAME TO sessions;
    CREATE INDEX entries_pool ON entries (set_id, round_id, code);",
    // 3: a session is its sealed token (`quiz::token`) and nothing is stored
    // when it starts; a submission is stored under the session's key, which
    // rises with time, so submissions are appended to the table.
    // Sessions of version 2 had ids that no token names: they go.
    "CREATE TABLE submissions (
        id           INTEGER PRIMARY KEY,
        submitted_at TEXT NOT NULL,
        score        INTEGER NOT NULL,
        percent      INTEGER NOT NULL,
        passed       INTEGER NOT NULL,
        given        TEXT NOT NULL
    );
    DROP TABLE sessions;",
    // 4: one index for the code instead of two. `code TEXT PRIMARY KEY` and
    // `entries_pool (set_id, round_id, code)` both put each entry at a random
    // place; `entries_code (code, set_id, round_id)` does both jobs: a code is
    // looked up by its prefix (the writer refuses a code already taken before
    // inserting), and a draw's pool is read from it alone, in code order.
    // A quarter more entries a second.
    "CREATE TABLE entries_v4 (
        code        TEXT NOT NULL,
        session_id  TEXT NOT NULL UNIQUE,
        set_id      TEXT NOT NULL,
        set_version TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        name        TEXT NOT NULL,
        phone       TEXT NOT NULL,
        score       INTEGER NOT NULL,
        percent     INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        UNIQUE (set_id, round_id, phone)
    );
    INSERT INTO entries_v4 SELECT code, session_id, set_id, set_version, round_id, name, phone,
        score, percent, created_at FROM entries;
    DROP TABLE entries;
    ALTER TABLE entries_v4 RENAME TO entries;
    CREATE UNIQUE INDEX entries_code ON entries (code, set_id, round_id);",
    // 5: a draw's winners are written by its reveal alone, in pick order, up
    // to the count the reveal fixed, and never changed; the reveal is the
    // only change a committed draw takes, once.
    "DROP TRIGGER draws_commitment_fixed;
    ALTER TABLE draws ADD COLUMN winner_count INTEGER;
    UPDATE draws SET winner_count = (SELECT COUNT(*) FROM draw_winners w WHERE w.draw_id = draws.id)
    WHERE public_seed IS NOT NULL;
    CREATE TRIGGER draws_commitment_fixed BEFORE UPDATE ON draws
    WHEN OLD.public_seed IS NOT NULL
      OR NEW.public_seed IS NULL
      OR NEW.revealed_at IS NULL
      OR NEW.winner_count IS NULL
      OR NEW.id IS NOT OLD.id
      OR NEW.entries_txt IS NOT OLD.entries_txt
      OR NEW.entries_digest IS NOT OLD.entries_digest
      OR NEW.entry_count IS NOT OLD.entry_count
      OR NEW.set_id IS NOT OLD.set_id
      OR NEW.round_id IS NOT OLD.round_id
      OR NEW.prize IS NOT OLD.prize
      OR NEW.winners_wanted IS NOT OLD.winners_wanted
      OR NEW.committed_at IS NOT OLD.committed_at
    BEGIN SELECT RAISE(ABORT, 'a committed draw is never changed'); END;
    CREATE TRIGGER draw_winners_by_reveal_only BEFORE INSERT ON draw_winners
    WHEN (SELECT public_seed FROM draws WHERE id = NEW.draw_id) IS NULL
      OR NEW.position >= COALESCE((SELECT winner_count FROM draws WHERE id = NEW.draw_id), 0)
      OR (NEW.position > 0 AND NOT EXISTS (SELECT 1 FROM draw_winners
            WHERE draw_id = NEW.draw_id AND position = NEW.position - 1))
    BEGIN SELECT RAISE(ABORT, 'winners are written by the reveal alone'); END;
    CREATE TRIGGER draw_winners_never_changed BEFORE UPDATE ON draw_winners
    BEGIN SELECT RAISE(ABORT, 'winners are never changed'); END;",
    // 6: after the draw. An entry's private receipt and its consent to
    // publication; a draw's claim deadline, the draw it re-draws, and the
    // highest entry rowid its pool could hold (entries are appended and
    // never deleted, so an entry is in a pool when its rowid is at most
    // this and it had not won an earlier draw of the round); claims, once
    // per win; and the audit log, append-only.
    "ALTER TABLE entries ADD COLUMN receipt TEXT;
    ALTER TABLE entries ADD COLUMN publish INTEGER NOT NULL DEFAULT 0;
    CREATE UNIQUE INDEX entries_receipt ON entries (receipt) WHERE receipt IS NOT NULL;
    DROP TRIGGER draws_commitment_fixed;
    ALTER TABLE draws ADD COLUMN claim_by TEXT;
    ALTER TABLE draws ADD COLUMN replaces INTEGER REFERENCES draws(id);
    ALTER TABLE draws ADD COLUMN pool_watermark INTEGER;
    UPDATE draws SET pool_watermark = COALESCE(
        (SELECT MAX(e.rowid) FROM entries e WHERE e.created_at <= draws.committed_at), 0);
    CREATE TRIGGER draws_commitment_fixed BEFORE UPDATE ON draws
    WHEN OLD.public_seed IS NOT NULL
      OR NEW.public_seed IS NULL
      OR NEW.revealed_at IS NULL
      OR NEW.winner_count IS NULL
      OR NEW.id IS NOT OLD.id
      OR NEW.entries_txt IS NOT OLD.entries_txt
      OR NEW.entries_digest IS NOT OLD.entries_digest
      OR NEW.entry_count IS NOT OLD.entry_count
      OR NEW.set_id IS NOT OLD.set_id
      OR NEW.round_id IS NOT OLD.round_id
      OR NEW.prize IS NOT OLD.prize
      OR NEW.winners_wanted IS NOT OLD.winners_wanted
      OR NEW.committed_at IS NOT OLD.committed_at
      OR NEW.claim_by IS NOT OLD.claim_by
      OR NEW.replaces IS NOT OLD.replaces
      OR NEW.pool_watermark IS NOT OLD.pool_watermark
    BEGIN SELECT RAISE(ABORT, 'a committed draw is never changed'); END;
    CREATE UNIQUE INDEX draws_replaces ON draws (replaces) WHERE replaces IS NOT NULL;
    CREATE TABLE claims (
        draw_id    INTEGER NOT NULL REFERENCES draws(id),
        code       TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        PRIMARY KEY (draw_id, code)
    ) WITHOUT ROWID;
    CREATE TRIGGER claims_of_winners_only BEFORE INSERT ON claims
    WHEN NOT EXISTS (SELECT 1 FROM draw_winners WHERE draw_id = NEW.draw_id AND code = NEW.code)
    BEGIN SELECT RAISE(ABORT, 'only a winner can claim'); END;
    CREATE TRIGGER claims_never_changed BEFORE UPDATE ON claims
    BEGIN SELECT RAISE(ABORT, 'a claim is never changed'); END;
    CREATE TRIGGER claims_never_removed BEFORE DELETE ON claims
    BEGIN SELECT RAISE(ABORT, 'a claim is never removed'); END;
    CREATE TABLE audit (
        seq    INTEGER PRIMARY KEY,
        at     TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        hash   TEXT NOT NULL
    );
    CREATE TRIGGER audit_never_changed BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_never_removed BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // 7: personal information by SPEC §8. A name and phone can be erased
    // (NULL, with when and why); the phone is also kept as a keyed hash
    // (filled in by `after` below: SQL has no HMAC), which holds "one entry
    // per phone per round" after a purge; the masks a winner agreed to
    // publish are kept apart so they outlive the purge. Rowids are kept:
    // draws' pool watermarks count them. Withdrawals are a table of their
    // own, so the pool is still read from `entries_code` alone.
    "CREATE TABLE entries_v7 (
        code        TEXT NOT NULL,
        session_id  TEXT NOT NULL UNIQUE,
        set_id      TEXT NOT NULL,
        set_version TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        name        TEXT,
        phone       TEXT,
        phone_key   TEXT,
        score       INTEGER NOT NULL,
        percent     INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        receipt     TEXT,
        publish     INTEGER NOT NULL DEFAULT 0,
        name_mask   TEXT,
        phone_mask  TEXT,
        erased      TEXT CHECK (erased IN ('withdrawn', 'purged')),
        erased_at   TEXT,
        UNIQUE (set_id, round_id, phone_key)
    );
    INSERT INTO entries_v7 (rowid, code, session_id, set_id, set_version, round_id, name, phone,
        score, percent, created_at, receipt, publish)
    SELECT rowid, code, session_id, set_id, set_version, round_id, name, phone,
        score, percent, created_at, receipt, publish FROM entries;
    DROP TABLE entries;
    ALTER TABLE entries_v7 RENAME TO entries;
    CREATE UNIQUE INDEX entries_code ON entries (code, set_id, round_id);
    CREATE UNIQUE INDEX entries_receipt ON entries (receipt) WHERE receipt IS NOT NULL;
    CREATE TABLE withdrawals (
        code         TEXT PRIMARY KEY,
        withdrawn_at TEXT NOT NULL,
        after_draw   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER withdrawals_never_removed BEFORE DELETE ON withdrawals
    BEGIN SELECT RAISE(ABORT, 'a withdrawal is never undone'); END;
    CREATE TABLE purges (
        seq      INTEGER PRIMARY KEY,
        set_id   TEXT NOT NULL,
        round_id TEXT NOT NULL,
        at       TEXT NOT NULL,
        erased   INTEGER NOT NULL,
        how      TEXT NOT NULL
    );
    CREATE INDEX purges_round ON purges (set_id, round_id, at);",
    // 8: one call, one seed (SPEC §5.2): the number of digits a draw's
    // seed must have, fixed at commit like the rest of the draw.
    "ALTER TABLE draws ADD COLUMN seed_digits INTEGER CHECK (seed_digits BETWEEN 1 AND 64);
    DROP TRIGGER draws_commitment_fixed;
    CREATE TRIGGER draws_commitment_fixed BEFORE UPDATE ON draws
    WHEN OLD.public_seed IS NOT NULL
      OR NEW.public_seed IS NULL
      OR NEW.revealed_at IS NULL
      OR NEW.winner_count IS NULL
      OR NEW.id IS NOT OLD.id
      OR NEW.entries_txt IS NOT OLD.entries_txt
      OR NEW.entries_digest IS NOT OLD.entries_digest
      OR NEW.entry_count IS NOT OLD.entry_count
      OR NEW.set_id IS NOT OLD.set_id
      OR NEW.round_id IS NOT OLD.round_id
      OR NEW.prize IS NOT OLD.prize
      OR NEW.winners_wanted IS NOT OLD.winners_wanted
      OR NEW.committed_at IS NOT OLD.committed_at
      OR NEW.claim_by IS NOT OLD.claim_by
      OR NEW.replaces IS NOT OLD.replaces
      OR NEW.pool_watermark IS NOT OLD.pool_watermark
      OR NEW.seed_digits IS NOT OLD.seed_digits
    BEGIN SELECT RAISE(ABORT, 'a committed draw is never changed'); END;",
    // 9: what `audit-verify` checks the log against stays as recorded. An
    // entry a committed draw's pool holds (its round's, at most the draw's
    // watermark) is never deleted and keeps its code, set and round (a
    // withdrawal or purge still erases its name and phone); withdrawals
    // and purges are never changed or removed. Withdrawals are audited
    // from now on (`entry_withdrawn`); those made before get their row
    // here (`after`), each at its own time.
    "CREATE TRIGGER entries_in_a_pool_never_removed BEFORE DELETE ON entries
    WHEN EXISTS (SELECT 1 FROM draws WHERE set_id = OLD.set_id AND round_id = OLD.round_id
                 AND pool_watermark >= OLD.rowid)
    BEGIN SELECT RAISE(ABORT, 'an entry a committed draw holds is never removed'); END;
    CREATE TRIGGER entries_in_a_pool_fixed BEFORE UPDATE ON entries
    WHEN (NEW.rowid IS NOT OLD.rowid OR NEW.code IS NOT OLD.code
          OR NEW.set_id IS NOT OLD.set_id OR NEW.round_id IS NOT OLD.round_id)
      AND EXISTS (SELECT 1 FROM draws WHERE set_id = OLD.set_id AND round_id = OLD.round_id
                  AND pool_watermark >= OLD.rowid)
    BEGIN SELECT RAISE(ABORT, 'an entry a committed draw holds keeps its code and round'); END;
    CREATE TRIGGER withdrawals_never_changed BEFORE UPDATE ON withdrawals
    BEGIN SELECT RAISE(ABORT, 'a withdrawal is never changed'); END;
    CREATE TRIGGER purges_never_changed BEFORE UPDATE ON purges
    BEGIN SELECT RAISE(ABORT, 'a purge is never changed'); END;
    CREATE TRIGGER purges_never_removed BEFORE DELETE ON purges
    BEGIN SELECT RAISE(ABORT, 'a purge is never removed'); END;",
    // 10: a session's identity is its key and a random nonce (issue 21: two
    // nodes, or one clock set back, could hand out one key twice; see
    // `quiz::token`). Submissions kept before have nonce 0, as the tokens
    // that name them. Clustered on the identity, whose key rises with time.
    "CREATE TABLE submissions_v10 (
        id           INTEGER NOT NULL,
        nonce        INTEGER NOT NULL,
        submitted_at TEXT NOT NULL,
        score        INTEGER NOT NULL,
        percent      INTEGER NOT NULL,
        passed       INTEGER NOT NULL,
        given        TEXT NOT NULL,
        PRIMARY KEY (id, nonce)
    ) WITHOUT ROWID;
    INSERT INTO submissions_v10 (id, nonce, submitted_at, score, percent, passed, given)
    SELECT id, 0, submitted_at, score, percent, passed, given FROM submissions;
    DROP TABLE submissions;
    ALTER TABLE submissions_v10 RENAME TO submissions;",
    // 11: a key per round for the phone hash (SPEC §8), destroyed with the
    // round's purge, so what a purge leaves cannot be matched by trying
    // every mobile number; entries hashed under the one secret of
    // migration 7 are hashed again under their round's key by `after`
    // (SQL has no HMAC), the hashes of purged entries go, and so does that
    // secret. And the set versions each round's entries were made on, kept
    // by a trigger, so a round's keeping time follows the version its
    // entries were made on after a new version renames or drops it.
    "CREATE TABLE round_keys (
        id       INTEGER PRIMARY KEY,
        set_id   TEXT NOT NULL,
        round_id TEXT NOT NULL,
        secret   TEXT NOT NULL,
        UNIQUE (set_id, round_id)
    );
    UPDATE entries SET phone_key = NULL WHERE phone IS NULL AND phone_key IS NOT NULL;
    CREATE TABLE round_versions (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        set_version TEXT NOT NULL,
        PRIMARY KEY (set_id, round_id, set_version)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO round_versions (set_id, round_id, set_version)
        SELECT DISTINCT set_id, round_id, set_version FROM entries;
    CREATE TRIGGER entries_round_version AFTER INSERT ON entries
    BEGIN
        INSERT OR IGNORE INTO round_versions (set_id, round_id, set_version)
        VALUES (NEW.set_id, NEW.round_id, NEW.set_version);
    END;",
    // 12: sources (SPEC §11): the list staff keep, in their order, and the
    // source each submission and entry came from (`direct` when none, as
    // every row kept before).
    "CREATE TABLE sources (
        position  INTEGER PRIMARY KEY,
        id        TEXT NOT NULL UNIQUE,
        name      TEXT NOT NULL,
        headcount INTEGER
    );
    ALTER TABLE submissions ADD COLUMN source TEXT NOT NULL DEFAULT 'direct';
    ALTER TABLE entries ADD COLUMN source TEXT NOT NULL DEFAULT 'direct';",
    // 13: what people get wrong (SPEC §11): how many chose each option of a
    // question, and how many spent each whole second on it (a histogram
    // whose median is exact and whose rows add up across nodes). Counted
    // from here on: a submission kept before has no set or round to count under.
    "CREATE TABLE question_picks (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        question_id TEXT NOT NULL,
        option_key  TEXT NOT NULL,
        picks       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, question_id, option_key)
    ) WITHOUT ROWID;
    CREATE TABLE question_secs (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        question_id TEXT NOT NULL,
        secs        INTEGER NOT NULL,
        n           INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, question_id, secs)
    ) WITHOUT ROWID;",
    // 14: the funnel (SPEC §11): visits, starts, submissions, passes and
    // entries per set, round, UTC hour (unix seconds / 3600) and source,
    // added up with `round_stats` from the same counts. It starts empty:
    // what happened before was never counted by hour (nor visits at all).
    "CREATE TABLE funnel_stats (
        set_id    TEXT NOT NULL,
        round_id  TEXT NOT NULL,
        hour      INTEGER NOT NULL,
        source    TEXT NOT NULL,
        visits    INTEGER NOT NULL DEFAULT 0,
        starts    INTEGER NOT NULL DEFAULT 0,
        submitted INTEGER NOT NULL DEFAULT 0,
        passed    INTEGER NOT NULL DEFAULT 0,
        entries   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, hour, source)
    ) WITHOUT ROWID;",
];

/// The version since which a submission is kept under its key and nonce.
#[cfg(test)]
const SUBMISSION_NONCE: usize = 10;

/// `meta` key of the one secret phones were hashed under (migrations 7 to 11).
const PHONE_KEY_SECRET: &str = "phone_key_secret";

/// What a migration needs that SQL cannot do, run in its transaction after its SQL.
fn after(tx: &rusqlite::Transaction<'_>, version: usize) -> rusqlite::Result<()> {
    match version {
        7 => hash_phones(tx),
        9 => audit_earlier_withdrawals(tx),
        11 => rekey_phones(tx),
        _ => Ok(()),
    }
}

/// Migration 9: an `entry_withdrawn` row for each withdrawal made before
/// withdrawals were audited, oldest first, at the time it was made.
fn audit_earlier_withdrawals(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let earlier: Vec<(String, String)> = tx
        .prepare("SELECT code, withdrawn_at FROM withdrawals ORDER BY withdrawn_at, code")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (code, at) in earlier {
        let detail = crate::store::rules::withdrawal_detail(
            &code,
            crate::store::rules::WithdrawnBy::Entrant,
        );
        super::audit::append_row(tx, crate::store::AuditAction::EntryWithdrawn, &detail, &at)?;
    }
    Ok(())
}

/// Migration 7: the keyed hash and the published masks of earlier entries.
fn hash_phones(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
        rusqlite::params![PHONE_KEY_SECRET, crate::store::new_secret()],
    )?;
    let key = phone_key(tx)?;
    let rows: Vec<(i64, String, String, bool)> = tx
        .prepare("SELECT rowid, name, phone, publish FROM entries WHERE phone IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = tx.prepare(
        "UPDATE entries SET phone_key = ?2, name_mask = ?3, phone_mask = ?4 WHERE rowid = ?1",
    )?;
    for (rowid, name, phone, publish) in rows {
        let (name_mask, phone_mask) = if publish {
            (Some(mask_name(&name)), Some(mask_phone(&phone)))
        } else {
            (None, None)
        };
        st.execute(rusqlite::params![
            rowid,
            key.of(&phone),
            name_mask,
            phone_mask
        ])?;
    }
    Ok(())
}

/// The one key phones were hashed under from migration 7 to migration 11.
fn phone_key(conn: &Connection) -> rusqlite::Result<PhoneKey> {
    let secret: String = conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [PHONE_KEY_SECRET],
        |r| r.get(0),
    )?;
    Ok(PhoneKey::new(secret.as_bytes()))
}

/// Migration 11: each phone still held is hashed again under its round's
/// key (made here), and the one secret of migration 7 is deleted, so a
/// hash left from before (a purged entry's, in a free page) has no key.
fn rekey_phones(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String, String, String)> = tx
        .prepare("SELECT rowid, set_id, round_id, phone FROM entries WHERE phone IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut keys = std::collections::HashMap::new();
    let mut st = tx.prepare("UPDATE entries SET phone_key = ?2 WHERE rowid = ?1")?;
    for (rowid, set_id, round_id, phone) in rows {
        let key = match keys.entry((set_id, round_id)) {
            std::collections::hash_map::Entry::Occupied(k) => k.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let (set_id, round_id) = v.key();
                let key = super::keys::round_key(tx, set_id, round_id)?;
                v.insert(key)
            }
        };
        st.execute(rusqlite::params![rowid, key.of(&phone)])?;
    }
    tx.execute("DELETE FROM meta WHERE key = ?1", [PHONE_KEY_SECRET])?;
    Ok(())
}

/// Brings the schema up to date.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        after(&tx, i + 1)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_11_hashes_held_phones_under_their_rounds_key_and_leaves_no_key_for_purged_ones() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS[..10].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            after(&tx, i + 1).unwrap();
            tx.pragma_update(None, "user_version", i + 1).unwrap();
            tx.commit().unwrap();
        }
        let global = phone_key(&conn).unwrap();
        let insert = "INSERT INTO entries (code, session_id, set_id, set_version, round_id, name,
             phone, phone_key, score, percent, created_at, erased)
             VALUES (?1, ?1, 'set', 'v', ?2, ?3, ?4, ?5, 9, 90, 't', ?6)";
        let held = global.of("13800138000");
        let purged = global.of("13900139000");
        conn.execute(
            insert,
            rusqlite::params!["A", "w1", "张三", "13800138000", held, None::<String>],
        )
        .unwrap();
        conn.execute(
            insert,
            rusqlite::params!["B", "w2", None::<String>, None::<String>, purged, "purged"],
        )
        .unwrap();
        migrate(&mut conn).unwrap();

        let hash = |code: &str| -> Option<String> {
            conn.query_row(
                "SELECT phone_key FROM entries WHERE code = ?1",
                [code],
                |r| r.get(0),
            )
            .unwrap()
        };
        let w1: String = conn
            .query_row(
                "SELECT secret FROM round_keys WHERE round_id = 'w1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            hash("A"),
            Some(PhoneKey::new(w1.as_bytes()).of("13800138000"))
        );
        assert_eq!(hash("B"), None, "a purged entry keeps no hash");
        let keys: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM round_keys WHERE round_id = 'w2'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(keys, 0, "a round with no phone held gets no key");
        assert!(phone_key(&conn).is_err(), "the one secret is gone");
    }

    #[test]
    fn withdrawals_made_before_they_were_audited_get_their_row_in_the_chain() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS[..7].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            after(&tx, i + 1).unwrap();
            tx.pragma_update(None, "user_version", i + 1).unwrap();
            tx.commit().unwrap();
        }
        let at = "2026-12-01T10:00:00+08:00";
        super::super::audit::append_row(&conn, crate::store::AuditAction::SetUploaded, "s", at)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO withdrawals VALUES ('BBBB-BBBB', '2026-12-01T11:00:00+08:00', 0);
             INSERT INTO withdrawals VALUES ('AAAA-AAAA', '2026-12-01T10:30:00+08:00', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<crate::store::AuditEntry> = conn
            .prepare("SELECT seq, at, action, detail, hash FROM audit ORDER BY seq")
            .unwrap()
            .query_map([], |r| {
                Ok(crate::store::AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                    hash: r.get(4)?,
                })
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let logged: Vec<(&str, &str, &str)> = rows[1..]
            .iter()
            .map(|r| (r.at.as_str(), r.action.as_str(), r.detail.as_str()))
            .collect();
        assert_eq!(
            logged,
            [
                (
                    "2026-12-01T10:30:00+08:00",
                    "entry_withdrawn",
                    "entry AAAA-AAAA withdrawn"
                ),
                (
                    "2026-12-01T11:00:00+08:00",
                    "entry_withdrawn",
                    "entry BBBB-BBBB withdrawn"
                ),
            ],
            "oldest first, each at its own time"
        );
        assert_eq!(
            crate::audit::verify(&rows),
            Ok(()),
            "chained on the rows before"
        );
    }

    #[test]
    fn submissions_kept_before_the_nonce_keep_their_key_with_nonce_0() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS[..SUBMISSION_NONCE - 1].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            after(&tx, i + 1).unwrap();
            tx.pragma_update(None, "user_version", i + 1).unwrap();
            tx.commit().unwrap();
        }
        conn.execute(
            "INSERT INTO submissions VALUES (42, 't', 9, 90, 1, '{\"q1\":\"A\"}')",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let kept: (i64, i64, String) = conn
            .query_row("SELECT id, nonce, given FROM submissions", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(kept, (42, 0, r#"{"q1":"A"}"#.to_owned()));
        let insert = |nonce: i64| {
            conn.execute(
                "INSERT INTO submissions (id, nonce, submitted_at, score, percent, passed, given)
                 VALUES (42, ?1, 't', 9, 90, 1, '{}')",
                [nonce],
            )
        };
        assert!(
            insert(-5).is_ok(),
            "the same key, another nonce: another session"
        );
        assert!(insert(0).is_err(), "the same identity is refused");
    }

    #[test]
    fn migrations_run_once_and_end_at_the_current_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO round_stats (set_id, round_id, started) VALUES ('set', 'open', 5)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO entries VALUES ('AAAA-AAAA', 's', 'set', 'v', 'open', '张三', '13800138000', 9, 90, 't')",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len());
        let started: i64 = conn
            .query_row("SELECT started FROM round_stats", [], |r| r.get(0))
            .unwrap();
        assert_eq!(started, 5, "the counters survived");
        let phone: String = conn
            .query_row(
                "SELECT phone FROM entries WHERE code = 'AAAA-AAAA'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(phone, "13800138000", "the entry survived the rebuild");
        let (key, mask): (String, Option<String>) = conn
            .query_row(
                "SELECT phone_key, name_mask FROM entries WHERE code = 'AAAA-AAAA'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let round_key: String = conn
            .query_row(
                "SELECT secret FROM round_keys WHERE set_id = 'set' AND round_id = 'open'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            key,
            PhoneKey::new(round_key.as_bytes()).of("13800138000"),
            "an older entry's phone is hashed under its round's key"
        );
        let global: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM meta WHERE key = ?1",
                [PHONE_KEY_SECRET],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(global, 0, "the one secret of migration 7 is gone");
        let versions: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM round_versions WHERE set_version = 'v'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(versions, 1, "the round's set version is known");
        assert_eq!(mask, None, "no mask kept for an entrant who did not agree");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(tables.contains(&"submissions".to_owned()), "{tables:?}");
        assert!(!tables.contains(&"sessions".to_owned()), "{tables:?}");
        let plan: String = conn
            .query_row(
                &format!("EXPLAIN QUERY PLAN {}", super::super::draws::POOL_CODES),
                rusqlite::named_params! {":set_id": "a", ":round_id": "b"},
                |r| r.get(3),
            )
            .unwrap();
        assert!(
            plan.contains("COVERING INDEX entries_code"),
            "the pool is read from the code index alone: {plan}"
        );
    }
}
