//! The sources every node knows (SPEC §11): the list staff keep in the
//! store, held in memory so that a session start asks nothing of the store
//! to learn whether its `src` is listed (a read lock and a hash lookup), and
//! followed on a shared store so a list changed through one node is what
//! every node knows within [`FOLLOW_EVERY`].

use crate::sources::{self, Source};
use crate::store::{AuditAction, Store, StoreError};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// How often a node of several reads the shared list again.
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// The list as one node knows it.
#[derive(Debug, Default)]
pub struct Known {
    /// In the order staff gave.
    pub list: Vec<Source>,
    ids: HashSet<String>,
}

impl Known {
    fn of(list: Vec<Source>) -> Self {
        let ids = list.iter().map(|s| s.id.clone()).collect();
        Self { list, ids }
    }

    /// Whether `id` is listed.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
}

/// The list and the store it lives in.
#[derive(Debug)]
pub struct SourceList {
    store: Store,
    known: RwLock<Arc<Known>>,
    /// Bumped by each list this node sets by a change made through it, so
    /// a follower's read of the store that began before cannot undo it.
    changes: AtomicU64,
}

impl SourceList {
    /// The list as stored now.
    pub async fn open(store: Store) -> Result<Self, StoreError> {
        let list = store.sources().await?;
        Ok(Self {
            store,
            known: RwLock::new(Arc::new(Known::of(list))),
            changes: AtomicU64::new(0),
        })
    }

    /// What this node knows.
    pub fn known(&self) -> Arc<Known> {
        self.known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A session's source from the `src` it was started with: the id when
    /// listed now (or the share card's), else `None` (`direct`).
    pub fn resolve<'a>(&self, src: Option<&'a str>) -> Option<&'a str> {
        let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
        sources::resolve(src, |id| known.contains(id))
    }

    /// Sets the list changed through this node.
    fn set(&self, list: Vec<Source>) {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        *known = Arc::new(Known::of(list));
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Replaces the list for every node, audited with how many sources it
    /// holds and how many were added and dropped.
    pub async fn replace(&self, list: Vec<Source>, at: &str) -> Result<(), StoreError> {
        let before = self.store.sources().await?;
        let old: HashSet<&str> = before.iter().map(|s| s.id.as_str()).collect();
        let new: HashSet<&str> = list.iter().map(|s| s.id.as_str()).collect();
        let detail = format!(
            "{} source(s), {} added, {} removed",
            list.len(),
            new.difference(&old).count(),
            old.difference(&new).count()
        );
        self.store.replace_sources(list.clone()).await?;
        self.set(list);
        self.store
            .audit(AuditAction::SourcesChanged, &detail, at)
            .await?;
        Ok(())
    }

    /// Reads the stored list again.
    pub async fn sync(&self) -> Result<(), StoreError> {
        let seen = self.changes.load(Ordering::SeqCst);
        let list = self.store.sources().await?;
        self.follow_read(seen, list);
        Ok(())
    }

    /// Takes `list`, read from the store after `seen` changes through this
    /// node, unless another came meanwhile: that one is newer than the read
    /// (a read begun before its write committed would undo it until the
    /// next, and a session started then would lose its source).
    fn follow_read(&self, seen: u64, list: Vec<Source>) {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        if self.changes.load(Ordering::SeqCst) == seen && known.list != list {
            *known = Arc::new(Known::of(list));
        }
    }

    /// Follows the shared store's list for as long as the service runs.
    pub fn follow(list: Arc<Self>) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FOLLOW_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(e) = list.sync().await {
                    tracing::warn!(error = %e, "cannot read the shared sources");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str) -> Source {
        Source {
            id: id.into(),
            name: id.into(),
            headcount: None,
        }
    }

    #[tokio::test]
    async fn a_read_begun_before_a_change_does_not_undo_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("q.db")).unwrap();
        let list = SourceList::open(store.clone()).await.unwrap();
        // The follower reads (nothing listed yet) …
        let seen = list.changes.load(Ordering::SeqCst);
        let stale = store.sources().await.unwrap();
        // … staff change the list through this node meanwhile …
        list.replace(vec![source("wuhua")], "2026-12-07T09:00:00+08:00")
            .await
            .unwrap();
        // … and the follower's stale read arrives.
        list.follow_read(seen, stale);
        assert!(list.known().contains("wuhua"), "the change stands");
        // A read begun after the change is taken (another node's change).
        let seen = list.changes.load(Ordering::SeqCst);
        list.follow_read(seen, vec![source("ynu")]);
        assert!(list.known().contains("ynu") && !list.known().contains("wuhua"));
    }
}
