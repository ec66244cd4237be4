//! The audit log's hash chain (SPEC §7), pure: each row's hash is the
//! lowercase hex SHA-256 of `PREV\nSEQ\nAT\nACTION\nDETAIL`, PREV being the
//! previous row's hash (64 zeros before the first). Changing, removing or
//! inserting a row breaks every hash after it. [`records`] checks the
//! log against the draws, claims, withdrawals and purges it speaks of;
//! [`fields`] reads each row's detail as named values for the console.

pub mod fields;
pub mod records;

use sha2::{Digest, Sha256};

/// The PREV of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one row.
pub fn hash(prev: &str, seq: i64, at: &str, action: &str, detail: &str) -> String {
    let text = format!("{prev}\n{seq}\n{at}\n{action}\n{detail}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A row as the chain sees it.
pub trait Row {
    /// 1, 2, 3…
    fn seq(&self) -> i64;
    /// RFC 3339.
    fn at(&self) -> &str;
    /// The action's name.
    fn action(&self) -> &str;
    /// The detail text.
    fn detail(&self) -> &str;
    /// The stored hash.
    fn hash(&self) -> &str;
}

/// Where the chain breaks first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The row's `seq`.
    pub seq: i64,
    /// What is wrong with it.
    pub why: String,
}

/// Checks rows given oldest first: `seq` runs 1, 2, 3… without gaps and
/// every hash is the one its row and the row before give.
pub fn verify<R: Row>(rows: &[R]) -> Result<(), Break> {
    let mut prev = GENESIS.to_owned();
    for (i, r) in rows.iter().enumerate() {
        let want_seq = i as i64 + 1;
        if r.seq() != want_seq {
            return Err(Break {
                seq: r.seq(),
                why: format!("expected row {want_seq} here: a row is missing or out of order"),
            });
        }
        let want = hash(&prev, r.seq(), r.at(), r.action(), r.detail());
        if r.hash() != want {
            return Err(Break {
                seq: r.seq(),
                why: "its hash does not follow from it and the row before: it was changed".into(),
            });
        }
        prev = want;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AuditEntry;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let (at, action, detail) = (
                    "2026-12-01T10:00:00+08:00",
                    "draw_committed",
                    format!("draw {seq}"),
                );
                let h = hash(&prev, seq, at, action, &detail);
                prev = h.clone();
                AuditEntry {
                    seq,
                    at: at.into(),
                    action: action.into(),
                    detail,
                    hash: h,
                }
            })
            .collect()
    }

    #[test]
    fn the_first_hash_is_over_the_spec_text() {
        // sha256("000…000\n1\nAT\nset_uploaded\nnetsec-week"), computed with `sha256sum`.
        let h = hash(
            GENESIS,
            1,
            "2026-12-01T10:00:00+08:00",
            "set_uploaded",
            "netsec-week",
        );
        let text = format!("{GENESIS}\n1\n2026-12-01T10:00:00+08:00\nset_uploaded\nnetsec-week");
        assert_eq!(h, hex::encode(Sha256::digest(text.as_bytes())));
        assert_eq!(h.len(), 64);
    }

    #[test]
    fn any_change_breaks_the_chain_where_it_was_made() {
        let good = chain(5);
        assert_eq!(verify(&good), Ok(()));
        let mut changed = good.clone();
        changed[2].detail = "draw 99".into();
        assert_eq!(verify(&changed).unwrap_err().seq, 3);
        let mut gap = good.clone();
        gap.remove(1);
        assert_eq!(verify(&gap).unwrap_err().seq, 3);
        let mut rehashed = good.clone();
        rehashed[1].detail = "draw 99".into();
        rehashed[1].hash = hash(&good[0].hash, 2, &good[1].at, &good[1].action, "draw 99");
        assert_eq!(
            verify(&rehashed).unwrap_err().seq,
            3,
            "the next row no longer follows"
        );
    }
}
