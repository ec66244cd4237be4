//! `quizbooth migrate --from FILE.db --to postgres://…`: moves an event
//! from a booth's SQLite file into an empty PostgreSQL database (SPEC §10),
//! then checks what arrived: every draw's pool still hashes to its digest
//! and its winners follow from it and the seed, and the audit chain holds.

use crate::cli::MigrateArgs;
use crate::store::postgres::{import::import, redact};
use crate::store::Store;
use anyhow::{ensure, Context};
use std::process::ExitCode;

/// Prints the rows copied into each table and what was checked; exit 0, or
/// an error saying what stopped it (nothing is kept of a failed copy).
pub fn run(args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    ensure!(
        crate::store::is_postgres_url(&args.to),
        "--to must be a postgres:// URL"
    );
    let shown = redact(&args.to);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let copied = import(&args.from, &args.to)
            .await
            .with_context(|| format!("cannot migrate {} to {shown}", args.from.display()))?;
        for (table, n) in &copied {
            println!("{table}: {n} rows");
        }
        let store = Store::connect(args.to.as_ref()).await?;
        let draws = store.draws().await?;
        for d in &draws {
            let txt = store.entries_txt(d.id).await?.unwrap_or_default();
            ensure!(
                crate::draw::sha256_hex(txt.as_bytes()) == d.entries_digest,
                "draw {}: its entries.txt no longer hashes to its digest",
                d.id
            );
            if let Some(seed) = &d.public_seed {
                let pool = crate::draw::parse_entries_txt(&txt)
                    .map_err(|e| anyhow::anyhow!("draw {}: {e}", d.id))?;
                let picked = crate::draw::pick(
                    &pool,
                    crate::draw::seed(&d.entries_digest, seed),
                    d.winners_wanted as usize,
                );
                let stored: Vec<&str> = d.winners.iter().map(|w| w.code.as_str()).collect();
                ensure!(
                    picked == stored,
                    "draw {}: the winners stored do not follow from its pool and seed",
                    d.id
                );
            }
        }
        let mut log = store.audit_log().await?;
        log.reverse();
        crate::audit::verify(&log)
            .map_err(|b| anyhow::anyhow!("the audit log breaks at row {}: {}", b.seq, b.why))?;
        println!(
            "{} draws verify; the audit chain of {} rows holds; {shown} is ready for `quizbooth serve --db`",
            draws.len(),
            log.len()
        );
        Ok(ExitCode::SUCCESS)
    })
}
