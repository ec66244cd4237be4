//! `quizbooth qr`: the visitor URL as a PNG, an SVG, or in the terminal.

use crate::cli::QrArgs;
use crate::config::{derived_public_url, normalise_url, resolve_bind};
use anyhow::Context;
use std::process::ExitCode;

/// Writes the QR code where asked.
pub fn run(args: &QrArgs) -> anyhow::Result<ExitCode> {
    let url = match &args.url {
        Some(u) => normalise_url(u)?,
        None => derived_public_url(resolve_bind(&args.bind)?),
    };
    let Some(out) = &args.out else {
        println!("{}", crate::qr::terminal(&url)?);
        println!("{url}");
        return Ok(ExitCode::SUCCESS);
    };
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => std::fs::write(out, crate::qr::png(&url, args.size)?),
        Some("svg") => std::fs::write(out, crate::qr::svg(&url)?),
        _ => anyhow::bail!("--out must end in .png or .svg: {}", out.display()),
    }
    .with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {} for {url}", out.display());
    Ok(ExitCode::SUCCESS)
}
