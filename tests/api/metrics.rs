//! `GET /metrics` (issue 24): the Prometheus text of what a node is doing,
//! staff only on the visitors' port, open on `--metrics-bind`.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use crate::support::process::free_port;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use std::collections::BTreeMap;

/// One sample: its name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Every line of a scrape as the text format allows (`# HELP`, `# TYPE`,
/// or `name{label="value",…} number`); panics naming the first that is not.
fn parse(text: &str) -> Vec<Sample> {
    let metric_name = |s: &str| {
        !s.is_empty()
            && s.chars().enumerate().all(|(i, c)| {
                c == '_' || c == ':' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
            })
    };
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap_or("");
            assert!(metric_name(name), "HELP of a bad name: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            assert!(parts.next().is_some_and(metric_name), "{line}");
            let kind = parts.next().unwrap_or("");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            continue;
        }
        assert!(
            !line.starts_with('#') && !line.is_empty(),
            "stray line: {line:?}"
        );
        let (series, value) = line.rsplit_once(' ').expect("name and value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value of {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("labels close");
                let mut labels = BTreeMap::new();
                let mut rest = body;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").expect("label=\"");
                    assert!(metric_name(key), "label name {key} in {line}");
                    let mut value = String::new();
                    let mut chars = after.char_indices();
                    let end = loop {
                        match chars.next().expect("label value closes") {
                            (_, '\\') => value.push(chars.next().expect("escape").1),
                            (i, '"') => break i,
                            (_, c) => value.push(c),
                        }
                    };
                    labels.insert(key.to_owned(), value);
                    rest = after[end + 1..].trim_start_matches(',');
                }
                (name, labels)
            }
        };
        assert!(metric_name(name), "sample name in {line}");
        out.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    out
}

/// The value of the sample `name` whose labels include `with`.
fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

async fn scrape(app: &TestApp) -> String {
    let r = app.staff_get("/metrics").await;
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.text().await.unwrap()
}

#[engines]
async fn metrics_are_staff_only_and_count_what_visitors_do() {
    let port = free_port();
    let app = spawn_app_adjusted(|s| {
        s.metrics_bind = Some(format!("127.0.0.1:{port}").parse().unwrap());
    })
    .await;
    expect_error(
        app.get("/metrics").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let before = parse(&scrape(&app).await);
    let count = |s: &[Sample], name: &str| value(s, name, &[]).unwrap_or(0.0);

    // A visitor starts, passes and enters; then reads the session back.
    let entry = app.entry_made("张小明", "13912345678", false).await;
    let token = entry["session"].as_str().unwrap().to_owned();
    let code = entry["code"].as_str().unwrap().to_owned();
    let receipt = entry["receipt"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/sessions/{token}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/no/such/page").await.status(),
        StatusCode::NOT_FOUND
    );

    let text = scrape(&app).await;
    let after = parse(&text);
    for name in [
        "quizbooth_session_starts_total",
        "quizbooth_submissions_total",
        "quizbooth_entries_total",
    ] {
        assert_eq!(count(&after, name) - count(&before, name), 1.0, "{name}");
    }
    assert_eq!(count(&after, "quizbooth_database_reachable"), 1.0);
    let request = |route: &str, status: &str| {
        value(
            &after,
            "quizbooth_http_requests_total",
            &[("route", route), ("status", status)],
        )
        .unwrap_or(0.0)
    };
    assert!(request("/api/entries", "201") >= 1.0, "{text}");
    assert!(
        request("/api/sessions/{session}/answers", "200") >= 1.0,
        "{text}"
    );
    assert!(request("/api/sessions/{session}", "200") >= 1.0, "{text}");
    assert!(request("/metrics", "401") >= 1.0, "{text}");
    assert!(request("unmatched", "404") >= 1.0, "{text}");
    // Nothing a visitor sent is a label: only patterns.
    for secret in [
        &token[..16],
        &code,
        &receipt,
        "13912345678",
        "张小明",
        "/no/such",
    ] {
        assert!(!text.contains(secret), "{secret} in the scrape");
    }
    // SQLite's writer and PostgreSQL's group commit (batch.rs) alike.
    assert!(
        count(&after, "quizbooth_write_batch_size_count")
            > count(&before, "quizbooth_write_batch_size_count"),
        "a write batch was counted"
    );
    assert!(count(&after, "quizbooth_write_batch_duration_seconds_sum") > 0.0);

    if on_postgres() {
        // The node's number and its lease (renewed every 10 s), and the pool.
        assert!(value(&after, "quizbooth_node_number", &[]).is_some());
        assert_eq!(count(&after, "quizbooth_node_lease_held"), 1.0);
        let age = count(&after, "quizbooth_node_lease_age_seconds");
        assert!((0.0..30.0).contains(&age), "lease age {age}");
        assert_eq!(count(&after, "quizbooth_db_pool_max_connections"), 32.0);
        assert!(count(&after, "quizbooth_db_pool_connections") >= 1.0);
        assert!(count(&after, "quizbooth_db_pool_wait_seconds_count") >= 1.0);
    } else {
        assert_eq!(count(&after, "quizbooth_node_number"), 0.0);
        assert!(
            !text.contains("lease") && !text.contains("db_pool"),
            "{text}"
        );
    }

    // The private listener: the same text without a token, and nothing else.
    let private = format!("http://127.0.0.1:{port}");
    let open = reqwest::get(format!("{private}/metrics")).await.unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    let open = parse(&open.text().await.unwrap());
    assert_eq!(
        count(&open, "quizbooth_entries_total"),
        count(&after, "quizbooth_entries_total")
    );
    expect_error(
        reqwest::get(format!("{private}/admin/api/whoami"))
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
