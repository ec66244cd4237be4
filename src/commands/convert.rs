//! `quizbooth convert IN OUT` (YAML ⇄ xlsx, a CSV to either) and
//! `quizbooth template OUT.xlsx` (SPEC §9). Like `check`, every line says
//! it in Chinese first, the English after it in brackets.

use crate::bank::load::{parse_file, Format};
use crate::bank::sheet::export::{bank_to_xlsx, template_xlsx};
use crate::cli::{ConvertArgs, TemplateArgs};
use anyhow::Context;
use std::process::ExitCode;

/// Reads a bank in any format and writes it in the output's; the problems
/// of the bank (errors, and the warnings of a valid one) are printed as
/// `check` prints them, at the same places in the same words.
pub fn run(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let name = args.input.display().to_string();
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("读不到 {name} (cannot read {name})"))?;
    let report = parse_file(&name, &bytes);
    for line in super::check::report(&name, &report.problems) {
        eprintln!("{line}");
    }
    let Some(bank) = report.bank else {
        eprintln!("{name} 有错误，题库不能使用，没有写出文件：请按上面的位置修改 ({name} is not a valid bank; nothing written)");
        return Ok(ExitCode::from(1));
    };
    let out = args.output.display().to_string();
    let written = match Format::of(&out) {
        Some(Format::Xlsx) => {
            bank_to_xlsx(&bank).context("无法生成 Excel 文件 (cannot build the workbook)")?
        }
        Some(Format::Yaml) => bank.source.clone().into_bytes(),
        _ => anyhow::bail!(
            "{out}：只能写成 .xlsx 或 .yaml 文件 ({out}: write a .xlsx or a .yaml file)"
        ),
    };
    std::fs::write(&args.output, written)
        .with_context(|| format!("写不了 {out} (cannot write {out})"))?;
    let (id, n) = (&bank.id, bank.questions.len());
    eprintln!("{name} → {out}：题库 {id}，{n} 道题 ({name} → {out}: set `{id}`, {n} questions)");
    Ok(ExitCode::SUCCESS)
}

/// Writes the template workbook.
pub fn template(args: &TemplateArgs) -> anyhow::Result<ExitCode> {
    let out = args.output.display().to_string();
    anyhow::ensure!(
        Format::of(&out) == Some(Format::Xlsx),
        "{out}：模板是 .xlsx 工作簿，请用 .xlsx 结尾的文件名 ({out}: the template is a .xlsx workbook)"
    );
    let bytes = template_xlsx().context("无法生成模板 (cannot build the template)")?;
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("写不了 {out} (cannot write {out})"))?;
    eprintln!(
        "已写出 {out}：在“题目”表里填题（填法见“说明”表），然后运行 quizbooth check {out} (wrote {out}: fill in the 题目 sheet, instructions in 说明, then `quizbooth check {out}`)"
    );
    Ok(ExitCode::SUCCESS)
}
