//! `quizbooth audit-verify --db PATH`: recompute the audit log's hash chain
//! (SPEC §7) from the database and say whether it holds.

use crate::cli::AuditVerifyArgs;
use crate::store::Store;
use anyhow::Context;
use std::process::ExitCode;

/// Prints the number of rows and `the chain holds`, exit 0; or the first
/// row where it breaks and why, exit 1.
pub fn run(args: &AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let url = args.db.to_str().is_some_and(crate::store::is_postgres_url);
    anyhow::ensure!(
        url || args.db.is_file(),
        "{}: no such database file",
        args.db.display()
    );
    anyhow::ensure!(
        url || crate::store::sqlite::is_database_file(&args.db),
        "{}: not a SQLite database file",
        args.db.display()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut log = rt
        .block_on(async {
            Store::connect(&args.db)
                .await?
                .audit_log()
                .await
                .map_err(anyhow::Error::from)
        })
        .with_context(|| format!("cannot read the audit log of {}", shown(&args.db)))?;
    log.reverse();
    match crate::audit::verify(&log) {
        Ok(()) => {
            let last = log.last().map_or("none", |e| e.hash.as_str()).to_owned();
            println!("{} rows; the chain holds; last hash {last}", log.len());
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            println!("row {}: {}", b.seq, b.why);
            Ok(ExitCode::from(1))
        }
    }
}

/// The database as a message may name it (a URL without its password).
fn shown(db: &std::path::Path) -> String {
    crate::store::postgres::redact(&db.display().to_string())
}
