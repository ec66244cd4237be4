//! `quizbooth audit-verify --db PATH|URL` (SPEC §7): reads the database
//! read-only (no migration, no lease, no file mode changed) and checks the
//! audit log's hash chain and the records it speaks of
//! ([`crate::audit::records`]): every revealed draw re-run from its stored
//! pool and seed, every draw, reveal, claim, withdrawal and purge matched
//! to its row and back.

use crate::cli::AuditVerifyArgs;
use std::process::ExitCode;

/// Prints what was checked and the head hash, exit 0; or one line per
/// break, exit 1. A database it cannot read, or one with no quizbooth
/// schema, is an error (exit 1 from `main`).
pub fn run(args: &AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Each refusal names the database (a URL without its password).
    let found = rt.block_on(crate::store::inspect::inspect(&args.db))?;
    let mut report = crate::audit::records::check(&found);
    report.breaks.extend(crate::audit::records::check_published(
        &found,
        &args.published,
    ));
    let head = report.head.as_deref().unwrap_or("none (no rows)");
    if report.breaks.is_empty() {
        println!("{} rows; the chain holds; last hash {head}", report.rows);
        println!(
            "{} draws ({} revealed, winners recomputed from entries.txt and seed), {} claims, {} withdrawals, {} purges: each matches its audit row and back",
            report.draws, report.revealed, report.claims, report.withdrawals, report.purges
        );
        if args.published.is_empty() {
            println!(
                "head hash {head}: publish it, and pass the last one published as --published"
            );
        } else {
            println!(
                "head hash {head}; the {} published head hash(es) given are in the chain",
                args.published.len()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    for b in &report.breaks {
        println!("{b}");
    }
    println!(
        "{} break(s) in {} rows, {} draws, {} claims, {} withdrawals, {} purges; head hash {head}",
        report.breaks.len(),
        report.rows,
        report.draws,
        report.claims,
        report.withdrawals,
        report.purges
    );
    Ok(ExitCode::from(1))
}
