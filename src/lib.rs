//! quizbooth: a self-hosted, mobile-first H5 quiz for cybersecurity publicity
//! weeks, with a prize draw anyone can verify.
//!
//! # Floors
//!
//! Each floor uses only the floors under it (pure domain ← store ← services
//! ← routes):
//!
//! ```text
//! commands, startup   the binary: flags (cli, config), wiring, the process
//! routes              HTTP handlers: parse, call, view (routes::views; the
//!                     render cache in routes::rendered); error
//! services            sets (the set registry), keeping (the erasure sweep),
//!                     state, limits, connections, playing, traffic, pages, qr,
//!                     source_list (the sources every node knows),
//!                     funnel (the store's counts grouped by day, hour or
//!                     source in the service's time zone), league (the
//!                     sources ranked from it),
//!                     audit::records (the chain checked against the store)
//! store               named operations; contract (the Engine trait), sqlite,
//!                     postgres, migrate
//! pure domain         bank (parsing, validation), quiz, draw, draw_terms, contact, audit
//!                     (the hash chain), sources (the list's rows), clock,
//!                     ids, ui_keys, metrics (the instruments the store and
//!                     routes count into)
//! ```
//!
//! No arrow climbs: what the quiz mints and the store keys on (the session's
//! identity, the node's lease, fresh secrets) sits in `ids`, below both, and
//! `quiz::token` re-exports it.
//!
//! # Following a request
//!
//! [`startup::configure`] lists every route; a handler in [`routes`]
//! (`visitor`, `draws`, `draw_reads`, `admin`, `sheets`, `sources`, `wall`, `assets`,
//! `health`, with what they share in `routes::shared`) reads "parse, call,
//! view": it
//! parses its body into domain values ([`quiz::Entrant`], [`quiz::Answers`],
//! [`draw_terms::DrawTerms`], [`store::ClaimBy`]…), reads the [`state::AppState`], asks the set
//! registry ([`sets::Registry`]) for a bank, the pure [`quiz`] functions to
//! serve or score it, and one named operation of [`store::Store`] to keep
//! or read what it must (`record_submission`, `record_entry`,
//! `commit_draw`…); the store answers with a record or a refusal, and `?`
//! turns every refusal into the SPEC's status and error code in one place
//! (`error::refusals`; the codes are [`error::ErrorCode`]). The SQL and the group-commit writer are behind the
//! store, in `store::sqlite` and `store::postgres`. The time comes from the
//! state's [`clock::Clock`], which tests move.
//!
//! # Commands
//!
//! One file each in [`commands`], flags in [`cli`]:
//!
//! - `serve` (the default): run the service.
//! - `check`: validate question banks, FILE:LINE:COLUMN per problem.
//! - `qr`: the visitor QR code as PNG, SVG or terminal text.
//! - `draw-verify`: recompute a draw offline from entries.txt and its seed.
//! - `audit-verify`: recompute the audit log's hash chain.
//! - `convert`: a bank between YAML and an Excel workbook.
//! - `template`: the Excel template for a new bank (in `commands::convert`).
//! - `migrate`: move an event from a SQLite file into an empty PostgreSQL
//!   database.
#![warn(missing_docs)]

/// The audit log's hash chain (SPEC §7), pure.
pub mod audit;
/// Question banks: the YAML model, validation with line/column, versions,
/// i18n texts; pure parsing and validation.
pub mod bank;
/// The command line (clap): every command listed above.
pub mod cli;
/// The one clock (injectable; tests move it) and its RFC 3339 form.
pub mod clock;
/// One file per subcommand.
pub mod commands;
/// Settings built once from flags and environment.
pub mod config;
/// Slow clients: a deadline for each request's body, connections per
/// address, and the file-descriptor limit.
pub mod connections;
/// Entrant names, phone numbers, entry codes, and their masks.
pub mod contact;
/// The verifiable draw (SPEC §5), pure.
pub mod draw;
/// What staff commit a draw with, parsed, or why not (SPEC §4, §5), pure.
pub mod draw_terms;
/// The API error type and its JSON response.
pub mod error;
/// The funnel (SPEC §11): counts per hour and source grouped by day, hour
/// or source in the service's time zone, with the sources' rates.
pub mod funnel;
/// Session identities, node leases and fresh secrets: what the quiz mints
/// and the store keys on, below both.
pub mod ids;
/// How long names and phones are kept, and the sweep that erases them.
pub mod keeping;
/// The sources' league: ranked by participation rate, else entries; pure.
pub mod league;
/// Per-client rate limits sized for a booth behind one NAT address; junk
/// has a budget of its own.
pub mod limits;
/// What each node is doing, for Prometheus: the instruments the store and
/// the HTTP layer count into, and their names (the endpoint is
/// `routes::metrics`).
pub mod metrics;
/// The embedded web pages and their content-hashed asset URLs.
pub mod pages;
/// Roughly how many visitors are mid-quiz, for the 发布 confirm.
pub mod playing;
/// QR codes as PNG, SVG and terminal text.
pub mod qr;
/// Sessions, question selection, option shuffling and scoring, pure.
pub mod quiz;
/// HTTP handlers, one file per audience, and what they share.
pub mod routes;
/// The set registry: loaded question sets, the active one, every version a
/// session may still point at; reads the banks folder, keeps uploads.
pub mod sets;
/// The sources every node knows, held in memory for session starts and
/// followed on a shared store.
pub mod source_list;
/// Sources (SPEC §11): the units and channels a campaign mobilises, read
/// from the list staff upload; pure.
pub mod sources;
/// Building and running the HTTP application.
pub mod startup;
/// The state every handler shares: store, set registry, settings, clock.
pub mod state;
/// The store's named operations; behind them SQLite (migrations, SQL by
/// aggregate, the group-commit writer).
pub mod store;
/// The traffic summary and the per-request debug log.
pub mod traffic;
/// The string keys the pages build at run time, as enums.
pub mod ui_keys;

/// Proptest settings: `default` cases, or `PROPTEST_CASES` when set (a long
/// fuzzing run: `PROPTEST_CASES=5000000 cargo test --release --lib fuzz_`).
#[cfg(test)]
pub(crate) fn proptest_cases(default: u32) -> proptest::prelude::ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    proptest::prelude::ProptestConfig {
        cases,
        ..Default::default()
    }
}
