//! `entries`: one per passed session that entered the draw, under a random
//! code unique across rounds (its own `UNIQUE` index: no writer has to look
//! first). Each entry is written holding its round's lock shared
//! ([`super::Lock::Round`]), so a draw's commit, which holds it alone, sees
//! every entry of the round either committed or not yet begun.

use super::{keys, lock_shared, shard, unique_violation, Lock, Postgres, Result};
use super::{Cached, Col};
use crate::contact::{EntryCode, Receipt};
use crate::store::contract::Entries;
use crate::store::rules::{self, erasure, session_id};
use crate::store::sql::entries::{DRAWS_OF_ENTRY, ENTRY_SENT};
use crate::store::{Entry, EntryDraw, EntryMade, EntryOf, EntryRefused, EntrySent, NewEntry};
use deadpool_postgres::GenericClient;

/// Tries for a free random code before giving up.
const CODE_TRIES: usize = 8;

pub(super) const ENTRY_BY_SESSION: &str =
    "SELECT e.code, e.round_id, COALESCE(e.receipt, ''), e.seq, e.set_id, w.withdrawn_at
     FROM entries e LEFT JOIN withdrawals w ON w.code = e.code WHERE e.session_id = $1";
/// Stored only while the phone's hash is made under the round's key
/// (`$16`): none is stored when a purge (on any node) destroyed that key.
const INSERT_ENTRY: &str = "INSERT INTO entries
     (code, session_id, set_id, set_version, round_id, name, phone, phone_key, score, percent,
      created_at, receipt, publish, name_mask, phone_mask, source)
     SELECT $1::TEXT, $2::TEXT, $3::TEXT, $4::TEXT, $5::TEXT, $6::TEXT, $7::TEXT, $8::TEXT,
            $9::BIGINT, $10::BIGINT, $11::TEXT, $12::TEXT, $13::BOOLEAN, $14::TEXT, $15::TEXT, $17::TEXT
     WHERE EXISTS (SELECT 1 FROM round_keys
                   WHERE id = $16 AND set_id = $3 AND round_id = $5 AND secret IS NOT NULL)";

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

impl Entries for Postgres {
    async fn record_entry(
        &self,
        e: NewEntry,
    ) -> Result<std::result::Result<EntryMade, EntryRefused>> {
        let session = session_id(e.session);
        let (name_mask, phone_mask) = rules::masks(&e);
        let mut client = self.client().await?;
        for _ in 0..CODE_TRIES {
            let made = {
                let mut rng = rand::rng();
                EntryMade {
                    code: EntryCode::random(&mut rng).to_string(),
                    receipt: Receipt::random(&mut rng).as_ref().to_owned(),
                }
            };
            let tx = client.transaction().await?;
            lock_shared(&tx, Lock::Round(&e.set_id, &e.round_id)).await?;
            let (key_id, key) = match self.round_keys.get(&e.set_id, &e.round_id) {
                Some(k) => k,
                None => {
                    let k = keys::round_key(&*tx, &e.set_id, &e.round_id).await?;
                    self.round_keys.put(&e.set_id, &e.round_id, k.clone());
                    k
                }
            };
            let phone_key = key.of(e.phone.as_str());
            let inserted = tx
                .exec(
                    INSERT_ENTRY,
                    &[
                        &made.code,
                        &session,
                        &e.set_id,
                        &e.set_version,
                        &e.round_id,
                        &e.name.as_str(),
                        &e.phone.as_str(),
                        &phone_key,
                        &i64::from(e.score),
                        &i64::from(e.percent),
                        &e.created_at,
                        &made.receipt,
                        &e.publish,
                        &name_mask,
                        &phone_mask,
                        &key_id,
                        &e.source,
                    ],
                )
                .await;
            match inserted {
                Ok(0) => {
                    // A purge destroyed the key since this node read it:
                    // read the round's (new) key, and try again.
                    self.round_keys.forget(&e.set_id, &e.round_id);
                    continue;
                }
                Ok(_) => {}
                // The transaction is over; which rule refused it decides what next.
                Err(err) => match unique_violation(&err) {
                    Some("entries_session") => return Ok(Err(EntryRefused::SessionUsed)),
                    Some("entries_phone") => return Ok(Err(EntryRefused::PhoneUsed)),
                    // A taken code or receipt: another pair.
                    Some(_) => continue,
                    None => return Err(err.into()),
                },
            }
            super::stats::add_round(&tx, &e.set_id, &e.round_id, shard(), [0, 0, 0, 1]).await?;
            tx.commit().await?;
            return Ok(Ok(made));
        }
        Ok(Err(EntryRefused::NoFreeCode))
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
