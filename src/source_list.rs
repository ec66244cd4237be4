//! The sources every node knows (SPEC §11): the list staff keep in the
//! store, held in memory so that a session start asks nothing of the store
//! to learn whether its `src` is listed (a read lock and a hash lookup), and
//! followed on a shared store so a list changed through one node is what
//! every node knows within [`FOLLOW_EVERY`].

use crate::sources::{self, Source};
use crate::store::{AuditAction, Store, StoreError};
use std::collections::HashSet;
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
}

impl SourceList {
    /// The list as stored now.
    pub async fn open(store: Store) -> Result<Self, StoreError> {
        let list = store.sources().await?;
        Ok(Self {
            store,
            known: RwLock::new(Arc::new(Known::of(list))),
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

    fn set(&self, list: Vec<Source>) {
        *self.known.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(Known::of(list));
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
        let list = self.store.sources().await?;
        if self.known().list != list {
            self.set(list);
        }
        Ok(())
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
