//! Bench-only: plays the pool-stuffing attacker of issue 11 against a running
//! quizbooth, from one address (see `bench/stuffing.sh`).
//!
//! 1. Learns the answer key: starts sessions and submits them blank; each
//!    result shows the right answers of the questions it served.
//! 2. Enters the draw as fast as the service lets it: `--workers` loops each
//!    start a session, wait the bank's published `min_answer_secs` (if any),
//!    submit the right answers and enter with a fresh valid phone number;
//!    a step refused by a rate limit (429) is sent again after `Retry-After`.
//!
//! Prints what it learned and, every 10 s, the entries accepted so far; at
//! the end the steady rate over the second half of the run, the burst (what
//! the run made beyond that rate), and the entries an hour one address gets:
//! burst + steady rate × 3600.
//!
//! With `--budget PER_HOUR:BURST` (the server's entry budget; `bench/stuffing.sh`
//! reads it from the binary's `--help`) it first replays that budget on a
//! clock of its own ([`quizbooth::limits::entries_refused`]): the entries a
//! busy booth behind one NAT (300 in an hour, 20 a minute from the hour's
//! start) gets refused, and what a script taking every entry the moment it
//! may gets, hour by hour.
//!
//! ```text
//! stuff --url http://127.0.0.1:8080 --seconds 120 [--workers 32] [--budget 300:230]
//! ```

use anyhow::{bail, Context};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let url = flag("--url").context("usage: stuff --url URL --seconds N [--workers K]")?;
    let seconds: u64 = flag("--seconds").map_or(Ok(120), |s| s.parse())?;
    let workers: usize = flag("--workers").map_or(Ok(64), |s| s.parse())?;
    if let Some(budget) = flag("--budget") {
        let (per_hour, burst) = budget
            .split_once(':')
            .and_then(|(h, b)| Some((h.parse().ok()?, b.parse().ok()?)))
            .context("--budget PER_HOUR:BURST")?;
        let settings = quizbooth::limits::LimitSettings {
            entry_per_hour: per_hour,
            entry_burst: burst,
            ..Default::default()
        };
        let booth = quizbooth::limits::booth_arrivals(300, 20, 3);
        let refused = quizbooth::limits::entries_refused(settings, &booth);
        let script = quizbooth::limits::script_entries(settings, 3);
        println!(
            "entry budget {burst} at once, then {per_hour} an hour, replayed on its own clock:\n  \
             NAT booth (300 entries an hour, 20 a minute from each hour's start, 3 hours): \
             {refused} of {} refused\n  \
             script (every entry the moment it may): {} in its first hour, then {} and {}",
            booth.len(),
            script[0],
            script[1],
            script[2]
        );
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;

    let set: Value = client
        .get(format!("{url}/api/set"))
        .send()
        .await?
        .json()
        .await?;
    let wait = Duration::from_secs(set["min_answer_secs"].as_u64().unwrap_or(0));
    let key = learn_key(&client, &url).await?;
    println!(
        "learned the answers of {} questions; the bank asks {} s before a submission",
        key.len(),
        wait.as_secs()
    );

    let entered = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let phones = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let key = Arc::new(key);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (client, url, key) = (client.clone(), url.clone(), key.clone());
        let (entered, refused, phones) = (entered.clone(), refused.clone(), phones.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < end {
                let phone = format!("139{:08}", phones.fetch_add(1, Ordering::Relaxed));
                match enter_once(&client, &url, &key, wait, &phone, end).await {
                    Ok(true) => {
                        entered.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let mut at_half = 0;
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    tick.tick().await;
    for t in (10..=seconds).step_by(10) {
        tick.tick().await;
        let n = entered.load(Ordering::Relaxed);
        if t == seconds / 2 / 10 * 10 {
            at_half = n;
        }
        println!(
            "{t:>5} s: {n} entries accepted, {} requests refused",
            refused.load(Ordering::Relaxed)
        );
    }
    for t in tasks {
        t.await?;
    }
    let total = entered.load(Ordering::Relaxed);
    let half = (seconds - seconds / 2 / 10 * 10) as f64;
    let steady = (total - at_half) as f64 / half;
    let burst = (total as f64 - steady * seconds as f64).max(0.0);
    println!(
        "one address: {total} entries in {seconds} s; steady {steady:.2} a second \
         after a burst of about {burst:.0}; about {:.0} entries an hour",
        burst + steady * 3600.0
    );
    Ok(())
}

/// Question id → the right keys, from blank submissions' results.
async fn learn_key(
    client: &reqwest::Client,
    url: &str,
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    let mut key = HashMap::new();
    let mut nothing_new = 0;
    let mut sessions = 0;
    while nothing_new < 10 {
        sessions += 1;
        if sessions > 500 {
            bail!("could not learn the key in 500 sessions");
        }
        let s = start(client, url).await?;
        let s = s["session"].as_str().context("a session token")?;
        let r: Value = client
            .post(format!("{url}/api/sessions/{s}/answers"))
            .json(&json!({"answers": {}}))
            .send()
            .await?
            .json()
            .await?;
        let before = key.len();
        for item in r["results"].as_array().into_iter().flatten() {
            let answer: Vec<String> = item["answer"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect();
            if let Some(id) = item["id"].as_str() {
                key.insert(id.to_owned(), answer);
            }
        }
        nothing_new = if key.len() == before {
            nothing_new + 1
        } else {
            0
        };
    }
    Ok(key)
}

/// A new session's JSON.
async fn start(client: &reqwest::Client, url: &str) -> anyhow::Result<Value> {
    let r = client
        .post(format!("{url}/api/sessions"))
        .json(&json!({}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("session start: {}", r.status());
    }
    Ok(r.json().await?)
}

/// Sends a POST until it is not refused for a limit (429), waiting as told
/// by `Retry-After`; `None` once the run is over.
async fn post_patiently(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    end: Instant,
) -> Option<(u16, Value)> {
    while Instant::now() < end {
        let Ok(r) = client.post(url).json(body).send().await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let status = r.status().as_u16();
        if status == 429 {
            let wait = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        return Some((status, r.json().await.unwrap_or(Value::Null)));
    }
    None
}

/// One entry: start, wait, submit the right answers, enter, each step
/// retried while a limit refuses it. `Ok(true)` on a 201.
async fn enter_once(
    client: &reqwest::Client,
    url: &str,
    key: &HashMap<String, Vec<String>>,
    wait: Duration,
    phone: &str,
    end: Instant,
) -> anyhow::Result<bool> {
    let Some((201, s)) =
        post_patiently(client, &format!("{url}/api/sessions"), &json!({}), end).await
    else {
        return Ok(false);
    };
    let id = s["session"].as_str().context("a session token")?.to_owned();
    let answers: HashMap<&str, &Vec<String>> = s["questions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["id"].as_str())
        .filter_map(|q| key.get(q).map(|a| (q, a)))
        .collect();
    tokio::time::sleep(wait + Duration::from_millis(200)).await;
    let submit = format!("{url}/api/sessions/{id}/answers");
    let Some((200, _)) = post_patiently(client, &submit, &json!({ "answers": answers }), end).await
    else {
        return Ok(false);
    };
    let entry = json!({"session": id, "name": "张三", "phone": phone, "consent": true});
    let entered = post_patiently(client, &format!("{url}/api/entries"), &entry, end).await;
    Ok(matches!(entered, Some((201, _))))
}
