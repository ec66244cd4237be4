//! One module per subcommand, each `run(args) -> anyhow::Result<ExitCode>`.

pub mod audit_verify;
pub mod check;
pub mod convert;
pub mod draw_verify;
pub mod migrate;
pub mod qr;
pub mod serve;
