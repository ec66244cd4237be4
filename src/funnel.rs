//! The funnel (SPEC §11): the store's counts per UTC hour and source
//! ([`FunnelCount`]) grouped by day, hour or source in the service's time
//! zone (`--tz`), each source joined with the list staff keep (its name,
//! headcount and rate), and the totals. Pure: the console, the CSV, the
//! wall and the report all group through here, so their numbers agree.

use crate::sources::{Source, DIRECT, SHARE};
use crate::store::FunnelCount;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

/// How the rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// A row per day of the time zone (`2026-12-07`), oldest first.
    Day,
    /// A row per hour of the time zone (`2026-12-07T09:00:00+08:00`), oldest first.
    Hour,
    /// A row per source: the list's in its order, then `direct`, `share`,
    /// and any id no longer listed.
    Source,
}

impl By {
    /// `day`, `hour` or `source`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Self::Day),
            "hour" => Some(Self::Hour),
            "source" => Some(Self::Source),
            _ => None,
        }
    }
}

/// The five stages' counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stages {
    /// Requests for the visitor page.
    pub visits: i64,
    /// Sessions started.
    pub starts: i64,
    /// Sessions submitted.
    pub submitted: i64,
    /// Sessions passed.
    pub passed: i64,
    /// Entries to the draws.
    pub entries: i64,
}

impl Stages {
    fn add(&mut self, c: &FunnelCount) {
        self.visits += c.visits;
        self.starts += c.starts;
        self.submitted += c.submitted;
        self.passed += c.passed;
        self.entries += c.entries;
    }

    /// The counts in stage order: visits, starts, submitted, passed, entries.
    pub fn each(&self) -> [i64; 5] {
        [
            self.visits,
            self.starts,
            self.submitted,
            self.passed,
            self.entries,
        ]
    }
}

/// What a `by=source` row says of its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceOf {
    /// The list's name; `None` for `direct`, `share` and an id no longer
    /// listed (the pages name the first two in their own language).
    pub name: Option<String>,
    /// The list's headcount, when known.
    pub headcount: Option<u32>,
    /// Entries per head, when the headcount is known.
    pub rate: Option<f64>,
}

/// One row of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The day, the hour or the source id.
    pub key: String,
    /// Its counts.
    #[serde(flatten)]
    pub stages: Stages,
    /// By source only: the source as listed.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceOf>,
}

/// The funnel grouped one way, with its totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    /// The rows, in order.
    pub rows: Vec<Row>,
    /// Every row added up (also every count given, whatever the grouping).
    pub totals: Stages,
}

/// Groups `counts` (of one set, or one round) by `by` in the time zone `tz`,
/// joining sources with `list`.
pub fn group(counts: &[FunnelCount], by: By, tz: Tz, list: &[Source]) -> Funnel {
    let mut totals = Stages::default();
    for c in counts {
        totals.add(c);
    }
    let rows = match by {
        By::Day => {
            let mut days: BTreeMap<NaiveDate, Stages> = BTreeMap::new();
            for c in counts {
                days.entry(local(c.hour, tz).date_naive())
                    .or_default()
                    .add(c);
            }
            days.into_iter()
                .map(|(day, stages)| Row {
                    key: day.format("%Y-%m-%d").to_string(),
                    stages,
                    source: None,
                })
                .collect()
        }
        By::Hour => {
            let mut hours: BTreeMap<i64, Stages> = BTreeMap::new();
            for c in counts {
                hours.entry(c.hour).or_default().add(c);
            }
            hours
                .into_iter()
                .map(|(hour, stages)| Row {
                    key: local(hour, tz).to_rfc3339(),
                    stages,
                    source: None,
                })
                .collect()
        }
        By::Source => by_source(counts, list),
    };
    Funnel { rows, totals }
}

/// The start of a UTC hour in `tz`.
fn local(hour: i64, tz: Tz) -> chrono::DateTime<Tz> {
    let utc = chrono::DateTime::from_timestamp(hour.saturating_mul(3600), 0).unwrap_or_default();
    tz.from_utc_datetime(&utc.naive_utc())
}

