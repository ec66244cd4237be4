//! `entries`: one per passed session that entered the draw, under a random
//! code unique across rounds (its own `UNIQUE` index: no writer has to look
//! first). Entries are written in batches ([`super::batch`]), many in one
//! statement, holding their rounds' locks shared ([`super::Lock::Round`]),
//! so a draw's commit, which holds its round's alone, sees every entry of
//! the round either committed or not yet begun.

use super::batch::Entered;
use super::{keys, Lock, Postgres, Result};
use super::{Cached, Col};
use crate::contact::{EntryCode, Receipt};
use crate::store::contract::Entries;
use crate::store::rules::{self, erasure, session_id};
use crate::store::sql::entries::{DRAWS_OF_ENTRY, ENTRY_SENT};
use crate::store::{Entry, EntryDraw, EntryMade, EntryOf, EntryRefused, EntrySent, NewEntry};
use deadpool_postgres::GenericClient;
use std::collections::{HashMap, HashSet};

/// Tries for a free random code before giving up.
const CODE_TRIES: usize = 8;

pub(super) const ENTRY_BY_SESSION: &str =
    "SELECT e.code, e.round_id, COALESCE(e.receipt, ''), e.seq, e.set_id, w.withdrawn_at
     FROM entries e LEFT JOIN withdrawals w ON w.code = e.code WHERE e.session_id = $1";
/// A batch's entries, each stored only while its phone's hash is made
/// under the round's key (`$16`, its id): none is stored when a purge (on
/// any node) destroyed that key. Rows a `UNIQUE` rule refused (the session,
/// the phone in the round, the code, the receipt) are not returned.
const INSERT_ENTRIES: &str = "INSERT INTO entries
     (code, session_id, set_id, set_version, round_id, name, phone, phone_key, score, percent,
      created_at, receipt, publish, name_mask, phone_mask, source)
     SELECT r.code, r.session_id, r.set_id, r.set_version, r.round_id, r.name, r.phone,
            r.phone_key, r.score, r.percent, r.created_at, r.receipt, r.publish, r.name_mask,
            r.phone_mask, r.source
     FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                 $7::TEXT[], $8::TEXT[], $9::BIGINT[], $10::BIGINT[], $11::TEXT[], $12::TEXT[],
                 $13::BOOLEAN[], $14::TEXT[], $15::TEXT[], $16::BIGINT[], $17::TEXT[])
                 WITH ORDINALITY
          AS r (code, session_id, set_id, set_version, round_id, name, phone, phone_key, score,
                percent, created_at, receipt, publish, name_mask, phone_mask, key_id, source, n)
     WHERE EXISTS (SELECT 1 FROM round_keys k WHERE k.id = r.key_id AND k.set_id = r.set_id
                   AND k.round_id = r.round_id AND k.secret IS NOT NULL)
     ORDER BY r.n
     ON CONFLICT DO NOTHING
     RETURNING session_id";
/// Why each refused row was: its session has an entry, its phone has one
/// in the round, its round's key is still the one it was hashed under (if
/// none of these, its code or receipt was taken). Run after the insert, so
/// it sees the rows that refused it, committed or this transaction's own.
const REFUSED_WHY: &str = "SELECT
       EXISTS (SELECT 1 FROM entries e WHERE e.session_id = u.session_id),
       EXISTS (SELECT 1 FROM entries e
               WHERE e.set_id = u.set_id AND e.round_id = u.round_id AND e.phone_key = u.phone_key),
       EXISTS (SELECT 1 FROM round_keys k WHERE k.id = u.key_id AND k.secret IS NOT NULL)
     FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[]) WITH ORDINALITY
          AS u (session_id, set_id, round_id, phone_key, key_id, n)
     ORDER BY u.n";
/// Rounds' locks, shared, in the order given.
const LOCK_ROUNDS_SHARED: &str =
    "SELECT pg_advisory_xact_lock_shared(k) FROM UNNEST($1::BIGINT[]) AS k";

/// What a batch's entries send: prepared before a batch's statements are
/// pipelined ([`super::batch`]).
pub(super) const BATCH_STATEMENTS: [&str; 3] = [LOCK_ROUNDS_SHARED, INSERT_ENTRIES, REFUSED_WHY];

const ENTRY_COLUMNS: &str = "SELECT code, set_id, set_version, round_id, name, phone, score,
     percent, created_at, erased, erased_at FROM entries";
const SEARCH_WHERE: &str = " WHERE $1::TEXT IS NULL OR code ILIKE $1 OR phone LIKE $1
     OR name ILIKE $1 OR (erased IS NULL AND phone_key = ANY($2::TEXT[]))";

