//! The PostgreSQL schema, by migrations kept in `schema_version`. Nodes
//! starting together take a session advisory lock first, so one migrates
//! and the others find the schema current. The SQL stays with what
//! PostgreSQL 13 and the engines that speak its protocol accept: no
//! generated columns, no `MERGE`, triggers `EXECUTE PROCEDURE`.
//!
//! Times are RFC 3339 text, as on SQLite, so both engines give back the
//! same strings (a draw's `committed_at` is part of what is published).

use tokio_postgres::Client;

/// Advisory lock key of migrations (any fixed number unlikely to clash).
const MIGRATION_LOCK: i64 = 0x7175_697a_0001;

/// Migration `i` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: everything SQLite reached by its seventh migration, and what only
    // several nodes need: the sets shared through the database, node numbers.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE set_versions (
        seq       BIGSERIAL NOT NULL,
        version   TEXT PRIMARY KEY,
        set_id    TEXT NOT NULL,
        source    TEXT NOT NULL,
        loaded_at TEXT NOT NULL
    );
    CREATE INDEX set_versions_set ON set_versions (set_id, seq);
    -- The sets uploaded or removed through the console: every node serves
    -- what this says (SPEC §10); `meta.sets_generation` rises with each change.
    CREATE TABLE shared_sets (
        set_id     TEXT PRIMARY KEY,
        version    TEXT NOT NULL REFERENCES set_versions (version),
        removed    BOOLEAN NOT NULL DEFAULT FALSE,
        changed_at TEXT NOT NULL
    );
    CREATE SEQUENCE node_numbers;
    CREATE TABLE submissions (
        id           BIGINT PRIMARY KEY,
        submitted_at TEXT NOT NULL,
        score        BIGINT NOT NULL,
        percent      BIGINT NOT NULL,
        passed       BOOLEAN NOT NULL,
        given        TEXT NOT NULL
    );
    -- `seq` orders entries within a round: a draw's watermark is the highest
    -- `seq` of its round, read under the round's lock (see `entries.rs`).
    CREATE TABLE entries (
        seq         BIGSERIAL PRIMARY KEY,
        code        TEXT NOT NULL,
        session_id  TEXT NOT NULL,
        set_id      TEXT NOT NULL,
        set_version TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        name        TEXT,
        phone       TEXT,
        phone_key   TEXT,
        score       BIGINT NOT NULL,
        percent     BIGINT NOT NULL,
        created_at  TEXT NOT NULL,
        receipt     TEXT,
        publish     BOOLEAN NOT NULL DEFAULT FALSE,
        name_mask   TEXT,
        phone_mask  TEXT,
        erased      TEXT CHECK (erased IN ('withdrawn', 'purged')),
        erased_at   TEXT,
        CONSTRAINT entries_code UNIQUE (code),
        CONSTRAINT entries_session UNIQUE (session_id),
        CONSTRAINT entries_receipt UNIQUE (receipt),
        CONSTRAINT entries_phone UNIQUE (set_id, round_id, phone_key)
    );
    CREATE INDEX entries_pool ON entries (set_id, round_id, code);
    -- The staff's counters, each row split in shards so that concurrent
    -- transactions of many nodes rarely wait for one another's row.
    CREATE TABLE round_stats (
        set_id    TEXT NOT NULL,
        round_id  TEXT NOT NULL,
        shard     INTEGER NOT NULL,
        started   BIGINT NOT NULL DEFAULT 0,
        submitted BIGINT NOT NULL DEFAULT 0,
        passed    BIGINT NOT NULL DEFAULT 0,
        entries   BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, shard)
    );
    CREATE TABLE question_stats (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        question_id TEXT NOT NULL,
        shard       INTEGER NOT NULL,
        answered    BIGINT NOT NULL DEFAULT 0,
        correct     BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, question_id, shard)
    );
    CREATE TABLE draws (
        id             BIGSERIAL PRIMARY KEY,
        set_id         TEXT NOT NULL,
        round_id       TEXT NOT NULL,
        prize          TEXT NOT NULL,
        winners_wanted BIGINT NOT NULL,
        entries_txt    TEXT NOT NULL,
        entries_digest TEXT NOT NULL,
        entry_count    BIGINT NOT NULL,
        committed_at   TEXT NOT NULL,
        public_seed    TEXT,
        revealed_at    TEXT,
        winner_count   BIGINT,
        claim_by       TEXT,
        replaces       BIGINT REFERENCES draws (id),
        pool_watermark BIGINT NOT NULL
    );
    -- One pending draw per round, whichever node commits it.
    CREATE UNIQUE INDEX draws_one_pending ON draws (set_id, round_id) WHERE public_seed IS NULL;
    CREATE UNIQUE INDEX draws_replaces ON draws (replaces) WHERE replaces IS NOT NULL;
    CREATE TABLE draw_winners (
        draw_id  BIGINT NOT NULL REFERENCES draws (id),
        position BIGINT NOT NULL,
        code     TEXT NOT NULL,
        PRIMARY KEY (draw_id, position)
    );
    CREATE INDEX draw_winners_code ON draw_winners (code);
    CREATE TABLE claims (
        draw_id    BIGINT NOT NULL REFERENCES draws (id),
        code       TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        PRIMARY KEY (draw_id, code)
    );
    CREATE TABLE audit (
        seq    BIGINT PRIMARY KEY,
        at     TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        hash   TEXT NOT NULL
    );
    CREATE TABLE withdrawals (
        code         TEXT PRIMARY KEY,
        withdrawn_at TEXT NOT NULL,
        after_draw   BIGINT NOT NULL
    );
    CREATE TABLE purges (
        seq      BIGSERIAL PRIMARY KEY,
        set_id   TEXT NOT NULL,
        round_id TEXT NOT NULL,
        at       TEXT NOT NULL,
        erased   BIGINT NOT NULL,
        how      TEXT NOT NULL
    );
    CREATE INDEX purges_round ON purges (set_id, round_id, seq);

    -- The immutability rules of SQLite's triggers, as plpgsql.
    CREATE FUNCTION quizbooth_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END $$;
    CREATE TRIGGER draws_never_deleted BEFORE DELETE ON draws
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a committed draw is never deleted');
    CREATE FUNCTION quizbooth_draw_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.public_seed IS NOT NULL OR NEW.public_seed IS NULL OR NEW.revealed_at IS NULL
           OR NEW.winner_count IS NULL
           OR NEW.id IS DISTINCT FROM OLD.id
           OR NEW.entries_txt IS DISTINCT FROM OLD.entries_txt
           OR NEW.entries_digest IS DISTINCT FROM OLD.entries_digest
           OR NEW.entry_count IS DISTINCT FROM OLD.entry_count
           OR NEW.set_id IS DISTINCT FROM OLD.set_id
           OR NEW.round_id IS DISTINCT FROM OLD.round_id
           OR NEW.prize IS DISTINCT FROM OLD.prize
           OR NEW.winners_wanted IS DISTINCT FROM OLD.winners_wanted
           OR NEW.committed_at IS DISTINCT FROM OLD.committed_at
           OR NEW.claim_by IS DISTINCT FROM OLD.claim_by
           OR NEW.replaces IS DISTINCT FROM OLD.replaces
           OR NEW.pool_watermark IS DISTINCT FROM OLD.pool_watermark THEN
            RAISE EXCEPTION 'a committed draw is never changed';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER draws_commitment_fixed BEFORE UPDATE ON draws
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_draw_fixed();
    CREATE FUNCTION quizbooth_winner_by_reveal() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        d draws%ROWTYPE;
    BEGIN
        SELECT * INTO d FROM draws WHERE id = NEW.draw_id;
        IF d.public_seed IS NULL OR NEW.position < 0 OR NEW.position >= COALESCE(d.winner_count, 0)
           OR (NEW.position > 0 AND NOT EXISTS (SELECT 1 FROM draw_winners
                 WHERE draw_id = NEW.draw_id AND position = NEW.position - 1)) THEN
            RAISE EXCEPTION 'winners are written by the reveal alone';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER draw_winners_by_reveal_only BEFORE INSERT ON draw_winners
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_winner_by_reveal();
    CREATE TRIGGER draw_winners_never_changed BEFORE UPDATE ON draw_winners
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('winners are never changed');
    CREATE TRIGGER draw_winners_fixed BEFORE DELETE ON draw_winners
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('winners are never removed');
    CREATE FUNCTION quizbooth_claim_of_winner() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM draw_winners WHERE draw_id = NEW.draw_id AND code = NEW.code) THEN
            RAISE EXCEPTION 'only a winner can claim';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER claims_of_winners_only BEFORE INSERT ON claims
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_claim_of_winner();
    CREATE TRIGGER claims_never_changed BEFORE UPDATE ON claims
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a claim is never changed');
    CREATE TRIGGER claims_never_removed BEFORE DELETE ON claims
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a claim is never removed');
    CREATE TRIGGER audit_never_changed BEFORE UPDATE ON audit
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('the audit log is append-only');
    CREATE TRIGGER audit_never_removed BEFORE DELETE ON audit
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('the audit log is append-only');
    CREATE TRIGGER withdrawals_never_removed BEFORE DELETE ON withdrawals
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a withdrawal is never undone');
    "#,
    // 2: node numbers by lease (`nodes.rs`) rather than from a sequence,
    // which after 256 starts would hand a live node's number to another.
    r#"
    DROP SEQUENCE node_numbers;
    CREATE TABLE node_leases (
        number     INTEGER PRIMARY KEY CHECK (number >= 0 AND number < 256),
        holder     TEXT NOT NULL,
        renewed_at TIMESTAMPTZ NOT NULL
    );
    "#,
    // 3: one call, one seed (SPEC §5.2): the number of digits a draw's
    // seed must have, fixed at commit like the rest of the draw.
    r#"
    ALTER TABLE draws ADD COLUMN seed_digits INTEGER CHECK (seed_digits BETWEEN 1 AND 64);
    -- A draw not revealed by its claim deadline can never be revealed,
    -- and still holds its round (draws_one_pending stays): letting a draw
    -- lapse is no way to try again with other numbers.
    CREATE OR REPLACE FUNCTION quizbooth_draw_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.public_seed IS NOT NULL OR NEW.public_seed IS NULL OR NEW.revealed_at IS NULL
           OR NEW.winner_count IS NULL
           OR NEW.id IS DISTINCT FROM OLD.id
           OR NEW.entries_txt IS DISTINCT FROM OLD.entries_txt
           OR NEW.entries_digest IS DISTINCT FROM OLD.entries_digest
           OR NEW.entry_count IS DISTINCT FROM OLD.entry_count
           OR NEW.set_id IS DISTINCT FROM OLD.set_id
           OR NEW.round_id IS DISTINCT FROM OLD.round_id
           OR NEW.prize IS DISTINCT FROM OLD.prize
           OR NEW.winners_wanted IS DISTINCT FROM OLD.winners_wanted
           OR NEW.committed_at IS DISTINCT FROM OLD.committed_at
           OR NEW.claim_by IS DISTINCT FROM OLD.claim_by
           OR NEW.replaces IS DISTINCT FROM OLD.replaces
           OR NEW.pool_watermark IS DISTINCT FROM OLD.pool_watermark
           OR NEW.seed_digits IS DISTINCT FROM OLD.seed_digits THEN
            RAISE EXCEPTION 'a committed draw is never changed';
        END IF;
        RETURN NEW;
    END $$;
    "#,
    // 4: what `audit-verify` checks the log against stays as recorded, as
    // SQLite's migration 9: an entry a committed draw's pool holds (its
    // round's, `seq` at most the draw's watermark) is never deleted and
    // keeps its code, set and round; withdrawals and purges are never
    // changed or removed. And `TRUNCATE`, which fires no row trigger, is
    // refused on every table the log speaks of (on entries once a draw is
    // committed). Withdrawals made before they were audited get their
    // `entry_withdrawn` row (`after`).
    r#"
    CREATE FUNCTION quizbooth_entry_in_pool() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM draws d WHERE d.set_id = OLD.set_id AND d.round_id = OLD.round_id
                   AND d.pool_watermark >= OLD.seq) THEN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'an entry a committed draw holds is never removed';
            END IF;
            IF NEW.seq IS DISTINCT FROM OLD.seq OR NEW.code IS DISTINCT FROM OLD.code
               OR NEW.set_id IS DISTINCT FROM OLD.set_id OR NEW.round_id IS DISTINCT FROM OLD.round_id THEN
                RAISE EXCEPTION 'an entry a committed draw holds keeps its code and round';
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER entries_in_a_pool_never_removed BEFORE DELETE ON entries
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_entry_in_pool();
    CREATE TRIGGER entries_in_a_pool_fixed BEFORE UPDATE OF seq, code, set_id, round_id ON entries
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_entry_in_pool();
    CREATE FUNCTION quizbooth_entries_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM draws) THEN
            RAISE EXCEPTION 'entries are never truncated once a draw is committed';
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER entries_never_truncated BEFORE TRUNCATE ON entries
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_entries_kept();
    CREATE TRIGGER withdrawals_never_changed BEFORE UPDATE ON withdrawals
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a withdrawal is never changed');
    CREATE TRIGGER purges_never_changed BEFORE UPDATE ON purges
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a purge is never changed');
    CREATE TRIGGER purges_never_removed BEFORE DELETE ON purges
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_refuse('a purge is never removed');
    CREATE TRIGGER audit_never_truncated BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_refuse('the audit log is append-only');
    CREATE TRIGGER draws_never_truncated BEFORE TRUNCATE ON draws
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_refuse('a committed draw is never deleted');
    CREATE TRIGGER draw_winners_never_truncated BEFORE TRUNCATE ON draw_winners
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_refuse('winners are never removed');
    CREATE TRIGGER claims_never_truncated BEFORE TRUNCATE ON claims
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_refuse('a claim is never removed');
    CREATE TRIGGER withdrawals_never_truncated BEFORE TRUNCATE ON withdrawals
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_refuse('a withdrawal is never undone');
    CREATE TRIGGER purges_never_truncated BEFORE TRUNCATE ON purges
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_refuse('a purge is never removed');
    "#,
    // 5: a session's identity is its key and a random nonce (issue 21; see
    // `quiz::token`); submissions kept before have nonce 0, as their tokens.
    // The default is kept for nodes of the version before, still running
    // while the others are upgraded: their tokens have no nonce.
    r#"
    ALTER TABLE submissions ADD COLUMN nonce BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE submissions DROP CONSTRAINT submissions_pkey;
    ALTER TABLE submissions ADD CONSTRAINT submissions_pkey PRIMARY KEY (id, nonce);
    "#,
    // 6: as SQLite's 11: a key per round for the phone hash, destroyed
    // (set to NULL) with the round's purge (`keys.rs`); entries hashed under the one secret
    // are hashed again under their round's key by `after`, purged ones lose
    // their hash, and the secret goes. And the set versions each round's
    // entries were made on, kept by a trigger, for the round's keeping time.
    r#"
    CREATE TABLE round_keys (
        id       BIGSERIAL PRIMARY KEY,
        set_id   TEXT NOT NULL,
        round_id TEXT NOT NULL,
        secret   TEXT,
        CONSTRAINT round_keys_round UNIQUE (set_id, round_id)
    );
    UPDATE entries SET phone_key = NULL WHERE phone IS NULL AND phone_key IS NOT NULL;
    CREATE TABLE round_versions (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        set_version TEXT NOT NULL,
        PRIMARY KEY (set_id, round_id, set_version)
    );
    INSERT INTO round_versions (set_id, round_id, set_version)
        SELECT DISTINCT set_id, round_id, set_version FROM entries;
    CREATE FUNCTION quizbooth_round_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO round_versions (set_id, round_id, set_version)
        VALUES (NEW.set_id, NEW.round_id, NEW.set_version) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END $$;
    CREATE TRIGGER entries_round_version AFTER INSERT ON entries
        FOR EACH ROW EXECUTE PROCEDURE quizbooth_round_version();
    "#,
    // 7: as SQLite's 12: the sources staff keep, and the source of each
    // submission and entry (`direct` for every row kept before; a constant
    // default adds the column without rewriting the table).
    r#"
    CREATE TABLE sources (
        position  INTEGER PRIMARY KEY,
        id        TEXT NOT NULL UNIQUE,
        name      TEXT NOT NULL,
        headcount INTEGER
    );
    ALTER TABLE submissions ADD COLUMN source TEXT NOT NULL DEFAULT 'direct';
    ALTER TABLE entries ADD COLUMN source TEXT NOT NULL DEFAULT 'direct';
    "#,
    // 8: the round's set versions kept once per statement, not once per row:
    // a batch of entries (`batch.rs`) is one INSERT, whose new rows the
    // trigger reads as a table; the row trigger ran an INSERT … ON CONFLICT
    // for each entry, a third of the server's work per entry.
    r#"
    DROP TRIGGER entries_round_version ON entries;
    DROP FUNCTION quizbooth_round_version();
    CREATE FUNCTION quizbooth_round_versions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO round_versions (set_id, round_id, set_version)
            SELECT DISTINCT set_id, round_id, set_version FROM new_entries
            ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$;
    CREATE TRIGGER entries_round_versions AFTER INSERT ON entries
        REFERENCING NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE PROCEDURE quizbooth_round_versions();
    "#,
    // 9: as SQLite's 13: the options each question's answers chose and the
    // seconds spent on it, sharded like `question_stats`.
    r#"
    CREATE TABLE question_picks (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        question_id TEXT NOT NULL,
        option_key  TEXT NOT NULL,
        shard       INTEGER NOT NULL,
        picks       BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, question_id, option_key, shard)
    );
    CREATE TABLE question_secs (
        set_id      TEXT NOT NULL,
        round_id    TEXT NOT NULL,
        question_id TEXT NOT NULL,
        secs        INTEGER NOT NULL,
        shard       INTEGER NOT NULL,
        n           BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, question_id, secs, shard)
    );
    "#,
    // 10: as SQLite's 14: the funnel, per set, round, UTC hour and source,
    // sharded as `round_stats` and summed when read.
    r#"
    CREATE TABLE funnel_stats (
        set_id    TEXT NOT NULL,
        round_id  TEXT NOT NULL,
        hour      BIGINT NOT NULL,
        source    TEXT NOT NULL,
        shard     INTEGER NOT NULL,
        visits    BIGINT NOT NULL DEFAULT 0,
        starts    BIGINT NOT NULL DEFAULT 0,
        submitted BIGINT NOT NULL DEFAULT 0,
        passed    BIGINT NOT NULL DEFAULT 0,
        entries   BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (set_id, round_id, hour, source, shard)
    );
    "#,
    // 11: a question's picks kept in its `question_stats` row, a slot per
    // option key (A–H, T: `stats.rs`), so a batch upserts a row per
    // question rather than one more per option picked; `question_picks`
    // keeps the rows written before and any key outside the slots, and
    // both are read and added.
    r#"
    ALTER TABLE question_stats ADD COLUMN IF NOT EXISTS picks BIGINT[] NOT NULL DEFAULT '{}';
    "#,
];