fn by_source(counts: &[FunnelCount], list: &[Source]) -> Vec<Row> {
    let mut seen: BTreeMap<&str, Stages> = BTreeMap::new();
    for c in counts {
        seen.entry(c.source.as_str()).or_default().add(c);
    }
    let mut rows: Vec<Row> = Vec::with_capacity(list.len() + seen.len() + 2);
    for s in list {
        let stages = seen.remove(s.id.as_str()).unwrap_or_default();
        let rate = s
            .headcount
            .filter(|&h| h > 0)
            .map(|h| stages.entries as f64 / f64::from(h));
        rows.push(Row {
            key: s.id.clone(),
            stages,
            source: Some(SourceOf {
                name: Some(s.name.clone()),
                headcount: s.headcount,
                rate,
            }),
        });
    }
    let unlisted = |key: &str, stages: Stages| Row {
        key: key.to_owned(),
        stages,
        source: Some(SourceOf {
            name: None,
            headcount: None,
            rate: None,
        }),
    };
    for reserved in [DIRECT, SHARE] {
        let stages = seen.remove(reserved).unwrap_or_default();
        rows.push(unlisted(reserved, stages));
    }
    // Ids taken off the list since: their sessions keep them.
    rows.extend(seen.into_iter().map(|(id, stages)| unlisted(id, stages)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07T16:00:00Z, midnight of the 8th in Beijing.
    const MIDNIGHT_BEIJING: i64 = 1_796_659_200 / 3600;

    fn count(hour: i64, source: &str, stages: [i64; 5]) -> FunnelCount {
        let [visits, starts, submitted, passed, entries] = stages;
        FunnelCount {
            hour,
            source: source.into(),
            visits,
            starts,
            submitted,
            passed,
            entries,
        }
    }

    fn counts() -> Vec<FunnelCount> {
        vec![
            count(MIDNIGHT_BEIJING - 1, DIRECT, [5, 4, 3, 2, 1]),
            count(MIDNIGHT_BEIJING - 1, "wuhua", [10, 8, 6, 4, 2]),
            count(MIDNIGHT_BEIJING, "wuhua", [1, 1, 1, 1, 1]),
            count(MIDNIGHT_BEIJING + 8, "gone", [2, 0, 0, 0, 0]),
        ]
    }

    fn keys_and_entries(f: &Funnel) -> Vec<(&str, i64)> {
        f.rows
            .iter()
            .map(|r| (r.key.as_str(), r.stages.entries))
            .collect()
    }

    #[test]
    fn days_turn_at_midnight_of_the_time_zone_not_of_utc() {
        let shanghai = group(&counts(), By::Day, chrono_tz::Asia::Shanghai, &[]);
        assert_eq!(
            keys_and_entries(&shanghai),
            vec![("2026-12-07", 3), ("2026-12-08", 1)],
            "16:00 UTC starts the 8th in Beijing"
        );
        assert_eq!(shanghai.rows[1].stages.visits, 3);
        let utc = group(&counts(), By::Day, chrono_tz::UTC, &[]);
        assert_eq!(
            keys_and_entries(&utc),
            vec![("2026-12-07", 4), ("2026-12-08", 0)],
            "in UTC the 8th starts 8 hours later"
        );
        assert_eq!(shanghai.totals, utc.totals);
        assert_eq!(shanghai.totals.each(), [18, 13, 10, 7, 4]);
    }

    #[test]
    fn hours_are_keyed_in_the_time_zone_with_its_offset() {
        let f = group(&counts(), By::Hour, chrono_tz::Asia::Shanghai, &[]);
        assert_eq!(
            keys_and_entries(&f),
            vec![
                ("2026-12-07T23:00:00+08:00", 3),
                ("2026-12-08T00:00:00+08:00", 1),
                ("2026-12-08T08:00:00+08:00", 0),
            ]
        );
        assert_eq!(f.rows[0].stages.each(), [15, 12, 9, 6, 3]);
    }

    #[test]
    fn sources_follow_the_list_then_direct_share_and_the_unlisted() {
        let list = vec![
            Source {
                id: "kunming-u".into(),
                name: "昆明大学".into(),
                headcount: None,
            },
            Source {
                id: "wuhua".into(),
                name: "五华区".into(),
                headcount: Some(300),
            },
        ];
        let f = group(&counts(), By::Source, chrono_tz::Asia::Shanghai, &list);
        assert_eq!(
            keys_and_entries(&f),
            vec![
                ("kunming-u", 0),
                ("wuhua", 3),
                ("direct", 1),
                ("share", 0),
                ("gone", 0)
            ]
        );
        let wuhua = f.rows[1].source.as_ref().unwrap();
        assert_eq!(wuhua.name.as_deref(), Some("五华区"));
        assert_eq!(wuhua.rate, Some(0.01), "3 entries of 300 people");
        assert_eq!(f.rows[0].source.as_ref().unwrap().rate, None);
        assert_eq!(f.rows[2].source.as_ref().unwrap().name, None);
        let json = serde_json::to_value(&f.rows[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"key": "wuhua", "visits": 11, "starts": 9, "submitted": 7,
                "passed": 5, "entries": 3, "name": "五华区", "headcount": 300, "rate": 0.01})
        );
        let day = serde_json::to_value(&group(&counts(), By::Day, chrono_tz::UTC, &[]).rows[0]);
        assert!(
            day.unwrap().get("name").is_none(),
            "by day: no source fields"
        );
    }

    #[test]
    fn by_is_one_of_three_words() {
        assert_eq!(By::parse("day"), Some(By::Day));
        assert_eq!(By::parse("hour"), Some(By::Hour));
        assert_eq!(By::parse("source"), Some(By::Source));
        assert_eq!(By::parse("week"), None);
    }
}
