//! The one clock: the server's local time, written as RFC 3339 with seconds.

use chrono::{DateTime, FixedOffset};

/// Now, in the server's local offset.
pub fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// RFC 3339 with seconds.
pub fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}