fn entry_row(r: &tokio_postgres::Row) -> Result<Entry> {
    Ok(Entry {
        code: r.col(0)?,
        set_id: r.col(1)?,
        set_version: r.col(2)?,
        round_id: r.col(3)?,
        name: r.col(4)?,
        phone: r.col(5)?,
        score: u32::try_from(r.col::<i64>(6)?).unwrap_or(0),
        percent: u32::try_from(r.col::<i64>(7)?).unwrap_or(0),
        created_at: r.col(8)?,
        erased: erasure(r.col(9)?, r.col(10)?),
    })
}

/// The entry a session made, with the draws that hold it.
pub(super) async fn entry_of(c: &impl GenericClient, session_id: &str) -> Result<Option<EntryOf>> {
    let Some(row) = c.row_opt(ENTRY_BY_SESSION, &[&session_id]).await? else {
        return Ok(None);
    };
    let (code, round_id, receipt, seq, set_id): (String, String, String, i64, String) = (
        row.col(0)?,
        row.col(1)?,
        row.col(2)?,
        row.col(3)?,
        row.col(4)?,
    );
    let draws = c
        .rows(DRAWS_OF_ENTRY, &[&code, &set_id, &round_id, &seq])
        .await?
        .into_iter()
        .map(|r| {
            let revealed: bool = r.col(2)?;
            let won: bool = r.col(4)?;
            Ok(EntryDraw {
                id: r.col(0)?,
                prize: r.col(1)?,
                revealed,
                won: revealed.then_some(won),
                claim_by: r.col(3)?,
                claimed_at: r.col(5)?,
                replaced_by: r.col(6)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Some(EntryOf {
        code,
        round_id,
        receipt,
        withdrawn_at: row.col(5)?,
        draws,
    }))
}

/// One try at storing an entry: the row as sent.
struct Try<'a> {
    entry: &'a NewEntry,
    session: String,
    made: EntryMade,
    phone_key: String,
    key_id: i64,
}

/// Keeps a batch's entries (each session once: [`super::batch`]) in the
/// transaction open on `tx`, after taking their rounds' locks shared; what
/// each got, in the order given. A row refused for its code or receipt (or
/// for a key a purge destroyed meanwhile) is tried again with another, up
/// to [`CODE_TRIES`] times in all. When this node has the rounds' keys the
/// locks and the rows go in one trip (the database runs them in that
/// order); a key to read or make is read after the locks.
pub(super) async fn insert_batch(
    tx: &deadpool_postgres::Client,
    round_keys: &keys::KeyCache,
    batch: &[&NewEntry],
) -> std::result::Result<Vec<Entered>, tokio_postgres::Error> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    // In key order, so two batches never wait on each other's locks.
    let mut locks: Vec<i64> = batch
        .iter()
        .map(|e| Lock::Round(&e.set_id, &e.round_id).key())
        .collect();
    locks.sort_unstable();
    locks.dedup();
    let mut pending: Vec<usize> = (0..batch.len()).collect();
    let mut first = None;
    if let Some(tries) = known_tries(round_keys, batch, &pending) {
        let lock: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&locks];
        let (_, refused) =
            tokio::try_join!(tx.exec(LOCK_ROUNDS_SHARED, &lock), insert(tx, &tries))?;
        first = Some((tries, refused));
    } else {
        tx.exec(LOCK_ROUNDS_SHARED, &[&locks]).await?;
    }
    let mut out: Vec<Option<Entered>> = vec![None; batch.len()];
    for _ in 0..CODE_TRIES {
        if pending.is_empty() {
            break;
        }
        let (tries, refused) = match first.take() {
            Some(sent) => sent,
            None => {
                let tries = tries(tx, round_keys, batch, &pending).await?;
                let refused = insert(tx, &tries).await?;
                (tries, refused)
            }
        };
        let why = refused_why(tx, &tries, &refused).await?;
        let mut again = Vec::new();
        for (t, &i) in tries.into_iter().zip(&pending) {
            out[i] = match why.get(&t.session) {
                None => Some(Ok(t.made)),
                Some(Why::Session) => Some(Err(EntryRefused::SessionUsed)),
                Some(Why::Phone) => Some(Err(EntryRefused::PhoneUsed)),
                Some(Why::KeyGone) => {
                    // A purge destroyed the key since this node read it:
                    // read the round's (new) key, and try again.
                    round_keys.forget(&t.entry.set_id, &t.entry.round_id);
                    again.push(i);
                    continue;
                }
                Some(Why::Taken) => {
                    again.push(i);
                    continue;
                }
            };
        }
        pending = again;
    }
    Ok(out
        .into_iter()
        .map(|o| o.unwrap_or(Err(EntryRefused::NoFreeCode)))
        .collect())
}

