//! `quizbooth draw-verify`: recompute a draw offline from entries.txt and the public seed (SPEC §1, §5).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{anyhow, Context};

use crate::draw;

/// Run `draw-verify`: check the file against `--digest` (exit 2 on a mismatch),
/// read `--seed` as the verifiers read any published seed (a seed no reveal
/// could have published is an error; with `--seed-digits`, so is one of
/// another length), then print the winning codes to stdout, one a line, in the order
/// picked; the exact seed bytes used go to stderr.
///
/// Arguments (the clap struct lives in crate::cli as `DrawVerifyArgs { pub entries: PathBuf, pub seed: String, pub winners: usize, pub digest: Option<String>, pub seed_digits: Option<u8> }`).
pub fn run(args: &crate::cli::DrawVerifyArgs) -> anyhow::Result<ExitCode> {
    let path = args.entries.display();
    let bytes = std::fs::read(&args.entries).with_context(|| format!("cannot read {path}"))?;
    // The digest is of the file's bytes, exactly as downloaded.
    let digest = draw::sha256_hex(&bytes);

    if let Some(expected) = &args.digest {
        let expected = expected.trim().to_ascii_lowercase();
        if expected != digest {
            let mut message = format!(
                "{path}: digest mismatch: this is not the committed entries.txt of the draw\n  \
                 expected (--digest): {expected}\n  \
                 SHA-256 of the file: {digest}"
            );
            if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
                message.push_str("\n  (--digest is not a SHA-256: 64 hexadecimal digits)");
            }
            eprintln!("{message}");
            return Ok(ExitCode::from(2));
        }
    }

    let text = std::str::from_utf8(&bytes).map_err(|error| {
        anyhow!(
            "{path}: not UTF-8 text (invalid byte at offset {})",
            error.valid_up_to()
        )
    })?;
    let pool = draw::parse_entries_txt(text).map_err(|error| anyhow!("{path}: {error}"))?;

    // Any seed a draw was published with (SPEC §5.2): digits since issue
    // 21, printable ASCII before; both verify.
    let public_seed = draw::normalise_seed(&args.seed)
        .map_err(|error| anyhow!("--seed {:?}: {error}", args.seed))?;
    let digits_only = draw::digit_seed(&public_seed, None).is_ok_and(|d| d == public_seed);
    if let Some(n) = args.seed_digits {
        draw::digit_seed(&public_seed, Some(usize::from(n)))
            .ok()
            .filter(|d| *d == public_seed)
            .ok_or_else(|| {
                anyhow!(
                    "--seed {public_seed:?} is not {n} digits, as --seed-digits says the draw \
                     was committed for: no reveal of that draw could have used it"
                )
            })?;
    }
    let seed = draw::seed(&digest, &public_seed);
    let winners = draw::pick(&pool, seed, args.winners);

    eprintln!(
        "public seed used: {public_seed:?} ({} bytes: {})",
        public_seed.len(),
        hex::encode(public_seed.as_bytes()),
    );
    match (digits_only, args.seed_digits) {
        (true, Some(n)) => eprintln!("seed digits: {n}, as the draw was committed for"),
        (true, None) => eprintln!("seed digits: {}", public_seed.len()),
        (false, _) => eprintln!(
            "seed digits: none; an older seed of printable ASCII (reveals take digits only since \
             issue 21, and this one still verifies)"
        ),
    }
    eprintln!(
        "{} entries, entries_digest {digest}, seed {}; {} of {} winners drawn",
        pool.len(),
        hex::encode(seed),
        winners.len(),
        args.winners,
    );
    let mut out = std::io::stdout().lock();
    for code in &winners {
        writeln!(out, "{code}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