/// What a migration needs that SQL cannot do, in its transaction after its SQL.
async fn after(
    tx: &tokio_postgres::Transaction<'_>,
    version: usize,
) -> Result<(), tokio_postgres::Error> {
    if version != 4 {
        return Ok(());
    }
    // Migration 4: an `entry_withdrawn` row for each earlier withdrawal,
    // oldest first, at the time it was made, chained as `audit::append` does.
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&super::Lock::Audit.key()],
    )
    .await?;
    let earlier = tx
        .query(
            "SELECT code, withdrawn_at FROM withdrawals ORDER BY withdrawn_at, code",
            &[],
        )
        .await?;
    for w in earlier {
        let (code, at): (String, String) = (w.try_get(0)?, w.try_get(1)?);
        let last = tx
            .query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])
            .await?;
        let (seq, prev) = match last {
            Some(r) => (r.try_get::<_, i64>(0)? + 1, r.try_get::<_, String>(1)?),
            None => (1, crate::audit::GENESIS.to_owned()),
        };
        let action = crate::store::AuditAction::EntryWithdrawn.as_str();
        let detail = crate::store::rules::withdrawal_detail(
            &code,
            crate::store::rules::WithdrawnBy::Entrant,
        );
        let hash = crate::audit::hash(&prev, seq, &at, action, &detail);
        tx.execute(
            "INSERT INTO audit (seq, at, action, detail, hash) VALUES ($1, $2, $3, $4, $5)",
            &[&seq, &at, &action, &detail, &hash],
        )
        .await?;
    }
    Ok(())
}