/// The rows to try for the entries `pending`: fresh codes and receipts,
/// phones hashed under their rounds' keys (read, or made, when this node
/// has none).
async fn tries<'a>(
    tx: &deadpool_postgres::Client,
    round_keys: &keys::KeyCache,
    batch: &[&'a NewEntry],
    pending: &[usize],
) -> std::result::Result<Vec<Try<'a>>, tokio_postgres::Error> {
    let mut found: HashMap<(&str, &str), keys::RoundKey> = HashMap::new();
    for &i in pending {
        let e = batch[i];
        let round = (e.set_id.as_str(), e.round_id.as_str());
        if found.contains_key(&round) {
            continue;
        }
        let key = match round_keys.get(round.0, round.1) {
            Some(k) => k,
            None => {
                let k = keys::round_key(&***tx, round.0, round.1).await?;
                round_keys.put(round.0, round.1, k.clone());
                k
            }
        };
        found.insert(round, key);
    }
    // `found` holds every pending entry's round: `make_tries` gives each a
    // row (were one missing, those entries would end `NoFreeCode`, never
    // stored unanswered).
    Ok(make_tries(batch, pending, |e| {
        found
            .get(&(e.set_id.as_str(), e.round_id.as_str()))
            .cloned()
    })
    .unwrap_or_default())
}

/// [`tries`] when this node has every round's key; `None` when it lacks one.
fn known_tries<'a>(
    round_keys: &keys::KeyCache,
    batch: &[&'a NewEntry],
    pending: &[usize],
) -> Option<Vec<Try<'a>>> {
    make_tries(batch, pending, |e| round_keys.get(&e.set_id, &e.round_id))
}

/// The rows to try, each phone hashed under the key `key` gives for its
/// round; `None` when it gives none for one.
fn make_tries<'a>(
    batch: &[&'a NewEntry],
    pending: &[usize],
    key: impl Fn(&NewEntry) -> Option<keys::RoundKey>,
) -> Option<Vec<Try<'a>>> {
    let mut rng = rand::rng();
    pending
        .iter()
        .map(|&i| {
            let e = batch[i];
            let (key_id, key) = key(e)?;
            Some(Try {
                entry: e,
                session: session_id(e.session),
                made: EntryMade {
                    code: EntryCode::random(&mut rng).to_string(),
                    receipt: Receipt::random(&mut rng).as_ref().to_owned(),
                },
                phone_key: key.of(e.phone.as_str()),
                key_id,
            })
        })
        .collect()
}

