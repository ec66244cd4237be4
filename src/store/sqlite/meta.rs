//! `meta` (secrets and the active set) and `set_versions` (every set text seen).

use super::{Result, Sqlite};
use crate::store::contract::Meta;
use crate::store::Secret;
use rusqlite::{named_params, Connection, OptionalExtension};

const GET_META: &str = "SELECT value FROM meta WHERE key = :key";
const SET_META: &str = "INSERT INTO meta (key, value) VALUES (:key, :value)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";
const INSERT_META: &str = "INSERT OR IGNORE INTO meta (key, value) VALUES (:key, :value)";

/// `meta` key of the set last made active.
const ACTIVE_SET: &str = "active_set";

/// `meta` keys of the drafts of live sets: `draft:ID` holds the version.
const DRAFTS: &str = "SELECT substr(key, 7), value FROM meta WHERE key LIKE 'draft:%' ORDER BY key";
const DELETE_META: &str = "DELETE FROM meta WHERE key = :key";

fn secret_key(s: Secret) -> &'static str {
    match s {
        Secret::AdminToken => "admin_token",
        Secret::SessionSecret => "session_secret",
    }
}

fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(GET_META)?;
    Ok(st
        .query_row(named_params! {":key": key}, |r| r.get(0))
        .optional()?)
}

const INSERT_SET_VERSION: &str =
    "INSERT OR IGNORE INTO set_versions (version, set_id, source, loaded_at)
     VALUES (:version, :set_id, :source, :loaded_at)";
const LATEST_SET_VERSION: &str =
    "SELECT version FROM set_versions WHERE set_id = :set_id ORDER BY rowid DESC LIMIT 1";
const GET_SET_VERSION: &str = "SELECT source FROM set_versions
     WHERE substr(version, 1, length(:version)) = :version LIMIT 1";

impl Meta for Sqlite {
    async fn meta_or_insert(
        &self,
        key: Secret,
        make: impl FnOnce() -> String + Send + 'static,
    ) -> Result<String> {
        let key = secret_key(key);
        if let Some(v) = self.lookup(|c| get_meta(c, key))? {
            return Ok(v);
        }
        self.write(move |c| {
            // Whoever wrote first wins; everyone reads the same value back.
            c.prepare_cached(INSERT_META)?
                .execute(named_params! {":key": key, ":value": make()})?;
            get_meta(c, key)?.ok_or_else(|| crate::store::StoreError::Corrupt(key.into()))
        })
        .await
    }

    async fn active_set(&self) -> Result<Option<String>> {
        self.lookup(|c| get_meta(c, ACTIVE_SET))
    }

    async fn remember_active_set(&self, id: &str) -> Result<()> {
        let id = id.to_owned();
        self.write(move |c| {
            c.prepare_cached(SET_META)?
                .execute(named_params! {":key": ACTIVE_SET, ":value": id})?;
            Ok(())
        })
        .await
    }

    async fn set_draft(&self, id: &str, version: Option<&str>) -> Result<()> {
        let key = format!("draft:{id}");
        let version = version.map(str::to_owned);
        self.write(move |c| {
            match version {
                Some(v) => c
                    .prepare_cached(SET_META)?
                    .execute(named_params! {":key": key, ":value": v})?,
                None => c
                    .prepare_cached(DELETE_META)?
                    .execute(named_params! {":key": key})?,
            };
            Ok(())
        })
        .await
    }

    async fn set_drafts(&self) -> Result<Vec<(String, String)>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(DRAFTS)?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn keep_set_version(
        &self,
        version: &str,
        set_id: &str,
        source: &str,
        at: &str,
    ) -> Result<()> {
        let (version, set_id, source, at) = (
            version.to_owned(),
            set_id.to_owned(),
            source.to_owned(),
            at.to_owned(),
        );
        self.write(move |c| {
            c.prepare_cached(INSERT_SET_VERSION)?
                .execute(named_params! {
                    ":version": version, ":set_id": set_id, ":source": source, ":loaded_at": at,
                })?;
            Ok(())
        })
        .await
    }

    async fn set_version_source(&self, version: &str) -> Result<Option<String>> {
        let version = version.to_owned();
        self.read(move |c| {
            let mut st = c.prepare_cached(GET_SET_VERSION)?;
            Ok(st
                .query_row(named_params! {":version": version}, |r| r.get(0))
                .optional()?)
        })
        .await
    }

    async fn latest_set_version(&self, set_id: &str) -> Result<Option<String>> {
        let set_id = set_id.to_owned();
        self.read(move |c| {
            let mut st = c.prepare_cached(LATEST_SET_VERSION)?;
            Ok(st
                .query_row(named_params! {":set_id": set_id}, |r| r.get(0))
                .optional()?)
        })
        .await
    }
}
