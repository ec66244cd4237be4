//! The binary as a black box: `check`, `qr`, `draw-verify`.

use crate::support::app::{self, decode_qr};
use std::process::{Command, Output};

fn quizbooth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The 1-based line of the fixture marked with `# ERR tag`.
fn marked_line(file: &str, tag: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .position(|l| l.contains(&format!("# ERR {tag}")))
        .expect("marker")
        + 1
}

#[test]
fn check_accepts_the_sample_bank_and_the_valid_fixture() {
    let o = quizbooth(&["check", "questions", "tests/fixtures/valid.yaml"]);
    assert!(o.status.success(), "stdout: {}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.lines().all(|l| l.contains(": warning: ")),
        "only warnings may be printed:\n{out}"
    );
}

#[test]
fn check_reports_every_problem_with_file_line_and_column() {
    let file = "tests/fixtures/broken.yaml";
    let o = quizbooth(&["check", file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for (tag, words) in [
        ("unknown-key", "anwser"),
        ("bad-answer-letter", "not an option letter"),
        ("missing-board", "no-such-board"),
        ("duplicate-id", "duplicate question id"),
    ] {
        let line = marked_line(file, tag);
        let hit = out
            .lines()
            .find(|l| l.starts_with(&format!("{file}:{line}:")) && l.contains(words));
        assert!(
            hit.is_some(),
            "{tag}: expected {file}:{line}:COL: …{words}… in\n{out}"
        );
    }
    for l in out.lines() {
        let parts: Vec<&str> = l.splitn(4, ':').collect();
        assert!(
            parts.len() == 4 && parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
            "shape of {l}"
        );
    }
}

#[test]
fn check_warns_about_a_missing_translation_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/valid.yaml")
        .unwrap()
        .replace("      en: \"Which of these are reporting channels?\"\n", "");
    let file = dir.path().join("half.yaml");
    std::fs::write(&file, text).unwrap();
    let o = quizbooth(&["check", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains(": warning: "), "{}", stdout(&o));
}

#[test]
fn check_of_a_missing_path_fails() {
    let o = quizbooth(&["check", "no/such/folder"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("no/such/folder:1:1:"));
}

#[test]
fn serve_refuses_an_invalid_bank_and_prints_the_same_problems() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let o = quizbooth(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--questions",
        "tests/fixtures/broken.yaml",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let line = marked_line("tests/fixtures/broken.yaml", "unknown-key");
    assert!(
        err.contains(&format!("tests/fixtures/broken.yaml:{line}:")),
        "{err}"
    );
}

#[test]
fn qr_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("poster.png");
    let o = quizbooth(&[
        "qr",
        "--url",
        "http://192.168.1.20:8080",
        "--out",
        png.to_str().unwrap(),
        "--size",
        "400",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let img = image::load_from_memory(&bytes).unwrap();
    assert!(img.width() >= 400 && img.width() == img.height());
    let svg = dir.path().join("poster.svg");
    assert!(quizbooth(&[
        "qr",
        "--url",
        "http://192.168.1.20:8080",
        "--out",
        svg.to_str().unwrap()
    ])
    .status
    .success());
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    let bad = quizbooth(&[
        "qr",
        "--url",
        "http://x",
        "--out",
        dir.path().join("x.gif").to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".png or .svg"));
    let term = quizbooth(&["qr", "--url", "http://192.168.1.20:8080"]);
    assert!(
        stdout(&term).contains("http://192.168.1.20:8080") && stdout(&term).lines().count() > 10
    );
}

#[test]
fn the_qr_code_decodes_back_to_the_exact_url() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "http://192.168.1.20:8080",
        "https://quiz.example.cn/netsec?from=poster",
    ] {
        let png = dir.path().join("qr.png");
        assert!(
            quizbooth(&["qr", "--url", url, "--out", png.to_str().unwrap()])
                .status
                .success()
        );
        assert_eq!(decode_qr(&std::fs::read(&png).unwrap()), url);
    }
}

#[test]
fn draw_verify_prints_the_golden_winners_and_checks_the_digest() {
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/draw_vectors.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for case in cases.as_array().unwrap() {
        let file = dir.path().join("entries.txt");
        std::fs::write(&file, case["entries_txt"].as_str().unwrap()).unwrap();
        let winners = case["winners"].to_string();
        let args = [
            "draw-verify",
            "--entries",
            file.to_str().unwrap(),
            "--seed",
            case["public_seed"].as_str().unwrap(),
            "--winners",
            &winners,
        ];
        let o = quizbooth(&args);
        let seed = case["public_seed"].as_str().unwrap();
        if !seed.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            // The draw math is defined on any UTF-8 seed, but no seed the
            // service accepts (SPEC §5.2) holds anything but printable ASCII.
            assert_eq!(o.status.code(), Some(1), "{}: refused", case["name"]);
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("printable ASCII"),
                "{}: {}",
                case["name"],
                String::from_utf8_lossy(&o.stderr)
            );
            continue;
        }
        assert!(
            o.status.success(),
            "{}: {}",
            case["name"],
            String::from_utf8_lossy(&o.stderr)
        );
        let got: Vec<String> = stdout(&o).lines().map(str::to_owned).collect();
        let want: Vec<String> = serde_json::from_value(case["expected_winners"].clone()).unwrap();
        assert_eq!(got, want, "{}", case["name"]);
        let mut with_digest = args.to_vec();
        with_digest.extend(["--digest", case["digest"].as_str().unwrap()]);
        assert!(quizbooth(&with_digest).status.success());
        let mut wrong = args.to_vec();
        wrong.extend(["--digest", "00"]);
        assert_eq!(
            quizbooth(&wrong).status.code(),
            Some(2),
            "a digest mismatch exits 2"
        );
    }
}

