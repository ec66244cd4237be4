//! `sources` (SPEC §11): the list staff keep, in their order.

use super::{Result, Sqlite};
use crate::sources::Source;
use crate::store::contract::Sources;

const SOURCES: &str = "SELECT id, name, headcount FROM sources ORDER BY position";
const CLEAR_SOURCES: &str = "DELETE FROM sources";
const INSERT_SOURCE: &str =
    "INSERT INTO sources (position, id, name, headcount) VALUES (?1, ?2, ?3, ?4)";

impl Sources for Sqlite {
    async fn sources(&self) -> Result<Vec<Source>> {
        self.read(|c| {
            let mut st = c.prepare_cached(SOURCES)?;
            let rows = st.query_map([], |r| {
                Ok(Source {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    headcount: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn replace_sources(&self, list: Vec<Source>) -> Result<()> {
        self.write(move |c| {
            c.prepare_cached(CLEAR_SOURCES)?.execute([])?;
            let mut insert = c.prepare_cached(INSERT_SOURCE)?;
            for (i, s) in list.iter().enumerate() {
                insert.execute(rusqlite::params![i as i64, s.id, s.name, s.headcount])?;
            }
            Ok(())
        })
        .await
    }
}
