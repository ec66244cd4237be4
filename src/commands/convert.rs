//! `quizbooth convert IN OUT` (YAML ⇄ xlsx, a CSV to either) and
//! `quizbooth template OUT.xlsx` (SPEC §9).

use crate::bank::load::{parse_file, Format};
use crate::bank::sheet::export::{bank_to_xlsx, template_xlsx};
use crate::cli::{ConvertArgs, TemplateArgs};
use anyhow::Context;
use std::process::ExitCode;

/// Reads a bank in any format and writes it in the output's; the problems
/// of a bank that is not valid are printed as `check` prints them.
pub fn run(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let name = args.input.display().to_string();
    let bytes = std::fs::read(&args.input).with_context(|| format!("cannot read {name}"))?;
    let report = parse_file(&name, &bytes);
    for p in &report.problems {
        eprintln!("{}", p.display_in(&name));
    }
    let Some(bank) = report.bank else {
        eprintln!("{name} is not a valid bank; nothing written");
        return Ok(ExitCode::from(1));
    };
    let out = args.output.display().to_string();
    let written = match Format::of(&out) {
        Some(Format::Xlsx) => bank_to_xlsx(&bank).context("cannot build the workbook")?,
        Some(Format::Yaml) => bank.source.clone().into_bytes(),
        _ => anyhow::bail!("{out}: write a .xlsx or a .yaml file"),
    };
    std::fs::write(&args.output, written).with_context(|| format!("cannot write {out}"))?;
    eprintln!(
        "{name} → {out}: set `{}`, {} questions",
        bank.id,
        bank.questions.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the template workbook.
pub fn template(args: &TemplateArgs) -> anyhow::Result<ExitCode> {
    let out = args.output.display().to_string();
    anyhow::ensure!(
        Format::of(&out) == Some(Format::Xlsx),
        "{out}: the template is a .xlsx workbook"
    );
    let bytes = template_xlsx().context("cannot build the template")?;
    std::fs::write(&args.output, bytes).with_context(|| format!("cannot write {out}"))?;
    eprintln!(
        "wrote {out}: fill in the 题目 sheet (instructions in 说明), then `quizbooth check {out}`"
    );
    Ok(ExitCode::SUCCESS)
}
