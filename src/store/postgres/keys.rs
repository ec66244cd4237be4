//! `round_keys`: the key each round's phones are hashed under (SPEC §8),
//! as on SQLite: made with the round's first entry, destroyed with its
//! purge together with every hash made under it. Destroyed by setting it
//! to NULL rather than deleting the row, so a node's role needs no
//! `DELETE` (README "Database roles"); a new key takes a new `id`. A node
//! keeps the keys it has read; an entry is stored only while its key is
//! still the round's (`entries.rs`), so a key another node's purge
//! destroyed is read again.

use crate::contact::PhoneKey;
use std::sync::Arc;
use tokio_postgres::GenericClient;

const ROUND_KEY: &str = "SELECT id, secret FROM round_keys
     WHERE set_id = $1 AND round_id = $2 AND secret IS NOT NULL";
/// A round's first key, or a new one (under a new id) after its purge.
const MAKE_ROUND_KEY: &str = "INSERT INTO round_keys (set_id, round_id, secret) VALUES ($1, $2, $3)
     ON CONFLICT (set_id, round_id) DO UPDATE
     SET secret = EXCLUDED.secret, id = nextval(pg_get_serial_sequence('round_keys', 'id'))
     WHERE round_keys.secret IS NULL";
pub(super) const DESTROY_ROUND_KEY: &str =
    "UPDATE round_keys SET secret = NULL WHERE set_id = $1 AND round_id = $2";
pub(super) const ALL_ROUND_KEYS: &str = "SELECT secret FROM round_keys WHERE secret IS NOT NULL";

/// A round's key as a node holds it: its row id, and the key.
pub(super) type RoundKey = (i64, Arc<PhoneKey>);

/// The round's key, made now if the round has none (its first entry, or
/// its first since a purge); whichever node makes it first, all read it.
pub(super) async fn round_key(
    c: &impl GenericClient,
    set_id: &str,
    round_id: &str,
) -> Result<RoundKey, tokio_postgres::Error> {
    if let Some(r) = c.query_opt(ROUND_KEY, &[&set_id, &round_id]).await? {
        return key_of(&r);
    }
    let secret = crate::store::new_secret();
    c.execute(MAKE_ROUND_KEY, &[&set_id, &round_id, &secret])
        .await?;
    let r = c.query_one(ROUND_KEY, &[&set_id, &round_id]).await?;
    key_of(&r)
}

fn key_of(r: &tokio_postgres::Row) -> Result<RoundKey, tokio_postgres::Error> {
    let secret: String = r.try_get(1)?;
    Ok((r.try_get(0)?, Arc::new(PhoneKey::new(secret.as_bytes()))))
}

/// The keys a node has read, by (set, round).
#[derive(Default)]
pub(super) struct KeyCache(std::sync::Mutex<std::collections::HashMap<(String, String), RoundKey>>);

impl KeyCache {
    pub(super) fn get(&self, set_id: &str, round_id: &str) -> Option<RoundKey> {
        self.lock()
            .get(&(set_id.to_owned(), round_id.to_owned()))
            .cloned()
    }

    pub(super) fn put(&self, set_id: &str, round_id: &str, key: RoundKey) {
        self.lock()
            .insert((set_id.to_owned(), round_id.to_owned()), key);
    }

    pub(super) fn forget(&self, set_id: &str, round_id: &str) {
        self.lock()
            .remove(&(set_id.to_owned(), round_id.to_owned()));
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(String, String), RoundKey>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
