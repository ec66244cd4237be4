//! SPEC §7, the audit proves what it claims: the database refuses changes
//! to what the log speaks of (on PostgreSQL `TRUNCATE` too), and
//! `quizbooth audit-verify` checks the records against the log, read-only,
//! naming what was removed behind the refusals' back. The attacks are SQL,
//! as someone with the database file or a database login would send it.

use crate::support::app::*;
use crate::support::engine::on_postgres;
use quizbooth_test_macros::engines;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The engine's refusal of `sql`, which must name `why` (so it is the
/// trigger that refused, not some other error).
fn refused(app: &TestApp, sql: &str, why: &str) {
    match app.try_sql(sql) {
        Ok(_) => panic!("not refused: {sql}"),
        Err(e) => assert!(e.contains(why), "{sql}: refused for another reason: {e}"),
    }
}

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[engines]
async fn the_database_refuses_changes_to_what_the_audit_speaks_of() {
    let app = spawn_app().await;
    let event = audited_event(&app).await;
    let held = event.made[1]["code"].as_str().unwrap().to_owned();
    let late = app.entry("晚到", "13500135000").await;
    let pending = &event.pending["id"];
    let mut cases = vec![
        (
            "UPDATE audit SET detail = 'nothing' WHERE seq = 1".to_owned(),
            "append-only",
        ),
        ("DELETE FROM audit WHERE seq = 1".into(), "append-only"),
        ("UPDATE draws SET prize = '大奖'".into(), "never changed"),
        (
            format!("DELETE FROM draws WHERE id = {pending}"),
            "never deleted",
        ),
        (
            "UPDATE draw_winners SET code = 'AAAA-AAAA'".into(),
            "never changed",
        ),
        ("DELETE FROM draw_winners".into(), "never removed"),
        (
            "UPDATE claims SET claimed_at = '2000-01-01T00:00:00+08:00'".into(),
            "never changed",
        ),
        ("DELETE FROM claims".into(), "never removed"),
        (
            format!("DELETE FROM entries WHERE code = '{held}'"),
            "never removed",
        ),
        (
            format!("UPDATE entries SET code = 'ZZZZ-ZZZZ' WHERE code = '{held}'"),
            "keeps its code",
        ),
        (
            format!("UPDATE entries SET round_id = 'week-2' WHERE code = '{held}'"),
            "keeps its code",
        ),
        (
            format!("UPDATE entries SET set_id = 'other' WHERE code = '{held}'"),
            "keeps its code",
        ),
        (
            "UPDATE withdrawals SET withdrawn_at = '2000-01-01T00:00:00+08:00'".into(),
            "never changed",
        ),
        ("DELETE FROM withdrawals".into(), "never undone"),
        ("UPDATE purges SET erased = 0".into(), "never changed"),
        ("DELETE FROM purges".into(), "never removed"),
    ];
    if on_postgres() {
        cases.extend([
            ("TRUNCATE audit".to_owned(), "append-only"),
            ("TRUNCATE draws CASCADE".into(), "never"),
            ("TRUNCATE draw_winners CASCADE".into(), "never removed"),
            ("TRUNCATE claims".into(), "never removed"),
            ("TRUNCATE entries".into(), "never truncated"),
            ("TRUNCATE withdrawals".into(), "never undone"),
            ("TRUNCATE purges".into(), "never removed"),
        ]);
    }
    for (sql, why) in &cases {
        refused(&app, sql, why);
    }
    // What a withdrawal and a purge do stays possible, and an entry no
    // committed pool holds is not guarded.
    app.try_sql(&format!(
        "UPDATE entries SET name = NULL, phone = NULL, erased = 'purged' WHERE code = '{held}'"
    ))
    .unwrap();
    app.try_sql(&format!("DELETE FROM entries WHERE code = '{late}'"))
        .unwrap();
    let o = audit_verify(&database(app.dir.path()));
    assert!(
        o.status.success(),
        "nothing it checks was changed: {}",
        out(&o)
    );
}

