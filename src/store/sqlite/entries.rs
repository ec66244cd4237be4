//! `entries`: one per passed session that entered the draw, under a random
//! code unique across rounds.

use super::keys::{all_round_keys, round_key};
use super::{is_duplicate, Result, Sqlite};
use crate::contact::{EntryCode, Receipt};
use crate::store::contract::Entries;
pub(super) use crate::store::rules::session_id;
use crate::store::rules::{self, erasure};
use crate::store::sql::entries::{DRAWS_OF_ENTRY, ENTRY_SENT};
use crate::store::tally::hour_of;
use crate::store::{Entry, EntryDraw, EntryMade, EntryOf, EntryRefused, EntrySent, NewEntry};
use rusqlite::{named_params, params, Connection, OptionalExtension};

/// Tries for a free random code before giving up.
const CODE_TRIES: usize = 8;

pub(super) const ENTRY_BY_SESSION: &str =
    "SELECT e.code, e.round_id, COALESCE(e.receipt, ''), e.rowid, e.set_id, w.withdrawn_at
     FROM entries e LEFT JOIN withdrawals w ON w.code = e.code WHERE e.session_id = :session_id";
const CODE_TAKEN: &str = "SELECT 1 FROM entries WHERE code = :code";
const ENTRY_PHONE_USED: &str =
    "SELECT 1 FROM entries WHERE set_id = :set_id AND round_id = :round_id AND phone_key = :phone_key";
const INSERT_ENTRY: &str = "INSERT INTO entries
     (code, session_id, set_id, set_version, round_id, name, phone, phone_key, score, percent, created_at,
      receipt, publish, name_mask, phone_mask, source)
     VALUES (:code, :session_id, :set_id, :set_version, :round_id, :name, :phone, :phone_key, :score, :percent,
             :created_at, :receipt, :publish, :name_mask, :phone_mask, :source)";

/// The columns `entry_row` reads, in its order.
macro_rules! entry_columns {
    () => {
        "SELECT code, set_id, set_version, round_id, name, phone, score, percent, created_at, erased, erased_at
         FROM entries"
    };
}
const ALL_ENTRIES: &str = concat!(entry_columns!(), " ORDER BY created_at, code");
const SEARCH_ENTRIES: &str = concat!(
    entry_columns!(),
    " WHERE :like IS NULL OR code LIKE :like OR phone LIKE :like OR name LIKE :like
        OR (erased IS NULL AND phone_key IN (SELECT value FROM json_each(:phone_keys)))
     ORDER BY created_at DESC, code LIMIT :limit"
);
const COUNT_ENTRIES: &str = "SELECT COUNT(*) FROM entries
     WHERE :like IS NULL OR code LIKE :like OR phone LIKE :like OR name LIKE :like
        OR (erased IS NULL AND phone_key IN (SELECT value FROM json_each(:phone_keys)))";

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        code: r.get(0)?,
        set_id: r.get(1)?,
        set_version: r.get(2)?,
        round_id: r.get(3)?,
        name: r.get(4)?,
        phone: r.get(5)?,
        score: r.get(6)?,
        percent: r.get(7)?,
        created_at: r.get(8)?,
        erased: erasure(r.get(9)?, r.get(10)?),
    })
}

/// Whether a session has an entry (the refusal path of an insert).
fn has_entry(conn: &Connection, session_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(ENTRY_BY_SESSION)?
        .exists(named_params! {":session_id": session_id})?)
}

