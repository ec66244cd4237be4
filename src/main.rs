//! The `quizbooth` binary: parse the command line, start logging, dispatch.

use clap::Parser;
use quizbooth::cli::{Cli, Command};
use quizbooth::commands;
use std::io::IsTerminal;
use std::process::ExitCode;

/// mimalloc: the service allocates many small, short-lived buffers per
/// request; glibc's malloc and free were a fifth of the workers' time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Log directives that keep actix's request-level lines out of the log, and
/// tokio-postgres's statement lines, which at debug list every parameter
/// (names and phones among them).
const QUIET: [&str; 3] = ["actix_web=info", "actix_http=info", "tokio_postgres=info"];

fn main() -> ExitCode {
    let cli = Cli::parse();
    // actix's own debug lines name request paths, and a path can hold a
    // whole session token: they stay off whatever RUST_LOG asks for (our
    // per-request line at debug cuts tokens short instead).
    // deadpool's "could not be recycled" lines come in dozens when a node
    // stops (its workers' connections close with them): errors only, unless asked.
    let filter = QUIET.iter().fold(
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,actix_server=warn,deadpool.postgres=error".into()),
        |f, d| f.add_directive(d.parse().expect("a valid directive")),
    );
    // A request that does not parse is counted in the minute's traffic
    // line, not written as an ERROR line of its own.
    use tracing_subscriber::prelude::*;
    tracing_subscriber::registry()
        .with(filter)
        .with(quizbooth::traffic::MalformedCounter::default())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .init();
    let result = match &cli.command {
        None => commands::serve::run(&cli.serve),
        Some(Command::Serve(args)) => commands::serve::run(args),
        Some(Command::Check(args)) => commands::check::run(args),
        Some(Command::Qr(args)) => commands::qr::run(args),
        Some(Command::DrawVerify(args)) => commands::draw_verify::run(args),
        Some(Command::AuditVerify(args)) => commands::audit_verify::run(args),
        Some(Command::Convert(args)) => commands::convert::run(args),
        Some(Command::Template(args)) => commands::convert::template(args),
        Some(Command::Migrate(args)) => commands::migrate::run(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(1)
    })
}
