//! The engine an API test runs on, chosen at run time. `#[engines]`
//! (`tests/macros`) makes each `async fn` of `tests/api` two tests,
//! `NAME::sqlite` and `NAME::postgres`; [`Engine::run`] sets the engine for
//! the test's thread, where `spawn_app()` and the helpers read it. A test
//! added to any module of `tests/api` so runs on both engines.

use std::cell::Cell;
use std::future::Future;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

thread_local! {
    static ENGINE: Cell<Option<Engine>> = const { Cell::new(None) };
}

impl Engine {
    /// The engine of the running test: the one [`Engine::run`] set, else
    /// SQLite (the browser, CLI and process tests).
    pub fn current() -> Engine {
        ENGINE.with(Cell::get).unwrap_or(Engine::Sqlite)
    }

    /// Runs `test` on this engine. On PostgreSQL without a cluster here it
    /// prints why and passes (under `CI=true` it fails instead: see
    /// [`crate::support::postgres::cluster`]).
    pub async fn run<F: Future<Output = ()>>(self, test: impl FnOnce() -> F) {
        if self == Engine::Postgres && crate::support::postgres::cluster().is_none() {
            return;
        }
        ENGINE.with(|e| e.set(Some(self)));
        test().await;
    }
}

/// Whether the running test is on PostgreSQL.
pub fn on_postgres() -> bool {
    Engine::current() == Engine::Postgres
}
