//! What the terminal shows of the traffic: one summary line a minute, not a
//! line per request. When a province's readers arrive, a line per request is
//! thousands a second that nobody reads, and writing them cost a tenth of the
//! server's CPU. The line per request is still there at `RUST_LOG=debug`,
//! with method, path and status only, and session tokens cut short: a log is
//! not a key to a session.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often the summary line is written.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// Responses by status class since the last summary.
#[derive(Debug, Default)]
pub struct Traffic {
    ok: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    entries: AtomicU64,
}

impl Traffic {
    /// Counts one response.
    pub fn record(&self, status: u16) {
        let class = match status {
            500.. => &self.failed,
            400.. => &self.refused,
            _ => &self.ok,
        };
        class.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an entry stored.
    pub fn entry_stored(&self) {
        self.entries.fetch_add(1, Ordering::Relaxed);
    }

    /// The summary since the last call, or `None` when there was no traffic.
    pub fn summary(&self) -> Option<String> {
        let ok = self.ok.swap(0, Ordering::Relaxed);
        let refused = self.refused.swap(0, Ordering::Relaxed);
        let failed = self.failed.swap(0, Ordering::Relaxed);
        let entries = self.entries.swap(0, Ordering::Relaxed);
        let total = ok + refused + failed;
        (total > 0).then(|| {
            format!(
                "{total} requests in the last {} s: {ok} answered, {refused} refused (bad input, unknown, limits), {failed} failed; {entries} draw entries stored",
                SUMMARY_EVERY.as_secs()
            )
        })
    }
}

/// Middleware: counts every response, and logs it at debug level.
pub async fn count_and_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let traffic = req.app_data::<web::Data<Traffic>>().cloned();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let status = res.status();
    let path = res.request().path();
    // Health checks are the orchestrator's, not the visitors'.
    if path != "/healthz" {
        if let Some(t) = traffic {
            t.record(status.as_u16());
        }
        tracing::debug!(
            target: "quizbooth::access",
            "{} {} {} {:.1}ms",
            status.as_u16(),
            method,
            redact_path(path),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(res)
}

/// Runs of this many hex digits or more are cut short in a logged path: a
/// session token is 70, a set version 64, and no route's own words (nor a
/// draw id, nor an entry code) come near 16.
const HEX_RUN: usize = 16;
/// What is kept of such a run.
const KEPT: usize = 6;

/// A path with every run of 16 or more hex digits (a session token, even
/// with junk before or after it, in any segment, or written as `%XX`
/// escapes) cut to its first 6.
pub fn redact_path(path: &str) -> String {
    // Undo the escapes that spell hex digits, so `%61%62…` is seen as the
    // run it is; other escapes stay as they came.
    let bytes = path.as_bytes();
    let mut plain = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| path.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .filter(u8::is_ascii_hexdigit);
        match escaped {
            Some(b) => {
                plain.push(char::from(b));
                i += 3;
            }
            None => {
                let c = path[i..].chars().next().unwrap_or('\u{fffd}');
                plain.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    let mut out = String::with_capacity(plain.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= HEX_RUN {
            out.push_str(&run[..KEPT]);
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in plain.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_are_cut_short_in_logs() {
        let token = "ab".repeat(35);
        let p = redact_path(&format!("/api/sessions/{token}/answers"));
        assert_eq!(p, "/api/sessions/ababab…/answers");
        assert_eq!(redact_path("/api/draws/3"), "/api/draws/3");
    }

    #[test]
    fn a_token_with_junk_around_it_is_cut_short_too() {
        let token = "0123456789abcdef".repeat(4) + "012345";
        for (path, want) in [
            (
                format!("/api/sessions/{token}xyz/answers"),
                "/api/sessions/012345…xyz/answers",
            ),
            (
                format!("/api/sessions/{token}/../x"),
                "/api/sessions/012345…/../x",
            ),
            (format!("/api/sessions/x{token}"), "/api/sessions/x012345…"),
            (format!("/a;{token};b"), "/a;012345…;b"),
            (
                format!("/api/sessions/{}", token.replace('a', "%61")),
                "/api/sessions/012345…",
            ),
            (
                format!("/api/sessions/{}", token.to_uppercase()),
                "/api/sessions/012345…",
            ),
        ] {
            let got = redact_path(&path);
            assert_eq!(got, want, "{path}");
            assert!(!got.contains(&token[6..22]), "{path} → {got}");
        }
        assert_eq!(
            redact_path("/api/draws/12/entries.txt"),
            "/api/draws/12/entries.txt"
        );
        assert_eq!(redact_path("/%E5%BC%A0/%zz%4"), "/%E5%BC%A0/%zz%4");
        assert_eq!(redact_path("/é/ü"), "/é/ü");
    }

    #[test]
    fn the_summary_counts_by_class_and_starts_over() {
        let t = Traffic::default();
        assert_eq!(t.summary(), None, "no traffic, no line");
        for s in [200, 201, 404, 429, 503] {
            t.record(s);
        }
        let line = t.summary().unwrap();
        assert!(
            line.starts_with("5 requests")
                && line.contains("2 answered, 2 refused")
                && line.contains("1 failed"),
            "{line}"
        );
        assert_eq!(t.summary(), None, "counted once");
    }
}
