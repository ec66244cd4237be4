//! `quizbooth check PATH...`: validate banks, print `FILE:LINE:COLUMN: message`
//! (`FILE:SHEET!CELL: message` for a spreadsheet), in the words the console
//! uses: errors first, each on its line; then the warnings, folded so a
//! bank with 2 errors and 27 missing translations prints 3 lines, not 30.

use crate::bank::words::{organizer_text, places};
use crate::bank::Problem;
use crate::cli::CheckArgs;
use crate::sets::read_folder;
use std::process::ExitCode;

/// Prints every problem of every bank; exit 0 when all are valid, 1 otherwise.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut errors = 0;
    let mut warnings = 0;
    let mut sets = 0;
    for path in &args.paths {
        let (ok, files) = match read_folder(path) {
            Ok(r) => r,
            Err(e) => {
                println!(
                    "{}:1:1: 读不到这个文件或文件夹 (cannot read: {e})",
                    path.display()
                );
                errors += 1;
                continue;
            }
        };
        if files.is_empty() {
            println!(
                "{}:1:1: 这里没有题库文件（.yaml、.yml、.xlsx 或 .csv） (no question bank here: *.yaml, *.yml, *.xlsx or *.csv)",
                path.display()
            );
            errors += 1;
        }
        sets += ok.len();
        for f in &files {
            let lines = if args.all {
                every(&f.file, &f.problems)
            } else {
                report(&f.file, &f.problems)
            };
            for line in lines {
                println!("{line}");
            }
            errors += f.problems.iter().filter(|p| !p.warning).count();
            warnings += f.problems.iter().filter(|p| p.warning).count();
        }
    }
    if errors == 0 {
        if warnings == 0 {
            eprintln!("检查无误：{sets} 套题库可以使用 (ok: {sets} set(s) valid)");
        } else {
            eprintln!("检查无误，另有 {warnings} 条提醒：{sets} 套题库可以使用 (ok: {sets} set(s) valid, {warnings} warning(s))");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{errors} 个错误，题库不能使用，请按上面的位置修改 ({errors} error(s))");
        Ok(ExitCode::from(1))
    }
}

/// One problem at its place, in the organizer's words.
fn line(file: &str, p: &Problem, text: String) -> String {
    let mut shown = p.clone();
    shown.message = text;
    shown.display_in(file)
}

fn of_kind<'a>(problems: &[&'a Problem], code: &str) -> Vec<&'a Problem> {
    problems
        .iter()
        .copied()
        .filter(|p| p.kind.as_ref().is_some_and(|k| k.code == code))
        .collect()
}

/// Every problem of one file on its own line, errors first (`--all`).
pub fn every(file: &str, problems: &[Problem]) -> Vec<String> {
    let errors = problems.iter().filter(|p| !p.warning);
    let warnings = problems.iter().filter(|p| p.warning);
    errors
        .chain(warnings)
        .map(|p| line(file, p, organizer_text(p)))
        .collect()
}

/// Up to this many warnings are each printed on their line as SPEC §1 has
/// it (`FILE:LINE:COLUMN: warning: …`); more are folded.
const FOLD_OVER: usize = 2;

/// The warnings of a kind to fold: none when they are few.
fn folded(kind: Vec<&Problem>) -> Vec<&Problem> {
    if kind.len() > FOLD_OVER {
        kind
    } else {
        Vec::new()
    }
}

/// The lines for one file: every error; then, with errors, one line
/// summing the warnings up; without, the warnings that need a decision
/// each on its line, and missing translations and template examples
/// folded into one line each, with their places. A few warnings
/// ([`FOLD_OVER`] of a kind) are never folded.
pub fn report(file: &str, problems: &[Problem]) -> Vec<String> {
    let errors: Vec<&Problem> = problems.iter().filter(|p| !p.warning).collect();
    let warnings: Vec<&Problem> = problems.iter().filter(|p| p.warning).collect();
    let mut out: Vec<String> = errors
        .iter()
        .map(|p| line(file, p, organizer_text(p)))
        .collect();
    let Some(first) = warnings.first() else {
        return out;
    };
    let translations = folded(of_kind(&warnings, "missing_translation"));
    let examples = folded(of_kind(&warnings, "template_example"));
    if warnings.len() <= FOLD_OVER {
        out.extend(warnings.iter().map(|p| line(file, p, organizer_text(p))));
        return out;
    }
    if !errors.is_empty() {
        let mut parts = Vec::new();
        if !translations.is_empty() {
            parts.push(format!("{} 处英文译文未填", translations.len()));
        }
        if !examples.is_empty() {
            parts.push(format!("{} 处还是模板示例", examples.len()));
        }
        let rest = warnings.len() - translations.len() - examples.len();
        if rest > 0 && !parts.is_empty() {
            parts.push(format!("{rest} 条其他提醒"));
        }
        let n = warnings.len();
        let parts = if parts.is_empty() {
            String::new()
        } else {
            format!("（{}）", parts.join("、"))
        };
        let text = format!(
            "另有 {n} 条提醒{parts}：改好上面的错误后再运行 check 查看，或用 check --all 全部列出 ({n} more warning(s): fix the errors and check again, or check --all)"
        );
        out.push(line(file, first, text));
        return out;
    }
    for p in &warnings {
        let folded = translations
            .iter()
            .chain(&examples)
            .any(|f| std::ptr::eq(*f, *p));
        if !folded {
            out.push(line(file, p, organizer_text(p)));
        }
    }
    if let Some(first) = examples.first() {
        let n = examples.len();
        let text = format!(
            "{n} 处还是模板里的示例（{}）：请换成你自己的内容，或者删掉 ({n} text(s) still the template's examples)",
            places(&examples, 8)
        );
        out.push(line(file, first, text));
    }
    if let Some(first) = translations.first() {
        let n = translations.len();
        let text = format!(
            "{n} 处英文译文未填（英文列）：{}。可以先发布：中文观众不受影响，英文界面在这些地方显示中文 ({n} text(s) have no English translation)",
            places(&translations, 8)
        );
        out.push(line(file, first, text));
    }
    out
}
