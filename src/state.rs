//! What handlers share: the loaded banks, the store, the settings, the
//! staff token and the pages.

use crate::bank::{self, Bank, Problem};
use crate::config::Settings;
use crate::store::{Store, StoreError};
use crate::web::Assets;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The staff token (compared in constant time).
#[derive(Clone)]
pub struct AdminToken(pub Arc<str>);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

/// The loaded sets.
#[derive(Debug, Default)]
pub struct Banks {
    /// Current version of each set, by id.
    by_id: BTreeMap<String, Arc<Bank>>,
    /// File each set came from (for file-name order).
    files: BTreeMap<String, String>,
    /// Every version seen, by version hash (sessions point at versions).
    by_version: HashMap<String, Arc<Bank>>,
    /// The active set's id.
    active: Option<String>,
}

impl Banks {
    /// The active set.
    pub fn active(&self) -> Option<Arc<Bank>> {
        self.active
            .as_ref()
            .and_then(|id| self.by_id.get(id))
            .cloned()
    }

    /// A set by id.
    pub fn get(&self, id: &str) -> Option<Arc<Bank>> {
        self.by_id.get(id).cloned()
    }

    /// A set version already in memory.
    /// `version` may be the start of one (a session token carries 16 hex digits).
    pub fn version(&self, version: &str) -> Option<Arc<Bank>> {
        if let Some(b) = self.by_version.get(version) {
            return Some(b.clone());
        }
        self.by_version
            .iter()
            .find(|(v, _)| v.starts_with(version))
            .map(|(_, b)| b.clone())
    }

    /// Every loaded set, in file-name order.
    pub fn all(&self) -> Vec<Arc<Bank>> {
        let mut v: Vec<(&String, &Arc<Bank>)> = self
            .by_id
            .iter()
            .map(|(id, b)| (self.files.get(id).unwrap_or(id), b))
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, b)| b.clone()).collect()
    }

    /// The file a set was loaded from.
    pub fn file(&self, id: &str) -> Option<&str> {
        self.files.get(id).map(String::as_str)
    }

    /// The active set's id.
    pub fn active_id(&self) -> Option<&str> {
        self.active.as_deref()
    }

    /// Adds or replaces a set.
    pub fn insert(&mut self, bank: Bank, file: &str) -> Arc<Bank> {
        let bank = Arc::new(bank);
        self.files.insert(bank.id.clone(), file.to_owned());
        self.by_version.insert(bank.version.clone(), bank.clone());
        self.by_id.insert(bank.id.clone(), bank.clone());
        bank
    }

    /// Remembers a version without making it current (rebuilt from the store).
    pub fn remember_version(&mut self, bank: Bank) -> Arc<Bank> {
        let bank = Arc::new(bank);
        self.by_version.insert(bank.version.clone(), bank.clone());
        bank
    }

    /// Makes a set active; `false` if no such set.
    pub fn activate(&mut self, id: &str) -> bool {
        if self.by_id.contains_key(id) {
            self.active = Some(id.to_owned());
            true
        } else {
            false
        }
    }

    /// Picks the active set: the pinned one, else the remembered one, else the first by file name.
    pub fn choose_active(
        &mut self,
        pinned: Option<&str>,
        remembered: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(id) = pinned {
            anyhow::ensure!(self.activate(id), "--set `{id}`: no loaded set has that id");
            return Ok(());
        }
        if let Some(id) = remembered.filter(|id| self.by_id.contains_key(*id)) {
            self.active = Some(id.to_owned());
            return Ok(());
        }
        self.active = self.all().first().map(|b| b.id.clone());
        Ok(())
    }
}

/// One file's outcome in a load or reload.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The file.
    pub file: String,
    /// The set id, when it loaded.
    pub id: Option<String>,
    /// Problems as `{line, column, message, warning}`.
    pub problems: Vec<ProblemView>,
}

/// A problem for JSON.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProblemView {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// Message.
    pub message: String,
    /// Warning or error.
    pub warning: bool,
}

impl From<&Problem> for ProblemView {
    fn from(p: &Problem) -> Self {
        Self {
            line: p.line,
            column: p.column,
            message: p.message.clone(),
            warning: p.warning,
        }
    }
}

/// The valid banks of a path with their files, and every file's report.
pub type ReadBanks = (Vec<(PathBuf, Bank)>, Vec<FileReport>);

/// Reads every bank of a path; valid ones are returned, every file's problems reported.
pub fn read_banks(path: &Path) -> std::io::Result<ReadBanks> {
    let mut reports = bank::load_path(path)?;
    let dups = bank::load::duplicate_ids(&reports);
    for (file, problem) in dups {
        if let Some((_, r)) = reports.iter_mut().find(|(f, _)| *f == file) {
            r.problems.push(problem);
            r.bank = None;
        }
    }
    let mut ok = Vec::new();
    let mut files = Vec::new();
    for (file, report) in reports {
        files.push(FileReport {
            file: file.display().to_string(),
            id: report.bank.as_ref().map(|b| b.id.clone()),
            problems: report.problems.iter().map(ProblemView::from).collect(),
        });
        if let Some(bank) = report.bank {
            ok.push((file, bank));
        }
    }
    Ok((ok, files))
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// Loaded banks.
    pub banks: Arc<RwLock<Banks>>,
    /// Resolved settings.
    pub settings: Arc<Settings>,
    /// The staff token.
    pub admin_token: AdminToken,
    /// Pages and assets.
    pub assets: Arc<Assets>,
    /// Rate limits.
    pub limits: crate::limits::Limits,
    /// Seals and opens session tokens.
    pub tokens: crate::quiz::TokenKey,
    /// Hands out session keys.
    pub session_keys: Arc<crate::quiz::KeyClock>,
    /// Responses counted for the summary line.
    pub traffic: Arc<crate::traffic::Traffic>,
    /// Session responses' parts, serialized once per set version.
    pub prerendered: Arc<crate::routes::views::Prerendered>,
}

impl AppState {
    /// Reads the banks (a poisoned lock still holds consistent data: every change is one insert).
    pub fn banks(&self) -> RwLockReadGuard<'_, Banks> {
        self.banks.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the banks.
    pub fn banks_mut(&self) -> RwLockWriteGuard<'_, Banks> {
        self.banks.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The active set.
    pub fn active_bank(&self) -> Option<Arc<Bank>> {
        self.banks().active()
    }

    /// A set version: from memory, else rebuilt from the text kept in the store.
    pub async fn bank_version(&self, version: &str) -> Result<Option<Arc<Bank>>, StoreError> {
        if let Some(b) = self.banks().version(version) {
            return Ok(Some(b));
        }
        let source = self.store.set_version_source(version).await?;
        let Some(bank) = source.and_then(|s| bank::parse_bank(&s).bank) else {
            return Ok(None);
        };
        Ok(Some(self.banks_mut().remember_version(bank)))
    }

    /// The folder uploads are written into.
    pub fn banks_dir(&self) -> PathBuf {
        let q = &self.settings.questions;
        if q.is_dir() || q.extension().is_none() {
            q.clone()
        } else {
            q.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    }

    /// Stores a set's text and makes it current; returns it.
    pub async fn add_set(&self, bank: Bank, file: &str) -> Result<Arc<Bank>, StoreError> {
        let now = crate::clock::rfc3339(crate::clock::now());
        self.store
            .keep_set_version(&bank.version, &bank.id, &bank.source, &now)
            .await?;
        Ok(self.banks_mut().insert(bank, file))
    }
}
