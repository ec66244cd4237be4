//! The HTTP API against a real server on a free port with its own SQLite file.

#[path = "../support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

/// This crate runs the tests on SQLite; `tests/api_pg.rs` runs them on PostgreSQL.
const POSTGRES: bool = false;

mod admin;
mod audit;
mod claims;
mod defences;
mod draws;
mod helpers;
mod privacy;
mod sheets;
mod visitor;
