//! What the test binaries share (`tests/api`, `tests/browser`, `tests/cli`,
//! `tests/nodes`, each `#[path = "../support/mod.rs"] mod support;`):
//!
//! - [`app`]: a server in the test's process on a fresh database, driven
//!   over HTTP (`spawn_app()`), on the engine of [`engine`];
//! - [`process`]: `quizbooth serve` as a child process ([`process::Server`]);
//! - [`postgres`]: the throwaway PostgreSQL cluster;
//! - [`chromium`]: headless Chromium through chromedriver;
//! - [`eventually`]: the one way to wait for a condition.
//!
//! `TEST_LOG=1` shows the server's log in a test: the in-process app's
//! tracing on the test's output, a child process's stderr passed through.

pub mod app;
pub mod chromium;
pub mod engine;
pub mod postgres;
pub mod process;

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` every 50 ms until it gives `Some`, and returns that; once
/// `deadline` has passed since the call, the test fails with `what` (and
/// `check` is asked one last time, so a slow machine gets its full
/// deadline).
pub async fn eventually<T, F, Fut>(deadline: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let since = Instant::now();
    loop {
        let late = since.elapsed() >= deadline;
        if let Some(v) = check().await {
            return v;
        }
        assert!(!late, "{what}: not within {deadline:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// [`eventually`] for code outside a runtime (a child's exit, a file).
pub fn eventually_blocking<T>(
    deadline: Duration,
    what: &str,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let since = Instant::now();
    loop {
        let late = since.elapsed() >= deadline;
        if let Some(v) = check() {
            return v;
        }
        assert!(!late, "{what}: not within {deadline:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `TEST_LOG` asks to see the server's log.
pub fn test_log() -> bool {
    std::env::var_os("TEST_LOG").is_some_and(|v| !v.is_empty() && v != "0")
}
