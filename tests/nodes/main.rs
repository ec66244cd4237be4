//! `quizbooth serve` as processes: several nodes on one PostgreSQL
//! (`several`), entries surviving SIGKILL (`crash`), a full disk, a
//! read-only file and slow clients (`faults`), the primary lost under two
//! nodes and a standby promoted (`failover`), and the throwaway cluster
//! these stand on (`cluster`).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod cluster;
mod crash;
mod failover;
mod faults;
mod several;