#[test]
fn draw_verify_normalises_the_seed_as_the_service_does_and_names_its_bytes() {
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/draw_vectors.json")).unwrap();
    let case = &cases[0];
    assert_eq!(case["public_seed"], "20211011");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("entries.txt");
    std::fs::write(&file, case["entries_txt"].as_str().unwrap()).unwrap();
    let run = |seed: &str| {
        quizbooth(&[
            "draw-verify",
            "--entries",
            file.to_str().unwrap(),
            "--seed",
            seed,
            "--winners",
            "1",
        ])
    };
    let o = run("  20211011\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o).trim(),
        case["expected_winners"][0].as_str().unwrap()
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(r#"public seed used: "20211011" (8 bytes: 3230323131303131)"#),
        "{err}"
    );
    // The rigging of issue 11: a zero-width space the projector would not show.
    let o = run("2021\u{200b}1011");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("U+200B") && err.contains("character 5"),
        "{err}"
    );
}

/// SPEC §5.2 since issue 21: a reveal's seed is digits, `seed_digits` of
/// them when the commit fixed it; draw-verify says how many, checks
/// `--seed-digits`, and still verifies a draw revealed before with any
/// printable-ASCII seed.
#[test]
fn draw_verify_shows_the_seed_digits_and_still_verifies_an_older_printable_ascii_seed() {
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/draw_vectors.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |case: &serde_json::Value, extra: &[&str]| {
        let file = dir
            .path()
            .join(format!("{}.txt", case["name"].as_str().unwrap()));
        std::fs::write(&file, case["entries_txt"].as_str().unwrap()).unwrap();
        let winners = case["winners"].to_string();
        let mut args = vec![
            "draw-verify",
            "--entries",
            file.to_str().unwrap(),
            "--seed",
            case["public_seed"].as_str().unwrap(),
            "--winners",
            &winners,
        ];
        args.extend_from_slice(extra);
        let o = quizbooth(&args);
        let want: Vec<String> = serde_json::from_value(case["expected_winners"].clone()).unwrap();
        (o, want)
    };
    let digits = &cases[0];
    assert_eq!(digits["public_seed"], "20211011");
    let (o, want) = run(digits, &["--seed-digits", "8"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), want);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("seed digits: 8, as the draw was committed for"),
        "{err}"
    );
    let (o, _) = run(digits, &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("seed digits: 8"));
    let (o, _) = run(digits, &["--seed-digits", "6"]);
    assert_eq!(o.status.code(), Some(1), "8 digits where the draw wants 6");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is not 6 digits"), "{err}");
    assert!(stdout(&o).is_empty(), "no winners printed");
    let (o, _) = run(digits, &["--seed-digits", "65"]);
    assert!(!o.status.success(), "seed_digits is 1 to 64");

    let older = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ten-entries-three-winners")
        .unwrap();
    assert_eq!(
        older["public_seed"], "2021-10-17 lottery 03 11 19 25 30 + 07",
        "a seed no reveal takes now"
    );
    let (o, want) = run(older, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o).lines().collect::<Vec<_>>(),
        want,
        "it still verifies"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("an older seed of printable ASCII"), "{err}");
    let (o, _) = run(older, &["--seed-digits", "8"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "not digits: no digit count fits it"
    );
}