pub(super) fn entry_of(conn: &Connection, session_id: &str) -> Result<Option<EntryOf>> {
    let mut st = conn.prepare_cached(ENTRY_BY_SESSION)?;
    let Some((code, round_id, receipt, rowid, set_id, withdrawn_at)) = st
        .query_row(named_params! {":session_id": session_id}, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(DRAWS_OF_ENTRY)?;
    let draws = st
        .query_map(params![code, set_id, round_id, rowid], |r| {
            let revealed: bool = r.get(2)?;
            let won: bool = r.get(4)?;
            Ok(EntryDraw {
                id: r.get(0)?,
                prize: r.get(1)?,
                revealed,
                won: revealed.then_some(won),
                claim_by: r.get(3)?,
                claimed_at: r.get(5)?,
                replaced_by: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(EntryOf {
        code,
        round_id,
        receipt,
        withdrawn_at,
        draws,
    }))
}

/// Why one insert was refused; a taken code is tried again with another.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    Rule(EntryRefused),
    CodeTaken,
}

/// Stores an entry under `code` unless the session, the phone in that
/// round, or the code is taken.
fn insert_entry(
    conn: &Connection,
    e: &NewEntry,
    phone_key: &str,
    session_id: &str,
    made: &EntryMade,
) -> Result<std::result::Result<(), Refused>> {
    let code = made.code.as_str();
    // Codes are unique across rounds; `entries_code` enforces it only with
    // the round, so the (single) writer looks first. The same index page is
    // written by the insert next.
    if conn
        .prepare_cached(CODE_TAKEN)?
        .exists(named_params! {":code": code})?
    {
        return Ok(Err(Refused::CodeTaken));
    }
    // The UNIQUE constraints decide the rest; only a refused insert asks which one.
    let (name_mask, phone_mask) = rules::masks(e);
    let inserted = conn.prepare_cached(INSERT_ENTRY)?.execute(named_params! {
        ":code": code, ":session_id": session_id, ":set_id": e.set_id, ":set_version": e.set_version,
        ":round_id": e.round_id, ":name": e.name.as_str(), ":phone": e.phone.as_str(), ":phone_key": phone_key,
        ":score": e.score, ":percent": e.percent, ":created_at": e.created_at, ":receipt": made.receipt,
        ":publish": e.publish, ":name_mask": name_mask, ":phone_mask": phone_mask, ":source": e.source,
    });
    match inserted {
        Ok(_) => Ok(Ok(())),
        Err(err) if is_duplicate(&err) => {
            if has_entry(conn, session_id)? {
                return Ok(Err(Refused::Rule(EntryRefused::SessionUsed)));
            }
            let phone_used = conn.prepare_cached(ENTRY_PHONE_USED)?.exists(
                named_params! {":set_id": e.set_id, ":round_id": e.round_id, ":phone_key": phone_key},
            )?;
            if phone_used {
                return Ok(Err(Refused::Rule(EntryRefused::PhoneUsed)));
            }
            Ok(Err(Refused::CodeTaken))
        }
        Err(other) => Err(other.into()),
    }
}

impl Entries for Sqlite {
    async fn record_entry(
        &self,
        e: NewEntry,
    ) -> Result<std::result::Result<EntryMade, EntryRefused>> {
        let session = session_id(e.session);
        // Single statements (a refused insert changes nothing), so no savepoint.
        self.write_counted(move |c, counts| {
            let phone_key = round_key(c, &e.set_id, &e.round_id)?.of(e.phone.as_str());
            let mut rng = rand::rng();
            for _ in 0..CODE_TRIES {
                let made = EntryMade {
                    code: EntryCode::random(&mut rng).to_string(),
                    receipt: Receipt::random(&mut rng).as_ref().to_owned(),
                };
                // A taken code, or a taken receipt, is tried again with new ones.
                match insert_entry(c, &e, &phone_key, &session, &made)? {
                    Ok(()) => {
                        let hour = hour_of(&e.created_at);
                        counts.entered(&e.set_id, &e.round_id, hour, &e.source);
                        return Ok(Ok(made));
                    }
                    Err(Refused::CodeTaken) => continue,
                    Err(Refused::Rule(why)) => return Ok(Err(why)),
                }
            }
            Ok(Err(EntryRefused::NoFreeCode))
        })
        .await
    }

    async fn entry_of(&self, session: crate::store::SessionId) -> Result<Option<EntryOf>> {
        self.lookup(|c| entry_of(c, &session_id(session)))
    }

    async fn entry_sent(&self, session: crate::store::SessionId) -> Result<Option<EntrySent>> {
        self.lookup(|c| {
            Ok(c.prepare_cached(ENTRY_SENT)?
                .query_row([session_id(session)], |r| {
                    Ok(EntrySent {
                        made: EntryMade {
                            code: r.get(0)?,
                            receipt: r.get(1)?,
                        },
                        round_id: r.get(2)?,
                        name: r.get(3)?,
                        phone: r.get(4)?,
                    })
                })
                .optional()?)
        })
    }

    async fn search_entries(
        &self,
        needle: Option<String>,
        limit: i64,
    ) -> Result<(i64, Vec<Entry>)> {
        self.read(move |c| {
            let (like, hashes) = rules::search_terms(&all_round_keys(c)?, needle);
            let phone_keys = serde_json::Value::from(hashes).to_string();
            let mut st = c.prepare_cached(SEARCH_ENTRIES)?;
            let rows = st.query_map(
                named_params! {":like": like, ":phone_keys": phone_keys, ":limit": limit},
                entry_row,
            )?;
            let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            let total = c.prepare_cached(COUNT_ENTRIES)?.query_row(
                named_params! {":like": like, ":phone_keys": phone_keys},
                |r| r.get(0),
            )?;
            Ok((total, rows))
        })
        .await
    }

    async fn export_entries<A: Send + 'static>(
        &self,
        mut acc: A,
        mut each: impl FnMut(&mut A, Entry) + Send + 'static,
    ) -> Result<A> {
        self.read(move |c| {
            let mut st = c.prepare_cached(ALL_ENTRIES)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                each(&mut acc, entry_row(r)?);
            }
            Ok(acc)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::PhoneKey;
    use crate::store::StoreError;

    fn entry(session: u64, phone: &str) -> NewEntry {
        NewEntry {
            session: crate::store::SessionId {
                key: session,
                nonce: 7,
            },
            set_id: "set".into(),
            set_version: "v".into(),
            round_id: "open".into(),
            name: crate::contact::EntrantName::parse("张三").unwrap(),
            phone: crate::contact::Phone::parse(phone).unwrap(),
            score: 10,
            percent: 100,
            created_at: "2026-11-28T10:00:00+08:00".into(),
            publish: false,
            source: "direct".into(),
        }
    }

    #[test]
    fn a_refused_entry_says_which_rule_refused_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        let insert = |e: &NewEntry, code: &str| {
            let made = EntryMade {
                code: code.into(),
                receipt: format!("{code}-RRRR"),
            };
            let key = PhoneKey::new(b"test").of(e.phone.as_str());
            insert_entry(&conn, e, &key, &session_id(e.session), &made)
        };
        assert_eq!(
            insert(&entry(1, "13800138000"), "AAAA-AAAA").unwrap(),
            Ok(())
        );
        let cases = [
            (
                "same session",
                entry(1, "13900139000"),
                "BBBB-BBBB",
                Refused::Rule(EntryRefused::SessionUsed),
            ),
            (
                "same phone, same round",
                entry(2, "13800138000"),
                "BBBB-BBBB",
                Refused::Rule(EntryRefused::PhoneUsed),
            ),
            (
                "same code",
                entry(3, "13700137000"),
                "AAAA-AAAA",
                Refused::CodeTaken,
            ),
        ];
        for (why, e, code, want) in cases {
            assert_eq!(insert(&e, code).unwrap(), Err(want), "{why}");
        }
        let other_round = NewEntry {
            round_id: "week-2".into(),
            ..entry(4, "13800138000")
        };
        assert_eq!(
            insert(&other_round, "CCCC-CCCC").unwrap(),
            Ok(()),
            "the phone may enter another round"
        );
        let same_key = NewEntry {
            session: crate::store::SessionId { key: 1, nonce: 8 },
            ..entry(1, "13600136000")
        };
        assert_eq!(
            insert(&same_key, "DDDD-DDDD").unwrap(),
            Ok(()),
            "the same key with another nonce is another session"
        );
        let legacy = NewEntry {
            session: crate::store::SessionId::legacy(1),
            ..entry(1, "13500135000")
        };
        assert_eq!(
            insert(&legacy, "EEEE-EEEE").unwrap(),
            Ok(()),
            "and so is a token of the layout before the nonce"
        );
    }

    #[test]
    fn a_row_refused_by_a_trigger_is_trouble_not_a_duplicate() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON entries \
             BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END;",
        )
        .unwrap();
        let e = entry(1, "13800138000");
        let made = EntryMade {
            code: "AAAA-AAAA".into(),
            receipt: "AAAA-AAAA-RRRR".into(),
        };
        let key = PhoneKey::new(b"test").of(e.phone.as_str());
        match insert_entry(&conn, &e, &key, &session_id(e.session), &made) {
            Err(StoreError::Database(why)) => {
                assert!(why.contains("refused by a trigger"), "{why}")
            }
            other => panic!("a trigger's refusal was taken for {other:?}"),
        }
    }
}
