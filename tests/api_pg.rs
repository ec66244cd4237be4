//! The HTTP API tests of `tests/api`, the same bodies, on PostgreSQL: each
//! app gets a fresh database on one throwaway cluster that this test binary
//! starts and stops (`tests/support/postgres.rs`). Locally, without
//! PostgreSQL, it prints why and runs nothing; under `CI=true` it must run.

#[path = "support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

const POSTGRES: bool = true;

#[path = "api/admin.rs"]
mod admin;
#[path = "api/audit.rs"]
mod audit;
#[path = "api/claims.rs"]
mod claims;
#[path = "api/defences.rs"]
mod defences;
#[path = "api/draws.rs"]
mod draws;
#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/privacy.rs"]
mod privacy;
#[path = "api/sheets.rs"]
mod sheets;
#[path = "api/visitor.rs"]
mod visitor;
