//! The sources' league (SPEC §11): the listed sources ranked by their
//! participation rate (entries per head) when headcounts are known, else by
//! entries; pure. The wall shows its top rows.

use crate::funnel::Row;
use serde::Serialize;
use std::cmp::Ordering;

/// What the league is ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RankedBy {
    /// Entries per head: at least one listed source has a headcount.
    Rate,
    /// Entries: no listed source has a headcount.
    Entries,
}

/// One source's place in the league.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// The source's id.
    pub id: String,
    /// What staff call it.
    pub name: String,
    /// How many people it has, when known.
    pub headcount: Option<u32>,
    /// Its entries.
    pub entries: i64,
    /// Entries per head, when its headcount is known.
    pub rate: Option<f64>,
}

/// The listed sources of a funnel grouped by source
/// ([`crate::funnel::By::Source`], which gives each its entries and rate)
/// ranked: the rows without a name (`direct`, `share`, ids no longer
/// listed) are no unit and are not ranked. By rate when any source has a
/// headcount: those with one first, highest rate first, then those
/// without, by entries; else by entries. Ties go to more entries, then to
/// the order staff listed them.
pub fn rank(by_source: &[Row]) -> (RankedBy, Vec<Standing>) {
    let mut rows: Vec<(usize, Standing)> = by_source
        .iter()
        .filter_map(|r| {
            let s = r.source.as_ref()?;
            Some(Standing {
                id: r.key.clone(),
                name: s.name.clone()?,
                headcount: s.headcount,
                entries: r.stages.entries,
                rate: s.rate,
            })
        })
        .enumerate()
        .collect();
    let by = if rows.iter().any(|(_, s)| s.rate.is_some()) {
        RankedBy::Rate
    } else {
        RankedBy::Entries
    };
    rows.sort_by(|(ia, a), (ib, b)| {
        let by_rate = match (a.rate, b.rate) {
            (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_rate.then(b.entries.cmp(&a.entries)).then(ia.cmp(ib))
    });
    (by, rows.into_iter().map(|(_, s)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::{group, By};
    use crate::sources::Source;
    use crate::store::FunnelCount;

    fn source(id: &str, headcount: Option<u32>) -> Source {
        Source {
            id: id.into(),
            name: format!("{id}单位"),
            headcount,
        }
    }

    /// The league of `list` with these entries per source id.
    fn league(list: &[Source], entries: &[(&str, i64)]) -> (RankedBy, Vec<Standing>) {
        let counts: Vec<FunnelCount> = entries
            .iter()
            .map(|(id, n)| FunnelCount {
                hour: 494_000,
                source: (*id).into(),
                entries: *n,
                ..FunnelCount::default()
            })
            .collect();
        rank(&group(&counts, By::Source, chrono_tz::Asia::Shanghai, list).rows)
    }

    fn ids(rows: &[Standing]) -> Vec<&str> {
        rows.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn with_headcounts_the_rate_ranks_and_sources_without_one_follow_by_entries() {
        let list = [
            source("big", Some(1000)),
            source("small", Some(10)),
            source("nohead", None),
            source("nohead2", None),
            source("zero", Some(50)),
        ];
        let (by, rows) = league(
            &list,
            &[
                ("big", 100),
                ("small", 5),
                ("nohead", 3),
                ("nohead2", 9),
                ("direct", 500),
            ],
        );
        assert_eq!(by, RankedBy::Rate);
        assert_eq!(ids(&rows), ["small", "big", "zero", "nohead2", "nohead"]);
        assert_eq!(rows[0].rate, Some(0.5));
        assert_eq!(rows[2].rate, Some(0.0));
        assert_eq!(rows[3].rate, None);
    }

    #[test]
    fn without_headcounts_entries_rank_and_ties_keep_the_listed_order() {
        let list = [source("a", None), source("b", None), source("c", None)];
        let (by, rows) = league(&list, &[("a", 1), ("b", 4), ("c", 1), ("gone", 9)]);
        assert_eq!(by, RankedBy::Entries);
        assert_eq!(
            ids(&rows),
            ["b", "a", "c"],
            "direct, share and unlisted ids are no unit"
        );
    }

    #[test]
    fn equal_rates_go_to_more_entries() {
        let list = [source("a", Some(10)), source("b", Some(20))];
        let (_, rows) = league(&list, &[("a", 1), ("b", 2)]);
        assert_eq!(ids(&rows), ["b", "a"]);
    }
}
