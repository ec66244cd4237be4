//! `quizbooth serve`: run the service and tell the booth how to reach it.

use crate::bank::{Bank, Round};
use crate::cli::ServeArgs;
use crate::clock::rfc3339;
use crate::config::Settings;
use crate::startup::Application;
use crate::state::AppState;
use chrono::{DateTime, FixedOffset};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Builds the application, prints the URLs, token, the round's state and
/// what to fix before the event, draws the QR code (or says why not), and serves.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(settings.workers)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = Application::build(settings).await?;
        let state = app.state();
        for line in startup_lines(state).await {
            println!("{line}");
        }
        let terminal = std::io::stdout().is_terminal();
        match terminal_qr(&state.settings.public_url, terminal, terminal_columns()) {
            Ok(qr) => println!("{qr}"),
            Err(why) => println!("  QR code:     {why}"),
        }
        spawn_reload_on_sighup(state.clone());
        app.run_until_stopped().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// SIGHUP re-reads the banks folder, like `POST /admin/api/reload`.
fn spawn_reload_on_sighup(state: crate::state::AppState) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            match state.sets.reload().await {
                Ok(report) => {
                    let broken = report.files.iter().filter(|f| f.id.is_none()).count();
                    tracing::info!(files = report.files.len(), broken, active = ?report.active, "banks reloaded on SIGHUP");
                }
                Err(e) => tracing::error!(error = %e, "reload on SIGHUP failed"),
            }
        }
    });
}

/// What `serve` prints before the QR code: where it serves, the live set
/// and its round's state, the visitor, kiosk and staff URLs, the token, the
/// database, then warnings staff must act on: a notice without the
/// organizer's name or contact (or with the sample's placeholders), and
/// rounds that keep names and phones with no erase date.
pub async fn startup_lines(state: &AppState) -> Vec<String> {
    let url = &state.settings.public_url;
    let now = state.clock.now();
    let live = state.active_bank();
    let mut out = vec![format!("quizbooth is serving on {}", state.settings.bind)];
    let active = live
        .as_ref()
        .map(|b| format!("{} ({} questions)", b.id, b.questions.len()));
    out.push(format!("  active set:  {}", active.unwrap_or_default()));
    if let Some(bank) = &live {
        out.push(format!("  round:       {}", round_state(bank, now)));
    }
    out.push(format!("  visitors:    {url}/"));
    out.push(format!(
        "  kiosk:       {url}/kiosk  (the booth's own tablet)"
    ));
    out.push(format!("  staff:       {url}/admin"));
    out.push(format!("  staff token: {}", state.admin_token.0));
    match state.settings.metrics_bind {
        Some(addr) => out.push(format!(
            "  metrics:     http://{addr}/metrics (no token: keep this address private)"
        )),
        None => out.push(format!("  metrics:     {url}/metrics (staff token)")),
    }
    let db = state.settings.db.display().to_string();
    if state.store.is_shared() {
        let shown = crate::store::shown_db(&db);
        out.push(format!(
            "  database:    {shown} (node {})",
            state.store.node()
        ));
    } else {
        out.push(format!("  database:    {db}"));
    }
    if let Some(bank) = &live {
        out.extend(privacy_warnings(bank, now));
    }
    out.extend(unerased_rounds(state).await);
    out
}

/// The live set's round now: open (and until when, and when its names and
/// phones go), the next one and when it opens, or that all are over.
fn round_state(bank: &Bank, now: DateTime<FixedOffset>) -> String {
    let name = |r: &Round| {
        let (zh, en) = (r.name("zh"), r.name("en"));
        if zh == en {
            zh.to_owned()
        } else {
            format!("{zh} / {en}")
        }
    };
    let erase = |r: &Round| match crate::keeping::erase_after(bank, &r.id, None) {
        Some(at) => format!(
            "names and phones erased after {} (keep_days {}, later if a claim deadline is later)",
            rfc3339(at),
            bank.privacy.keep_days
        ),
        None => {
            "names and phones have no erase date: purge them in the console (抽奖) after the event"
                .to_owned()
        }
    };
    if let Some(r) = bank.open_round(now) {
        let until = r.closes.map_or("never closes".to_owned(), |c| {
            format!("closes {}", rfc3339(c))
        });
        return format!("{} (id {}): open now, {until}; {}", name(r), r.id, erase(r));
    }
    if let Some(r) = bank
        .rounds
        .iter()
        .filter(|r| r.opens.is_some_and(|o| now < o))
        .min_by_key(|r| r.opens)
    {
        let opens = r.opens.map(rfc3339).unwrap_or_default();
        return format!(
            "{} (id {}): not open yet, opens {opens}: visitors can read the boards but not play until then",
            name(r),
            r.id
        );
    }
    let last = bank.rounds.iter().filter_map(|r| r.closes).max();
    format!(
        "closed: every round is over{}; visitors can neither play nor enter (give the bank's rounds the event's real times)",
        last.map_or(String::new(), |c| format!(" (the last closed {})", rfc3339(c)))
    )
}

