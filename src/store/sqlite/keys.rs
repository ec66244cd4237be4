//! `round_keys`: the key each round's phones are hashed under (SPEC §8).
//! A round's key is made with its first entry and deleted with its purge
//! (the writer zeroes what it deletes), together with every hash made
//! under it, so nothing a purge leaves can be tested against a phone.

use super::Result;
use crate::contact::PhoneKey;
use rusqlite::{named_params, Connection, OptionalExtension};

const ROUND_KEY: &str =
    "SELECT secret FROM round_keys WHERE set_id = :set_id AND round_id = :round_id";
const INSERT_ROUND_KEY: &str = "INSERT OR IGNORE INTO round_keys (set_id, round_id, secret)
     VALUES (:set_id, :round_id, :secret)";
const DELETE_ROUND_KEY: &str =
    "DELETE FROM round_keys WHERE set_id = :set_id AND round_id = :round_id";
const ALL_ROUND_KEYS: &str = "SELECT secret FROM round_keys";

/// The round's key, made now if the round has none (its first entry, or
/// its first since a purge).
pub(super) fn round_key(
    conn: &Connection,
    set_id: &str,
    round_id: &str,
) -> rusqlite::Result<PhoneKey> {
    let params = named_params! {":set_id": set_id, ":round_id": round_id};
    let stored: Option<String> = conn
        .prepare_cached(ROUND_KEY)?
        .query_row(params, |r| r.get(0))
        .optional()?;
    let secret = match stored {
        Some(s) => s,
        None => {
            let secret = crate::store::new_secret();
            conn.prepare_cached(INSERT_ROUND_KEY)?.execute(
                named_params! {":set_id": set_id, ":round_id": round_id, ":secret": secret},
            )?;
            secret
        }
    };
    Ok(PhoneKey::new(secret.as_bytes()))
}

/// Every round's key, for a search by phone across rounds.
pub(super) fn all_round_keys(conn: &Connection) -> Result<Vec<PhoneKey>> {
    let mut st = conn.prepare_cached(ALL_ROUND_KEYS)?;
    let keys = st
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|s| s.map(|s| PhoneKey::new(s.as_bytes())))
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

/// Destroys the round's key (at its purge).
pub(super) fn destroy_round_key(conn: &Connection, set_id: &str, round_id: &str) -> Result<()> {
    conn.prepare_cached(DELETE_ROUND_KEY)?
        .execute(named_params! {":set_id": set_id, ":round_id": round_id})?;
    Ok(())
}
