//! `shared_sets`: the sets uploaded or removed through the console, which
//! every node serves (SPEC §10). Each change bumps `meta.sets_generation`
//! in its own transaction; nodes poll that one value and read the sets
//! again when it moved.

use super::meta::{BUMP_GENERATION, SETS_GENERATION};
use super::{Cached, Col};
use super::{Postgres, Result};
use crate::store::contract::SharedSets;
use crate::store::SharedSet;

const SHARE: &str = "INSERT INTO shared_sets (set_id, version, removed, changed_at)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (set_id) DO UPDATE SET version = EXCLUDED.version,
       removed = EXCLUDED.removed, changed_at = EXCLUDED.changed_at";
const GENERATION: &str = "SELECT CAST(value AS BIGINT) FROM meta WHERE key = $1";
const ALL: &str = "SELECT set_id, version, removed FROM shared_sets ORDER BY set_id";

impl SharedSets for Postgres {
    async fn share_set(&self, set_id: &str, version: &str, removed: bool, at: &str) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.exec(SHARE, &[&set_id, &version, &removed, &at]).await?;
        tx.exec(BUMP_GENERATION, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sets_generation(&self) -> Result<i64> {
        let row = self
            .client()
            .await?
            .row_opt(GENERATION, &[&SETS_GENERATION])
            .await?;
        row.map_or(Ok(0), |r| r.col(0))
    }

    async fn shared_sets(&self) -> Result<Vec<SharedSet>> {
        let rows = self.client().await?.rows(ALL, &[]).await?;
        rows.iter()
            .map(|r| {
                Ok(SharedSet {
                    set_id: r.col(0)?,
                    version: r.col(1)?,
                    removed: r.col(2)?,
                })
            })
            .collect()
    }
}
