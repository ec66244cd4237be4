//! `quizbooth serve` as processes: several nodes on one PostgreSQL
//! (`several`), entries surviving SIGKILL (`crash`), a full disk, a
//! read-only file and slow clients (`faults`), and the throwaway cluster
//! these stand on (`cluster`).

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod cluster;
mod crash;
mod faults;
mod several;