#[engines]
async fn audit_verify_checks_an_event_and_names_what_was_removed_behind_the_refusals() {
    let app = spawn_app().await;
    let event = audited_event(&app).await;
    let db = database(app.dir.path());
    let state = || {
        on_postgres().then(|| {
            app.sql(
                "SELECT (SELECT string_agg(version::text, ',') FROM schema_version) || ' ' ||
                        (SELECT COALESCE(string_agg(number || holder || renewed_at::text, ','), '') FROM node_leases)",
            )
        })
    };
    let before = state();
    let o = audit_verify(&db);
    let text = out(&o);
    assert!(o.status.success(), "{text}");
    for want in [
        "rows; the chain holds; last hash ",
        "2 draws (1 revealed, winners recomputed from entries.txt and seed), 1 claims, 1 withdrawals, 1 purges",
        "head hash ",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    for private in ["观众", "1380013", "1390013", "1370013", "1360013", "****"] {
        assert!(!text.contains(private), "no name or phone: {text}");
    }
    assert_eq!(state(), before, "no migration, no lease");

    let id = &event.drawn["id"];
    let first = event.drawn["winners"][0]["code"].as_str().unwrap();
    // The claim removed (the prize could be handed out again).
    if on_postgres() {
        refused(&app, "TRUNCATE claims", "never removed");
        app.sql("ALTER TABLE claims DISABLE TRIGGER USER; TRUNCATE claims");
    } else {
        app.try_sql(&format!(
            "{} DELETE FROM claims;",
            drop_trigger("claims_never_removed", "claims")
        ))
        .unwrap();
    }
    let o = audit_verify(&db);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "prize_claimed of {first} in draw {id}, which claims does not hold"
        )),
        "{text}"
    );
    // Which lets the desk hand the prize out again: the log keeps both.
    let receipt = event.made.iter().find(|m| m["code"] == first).unwrap()["receipt"].clone();
    let r = app
        .staff_post("/admin/api/claims", json!({ "receipt": receipt }))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "handed out a second time");
    let o = audit_verify(&db);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "draw {id}: {first} claimed once, but 2 prize_claimed rows"
        )),
        "{text}"
    );

    // The log emptied.
    if on_postgres() {
        refused(&app, "TRUNCATE audit", "append-only");
        app.sql("ALTER TABLE audit DISABLE TRIGGER USER; TRUNCATE audit");
    } else {
        app.try_sql(&format!(
            "{} DELETE FROM audit;",
            drop_trigger("audit_never_removed", "audit")
        ))
        .unwrap();
    }
    let o = audit_verify(&db);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with("the audit log is empty, yet the database holds 2 draw(s), 1 claim(s), 1 withdrawal(s) and 1 purge(s)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("draw {id}: no draw_committed row")),
        "{text}"
    );
    assert_eq!(state(), before, "no migration, no lease");
}

#[engines]
async fn audit_verify_refuses_a_database_with_no_quizbooth_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = if on_postgres() {
        let Some(url) = crate::support::postgres::database_url() else {
            return;
        };
        std::path::PathBuf::from(url)
    } else {
        let file = dir.path().join("other.db");
        rusqlite::Connection::open(&file)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        file
    };
    let o = audit_verify(&db);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("holds no quizbooth schema"), "{err}");
    if on_postgres() {
        let cluster = crate::support::postgres::cluster().unwrap();
        let tables = cluster.psql(
            db.to_str().unwrap(),
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        );
        assert_eq!(tables, "0", "nothing was migrated");
    } else {
        let version: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0, "nothing was migrated");
    }
}

/// README "Several machines": the schema is made by an owner role, and the
/// nodes run as a role that may read, insert and update but owns nothing,
/// so the refusals are not theirs to lift.
#[engines]
async fn a_node_runs_as_a_role_that_cannot_lift_the_refusals() {
    if !on_postgres() {
        eprintln!("PostgreSQL only (database roles); its ::postgres twin runs it");
        return;
    }
    // The owner's first start made the schema.
    let owner = spawn_app().await;
    let url = database(owner.dir.path());
    let url = url.to_str().unwrap();
    let db = url.rsplit('/').next().unwrap();
    let role = format!("{db}_node");
    owner.sql(&format!(
        "CREATE ROLE {role} LOGIN;
         GRANT CONNECT ON DATABASE {db} TO {role};
         GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role};
         REVOKE UPDATE ON audit, draw_winners, claims, withdrawals, purges FROM {role};
         REVOKE INSERT, UPDATE ON schema_version FROM {role};
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};"
    ));
    let node_url = url.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(node_url, url);
    let node = owner
        .started_again(0, |s| s.db = node_url.clone().into())
        .await;
    let event = audited_event(&node).await;
    let o = audit_verify(std::path::Path::new(&node_url));
    assert!(o.status.success(), "{}", out(&o));

    let cluster = crate::support::postgres::cluster().unwrap();
    let as_node = |sql: &str| cluster.try_psql(&node_url, sql);
    for (sql, why) in [
        ("TRUNCATE claims", "permission denied"),
        ("TRUNCATE audit", "permission denied"),
        ("DELETE FROM claims", "permission denied"),
        ("ALTER TABLE claims DISABLE TRIGGER USER", "must be owner"),
        ("DROP TRIGGER audit_never_removed ON audit", "must be owner"),
        (
            "SET session_replication_role = replica",
            "permission denied",
        ),
        ("UPDATE audit SET detail = 'nothing'", "permission denied"),
    ] {
        match as_node(sql) {
            Ok(_) => panic!("the node's role may {sql}"),
            Err(e) => assert!(e.contains(why), "{sql}: {e}"),
        }
    }
    let first = event.drawn["winners"][0]["code"].as_str().unwrap();
    assert_eq!(
        owner.sql(&format!(
            "SELECT count(*) FROM claims WHERE code = '{first}'"
        )),
        "1",
        "the claim stands"
    );
}

