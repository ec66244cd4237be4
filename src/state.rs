//! What every handler shares, as one `web::Data<AppState>`: the store, the
//! set registry, the settings, the staff token, the session sealer and the
//! clock. (The pages, the traffic counter and the prerendered views are
//! HTTP's own and are handed to actix as their own `web::Data`.)

use crate::bank::Bank;
use crate::clock::Clock;
use crate::config::Settings;
use crate::limits::Limits;
use crate::quiz::{KeyClock, TokenKey};
use crate::sets::Registry;
use crate::store::Store;
use std::sync::Arc;

/// The staff token (compared in constant time).
#[derive(Clone)]
pub struct AdminToken(pub Arc<str>);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The loaded question sets.
    pub sets: Arc<Registry>,
    /// Resolved settings.
    pub settings: Arc<Settings>,
    /// The staff token.
    pub admin_token: AdminToken,
    /// Rate limits.
    pub limits: Limits,
    /// Seals and opens session tokens.
    pub tokens: TokenKey,
    /// Hands out session keys.
    pub session_keys: Arc<KeyClock>,
    /// The time, for everything on a request path.
    pub clock: Clock,
    /// Roughly how many visitors are mid-quiz.
    pub playing: Arc<crate::playing::Playing>,
    /// The campaign's sources (SPEC §11), as this node knows them.
    pub sources: Arc<crate::source_list::SourceList>,
}

impl AppState {
    /// The active set.
    pub fn active_bank(&self) -> Option<Arc<Bank>> {
        self.sets.active()
    }
}
