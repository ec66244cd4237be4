//! `quizbooth migrate --from FILE.db --to postgres://…`: moves an event
//! from a booth's SQLite file into an empty PostgreSQL database (SPEC §10),
//! checking what arrived inside the copy's transaction: every draw's pool
//! still hashes to its digest and its winners follow from it and the seed,
//! every record matches its audit row and the chain holds. A copy that
//! fails its check is rolled back: the database is left as it was.

use crate::cli::MigrateArgs;
#[cfg(feature = "postgres")]
use crate::store::migrate::{import, Refused};
#[cfg(feature = "postgres")]
use anyhow::{ensure, Context};
use std::process::ExitCode;

/// A build without PostgreSQL (`--no-default-features`) cannot migrate.
#[cfg(not(feature = "postgres"))]
pub fn run(_: &MigrateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!(crate::store::NO_POSTGRES)
}

/// Prints the rows copied into each table and what was checked; exit 0.
/// A copy that does not verify: each break, that nothing was kept, exit 1.
/// Any other failure is an error saying what stopped it (nothing is kept
/// of a failed copy either).
#[cfg(feature = "postgres")]
pub fn run(args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    ensure!(
        crate::store::is_postgres_url(&args.to),
        "--to must be a postgres:// URL"
    );
    let shown = crate::store::shown_db(&args.to);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let outcome = import(&args.from, &args.to).await;
        let (copied, report) = match outcome {
            Ok(done) => done,
            Err(e) => {
                let Some(refused) = e.downcast_ref::<Refused>() else {
                    return Err(e).with_context(|| {
                        format!("cannot migrate {} to {shown}", args.from.display())
                    });
                };
                for (table, n) in &refused.copied {
                    println!("{table}: {n} rows copied");
                }
                for b in &refused.report.breaks {
                    println!("{b}");
                }
                println!(
                    "{} break(s): the copy was rolled back, nothing was kept in {shown}; run `quizbooth audit-verify --db {}` on the booth's file",
                    refused.report.breaks.len(),
                    args.from.display()
                );
                return Ok(ExitCode::from(1));
            }
        };
        for (table, n) in &copied {
            println!("{table}: {n} rows");
        }
        println!(
            "checked before committing: {} draws verify ({} revealed, winners recomputed), {} claims, {} withdrawals and {} purges match their audit rows, the audit chain of {} rows holds; {shown} is ready for `quizbooth serve --db`",
            report.draws,
            report.revealed,
            report.claims,
            report.withdrawals,
            report.purges,
            report.rows
        );
        Ok(ExitCode::SUCCESS)
    })
}
