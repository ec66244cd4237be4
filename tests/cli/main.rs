//! The binary's commands as a black box: `check`, `qr`, `draw-verify`
//! (`commands`); spreadsheets through `check`, `convert` and `template`
//! (`sheets`); what `serve` may log (`logs`); `migrate` into PostgreSQL
//! (`migrate`).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod commands;
mod logs;
mod migrate;
mod sheets;