/// A notice that cannot say who collects the data, or still says the
/// sample's placeholder, warns at start (SPEC §8).
fn privacy_warnings(bank: &Bank, now: DateTime<FixedOffset>) -> Vec<String> {
    let mut out = Vec::new();
    let p = &bank.privacy;
    if p.organizer.is_none() || p.contact.is_none() {
        let missing = match (&p.organizer, &p.contact) {
            (None, None) => "organizer and contact",
            (None, _) => "organizer",
            _ => "contact",
        };
        out.push(format!(
            "  warning:     set {} has no privacy {missing}: the notice visitors read before entering (个人信息保护法) cannot say who collects their names and phones; add privacy: {{organizer: …, contact: …}} (Excel: 设置 主办方, 联系方式)",
            bank.id
        ));
    }
    let placeholders: Vec<(String, String)> = crate::bank::leftovers::of_bank(bank, now)
        .into_iter()
        .filter_map(|w| w.kind)
        .filter(|k| {
            k.code == "placeholder" && matches!(k.args["what"].as_str(), "organizer" | "contact")
        })
        .map(|k| (k.args["what"].clone(), k.args["found"].clone()))
        .collect();
    if !placeholders.is_empty() {
        let what: Vec<&str> = placeholders.iter().map(|(w, _)| w.as_str()).collect();
        let found: Vec<String> = placeholders.iter().map(|(_, f)| format!("“{f}”")).collect();
        out.push(format!(
            "  warning:     set {}: privacy {} still read{} the placeholder {}: write your unit and a number that answers before the event (题库 privacy, or Excel 设置 主办方/联系方式)",
            bank.id,
            what.join(" and "),
            if what.len() == 1 { "s" } else { "" },
            found.join(", ")
        ));
    }
    out
}

/// Rounds that hold entries and have no erase date (SPEC §8: shown at start).
async fn unerased_rounds(state: &AppState) -> Vec<String> {
    let Ok(rounds) = state.store.rounds_with_entries().await else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in rounds {
        let Ok(keeping) =
            crate::keeping::of_round(state, &r.set_id, &r.round_id, &r.versions).await
        else {
            continue;
        };
        if keeping.erase_after.is_ok() || keeping.kept.last_purge.is_some() {
            continue;
        }
        out.push(format!(
            "  warning:     round {} of set {} holds entries but has no erase date: purge its names and phones in the console (抽奖) once draws and claims are done",
            r.round_id, r.set_id
        ));
    }
    out
}

/// The terminal's width in columns, when stdout is one.
fn terminal_columns() -> Option<usize> {
    #[cfg(unix)]
    {
        let mut size = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ fills a winsize we own; a failure leaves it zero.
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
        if ok && size.ws_col > 0 {
            return Some(usize::from(size.ws_col));
        }
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}

/// The visitor QR code for the terminal, or why it is not drawn.
pub fn terminal_qr(url: &str, terminal: bool, columns: Option<usize>) -> Result<String, String> {
    let picture = "run `quizbooth qr --out qr.png` for a picture to print";
    if !terminal {
        return Err(format!(
            "not drawn: the output is not a terminal (a log file or a service manager); {picture}"
        ));
    }
    let qr = crate::qr::terminal(url).map_err(|e| format!("not drawn: {e}"))?;
    let width = qr.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    match columns {
        Some(c) if c < width => Err(format!(
            "not drawn: the terminal is {c} columns wide and the code needs {width}; widen the window, or {picture}"
        )),
        _ => Ok(qr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_qr_says_why_it_is_skipped() {
        let url = "http://192.168.1.20:8080";
        let not = terminal_qr(url, false, Some(200)).unwrap_err();
        assert!(not.contains("not a terminal"), "{not}");
        let narrow = terminal_qr(url, true, Some(20)).unwrap_err();
        assert!(narrow.contains("20 columns wide"), "{narrow}");
        assert!(terminal_qr(url, true, Some(200)).is_ok());
        assert!(terminal_qr(url, true, None).is_ok());
    }
}
