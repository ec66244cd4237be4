//! The seconds a visitor spent on each question (SPEC §11 `median_secs`),
//! as the page measured them: read at the border from whatever the page
//! sent, clamped to the session's own time, never used for scoring; and
//! the median of the per-second histogram they are counted in.
//!
//! The page's field is `"secs": {"QUESTION-ID": SECONDS, …}`. Anything
//! else (missing, not an object, a value that is not a whole number of
//! seconds ≥ 0, a question not served) is "unknown" for that question:
//! a timing is a hint about the bank, and a visitor's result never depends
//! on it, so no timing, however wrong, refuses a submission.

use super::Served;
use std::collections::BTreeMap;

/// The histogram's last bucket: a time of this many seconds or more is
/// counted here (a median of `CAP_SECS` reads "ten minutes or more").
pub const CAP_SECS: u32 = 600;

/// The seconds spent on each question `served`, in served order (`None`
/// when unknown), from `sent` (the body's `secs`, as it came) for a
/// session `elapsed` seconds old: each at most `elapsed`, and when they add
/// up to more than `elapsed` (a page cannot have shown two questions at
/// once) each is scaled down, rounding down, so their sum is at most
/// `elapsed` too.
pub fn spent(
    sent: Option<&serde_json::Value>,
    served: &[Served],
    elapsed: u32,
) -> Vec<Option<u32>> {
    let mut secs = vec![None; served.len()];
    let Some(sent) = sent.and_then(serde_json::Value::as_object) else {
        return secs;
    };
    for (at, s) in served.iter().enumerate() {
        secs[at] = sent
            .get(&s.id)
            .and_then(serde_json::Value::as_u64)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX).min(elapsed));
    }
    let sum: u64 = secs.iter().flatten().map(|&n| u64::from(n)).sum();
    if sum > u64::from(elapsed) {
        for n in secs.iter_mut().flatten() {
            // n ≤ elapsed < sum, so the quotient fits.
            *n = u32::try_from(u64::from(*n) * u64::from(elapsed) / sum).unwrap_or(0);
        }
    }
    secs
}

/// The histogram bucket of a time: whole seconds, [`CAP_SECS`] and more in one.
pub fn bucket(secs: u32) -> u32 {
    secs.min(CAP_SECS)
}

/// The median of a histogram of seconds (bucket → how many), exact to
/// the second; of an even count, the lower of the two middle times (a time
/// someone actually took, and whole). `None` when it counts nothing.
pub fn median(histogram: &BTreeMap<u32, i64>) -> Option<u32> {
    let total: i64 = histogram.values().filter(|&&n| n > 0).sum();
    if total == 0 {
        return None;
    }
    // The ((total + 1) / 2)-th smallest time, counting from 1.
    let rank = (total + 1) / 2;
    let mut below = 0;
    for (&secs, &n) in histogram {
        below += n.max(0);
        if below >= rank {
            return Some(secs);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn served() -> Vec<Served> {
        ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(index, id)| Served {
                index,
                id: (*id).into(),
                options: vec!['A', 'B'],
            })
            .collect()
    }

    fn hist(times: &[u32]) -> BTreeMap<u32, i64> {
        let mut h = BTreeMap::new();
        for &t in times {
            *h.entry(bucket(t)).or_default() += 1;
        }
        h
    }

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_time() {
        assert_eq!(median(&hist(&[7])), Some(7));
        assert_eq!(median(&hist(&[30, 2, 9])), Some(9));
        assert_eq!(median(&hist(&[5, 5, 5, 1, 100])), Some(5));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_lower_middle_time() {
        assert_eq!(median(&hist(&[2, 9])), Some(2));
        assert_eq!(median(&hist(&[1, 4, 6, 50])), Some(4));
        assert_eq!(median(&hist(&[0, 0])), Some(0));
    }

    #[test]
    fn an_empty_histogram_has_no_median() {
        assert_eq!(median(&BTreeMap::new()), None);
        assert_eq!(median(&BTreeMap::from([(3, 0)])), None);
    }

    #[test]
    fn long_times_fall_in_the_last_bucket() {
        assert_eq!(bucket(CAP_SECS + 1), CAP_SECS);
        assert_eq!(median(&hist(&[900, 4000, 1])), Some(CAP_SECS));
    }

    #[test]
    fn histograms_merge_by_adding_buckets() {
        // Shards and nodes each keep a histogram; their sum has the median
        // of all the times together.
        let (a, b) = (hist(&[1, 2, 3]), hist(&[10, 11, 12, 13]));
        let mut sum = a.clone();
        for (k, n) in b {
            *sum.entry(k).or_default() += n;
        }
        assert_eq!(median(&sum), median(&hist(&[1, 2, 3, 10, 11, 12, 13])));
        assert_eq!(median(&sum), Some(10));
    }

    #[test]
    fn times_are_clamped_to_the_sessions_own_time() {
        let s = served();
        assert_eq!(
            spent(Some(&json!({"a": 10_000})), &s, 3),
            vec![Some(3), None, None]
        );
        // Each within the session's time, the sum beyond it: scaled down.
        let scaled = spent(Some(&json!({"a": 3, "b": 3, "c": 2})), &s, 4);
        assert_eq!(scaled, vec![Some(1), Some(1), Some(1)]);
        assert!(scaled.iter().flatten().sum::<u32>() <= 4);
        assert_eq!(
            spent(Some(&json!({"a": 4, "b": 5})), &s, 60),
            vec![Some(4), Some(5), None]
        );
    }

    #[test]
    fn garbage_is_unknown_never_an_error() {
        let s = served();
        let none = vec![None, None, None];
        for sent in [
            json!(null),
            json!("12"),
            json!([1, 2]),
            json!({"a": -1, "b": 2.5, "c": "7"}),
            json!({"zzz": 5}),
            json!({"a": {"x": 1}}),
        ] {
            assert_eq!(spent(Some(&sent), &s, 60), none, "{sent}");
        }
        assert_eq!(spent(None, &s, 60), none);
        assert_eq!(
            spent(Some(&json!({"a": 1e300, "b": 2})), &s, 60),
            vec![None, Some(2), None]
        );
        assert_eq!(
            spent(Some(&json!({"a": u64::MAX})), &s, 60),
            vec![Some(60), None, None]
        );
    }
}