/// Inserts the rows in one statement; the sessions of those refused. In
/// the order of their rounds, phones and sessions: two batches that wait
/// on each other's rows (a phone or a session in both) wait in the same
/// order, never in a cycle.
async fn insert<'a>(
    tx: &deadpool_postgres::Client,
    tries: &[Try<'a>],
) -> std::result::Result<Vec<String>, tokio_postgres::Error> {
    let mut tries: Vec<&Try<'a>> = tries.iter().collect();
    tries.sort_unstable_by_key(|t| (&t.entry.set_id, &t.entry.round_id, &t.phone_key, &t.session));
    let col = |f: for<'t> fn(&'t Try<'a>) -> &'t str| -> Vec<&str> {
        tries.iter().map(|t| f(t)).collect()
    };
    let masks: Vec<(Option<String>, Option<String>)> =
        tries.iter().map(|t| rules::masks(t.entry)).collect();
    let name_masks: Vec<Option<&str>> = masks.iter().map(|m| m.0.as_deref()).collect();
    let phone_masks: Vec<Option<&str>> = masks.iter().map(|m| m.1.as_deref()).collect();
    let score: Vec<i64> = tries.iter().map(|t| i64::from(t.entry.score)).collect();
    let percent: Vec<i64> = tries.iter().map(|t| i64::from(t.entry.percent)).collect();
    let publish: Vec<bool> = tries.iter().map(|t| t.entry.publish).collect();
    let key_ids: Vec<i64> = tries.iter().map(|t| t.key_id).collect();
    let stored: HashSet<String> = tx
        .rows(
            INSERT_ENTRIES,
            &[
                &col(|t| &t.made.code),
                &col(|t| &t.session),
                &col(|t| &t.entry.set_id),
                &col(|t| &t.entry.set_version),
                &col(|t| &t.entry.round_id),
                &col(|t| t.entry.name.as_str()),
                &col(|t| t.entry.phone.as_str()),
                &col(|t| &t.phone_key),
                &score,
                &percent,
                &col(|t| &t.entry.created_at),
                &col(|t| &t.made.receipt),
                &publish,
                &name_masks,
                &phone_masks,
                &key_ids,
                &col(|t| &t.entry.source),
            ],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    Ok(tries
        .iter()
        .filter(|t| !stored.contains(&t.session))
        .map(|t| t.session.clone())
        .collect())
}

/// Which rule refused a row.
enum Why {
    Session,
    Phone,
    KeyGone,
    Taken,
}

/// Why each of the `refused` sessions' rows was refused (the database says).
async fn refused_why<'a>(
    tx: &deadpool_postgres::Client,
    tries: &[Try<'a>],
    refused: &[String],
) -> std::result::Result<HashMap<String, Why>, tokio_postgres::Error> {
    if refused.is_empty() {
        return Ok(HashMap::new());
    }
    let set: HashSet<&str> = refused.iter().map(String::as_str).collect();
    let rows: Vec<&Try<'a>> = tries
        .iter()
        .filter(|t| set.contains(t.session.as_str()))
        .collect();
    let col = |f: for<'t> fn(&'t Try<'a>) -> &'t str| -> Vec<&str> {
        rows.iter().map(|t| f(t)).collect()
    };
    let key_ids: Vec<i64> = rows.iter().map(|t| t.key_id).collect();
    let answers = tx
        .rows(
            REFUSED_WHY,
            &[
                &col(|t| &t.session),
                &col(|t| &t.entry.set_id),
                &col(|t| &t.entry.round_id),
                &col(|t| &t.phone_key),
                &key_ids,
            ],
        )
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for (t, r) in rows.iter().zip(&answers) {
        let (session, phone, key): (bool, bool, bool) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let why = if session {
            Why::Session
        } else if phone {
            Why::Phone
        } else if !key {
            Why::KeyGone
        } else {
            Why::Taken
        };
        out.insert(t.session.clone(), why);
    }
    Ok(out)
}

impl Entries for Postgres {
    async fn record_entry(&self, e: NewEntry) -> Result<Entered> {
        self.batcher.entry(e).await
    }

    async fn entry_of(&self, session: crate::store::SessionId) -> Result<Option<EntryOf>> {
        entry_of(&self.client().await?, &session_id(session)).await
    }

    async fn entry_sent(&self, session: crate::store::SessionId) -> Result<Option<EntrySent>> {
        let row = self
            .client()
            .await?
            .row_opt(ENTRY_SENT, &[&session_id(session)])
            .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(EntrySent {
            made: EntryMade {
                code: r.col(0)?,
                receipt: r.col(1)?,
            },
            round_id: r.col(2)?,
            name: r.col(3)?,
            phone: r.col(4)?,
        }))
    }

    async fn search_entries(
        &self,
        needle: Option<String>,
        limit: i64,
    ) -> Result<(i64, Vec<Entry>)> {
        let client = self.client().await?;
        let keys: Vec<crate::contact::PhoneKey> = client
            .rows(keys::ALL_ROUND_KEYS, &[])
            .await?
            .iter()
            .map(|r| {
                Ok(crate::contact::PhoneKey::new(
                    r.col::<String>(0)?.as_bytes(),
                ))
            })
            .collect::<Result<_>>()?;
        let (like, phone_keys) = rules::search_terms(&keys, needle);
        let rows = client
            .rows(
                &format!("{ENTRY_COLUMNS}{SEARCH_WHERE} ORDER BY created_at DESC, code LIMIT $3"),
                &[&like, &phone_keys, &limit],
            )
            .await?;
        let total: i64 = client
            .row(
                &format!("SELECT COUNT(*) FROM entries{SEARCH_WHERE}"),
                &[&like, &phone_keys],
            )
            .await?
            .col(0)?;
        Ok((total, rows.iter().map(entry_row).collect::<Result<_>>()?))
    }

    async fn export_entries<A: Send + 'static>(
        &self,
        mut acc: A,
        mut each: impl FnMut(&mut A, Entry) + Send + 'static,
    ) -> Result<A> {
        use futures_util::{pin_mut, TryStreamExt};
        let client = self.client().await?;
        let no_params: [&(dyn tokio_postgres::types::ToSql + Sync); 0] = [];
        let rows = client
            .query_raw(
                &format!("{ENTRY_COLUMNS} ORDER BY created_at, code"),
                no_params,
            )
            .await?;
        pin_mut!(rows);
        while let Some(r) = rows.try_next().await? {
            each(&mut acc, entry_row(&r)?);
        }
        Ok(acc)
    }
}