/// Brings the schema up to date, one migration a transaction, under the
/// migration lock (held by this connection's session until it is released).
pub async fn migrate(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let outcome = migrate_locked(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    outcome?;
    unlocked.map(|_| ())
}

async fn migrate_locked(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    // Looked up rather than `CREATE … IF NOT EXISTS`, whose notice every
    // node after the first would log.
    let known = client
        .query_opt(
            "SELECT 1 FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'schema_version'",
            &[],
        )
        .await?;
    if known.is_none() {
        client
            .batch_execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            .await?;
    }
    let row = client
        .query_opt("SELECT version FROM schema_version", &[])
        .await?;
    let current = match row {
        Some(r) => r.try_get::<_, i32>(0)?,
        None => {
            client
                .execute("INSERT INTO schema_version (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    let mut rekeyed = false;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        after(&tx, i + 1).await?;
        if i + 1 == 6 {
            rekey_phones(&tx).await?;
            rekeyed = true;
        }
        tx.execute(
            "UPDATE schema_version SET version = $1",
            &[&((i + 1) as i32)],
        )
        .await?;
        tx.commit().await?;
    }
    if rekeyed {
        // The old hashes and the old secret leave the tables' pages now
        // rather than at the next autovacuum.
        client.batch_execute("VACUUM entries, meta").await?;
    }
    Ok(())
}

/// `meta` key of the one secret phones were hashed under before migration 6.
const PHONE_KEY_SECRET: &str = "phone_key_secret";

/// Migration 6: each phone still held is hashed again under its round's
/// key (made here), and the one secret is deleted; how many were.
async fn rekey_phones(
    tx: &tokio_postgres::Transaction<'_>,
) -> Result<usize, tokio_postgres::Error> {
    let rows = tx
        .query(
            "SELECT seq, set_id, round_id, phone FROM entries WHERE phone IS NOT NULL",
            &[],
        )
        .await?;
    let mut keys = std::collections::HashMap::new();
    let (mut seqs, mut hashes) = (
        Vec::with_capacity(rows.len()),
        Vec::with_capacity(rows.len()),
    );
    for r in &rows {
        let round: (String, String) = (r.try_get(1)?, r.try_get(2)?);
        let key = match keys.entry(round) {
            std::collections::hash_map::Entry::Occupied(k) => k.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let (set_id, round_id) = v.key();
                let key = super::keys::round_key(tx, set_id, round_id).await?;
                v.insert(key)
            }
        };
        let phone: String = r.try_get(3)?;
        seqs.push(r.try_get::<_, i64>(0)?);
        hashes.push(key.1.of(&phone));
    }
    tx.execute(
        "UPDATE entries e SET phone_key = u.k FROM UNNEST($1::BIGINT[], $2::TEXT[]) AS u(seq, k)
         WHERE e.seq = u.seq",
        &[&seqs, &hashes],
    )
    .await?;
    tx.execute("DELETE FROM meta WHERE key = $1", &[&PHONE_KEY_SECRET])
        .await?;
    Ok(rows.len())
}

/// The schema version migrations end at.
pub fn current() -> i32 {
    MIGRATIONS.len() as i32
}
