//! The SQL both engines share, written once, grouped by aggregate.
//!
//! Each statement is in the forms both dialects accept (the bundled SQLite
//! of rusqlite takes `ON CONFLICT … DO NOTHING`, `RETURNING`,
//! `IS DISTINCT FROM`, `TRUE`/`FALSE` and `CAST`). Parameters are `$1…$n`
//! in ascending order of first appearance: SQLite reads `$N` as a name and
//! numbers names as they first appear, so only then does the positional
//! binding of one engine mean what it means on the other.
//!
//! What stays in the engine files differs for a reason of the engine: the
//! row's order (`rowid` on SQLite, `seq` on PostgreSQL), the counters'
//! shards and the round keys' lifecycle on PostgreSQL, the planner hint of
//! SQLite's draw pool, and what only one engine has (advisory locks,
//! pragmas, node leases, shared sets).
//!
//! [`ALL`] lists every statement here; `tests/api/statements.rs` prepares
//! each on both engines' migrated databases.

/// Defines each group as a module of `pub const NAME: &str`, and [`ALL`]
/// listing them as `("group::NAME", sql)`.
macro_rules! shared {
    ($(
        $(#[$group_meta:meta])*
        mod $group:ident {
            $( $(#[$meta:meta])* $name:ident = $sql:expr; )*
        }
    )*) => {
        $(
            $(#[$group_meta])*
            pub mod $group {
                $( $(#[$meta])* pub const $name: &str = $sql; )*
            }
        )*

        /// Every shared statement as `("group::NAME", sql)`.
        #[doc(hidden)]
        pub const ALL: &[(&str, &str)] = &[
            $($( (concat!(stringify!($group), "::", stringify!($name)), $group::$name), )*)*
        ];
    };
}

/// The columns a draw row is read from, in the engines' `draw_row` order.
macro_rules! draw_columns {
    () => {
        "SELECT id, set_id, round_id, prize, winners_wanted, entries_digest,
         entry_count, committed_at, public_seed, revealed_at, claim_by, replaces,
         (SELECT r.id FROM draws r WHERE r.replaces = draws.id) AS replaced_by, seed_digits
         FROM draws"
    };
}

shared! {
    /// `audit`: the hash-chained log of staff actions.
    mod audit {
        /// The last row, whose hash the next one chains onto.
        LAST = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
        /// Appends a row: seq, at, action, detail, hash.
        INSERT = "INSERT INTO audit (seq, at, action, detail, hash) VALUES ($1, $2, $3, $4, $5)";
        /// The whole log, newest first.
        ALL_NEWEST_FIRST = "SELECT seq, at, action, detail, hash FROM audit ORDER BY seq DESC";
    }

    /// `meta` (secrets, the active set, drafts) and `set_versions`.
    mod meta {
        /// A value by key.
        GET_META = "SELECT value FROM meta WHERE key = $1";
        /// Sets a key's value, replacing what it held.
        SET_META = "INSERT INTO meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value";
        /// Sets a key's value unless it has one (whoever wrote first wins).
        INSERT_META = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
        /// Forgets a key.
        DELETE_META = "DELETE FROM meta WHERE key = $1";
        /// The drafts of live sets: `draft:ID` holds the version, read as (ID, version).
        DRAFTS = "SELECT substr(key, 7), value FROM meta WHERE key LIKE 'draft:%' ORDER BY key";
        /// Keeps a set's text under its version, once.
        INSERT_SET_VERSION = "INSERT INTO set_versions (version, set_id, source, loaded_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING";
        /// A kept set text by its version or a prefix of it.
        GET_SET_VERSION = "SELECT source FROM set_versions
             WHERE substr(version, 1, length($1)) = $1 LIMIT 1";
    }

    /// `submissions`: one row per submitted session, under its key and nonce.
    mod submissions {
        /// Stores a submission; the primary key refuses a second one.
        INSERT_SUBMISSION = "INSERT INTO submissions (id, nonce, submitted_at, score, percent, passed, given,
             source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        /// A session's submission, without the answers given.
        GET_SUBMISSION = "SELECT submitted_at, score, percent, passed FROM submissions
             WHERE id = $1 AND nonce = $2";
        /// A session's submission with the answers given (JSON).
        GET_SUBMISSION_WITH_GIVEN = "SELECT submitted_at, score, percent, passed, given
             FROM submissions WHERE id = $1 AND nonce = $2";
        /// The highest session key stored (0 for none).
        MAX_SUBMISSION = "SELECT COALESCE(MAX(id), 0) FROM submissions";
    }

    /// `entries`: one per passed session that entered the draw.
    mod entries {
        /// What the entrant was sent: code, receipt, round, name, phone.
        ENTRY_SENT = "SELECT code, COALESCE(receipt, ''), round_id, name, phone
             FROM entries WHERE session_id = $1";
        /// The draws of the entry's round whose pool holds its code ($1):
        /// committed after it was stored ($4, the entry's place in the
        /// table), not after it won an earlier draw of the round, and not
        /// after it was withdrawn.
        DRAWS_OF_ENTRY = "SELECT d.id, d.prize, d.public_seed IS NOT NULL, d.claim_by,
               w.code IS NOT NULL, c.claimed_at, (SELECT r.id FROM draws r WHERE r.replaces = d.id)
             FROM draws d
             LEFT JOIN draw_winners w ON w.draw_id = d.id AND w.code = $1
             LEFT JOIN claims c ON c.draw_id = d.id AND c.code = $1
             WHERE d.set_id = $2 AND d.round_id = $3 AND d.pool_watermark >= $4
               AND NOT EXISTS (SELECT 1 FROM draw_winners w2 WHERE w2.code = $1 AND w2.draw_id < d.id)
               AND NOT EXISTS (SELECT 1 FROM withdrawals x WHERE x.code = $1 AND x.after_draw < d.id)
             ORDER BY d.id";
    }

    /// `draws`, `draw_winners` and `claims`.
    mod draws {
        /// One draw by id.
        DRAW_BY_ID = concat!(draw_columns!(), " WHERE draws.id = $1");
        /// Every draw, newest first.
        DRAWS_NEWEST_FIRST = concat!(draw_columns!(), " ORDER BY draws.id DESC");
        /// A page of draws older than $1, newest first, at most $2.
        DRAW_PAGE = concat!(draw_columns!(), " WHERE draws.id < $1 ORDER BY draws.id DESC LIMIT $2");
        /// The committed pool's text.
        DRAW_ENTRIES_TXT = "SELECT entries_txt FROM draws WHERE id = $1";
        /// A draw's winners in order, with what is left of their entries and their claims.
        DRAW_WINNERS = "SELECT w.code, e.name, e.phone, e.name_mask, e.phone_mask,
               e.erased, e.erased_at, c.claimed_at
             FROM draw_winners w LEFT JOIN entries e ON e.code = w.code
             LEFT JOIN claims c ON c.draw_id = w.draw_id AND c.code = w.code
             WHERE w.draw_id = $1 ORDER BY w.position";
        /// How many prizes of a draw were handed out.
        CLAIMED_COUNT = "SELECT COUNT(*) FROM claims WHERE draw_id = $1";
        /// A code's win in a revealed draw (a code wins at most one draw:
        /// every later pool of its round leaves it out, and codes are unique).
        WIN_OF_CODE = "SELECT d.id, d.prize, d.claim_by, w.code, e.name, e.phone, e.phone_key,
               e.erased, e.erased_at, c.claimed_at, k.secret
             FROM draw_winners w JOIN draws d ON d.id = w.draw_id
             LEFT JOIN entries e ON e.code = w.code
             LEFT JOIN claims c ON c.draw_id = w.draw_id AND c.code = w.code
             LEFT JOIN round_keys k ON k.set_id = d.set_id AND k.round_id = d.round_id
             WHERE w.code = $1 LIMIT 1";
        /// The code a receipt was given with.
        CODE_OF_RECEIPT = "SELECT code FROM entries WHERE receipt = $1";
        /// Records a prize handed out; the primary key refuses a second.
        INSERT_CLAIM = "INSERT INTO claims (draw_id, code, claimed_at) VALUES ($1, $2, $3)";
        /// A round's unrevealed draw holds the round: also one past its claim
        /// deadline, which can never be revealed, so that letting a draw lapse
        /// is no way to try again with other numbers.
        PENDING_DRAW = "SELECT id FROM draws WHERE set_id = $1 AND round_id = $2
             AND public_seed IS NULL LIMIT 1";
        /// The pool's size without reading it: the round's entries (counted
        /// as they come, in one row on SQLite, in shards on PostgreSQL) less
        /// its winners and withdrawals (few, found by code).
        POOL_SIZE = "SELECT CAST(COALESCE((SELECT SUM(entries) FROM round_stats
                 WHERE set_id = $1 AND round_id = $2), 0) AS BIGINT)
             - (SELECT COUNT(*) FROM (
                 SELECT w.code FROM draw_winners w JOIN draws d ON d.id = w.draw_id
                 WHERE d.set_id = $1 AND d.round_id = $2
                 UNION
                 SELECT x.code FROM withdrawals x JOIN entries e ON e.code = x.code
                 WHERE e.set_id = $1 AND e.round_id = $2) AS left_out)";
        /// Commits a draw; answers its id.
        INSERT_DRAW = "INSERT INTO draws
             (set_id, round_id, prize, winners_wanted, entries_txt, entries_digest, entry_count,
              committed_at, claim_by, replaces, pool_watermark, seed_digits)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
        /// Reveals a draw ($4) with its public seed ($1), once.
        REVEAL_DRAW = "UPDATE draws SET public_seed = $1, revealed_at = $2, winner_count = $3
             WHERE id = $4 AND public_seed IS NULL";
        /// One winner of a draw, at its position.
        INSERT_WINNER = "INSERT INTO draw_winners (draw_id, position, code) VALUES ($1, $2, $3)";
    }

    /// Erasing names and phones (SPEC §8): withdrawals and purges.
    mod erasure {
        /// A withdrawal ($1 the time, $2 the session) erases everything that
        /// names the entrant, the published masks included. The phone's hash
        /// goes too (they may enter again, from a new quiz: their old code is
        /// in no later pool), except for a winner's: no earlier winner is
        /// drawn again (SPEC §7), so it keeps refusing that phone a second
        /// code in the round until the round's purge erases it.
        WITHDRAW_ENTRY = "UPDATE entries
             SET name = NULL, phone = NULL, name_mask = NULL, phone_mask = NULL,
                 phone_key = CASE WHEN EXISTS (SELECT 1 FROM draw_winners w WHERE w.code = entries.code)
                                  THEN phone_key END,
                 publish = FALSE, erased = 'withdrawn', erased_at = $1
             WHERE session_id = $2 AND erased IS DISTINCT FROM 'withdrawn'";
        /// Draws committed after the highest draw id of any round leave the
        /// code out of their pool: only the round's own draws ever compare
        /// with it, as ids only rise (and on PostgreSQL, under the round's
        /// shared lock, a draw of the round is committed wholly before or after).
        INSERT_WITHDRAWAL = "INSERT INTO withdrawals (code, withdrawn_at, after_draw)
             VALUES ($1, $2, (SELECT COALESCE(MAX(id), 0) FROM draws))
             ON CONFLICT (code) DO NOTHING";
        /// The session that made the entry under a code (codes are unique across rounds).
        SESSION_BY_CODE = "SELECT session_id FROM entries WHERE code = $1";
        /// A round's purge ($1 the time) erases names, phones and their hashes.
        PURGE_ROUND = "UPDATE entries
             SET name = NULL, phone = NULL, phone_key = NULL, erased = 'purged', erased_at = $1
             WHERE set_id = $2 AND round_id = $3 AND erased IS NULL";
        /// The hashes withdrawn winners kept go with the round's key.
        PURGE_WITHDRAWN_HASHES = "UPDATE entries SET phone_key = NULL
             WHERE set_id = $1 AND round_id = $2 AND phone_key IS NOT NULL";
        /// Records a purge: when, how many, how.
        INSERT_PURGE = "INSERT INTO purges (set_id, round_id, at, erased, how)
             VALUES ($1, $2, $3, $4, $5)";
        /// A round's last purge.
        LAST_PURGE = "SELECT at, erased, how FROM purges
             WHERE set_id = $1 AND round_id = $2 ORDER BY seq DESC LIMIT 1";
        /// A round's claim deadlines, which its keeping time follows.
        CLAIM_DEADLINES = "SELECT claim_by FROM draws
             WHERE set_id = $1 AND round_id = $2 AND claim_by IS NOT NULL";
    }

    /// `round_stats` and `question_stats`: the staff's counters, read.
    mod stats {
        /// A set's session and entry counts, of one round ($2) or all (NULL).
        ROUND_COUNTS = "SELECT CAST(COALESCE(SUM(started), 0) AS BIGINT),
             CAST(COALESCE(SUM(submitted), 0) AS BIGINT), CAST(COALESCE(SUM(passed), 0) AS BIGINT),
             CAST(COALESCE(SUM(entries), 0) AS BIGINT)
             FROM round_stats WHERE set_id = $1 AND (CAST($2 AS TEXT) IS NULL OR round_id = $2)";
        /// Per question of a set: answered and correct, of one round ($2) or all (NULL).
        QUESTION_COUNTS = "SELECT question_id, CAST(SUM(answered) AS BIGINT),
             CAST(SUM(correct) AS BIGINT) FROM question_stats
             WHERE set_id = $1 AND (CAST($2 AS TEXT) IS NULL OR round_id = $2)
             GROUP BY question_id";
        /// Per question and option of a set: how many chose it, of one round ($2) or all.
        QUESTION_PICKS = "SELECT question_id, option_key, CAST(SUM(picks) AS BIGINT)
             FROM question_picks WHERE set_id = $1 AND (CAST($2 AS TEXT) IS NULL OR round_id = $2)
             GROUP BY question_id, option_key";
        /// Per question and whole second of a set: how many spent it, of one round ($2) or all.
        QUESTION_SECS = "SELECT question_id, CAST(secs AS BIGINT), CAST(SUM(n) AS BIGINT)
             FROM question_secs WHERE set_id = $1 AND (CAST($2 AS TEXT) IS NULL OR round_id = $2)
             GROUP BY question_id, secs";
        /// The funnel of a set, of one round ($2) or all (NULL): per UTC
        /// hour and source, the five stages.
        FUNNEL = "SELECT hour, source, CAST(SUM(visits) AS BIGINT), CAST(SUM(starts) AS BIGINT),
             CAST(SUM(submitted) AS BIGINT), CAST(SUM(passed) AS BIGINT),
             CAST(SUM(entries) AS BIGINT) FROM funnel_stats
             WHERE set_id = $1 AND (CAST($2 AS TEXT) IS NULL OR round_id = $2)
             GROUP BY hour, source ORDER BY hour, source";
    }
}
