//! The HTTP API against a real server on a free port, each test on SQLite
//! (`NAME::sqlite`, its own file) and on PostgreSQL (`NAME::postgres`, a
//! fresh database on one throwaway cluster that this binary starts and
//! stops): `#[engines]` on an `async fn` makes both, so every module here
//! runs on both engines. Locally, without PostgreSQL, the PostgreSQL half
//! prints why and passes; under `CI=true` it must run.

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod admin;
mod audit;
mod batching;
mod claims;
mod defences;
mod draws;
mod funnel;
mod metrics;
mod picks;
mod privacy;
mod report;
mod sheets;
mod sources;
mod statements;
mod visitor;
mod wall;
