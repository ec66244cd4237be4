//! Bench-only: the ceilings quizbooth is measured against (see `bench/run.sh`).
//!
//! `limit serve --bind 127.0.0.1:PORT --bytes N` runs a minimal actix-web
//! server, built the way quizbooth builds its own (tokio multi-thread runtime,
//! `HttpServer` with the default worker count), whose one POST handler reads
//! the body and answers `201` with a JSON body of exactly `N` bytes: the size
//! of a real `POST /api/sessions` response, measured by the caller.
//!
//! `limit sqlite --dir DIR [--rows N] [--secs S]` measures raw rusqlite
//! inserts of entry-sized rows into a table shaped like `entries`, with the
//! pragmas quizbooth uses (WAL, `synchronous=FULL`): one transaction per row,
//! then batches of 64 and of 512 rows per transaction (512 is the writer's
//! `MAX_BATCH`). Each line printed is `sqlite MODE rows=R secs=S rows_per_s=X`.

use actix_web::{web, App, HttpResponse, HttpServer};
use rand::Rng;
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const USAGE: &str = "usage:
  limit serve --bind 127.0.0.1:PORT --bytes N
  limit sqlite --dir DIR [--rows N] [--secs S]";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    match args.first().map(String::as_str) {
        Some("serve") => {
            let bind = flag("--bind").unwrap_or_else(|| "127.0.0.1:8089".into());
            let bytes: usize = flag("--bytes").unwrap_or_else(|| "4096".into()).parse()?;
            serve(&bind, bytes)
        }
        Some("sqlite") => {
            let dir = PathBuf::from(flag("--dir").unwrap_or_else(|| ".".into()));
            let rows: usize = flag("--rows").unwrap_or_else(|| "1000000".into()).parse()?;
            let secs: f64 = flag("--secs").unwrap_or_else(|| "3".into()).parse()?;
            sqlite(&dir, rows, Duration::from_secs_f64(secs))
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// A JSON object of exactly `n` bytes (at least 12).
fn json_of_size(n: usize) -> String {
    let head = "{\"pad\":\"";
    let tail = "\"}";
    let fill = n.saturating_sub(head.len() + tail.len());
    let mut s = String::with_capacity(n);
    s.push_str(head);
    s.extend(std::iter::repeat_n('x', fill));
    s.push_str(tail);
    s
}

fn serve(bind: &str, bytes: usize) -> anyhow::Result<()> {
    let body = web::Bytes::from(json_of_size(bytes));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let server = HttpServer::new(move || {
            let body = body.clone();
            App::new().default_service(web::post().to(move |payload: web::Bytes| {
                let body = body.clone();
                async move {
                    // Touch the request body as a real handler would.
                    std::hint::black_box(payload.len());
                    HttpResponse::Created()
                        .content_type("application/json")
                        .insert_header(("Cache-Control", "no-store"))
                        .body(body)
                }
            }))
        })
        .bind(bind)?
        .run();
        println!("limit serving {bytes}-byte JSON on {bind}");
        server.await
    })?;
    Ok(())
}

const INSERT: &str = "INSERT INTO entries
    (code, session_id, set_id, set_version, round_id, name, phone, score, percent, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Opens with the service's own pragmas and schema (its migrations).
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let mut conn = quizbooth::store::sqlite::connect(path)?;
    quizbooth::store::sqlite::migrate(&mut conn)?;
    Ok(conn)
}

/// Inserts one entry-sized row; `i` makes the code and phone unique.
fn insert_row(conn: &Connection, rng: &mut impl Rng, i: usize) -> rusqlite::Result<()> {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    // `i` times an odd number modulo 32^8 = 2^40: a distinct code per row
    // (random ones collided now and then), spread over the index as the
    // service's random codes are.
    let mut v = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 40) - 1);
    let mut code = String::with_capacity(9);
    for k in 0..8 {
        if k == 4 {
            code.push('-');
        }
        code.push(CROCKFORD[(v & 31) as usize] as char);
        v >>= 5;
    }
    let mut sid = [0u8; 16];
    rng.fill_bytes(&mut sid);
    conn.prepare_cached(INSERT)?.execute(params![
        code,
        hex::encode(sid),
        "netsec-week",
        "5d1b6c0a3f9e8d7c6b5a49382716050f4e3d2c1b0a99887766554433221100ff",
        "open",
        "张三丰",
        format!("13{i:09}"),
        10,
        100,
        "2026-11-28T10:00:00+08:00",
    ])?;
    Ok(())
}

/// Inserts up to `rows` rows, `batch` per transaction, for at most `limit`; returns (rows, secs).
fn run_mode(
    dir: &Path,
    name: &str,
    batch: usize,
    rows: usize,
    limit: Duration,
) -> anyhow::Result<(usize, f64)> {
    let path = dir.join(format!("limit-{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let conn = open(&path)?;
    let mut rng = rand::rng();
    let start = Instant::now();
    let mut done = 0;
    while done < rows && start.elapsed() < limit {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for _ in 0..batch.min(rows - done) {
            insert_row(&conn, &mut rng, done)?;
            done += 1;
        }
        conn.execute_batch("COMMIT")?;
    }
    let secs = start.elapsed().as_secs_f64();
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok((done, secs))
}

fn sqlite(dir: &Path, rows: usize, limit: Duration) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, batch) in [("per_row", 1), ("batch_64", 64), ("batch_512", 512)] {
        let (done, secs) = run_mode(dir, name, batch, rows, limit)?;
        println!(
            "sqlite {name} rows={done} secs={secs:.3} rows_per_s={:.0}",
            done as f64 / secs
        );
    }
    Ok(())
}
