//! The SQL both engines share (`quizbooth::store::sql`) prepares on each
//! engine's migrated database, with its parameters `$1…$n` in ascending
//! order of first appearance (SQLite numbers `$N` as they first appear, so
//! a statement naming `$2` before `$1` would bind them swapped there) and
//! exactly `n` of them. A statement that fails names itself. And what they
//! read back of another type than the code expects is a 503, not a panic.

use crate::support::app::*;
use crate::support::engine::{on_postgres, Engine};
use quizbooth::store::sql::ALL;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::json;

/// The `$N` of `sql` in order of first appearance.
fn placeholders(sql: &str) -> Vec<usize> {
    let mut seen = Vec::new();
    for rest in sql.split('$').skip(1) {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse() {
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
    }
    seen
}

/// Why `sql`, prepared with `found` parameters, breaks the rule; `None` when it keeps it.
fn misnumbered(sql: &str, found: usize) -> Option<String> {
    let order = placeholders(sql);
    let rising: Vec<usize> = (1..=order.len()).collect();
    if order != rising {
        return Some(format!(
            "parameters appear as {order:?}, not $1…${}",
            order.len()
        ));
    }
    (found != order.len()).then(|| format!("{found} parameters for ${}", order.len()))
}

/// Prepares each statement of `list` on the app's database; what failed, as `name: why`.
async fn prepare_all(app: &TestApp, list: &[(&str, &str)]) -> Vec<String> {
    let mut failed = Vec::new();
    match app.engine {
        Engine::Sqlite => {
            let conn = rusqlite::Connection::open(app.db()).unwrap();
            for (name, sql) in list {
                let why = match conn.prepare(sql) {
                    Ok(st) => misnumbered(sql, st.parameter_count()),
                    Err(e) => Some(e.to_string()),
                };
                failed.extend(why.map(|why| format!("{name}: {why}")));
            }
        }
        Engine::Postgres => {
            let url = database(app.dir.path());
            let (client, connection) =
                tokio_postgres::connect(url.to_str().unwrap(), tokio_postgres::NoTls)
                    .await
                    .unwrap();
            tokio::spawn(connection);
            for (name, sql) in list {
                let why = match client.prepare(sql).await {
                    Ok(st) => misnumbered(sql, st.params().len()),
                    Err(e) => Some(match e.as_db_error() {
                        Some(db) => db.message().to_owned(),
                        None => e.to_string(),
                    }),
                };
                failed.extend(why.map(|why| format!("{name}: {why}")));
            }
        }
    }
    failed
}

#[engines]
async fn every_shared_statement_prepares_on_the_engine() {
    let app = spawn_app().await;
    assert!(ALL.len() >= 38, "the shared statements are listed");
    let failed = prepare_all(&app, ALL).await;
    assert!(
        failed.is_empty(),
        "{} of {} shared statements fail on {:?}:\n{}",
        failed.len(),
        ALL.len(),
        app.engine,
        failed.join("\n")
    );

    // And the check refuses what it is there to refuse, naming it.
    let other_dialect = if on_postgres() {
        "INSERT OR IGNORE INTO meta (key, value) VALUES ($1, $2)"
    } else {
        // (`$1::TEXT` would prepare: SQLite reads it as a parameter of that name.)
        "SELECT value FROM meta WHERE key ILIKE $1"
    };
    let bad = [
        ("bad::DIALECT", other_dialect),
        (
            "bad::ORDER",
            "SELECT value FROM meta WHERE key = $2 AND value = $1",
        ),
        (
            "bad::GAP",
            "SELECT value FROM meta WHERE key = $1 OR key = $3",
        ),
    ];
    let failed = prepare_all(&app, &bad).await;
    assert_eq!(failed.len(), bad.len(), "{failed:?}");
    for (name, _) in bad {
        assert!(
            failed.iter().any(|f| f.starts_with(&format!("{name}: "))),
            "{name} is refused by name: {failed:?}"
        );
    }
}

/// A stored value of another type than the code reads (schema drift, a row
/// changed by hand) is answered `503` `unavailable` saying the stored data
/// is unreadable (PostgreSQL's `try_get`, SQLite's typed `get`), and the
/// server goes on answering: no panic takes a worker down.
#[engines]
async fn a_value_of_the_wrong_type_answers_503_and_the_server_goes_on() {
    let app = spawn_app().await;
    app.entry("张三", "13800138000").await;
    // Before the search is first prepared: PostgreSQL's pooled connections
    // keep a statement prepared for the old type and refuse it for that
    // (another error, answered 503 too, that would not reach the decoding).
    let drift = if on_postgres() {
        "ALTER TABLE entries ALTER COLUMN score TYPE TEXT USING 'many'"
    } else {
        "UPDATE entries SET score = 'many'"
    };
    app.try_sql(drift).unwrap();
    let r = app
        .staff_post("/admin/api/entries/search", json!({ "q": "" }))
        .await;
    let body = expect_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("unreadable"),
        "the decoding refused: {message}"
    );

    for path in ["/healthz", "/api/set"] {
        let r = app.get(path).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "the server still answers {path}"
        );
    }
}
