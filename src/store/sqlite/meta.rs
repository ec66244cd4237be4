//! `meta` (secrets and the active set) and `set_versions` (every set text seen).

use super::{Result, Sqlite};
use crate::store::contract::Meta;
use crate::store::sql::meta::{
    DELETE_META, DRAFTS, GET_META, GET_SET_VERSION, INSERT_META, INSERT_SET_VERSION, SET_META,
};
use crate::store::Secret;
use rusqlite::{named_params, params, Connection, OptionalExtension};

/// `meta` key of the set last made active.
const ACTIVE_SET: &str = "active_set";

fn secret_key(s: Secret) -> &'static str {
    match s {
        Secret::AdminToken => "admin_token",
        Secret::SessionSecret => "session_secret",
    }
}

fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(GET_META)?;
    Ok(st.query_row([key], |r| r.get(0)).optional()?)
}

const LATEST_SET_VERSION: &str =
    "SELECT version FROM set_versions WHERE set_id = :set_id ORDER BY rowid DESC LIMIT 1";

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
                .execute(params![key, make()])?;
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
                .execute(params![ACTIVE_SET, id])?;
            Ok(())
        })
        .await
    }

    async fn set_draft(&self, id: &str, version: Option<&str>) -> Result<()> {
        let key = format!("draft:{id}");
        let version = version.map(str::to_owned);
        self.write(move |c| {
            match version {
                Some(v) => c.prepare_cached(SET_META)?.execute(params![key, v])?,
                None => c.prepare_cached(DELETE_META)?.execute([key])?,
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
                .execute(params![version, set_id, source, at])?;
            Ok(())
        })
        .await
    }

    async fn set_version_source(&self, version: &str) -> Result<Option<String>> {
        let version = version.to_owned();
        self.read(move |c| {
            let mut st = c.prepare_cached(GET_SET_VERSION)?;
            Ok(st.query_row([version], |r| r.get(0)).optional()?)
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
