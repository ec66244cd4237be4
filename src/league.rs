//! The sources' league (SPEC §11): the listed sources ranked by their
//! participation rate (entries per head) when headcounts are known, else by
//! entries; pure. The wall shows its top rows.

use crate::sources::Source;
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

/// Entries per head, or `None` without a headcount.
pub fn rate(entries: i64, headcount: Option<u32>) -> Option<f64> {
    headcount
        .filter(|h| *h > 0)
        .map(|h| entries as f64 / f64::from(h))
}

/// The listed sources ranked, `entries_of` giving each one's entries
/// (sources not listed, `direct` and `share` among them, are no unit and
/// are not ranked). By rate when any source has a headcount: those with
/// one first, highest rate first, then those without, by entries; else by
/// entries. Ties go to more entries, then to the order staff listed them.
pub fn rank(list: &[Source], entries_of: impl Fn(&str) -> i64) -> (RankedBy, Vec<Standing>) {
    let by = if list.iter().any(|s| s.headcount.is_some_and(|h| h > 0)) {
        RankedBy::Rate
    } else {
        RankedBy::Entries
    };
    let mut rows: Vec<(usize, Standing)> = list
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let entries = entries_of(&s.id);
            let standing = Standing {
                id: s.id.clone(),
                name: s.name.clone(),
                headcount: s.headcount,
                entries,
                rate: rate(entries, s.headcount),
            };
            (i, standing)
        })
        .collect();
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
    use std::collections::HashMap;

    fn source(id: &str, headcount: Option<u32>) -> Source {
        Source {
            id: id.into(),
            name: format!("{id}单位"),
            headcount,
        }
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
        let entries = HashMap::from([("big", 100), ("small", 5), ("nohead", 3), ("nohead2", 9)]);
        let (by, rows) = rank(&list, |id| entries.get(id).copied().unwrap_or(0));
        assert_eq!(by, RankedBy::Rate);
        assert_eq!(ids(&rows), ["small", "big", "zero", "nohead2", "nohead"]);
        assert_eq!(rows[0].rate, Some(0.5));
        assert_eq!(rows[2].rate, Some(0.0));
        assert_eq!(rows[3].rate, None);
    }

    #[test]
    fn without_headcounts_entries_rank_and_ties_keep_the_listed_order() {
        let list = [source("a", None), source("b", None), source("c", None)];
        let entries = HashMap::from([("a", 1), ("b", 4), ("c", 1)]);
        let (by, rows) = rank(&list, |id| entries[id]);
        assert_eq!(by, RankedBy::Entries);
        assert_eq!(ids(&rows), ["b", "a", "c"]);
    }

    #[test]
    fn equal_rates_go_to_more_entries() {
        let list = [source("a", Some(10)), source("b", Some(20))];
        let entries = HashMap::from([("a", 1), ("b", 2)]);
        let (_, rows) = rank(&list, |id| entries[id]);
        assert_eq!(ids(&rows), ["b", "a"]);
    }
}
