//! `meta` (secrets, the active set, the sets' generation), `set_versions`
//! (every set text seen) and the node numbers.

use super::{Cached, Col};
use super::{Postgres, Result};
use crate::store::contract::Meta;
use crate::store::sql::meta::{
    DELETE_META, DRAFTS, GET_META, GET_SET_VERSION, INSERT_META, INSERT_SET_VERSION, SET_META,
};
use crate::store::{Secret, StoreError};
use deadpool_postgres::GenericClient;

/// `meta` key of the set last made active.
const ACTIVE_SET: &str = "active_set";
/// `meta` key of the number that rises with every change to the shared sets.
pub(super) const SETS_GENERATION: &str = "sets_generation";

/// Bumps the generation in the transaction of the change it announces.
pub(super) const BUMP_GENERATION: &str =
    "INSERT INTO meta (key, value) VALUES ('sets_generation', '1')
     ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)";

const LATEST_SET_VERSION: &str =
    "SELECT version FROM set_versions WHERE set_id = $1 ORDER BY seq DESC LIMIT 1";

fn secret_key(s: Secret) -> &'static str {
    match s {
        Secret::AdminToken => "admin_token",
        Secret::SessionSecret => "session_secret",
    }
}

/// The value under `key`, or `make()`'s stored now; whichever node wrote
/// first wins and every node reads that one back.
pub(super) async fn value_or_insert(
    client: &impl GenericClient,
    key: &str,
    make: impl FnOnce() -> String,
) -> Result<String> {
    if let Some(row) = client.row_opt(GET_META, &[&key]).await? {
        return row.col(0);
    }
    client.exec(INSERT_META, &[&key, &make()]).await?;
    let row = client.row_opt(GET_META, &[&key]).await?;
    row.map(|r| r.col(0))
        .ok_or_else(|| StoreError::Corrupt(key.into()))?
}

impl Meta for Postgres {
    async fn meta_or_insert(
        &self,
        key: Secret,
        make: impl FnOnce() -> String + Send + 'static,
    ) -> Result<String> {
        value_or_insert(&self.client().await?, secret_key(key), make).await
    }

    async fn active_set(&self) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .row_opt(GET_META, &[&ACTIVE_SET])
            .await?;
        row.map(|r| r.col(0)).transpose()
    }

    async fn remember_active_set(&self, id: &str) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.exec(SET_META, &[&ACTIVE_SET, &id]).await?;
        tx.exec(BUMP_GENERATION, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_draft(&self, id: &str, version: Option<&str>) -> Result<()> {
        let key = format!("draft:{id}");
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        match version {
            Some(v) => tx.exec(SET_META, &[&key, &v]).await?,
            None => tx.exec(DELETE_META, &[&key]).await?,
        };
        tx.exec(BUMP_GENERATION, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_drafts(&self) -> Result<Vec<(String, String)>> {
        let rows = self.client().await?.rows(DRAFTS, &[]).await?;
        rows.iter().map(|r| Ok((r.col(0)?, r.col(1)?))).collect()
    }

    async fn keep_set_version(
        &self,
        version: &str,
        set_id: &str,
        source: &str,
        at: &str,
    ) -> Result<()> {
        self.client()
            .await?
            .exec(INSERT_SET_VERSION, &[&version, &set_id, &source, &at])
            .await?;
        Ok(())
    }

    async fn set_version_source(&self, version: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .row_opt(GET_SET_VERSION, &[&version])
            .await?;
        row.map(|r| r.col(0)).transpose()
    }

    async fn latest_set_version(&self, set_id: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .row_opt(LATEST_SET_VERSION, &[&set_id])
            .await?;
        row.map(|r| r.col(0)).transpose()
    }
}
