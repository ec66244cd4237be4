//! `quizbooth check PATH...`: validate banks, print `FILE:LINE:COLUMN: message`
//! (`FILE:SHEET!CELL: message` for a spreadsheet).

use crate::bank::registry::read_folder;
use crate::cli::CheckArgs;
use std::process::ExitCode;

/// Prints every problem of every bank; exit 0 when all are valid, 1 otherwise.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut errors = 0;
    let mut sets = 0;
    for path in &args.paths {
        let (ok, files) = match read_folder(path) {
            Ok(r) => r,
            Err(e) => {
                println!("{}:1:1: cannot read: {e}", path.display());
                errors += 1;
                continue;
            }
        };
        if files.is_empty() {
            println!(
                "{}:1:1: no question bank here (*.yaml, *.yml, *.xlsx or *.csv)",
                path.display()
            );
            errors += 1;
        }
        sets += ok.len();
        for f in &files {
            for p in &f.problems {
                println!("{}", p.display_in(&f.file));
                errors += usize::from(!p.warning);
            }
        }
    }
    if errors == 0 {
        eprintln!("ok: {sets} set(s) valid");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{errors} error(s)");
        Ok(ExitCode::from(1))
    }
}
