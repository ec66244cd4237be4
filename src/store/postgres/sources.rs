//! `sources` (SPEC §11): the list staff keep, in their order, shared by
//! every node.

use super::{Cached, Col};
use super::{Postgres, Result};
use crate::sources::Source;
use crate::store::contract::Sources;

const SOURCES: &str = "SELECT id, name, headcount FROM sources ORDER BY position";
const CLEAR_SOURCES: &str = "DELETE FROM sources";
/// The whole list in one statement, whatever its length.
const INSERT_SOURCES: &str = "INSERT INTO sources (position, id, name, headcount)
     SELECT * FROM UNNEST($1::INTEGER[], $2::TEXT[], $3::TEXT[], $4::INTEGER[])";

impl Sources for Postgres {
    async fn sources(&self) -> Result<Vec<Source>> {
        let rows = self.client().await?.rows(SOURCES, &[]).await?;
        rows.iter()
            .map(|r| {
                Ok(Source {
                    id: r.col(0)?,
                    name: r.col(1)?,
                    headcount: r.col::<Option<i32>>(2)?.and_then(|h| u32::try_from(h).ok()),
                })
            })
            .collect()
    }

    async fn replace_sources(&self, list: Vec<Source>) -> Result<()> {
        let positions: Vec<i32> = (0..list.len())
            .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
            .collect();
        let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
        let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
        let heads: Vec<Option<i32>> = list
            .iter()
            .map(|s| s.headcount.and_then(|h| i32::try_from(h).ok()))
            .collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.exec(CLEAR_SOURCES, &[]).await?;
        tx.exec(INSERT_SOURCES, &[&positions, &ids, &names, &heads])
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
