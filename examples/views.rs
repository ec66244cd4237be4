//! Bench-only: what one session start's JSON costs to put together, from the
//! sample bank's prerendered parts (`cargo run --release --example views`).
//! For comparing changes to `src/routes/views.rs` and `rendered.rs`; `bench/run.sh` measures
//! the whole request.

use quizbooth::clock::Clock;
use quizbooth::routes::rendered::Prerendered;
use quizbooth::routes::views::{session_view, to_body, Session};
use rand::SeedableRng;

fn main() {
    let source = std::fs::read_to_string("questions/netsec-week.yaml").expect("the sample bank");
    let bank = quizbooth::bank::parse_bank(&source)
        .bank
        .expect("a valid bank");
    let cache = Prerendered::default();
    let parts = cache.get(&bank, "zh");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let served = quizbooth::quiz::serve(&bank, &mut rng);
    let session = Session {
        id: "ab".repeat(35),
        round_id: &bank.rounds[0].id,
        now: Clock::system().now(),
        expires_at: "2026-11-28T20:00:00+08:00".into(),
        served: &served,
        large: false,
        timer: true,
    };
    let n: u32 = 200_000;
    let started = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        let view = session_view(&parts, &bank, &session, None, None);
        bytes += to_body(&view, 12 * 1024).len();
    }
    println!(
        "session start JSON: {:?} per response, {} bytes",
        started.elapsed() / n,
        bytes / n as usize
    );
}
