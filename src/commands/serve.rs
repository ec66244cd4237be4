//! `quizbooth serve`: run the service and tell the booth how to reach it.

use crate::cli::ServeArgs;
use crate::config::Settings;
use crate::startup::Application;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Builds the application, prints the URLs, token and QR code, and serves.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = Application::build(settings).await?;
        let state = app.state();
        let url = &state.settings.public_url;
        let active = state
            .active_bank()
            .map(|b| format!("{} ({} questions)", b.id, b.questions.len()));
        println!("quizbooth is serving on {}", state.settings.bind);
        println!("  active set:  {}", active.unwrap_or_default());
        println!("  visitors:    {url}/");
        println!("  staff:       {url}/admin");
        println!("  staff token: {}", state.admin_token.0);
        let db = state.settings.db.display().to_string();
        if state.store.is_shared() {
            let shown = crate::store::postgres::redact(&db);
            println!("  database:    {shown} (node {})", state.store.node());
        } else {
            println!("  database:    {db}");
        }
        if std::io::stdout().is_terminal() {
            if let Ok(qr) = crate::qr::terminal(url) {
                println!("{qr}");
            }
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