#[test]
fn serve_refuses_a_staff_token_shorter_than_20_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let o = quizbooth(&serve_on(
        "tests/fixtures/valid.yaml",
        db.to_str().unwrap(),
        &["--admin-token", "nineteen-characters"],
    ));
    assert_eq!("nineteen-characters".len(), 19);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("at least 20 characters"), "{err}");
    assert!(!db.exists(), "refused before anything is opened");
}

#[test]
fn a_database_url_that_cannot_be_reached_is_refused_without_its_password() {
    // Port 1: nothing listens there.
    let url = "postgres://quizbooth:hunter2@127.0.0.1:1/event";
    let dir = tempfile::tempdir().unwrap();
    let booth = dir.path().join("booth.db");
    rusqlite::Connection::open(&booth)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let booth = booth.to_str().unwrap();
    for args in [
        vec!["serve", "--bind", "127.0.0.1:0", "--db", url],
        vec!["migrate", "--to", url, "--from", booth],
        vec!["audit-verify", "--db", url],
    ] {
        let o = quizbooth(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?}");
        assert!(
            err.contains("postgres://quizbooth:***@127.0.0.1:1/event"),
            "{args:?} names the database: {err}"
        );
        assert!(
            !err.contains("hunter2"),
            "{args:?} shows no password: {err}"
        );
    }
    let version: i64 = rusqlite::Connection::open(booth)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, 0,
        "a migration that cannot reach its target leaves the booth's file alone"
    );
    let o = quizbooth(&["migrate", "--to", "mysql://x", "--from", "data/q.db"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--to must be a postgres:// URL"));
    // A --from that is not a SQLite file is refused before anything opens it.
    let bank = "tests/fixtures/valid.yaml";
    let before = std::fs::metadata(bank).unwrap().permissions();
    for args in [
        vec!["migrate", "--to", url, "--from", bank],
        vec!["audit-verify", "--db", bank],
        vec!["serve", "--bind", "127.0.0.1:0", "--db", bank],
    ] {
        let o = quizbooth(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("not a SQLite database file"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::metadata(bank).unwrap().permissions(), before);
}

/// The bytes, modification time and mode of a file, or `None` when absent.
fn file_state(path: &std::path::Path) -> Option<(Vec<u8>, std::time::SystemTime, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((
        std::fs::read(path).unwrap(),
        meta.modified().unwrap(),
        meta.permissions().mode(),
    ))
}

/// The database file and its `-wal` and `-shm` beside it.
fn with_suffix(db: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// A copy of the booth's database (file and write-ahead log) in `dir`,
/// as someone holding the file has it.
fn copy_of(db: &std::path::Path, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let to = dir.join(name);
    std::fs::copy(db, &to).unwrap();
    if with_suffix(db, "-wal").exists() {
        std::fs::copy(with_suffix(db, "-wal"), with_suffix(&to, "-wal")).unwrap();
    }
    to
}

/// `audit-verify`'s exit code and output, which never names an entrant.
fn verify_output(db: &std::path::Path) -> (Option<i32>, String) {
    let o = app::audit_verify(db);
    let mut text = stdout(&o);
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    for private in ["观众", "1380013", "1390013", "1370013", "1360013", "****"] {
        assert!(!text.contains(private), "no name or phone: {text}");
    }
    (o.status.code(), text)
}

#[tokio::test]
async fn audit_verify_reads_the_booth_file_without_writing_it() {
    let app = app::spawn_app().await;
    app::audited_event(&app).await;
    // Let the server's half-second flush of session starts pass.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let db = app.db();
    let files = [db.clone(), with_suffix(&db, "-wal")];
    let before: Vec<_> = files.iter().map(|f| file_state(f)).collect();
    let (code, text) = verify_output(&db);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("the chain holds"), "{text}");
    let after: Vec<_> = files.iter().map(|f| file_state(f)).collect();
    assert!(before[0].is_some(), "the file is there");
    assert!(
        before == after,
        "the database file and its -wal are unchanged (bytes, time, mode) beside the running service"
    );

    // A copy at rest (log checkpointed away), made readable by others: the
    // verifier leaves its bytes, time and mode, and makes no -wal.
    let dir = tempfile::tempdir().unwrap();
    let rest = copy_of(&db, dir.path(), "rest.db");
    {
        let conn = rusqlite::Connection::open(&rest).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    std::fs::set_permissions(&rest, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    assert!(!with_suffix(&rest, "-wal").exists());
    let before = file_state(&rest);
    let (code, text) = verify_output(&rest);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        before == file_state(&rest),
        "bytes, time and mode unchanged"
    );
    assert!(
        file_state(&with_suffix(&rest, "-wal")).is_none_or(|(bytes, _, _)| bytes.is_empty()),
        "no write-ahead log written"
    );
}

#[tokio::test]
async fn audit_verify_names_each_attack_on_a_copy_of_the_booth_file() {
    let app = app::spawn_app().await;
    let event = app::audited_event(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let dir = tempfile::tempdir().unwrap();
    let id = event.drawn["id"].as_i64().unwrap();
    let winners: Vec<String> = event.drawn["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_owned())
        .collect();
    let loser = event.made[..3]
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .find(|c| !winners.contains(c))
        .unwrap();
    let (code, text) = verify_output(&app.db());
    assert_eq!(code, Some(0), "{text}");
    let head = |text: &str| {
        text.split("head hash ")
            .nth(1)
            .map(|h| h[..64].to_owned())
            .unwrap()
    };
    let published = head(&text);

    let attack = |name: &str, sql: &str| {
        let copy = copy_of(&app.db(), dir.path(), name);
        rusqlite::Connection::open(&copy)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        verify_output(&copy)
    };

    // A winner forged, the triggers dropped first.
    let (code, text) = attack(
        "forged.db",
        &format!(
            "DROP TRIGGER draw_winners_never_changed;
             UPDATE draw_winners SET code = '{loser}' WHERE draw_id = {id} AND position = 0;"
        ),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!("draw {id}: winners stored {loser} {}", winners[1])),
        "the forged winner named: {text}"
    );

    // A claim with no audit row.
    let (code, text) = attack(
        "claim.db",
        &format!(
            "INSERT INTO claims (draw_id, code, claimed_at) VALUES ({id}, '{}', '2026-12-01T10:00:00+08:00');",
            winners[1]
        ),
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "draw {id}: the claim of {} (at 2026-12-01T10:00:00+08:00) has no prize_claimed row",
            winners[1]
        )),
        "{text}"
    );

    // The chain rewritten from an edited row on, every hash recomputed:
    // the chain holds, the reveal's row no longer matches its draw.
    let rewrite = |name: &str, edit: &dyn Fn(&str, &str) -> Option<String>| {
        let copy = copy_of(&app.db(), dir.path(), name);
        let conn = rusqlite::Connection::open(&copy).unwrap();
        conn.execute_batch("DROP TRIGGER audit_never_changed")
            .unwrap();
        let rows: Vec<(i64, String, String, String)> = conn
            .prepare("SELECT seq, at, action, detail FROM audit ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut prev = quizbooth::audit::GENESIS.to_owned();
        let mut edited = false;
        for (seq, at, action, detail) in rows {
            let detail = match edit(&action, &detail) {
                Some(new) => {
                    edited = true;
                    new
                }
                None => detail,
            };
            let hash = quizbooth::audit::hash(&prev, seq, &at, &action, &detail);
            conn.execute(
                "UPDATE audit SET detail = ?2, hash = ?3 WHERE seq = ?1",
                rusqlite::params![seq, detail, hash],
            )
            .unwrap();
            prev = hash;
        }
        assert!(edited, "{name}: a row was edited");
        drop(conn);
        verify_output(&copy)
    };
    let (code, text) = rewrite("rewritten.db", &|action, detail| {
        (action == "draw_revealed").then(|| detail.replace("\"73915\"", "\"11111\""))
    });
    assert_eq!(code, Some(1), "{text}");
    assert!(
        !text.contains("does not follow from it and the row before"),
        "the chain itself holds: {text}"
    );
    assert!(
        text.contains(&format!("draw {id}: seed \"73915\", its row")),
        "{text}"
    );
    // A rewrite the records cannot contradict (the masked contact of a
    // claim) is caught only by the head hash published before it.
    let (code, text) = rewrite("masked.db", &|action, detail| {
        (action == "prize_claimed").then(|| detail.replace(" handed out", "  handed out"))
    });
    assert_eq!(code, Some(0), "{text}");
    assert_ne!(head(&text), published, "the head hash tells: {text}");
    let masked = dir.path().join("masked.db");
    let o = quizbooth(&[
        "audit-verify",
        "--db",
        masked.to_str().unwrap(),
        "--published",
        &published,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).starts_with(&format!(
            "published head hash {published} is not in the chain"
        )),
        "{}",
        stdout(&o)
    );
    let o = quizbooth(&[
        "audit-verify",
        "--db",
        app.db().to_str().unwrap(),
        "--published",
        &published,
    ]);
    assert!(
        o.status.success(),
        "the untouched file holds it: {}",
        stdout(&o)
    );

    // The log emptied.
    let (code, text) = attack(
        "emptied.db",
        "DROP TRIGGER audit_never_removed; DELETE FROM audit;",
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.starts_with("the audit log is empty"), "{text}");
}

/// The fixture with its English removed from every title, question text and
/// explanation: 2 errors and more missing translations than are printed
/// one by one.
fn half_english_with_two_errors() -> (tempfile::TempDir, String) {
    let text = std::fs::read_to_string("tests/fixtures/valid.yaml").unwrap();
    let mut out = String::new();
    let mut in_question_text = false;
    for line in text.lines() {
        if line.trim_start().starts_with("- id:") || line.trim().ends_with(':') {
            // The set's own title keeps its English: a bank with none is Chinese only.
            in_question_text =
                line.starts_with(' ') && matches!(line.trim(), "text:" | "explanation:" | "title:");
        }
        if in_question_text && line.trim_start().starts_with("en:") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let out = out
        .replacen("    answer: [A, C]\n", "    answer: [A, Z]\n", 1)
        .replacen("type: single", "type: singel", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("half.yaml");
    std::fs::write(&file, out).unwrap();
    let file = file.to_str().unwrap().to_owned();
    (dir, file)
}

#[test]
fn check_prints_the_errors_then_one_line_summing_up_the_warnings() {
    let (_dir, file) = half_english_with_two_errors();
    let o = quizbooth(&["check", &file]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "2 errors and one warnings line:\n{out}");
    for l in &lines[..2] {
        assert!(!l.contains(": warning: "), "errors first: {l}");
    }
    assert!(
        lines[0].contains("不是 single、multiple") || lines[0].contains("singel"),
        "{out}"
    );
    assert!(lines.iter().any(|l| l.contains("答案“Z”不是选项")), "{out}");
    let last = lines[2];
    assert!(
        last.contains(": warning: 另有") && last.contains("处英文译文未填"),
        "{last}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 个错误"), "{err}");

    // --all lists every warning on its line, still after the errors.
    let o = quizbooth(&["check", "--all", &file]);
    assert_eq!(o.status.code(), Some(1));
    let all = stdout(&o);
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines.len() > 3, "{all}");
    assert!(
        lines[..2].iter().all(|l| !l.contains(": warning: ")),
        "{all}"
    );
    assert!(
        lines[2..].iter().all(|l| l.contains(": warning: ")),
        "{all}"
    );
    assert!(
        lines[2..].iter().all(|l| l.contains("这里没有英文翻译")),
        "each in Chinese: {all}"
    );
}

#[test]
fn check_of_a_valid_bank_folds_missing_translations_into_one_line() {
    let (dir, _) = half_english_with_two_errors();
    let text = std::fs::read_to_string("tests/fixtures/valid.yaml").unwrap();
    let mut out = String::new();
    let mut in_question_text = false;
    for line in text.lines() {
        if line.trim_start().starts_with("- id:") || line.trim().ends_with(':') {
            // The set's own title keeps its English: a bank with none is Chinese only.
            in_question_text =
                line.starts_with(' ') && matches!(line.trim(), "text:" | "explanation:" | "title:");
        }
        if in_question_text && line.trim_start().starts_with("en:") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let file = dir.path().join("ok.yaml");
    std::fs::write(&file, &out).unwrap();
    let missing = text.lines().count() - out.lines().count();
    assert!(missing >= 2, "the fixture has English question texts");
    let o = quizbooth(&["check", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    let printed = stdout(&o);
    let lines: Vec<&str> = printed
        .lines()
        .filter(|l| l.contains("英文译文未填"))
        .collect();
    assert_eq!(lines.len(), 1, "{printed}");
    assert!(
        lines[0].contains(&format!("{missing} 处英文译文未填")) && lines[0].contains("第 "),
        "{}",
        lines[0]
    );
}

#[test]
fn serve_prints_the_round_state_the_kiosk_url_privacy_and_why_no_qr() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--questions",
            "questions/netsec-week.yaml",
            "--db",
            db.to_str().unwrap(),
            "--public-url",
            "http://192.168.1.20:8080",
            "--admin-token",
            "uploads22-token-0123456789",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = Vec::new();
    let reader = BufReader::new(child.stdout.take().unwrap());
    for line in reader.lines() {
        let line = line.unwrap();
        let done = line.contains("QR code:");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    let text = lines.join("\n");
    let find = |label: &str| {
        lines
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .cloned()
            .unwrap_or_default()
    };
    // The sample bank has no rounds: its one round is 本轮, open, never closing.
    let round = find("round:");
    assert!(
        round.contains("本轮 / this round") && round.contains("open now"),
        "{text}"
    );
    assert!(round.contains("no erase date"), "{text}");
    assert_eq!(
        find("kiosk:").split_whitespace().nth(1),
        Some("http://192.168.1.20:8080/kiosk"),
        "{text}"
    );
    let visitors = lines.iter().position(|l| l.contains("visitors:")).unwrap();
    let kiosk = lines.iter().position(|l| l.contains("kiosk:")).unwrap();
    assert_eq!(kiosk, visitors + 1, "the kiosk URL beside the visitor URL");
    assert!(
        text.contains("warning:") && text.contains("请改成你的单位"),
        "the sample's placeholder privacy block warns: {text}"
    );
    assert!(
        find("QR code:").contains("not a terminal"),
        "why the QR code was skipped: {text}"
    );
}

/// `serve`'s lines up to the QR code's, from the binary on these banks and database.
fn startup_of(questions: &std::path::Path, db: &std::path::Path) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quizbooth"))
        .args(serve_on(
            questions.to_str().unwrap(),
            db.to_str().unwrap(),
            &["--admin-token", "uploads22-token-0123456789"],
        ))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.contains("QR code:");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    lines
}

#[test]
fn serve_on_port_0_prints_the_port_it_bound() {
    let dir = tempfile::tempdir().unwrap();
    let lines = startup_of(
        std::path::Path::new("questions/netsec-week.yaml"),
        &dir.path().join("q.db"),
    );
    let text = lines.join("\n");
    let serving = lines
        .iter()
        .find_map(|l| l.strip_prefix("quizbooth is serving on 127.0.0.1:"))
        .unwrap_or_else(|| panic!("{text}"));
    let port: u16 = serving.trim().parse().unwrap();
    assert_ne!(port, 0, "the port bound, not the one asked for: {text}");
    // The URLs printed (derived from the bind) name the same port.
    for label in ["visitors:", "kiosk:", "staff:"] {
        let line = lines.iter().find(|l| l.trim_start().starts_with(label));
        let url = line.and_then(|l| l.split_whitespace().nth(1));
        assert!(
            url.is_some_and(|u| u.starts_with(&format!("http://127.0.0.1:{port}/"))),
            "{label} on port {port}: {text}"
        );
    }
}

#[tokio::test]
async fn serve_warns_at_start_of_a_round_that_keeps_entries_without_an_erase_date() {
    // The fixture without rounds: its one round (本轮) never closes.
    let start = app::BANK.find("rounds:").unwrap();
    let end = app::BANK.find("boards:").unwrap();
    let bank = format!("{}{}", &app::BANK[..start], &app::BANK[end..]);
    let app = app::spawn_app_with(&[("valid.yaml", &bank)]).await;
    let before = startup_of(&app.banks(), &app.db()).join("\n");
    assert!(
        !before.contains("holds entries"),
        "no entries, no warning: {before}"
    );
    app.entry("张三", "13800138000").await;
    let lines = startup_of(&app.banks(), &app.db());
    let text = lines.join("\n");
    assert!(
        lines.iter().any(|l| l.contains("warning:")
            && l.contains("round open of set fixture-valid holds entries but has no erase date")),
        "{text}"
    );
    let round = lines.iter().find(|l| l.contains("round:")).unwrap();
    assert!(
        round.contains("本轮 / this round (id open): open now"),
        "{round}"
    );
}

#[test]
fn serve_warns_when_the_live_bank_has_no_privacy_block() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/valid.yaml").unwrap();
    let text = text[..text.find("privacy:").expect("the fixture's privacy block")].to_owned();
    let bank = dir.path().join("bank.yaml");
    std::fs::write(&bank, text).unwrap();
    let lines = startup_of(&bank, &dir.path().join("q.db"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("warning:") && l.contains("no privacy organizer and contact")),
        "{}",
        lines.join("\n")
    );
}

/// `serve` on a port of the system's choosing, these banks and database,
/// and `more` flags.
fn serve_on<'a>(questions: &'a str, db: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--questions",
        questions,
        "--db",
        db,
    ];
    args.extend_from_slice(more);
    args
}

/// The names of a running process's threads (Linux: `/proc/PID/task/*/comm`).
fn thread_names(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|name| name.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn serve_runs_as_many_http_workers_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let serve = |workers: Option<&str>| {
        let workers: Vec<&str> = workers.map_or(vec![], |w| vec!["--workers", w]);
        Command::new(env!("CARGO_BIN_EXE_quizbooth"))
            .args(serve_on(
                "tests/fixtures/valid.yaml",
                db.to_str().unwrap(),
                &workers,
            ))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve starts")
    };
    let cores = std::thread::available_parallelism().unwrap().get();
    for (asked, expected) in [(Some("1"), 1), (Some("3"), 3), (None, cores)] {
        let mut child = serve(asked);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut workers = 0;
        while std::time::Instant::now() < deadline {
            workers = thread_names(child.id())
                .iter()
                .filter(|n| n.starts_with("actix-server w"))
                .count();
            if workers >= expected {
                // Give any more a moment to show up.
                std::thread::sleep(std::time::Duration::from_millis(300));
                workers = thread_names(child.id())
                    .iter()
                    .filter(|n| n.starts_with("actix-server w"))
                    .count();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.kill().ok();
        child.wait().ok();
        assert_eq!(workers, expected, "--workers {asked:?}");
    }
    let o = quizbooth(&["serve", "--workers", "0", "--db", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--workers"), "{err}");
}
