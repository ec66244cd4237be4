//! The one clock: the server's local time, written as RFC 3339 with seconds.
//!
//! Everything that reads the time on a request path asks a [`Clock`] held in
//! the shared state, never the system directly, so a test can move time
//! forward (a session past its deadline, a round that has closed) instead of
//! sleeping or editing the database.

use chrono::{DateTime, Duration, FixedOffset};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The server's clock: the system's time plus an offset that only tests move.
/// Cheap to clone; clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, in the server's local offset.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        let now = chrono::Local::now().fixed_offset();
        if offset == 0 {
            now
        } else {
            now + Duration::milliseconds(offset)
        }
    }

    /// Moves this clock (and every clone of it) forward by `by` (backward
    /// when negative). For tests: nothing in the service calls it.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

/// RFC 3339 with seconds.
pub fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// RFC 3339 with milliseconds (for times compared to the millisecond, such
/// as a submission's against its start).
pub fn rfc3339_millis(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_and_its_clones_move_together() {
        let clock = Clock::system();
        let clone = clock.clone();
        let before = clock.now();
        clone.advance(Duration::hours(2));
        let after = clock.now();
        let moved = after - before;
        assert!(
            moved >= Duration::hours(2) && moved < Duration::hours(2) + Duration::seconds(5),
            "{moved}"
        );
        assert!(Clock::system().now() < after, "a new clock is not moved");
    }
}
