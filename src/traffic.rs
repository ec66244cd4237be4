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
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How often the summary line is written.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(60);

/// Requests the HTTP layer refused before any route saw them (a request
/// line or header that does not parse, a body cut short): counted for the
/// summary by [`MalformedCounter`] instead of an ERROR line each. One count
/// for the process, as the log is.
static MALFORMED: AtomicU64 = AtomicU64::new(0);

/// Responses by status class since the last summary.
#[derive(Debug)]
pub struct Traffic {
    ok: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    entries: AtomicU64,
    since: Mutex<Instant>,
    malformed: &'static AtomicU64,
}

impl Default for Traffic {
    fn default() -> Self {
        Self {
            ok: AtomicU64::default(),
            refused: AtomicU64::default(),
            failed: AtomicU64::default(),
            entries: AtomicU64::default(),
            since: Mutex::new(Instant::now()),
            malformed: &MALFORMED,
        }
    }
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
        let malformed = self.malformed.swap(0, Ordering::Relaxed);
        let secs = {
            let mut since = self.since.lock().unwrap_or_else(PoisonError::into_inner);
            let secs = since.elapsed().as_secs_f64().round();
            *since = Instant::now();
            secs
        };
        let total = ok + refused + failed + malformed;
        (total > 0).then(|| {
            format!(
                "{total} requests in the last {secs} s: {ok} answered, {refused} refused (bad input, unknown, limits), {failed} failed, {malformed} malformed (refused before any route); {entries} draw entries stored"
            )
        })
    }
}

/// A log layer that counts the HTTP layer's line per malformed request
/// (actix-http writes one at ERROR for each request that does not parse,
/// thousands a second under a flood of junk) for the summary, and keeps it
/// out of the log. Its other lines (a response body that failed on our
/// side) still show.
#[derive(Debug, Clone, Copy)]
pub struct MalformedCounter(&'static AtomicU64);

impl Default for MalformedCounter {
    /// Counts into what [`Traffic::summary`] reads.
    fn default() -> Self {
        Self(&MALFORMED)
    }
}

impl<S: Subscriber> Layer<S> for MalformedCounter {
    fn event_enabled(&self, event: &Event<'_>, _cx: Context<'_, S>) -> bool {
        let meta = event.metadata();
        if *meta.level() != Level::ERROR || !meta.target().starts_with("actix_http::h1") {
            return true;
        }
        let mut message = MessageStart(String::new());
        event.record(&mut message);
        let malformed = [
            "stream error",
            "Internal server error: unexpected",
            "write zero",
            "MAX_BUFFER_SIZE",
        ]
        .iter()
        .any(|m| message.0.starts_with(m));
        if malformed {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        !malformed
    }
}

/// The start of an event's message.
struct MessageStart(String);

impl tracing::field::Visit for MessageStart {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        if field.name() == "message" && self.0.is_empty() {
            let _ = write!(self.0, "{value:?}");
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" && self.0.is_empty() {
            self.0.push_str(value);
        }
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

    #[test]
    fn malformed_requests_are_counted_not_logged() {
        use tracing_subscriber::prelude::*;
        // Its own count: other tests' summaries read the process's.
        let count: &'static AtomicU64 = Box::leak(Box::default());
        let t = Traffic {
            malformed: count,
            ..Traffic::default()
        };
        let lines = std::sync::Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = lines.clone();
        let subscriber = tracing_subscriber::registry()
            .with(MalformedCounter(count))
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || Sink(sink.clone())),
            );
        tracing::subscriber::with_default(subscriber, || {
            for _ in 0..3 {
                tracing::error!(target: "actix_http::h1::dispatcher", "stream error: request parse error: invalid Header provided");
            }
            tracing::error!(target: "actix_http::h1::dispatcher", "Response payload stream error: {}", "ours");
            tracing::error!(target: "quizbooth::store", "stream error: a line of ours");
        });
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("invalid Header"), "{text}");
        assert!(text.contains("Response payload stream error"), "{text}");
        assert!(text.contains("a line of ours"), "{text}");
        let line = t.summary().unwrap();
        assert!(line.contains("3 malformed"), "{line}");
    }

    struct Sink(std::sync::Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
