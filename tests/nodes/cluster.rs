//! The throwaway PostgreSQL of `tests/support/postgres.rs` works.

use crate::support::postgres;

#[test]
fn fresh_databases_on_a_durable_cluster() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let a = postgres::database_url().unwrap();
    let b = cluster.create_database();
    assert_ne!(a, b);
    let prefix = cluster.url("t_");
    assert!(a.starts_with(&prefix) && b.starts_with(&prefix), "{a} {b}");
    assert_eq!(cluster.psql(&a, "SHOW synchronous_commit"), "on");
    assert_eq!(cluster.psql(&b, "SHOW fsync"), "on");
    assert_eq!(
        cluster.psql(&a, "SELECT current_database()"),
        a.rsplit('/').next().unwrap()
    );
}

#[test]
fn an_own_cluster_stops_on_drop() {
    let Some(cluster) = postgres::Cluster::start() else {
        return;
    };
    let pid = cluster.pid();
    assert_eq!(cluster.psql("postgres", "SELECT 1"), "1");
    drop(cluster);
    // Gone, or a zombie of a parent that does not reap.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
    assert!(
        state.is_none_or(|s| s.starts_with('Z')),
        "postmaster {pid} still runs: {stat}"
    );
}