/// A PostgreSQL database from before withdrawals were audited: its
/// withdrawals get their `entry_withdrawn` rows when migration 4 runs.
#[engines]
async fn withdrawals_made_before_they_were_audited_get_their_rows_on_postgres() {
    if !on_postgres() {
        eprintln!("PostgreSQL's migration 4; SQLite's 9 is a unit test of the migrations");
        return;
    }
    let app = spawn_app().await;
    let made = app.entry_made("观众", "13800138000", false).await;
    let r = app
        .delete(&format!(
            "/api/sessions/{}/entry",
            made["session"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Back to schema version 3: migration 4's refusals gone, and with them
    // the withdrawal's row (the only one, so the chain stays whole); and
    // migration 5's submission nonce, migration 6's round keys,
    // migration 7's sources and migration 9's funnel.
    app.sql(
        "DROP FUNCTION quizbooth_entry_in_pool() CASCADE;
         DROP FUNCTION quizbooth_entries_kept() CASCADE;
         DROP TRIGGER withdrawals_never_changed ON withdrawals;
         DROP TRIGGER purges_never_changed ON purges;
         DROP TRIGGER purges_never_removed ON purges;
         DROP TRIGGER audit_never_truncated ON audit;
         DROP TRIGGER draws_never_truncated ON draws;
         DROP TRIGGER draw_winners_never_truncated ON draw_winners;
         DROP TRIGGER claims_never_truncated ON claims;
         DROP TRIGGER withdrawals_never_truncated ON withdrawals;
         DROP TRIGGER purges_never_truncated ON purges;
         ALTER TABLE audit DISABLE TRIGGER audit_never_removed;
         DELETE FROM audit;
         ALTER TABLE audit ENABLE TRIGGER audit_never_removed;
         ALTER TABLE submissions DROP CONSTRAINT submissions_pkey;
         ALTER TABLE submissions DROP COLUMN nonce;
         ALTER TABLE submissions ADD CONSTRAINT submissions_pkey PRIMARY KEY (id);
         DROP TABLE round_keys, round_versions;
         DROP FUNCTION quizbooth_round_versions() CASCADE;
         DROP TABLE sources, question_picks, question_secs, funnel_stats;
         ALTER TABLE submissions DROP COLUMN source;
         ALTER TABLE entries DROP COLUMN source;
         UPDATE schema_version SET version = 3;",
    );
    let db = database(app.dir.path());
    let o = audit_verify(&db);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("but no entry_withdrawn row"),
        "{}",
        out(&o)
    );
    let again = app.started_again(0, |_| {}).await;
    assert_eq!(
        app.sql("SELECT version FROM schema_version"),
        quizbooth::store::postgres::schema::current().to_string()
    );
    let o = audit_verify(&db);
    assert!(o.status.success(), "{}", out(&o));
    let log = again.staff_json("/admin/api/audit").await;
    assert_eq!(log[0]["action"], "entry_withdrawn", "{log}");
    assert_eq!(
        log[0]["detail"],
        format!("entry {} withdrawn", made["code"].as_str().unwrap())
    );
    refused(&app, "TRUNCATE audit", "append-only");
}

#[engines]
async fn every_audit_row_carries_its_detail_as_fields_for_the_console() {
    let app = spawn_app().await;
    let event = audited_event(&app).await;
    app.csv().await;
    let log = app.staff_json("/admin/api/audit").await;
    let rows = log.as_array().unwrap();
    assert!(rows.len() >= 6, "{log}");
    for row in rows {
        assert!(
            row["fields"].is_object(),
            "every line the service writes reads as fields: {row}"
        );
        assert!(
            row["detail"].is_string() && row["hash"].is_string(),
            "{row}"
        );
    }
    let of = |action: &str| {
        rows.iter()
            .find(|r| r["action"] == action)
            .unwrap_or_else(|| panic!("{action} in {log}"))["fields"]
            .clone()
    };
    let revealed = of("draw_revealed");
    assert_eq!(revealed["draw"], event.drawn["id"]);
    assert_eq!(revealed["seed"], "73915");
    let codes: Vec<&Value> = event.drawn["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["code"])
        .collect();
    assert_eq!(
        revealed["codes"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        codes
    );
    let withdrawn = of("entry_withdrawn");
    assert_eq!(withdrawn["code"], event.made[3]["code"]);
    assert_eq!(withdrawn["by"], "entrant");
    let purged = of("contacts_purged");
    assert_eq!(
        (&purged["round"], &purged["how"], &purged["forced"]),
        (&json!("week-1"), &json!("staff"), &json!(true))
    );
    let exported = of("entries_exported");
    assert_eq!(
        (&exported["rows"], &exported["format"]),
        (&json!(4), &json!("csv"))
    );
    // The chain is over the details as written.
    let verified = app.staff_json("/admin/api/audit/verify").await;
    assert_eq!(verified["verified"], true, "{verified}");
}
