//! The set registry: which question sets are loaded, which one visitors get,
//! and every version a session may still point at. Sets come in by reading
//! the banks folder (at start, on `POST /admin/api/reload` and on SIGHUP) or
//! by upload; one is made active by `--set`, the console, or memory.
//! `quizbooth check` reads folders through the same [`read_folder`].

use crate::bank::{load, parse_bank, Bank, LoadReport, Problem};
use crate::clock::{rfc3339, Clock};
use crate::store::{AuditAction, Store, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// One file's outcome in a read of a folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The file.
    pub file: String,
    /// The set id, when it loaded.
    pub id: Option<String>,
    /// Errors and warnings.
    pub problems: Vec<Problem>,
}

/// The valid banks of a path with their files, and every file's report.
pub type ReadBanks = (Vec<(PathBuf, Bank)>, Vec<FileReport>);

/// Reads every bank of a path (a folder or one file); valid ones are
/// returned, every file's problems reported, and a set id used by two files
/// is a problem of the second.
pub fn read_folder(path: &Path) -> std::io::Result<ReadBanks> {
    let mut reports = load::load_path(path)?;
    // A copy of an earlier file's set (a warning) is valid but not loaded
    // twice; a clash (an error) is not valid.
    let mut copies = std::collections::HashSet::new();
    for (file, problem) in load::duplicate_ids(&reports) {
        if let Some((_, r)) = reports.iter_mut().find(|(f, _)| *f == file) {
            if problem.warning {
                copies.insert(file.clone());
            } else {
                r.bank = None;
            }
            r.problems.push(problem);
        }
    }
    let mut ok = Vec::new();
    let mut files = Vec::new();
    for (file, report) in reports {
        files.push(FileReport {
            file: file.display().to_string(),
            id: report.bank.as_ref().map(|b| b.id.clone()),
            problems: report.problems,
        });
        if let Some(bank) = report.bank.filter(|_| !copies.contains(&file)) {
            ok.push((file, bank));
        }
    }
    Ok((ok, files))
}

/// Why the service refused to start over its banks.
#[derive(Debug, thiserror::Error)]
#[error("the question banks have problems:\n{}", .0.join("\n"))]
pub struct BankProblems(pub Vec<String>);

/// Why a change to the registry was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// An upload that is not a valid set; nothing changed.
    #[error("the set has {} problem(s); nothing was changed", .0.iter().filter(|p| !p.warning).count())]
    Invalid(Vec<Problem>),
    /// No loaded set has this id.
    #[error("no loaded set has id `{0}`")]
    NoSuchSet(String),
    /// The live set cannot be removed.
    #[error("`{0}` is the set visitors get; publish another set before removing it")]
    Live(String),
    /// The banks folder could not be read or written.
    #[error("{0}")]
    Folder(String),
    /// Another upload is being checked; this one waited its turn too long.
    #[error("另一个题库文件正在检查，请稍候再上传 (another upload is being checked; try again in a moment)")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How long an upload waits for the one before it to be checked.
pub const UPLOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A valid upload, stored (and active when asked).
#[derive(Debug)]
pub struct Uploaded {
    /// The set as loaded.
    pub bank: Arc<Bank>,
    /// A new version of the live set kept as a draft: visitors keep the
    /// live version until the set is published again.
    pub draft: bool,
    /// Warnings (a missing translation…).
    pub warnings: Vec<Problem>,
}

/// The outcome of re-reading the banks folder.
#[derive(Debug, serde::Serialize)]
pub struct Reloaded {
    /// Every file's report.
    pub files: Vec<FileReport>,
    /// The active set afterwards.
    pub active: Option<String>,
}

/// The loaded sets.
#[derive(Debug, Default)]
struct Loaded {
    /// Current version of each set, by id.
    by_id: BTreeMap<String, Arc<Bank>>,
    /// File each set came from (for file-name order).
    files: BTreeMap<String, PathBuf>,
    /// Every version seen, by version hash (sessions point at versions).
    by_version: HashMap<String, Arc<Bank>>,
    /// The active set's id.
    active: Option<String>,
    /// Versions of the live set uploaded to wait for 发布 (SPEC §4), by id:
    /// the live version keeps serving until the set is activated.
    drafts: BTreeMap<String, Arc<Bank>>,
}

impl Loaded {
    fn insert(&mut self, bank: Bank, file: PathBuf) -> Arc<Bank> {
        self.insert_arc(Arc::new(bank), file)
    }

    fn insert_arc(&mut self, bank: Arc<Bank>, file: PathBuf) -> Arc<Bank> {
        self.files.insert(bank.id.clone(), file);
        self.by_version.insert(bank.version.clone(), bank.clone());
        self.by_id.insert(bank.id.clone(), bank.clone());
        bank
    }

    fn all(&self) -> Vec<Arc<Bank>> {
        let mut v: Vec<(&Path, &Arc<Bank>)> = self
            .by_id
            .iter()
            .map(|(id, b)| (self.files.get(id).map_or(Path::new(id), |f| f.as_path()), b))
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, b)| b.clone()).collect()
    }
}

/// The registry, shared by every handler.
#[derive(Debug)]
pub struct Registry {
    loaded: RwLock<Loaded>,
    store: Store,
    /// The banks folder or file given at start.
    source: PathBuf,
    clock: Clock,
    /// The store's sets generation last applied (shared stores only).
    seen: std::sync::atomic::AtomicI64,
    /// One upload is parsed at a time (a workbook may take a few hundred
    /// MB and seconds of a core while it is checked).
    checking: Arc<tokio::sync::Semaphore>,
    /// Held by every change of the sets (upload, removal, activation,
    /// reload) and by the follow of a shared store, each from its first
    /// read to its last write: a follow whose reads of the store began
    /// before a change through this node committed would otherwise put
    /// the sets as they were back in memory, over the change.
    changing: tokio::sync::Mutex<()>,
}

/// How often a node of a shared store looks for sets changed by another
/// (SPEC §10 allows 2 s from the change to every node serving it).
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

impl Registry {
    /// Reads the banks at `source`, keeps each version in the store, and
    /// picks the active set: `pinned` (`--set`), else the one last made
    /// active, else the first by file name. Refuses to start on any broken file.
    pub async fn open(
        source: &Path,
        store: Store,
        pinned: Option<&str>,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        let (ok, files) = read_folder(source)
            .with_context(|| format!("cannot read the question banks at {}", source.display()))?;
        let errors: Vec<String> = files
            .iter()
            .flat_map(|f| {
                f.problems
                    .iter()
                    .filter(|p| !p.warning)
                    .map(move |p| p.display_in(&f.file))
            })
            .collect();
        if !errors.is_empty() {
            return Err(BankProblems(errors).into());
        }
        anyhow::ensure!(
            !ok.is_empty(),
            "no question bank (*.yaml) found at {}",
            source.display()
        );
        let remembered = store.active_set().await?;
        let registry = Self {
            loaded: RwLock::default(),
            store,
            source: source.to_path_buf(),
            clock,
            seen: std::sync::atomic::AtomicI64::new(-1),
            checking: Arc::new(tokio::sync::Semaphore::new(1)),
            changing: tokio::sync::Mutex::new(()),
        };
        for (file, bank) in ok {
            if let Err(e) = registry.keep(&bank).await {
                // A read-only or full database must not keep the quiz from serving.
                tracing::error!(error = %e, set = %bank.id, "cannot keep the set's text in the database; serving it anyway");
            }
            registry.write().insert(bank, file);
        }
        if registry.store.is_shared() {
            // Uploads and removals made through any node's console win over
            // this node's folder.
            registry.sync().await?;
        } else {
            registry.load_drafts().await?;
        }
        let mut loaded = registry.write();
        loaded.active = match pinned {
            Some(id) => {
                anyhow::ensure!(
                    loaded.by_id.contains_key(id),
                    "--set `{id}`: no loaded set has that id"
                );
                Some(id.to_owned())
            }
            None => remembered
                .filter(|id| loaded.by_id.contains_key(id))
                .or_else(|| loaded.all().first().map(|b| b.id.clone())),
        };
        drop(loaded);
        Ok(registry)
    }

    // A poisoned lock still holds consistent data: every change is one insert.
    fn read(&self) -> RwLockReadGuard<'_, Loaded> {
        self.loaded.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Loaded> {
        self.loaded.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The set visitors get.
    pub fn active(&self) -> Option<Arc<Bank>> {
        let loaded = self.read();
        loaded
            .active
            .as_ref()
            .and_then(|id| loaded.by_id.get(id))
            .cloned()
    }

    /// A loaded set by id.
    pub fn get(&self, id: &str) -> Option<Arc<Bank>> {
        self.read().by_id.get(id).cloned()
    }

    /// Every loaded set in file-name order, and the active set's id.
    pub fn list(&self) -> (Vec<Arc<Bank>>, Option<String>) {
        let loaded = self.read();
        (loaded.all(), loaded.active.clone())
    }

    /// The draft of a set waiting for 发布, if any.
    pub fn draft(&self, id: &str) -> Option<Arc<Bank>> {
        self.read().drafts.get(id).cloned()
    }

    /// A set version, by its hash or the start of it (a session token
    /// carries 16 hex digits): from memory, else rebuilt from the text kept
    /// in the store (a version replaced before a restart).
    pub async fn version(&self, version: &str) -> Result<Option<Arc<Bank>>, StoreError> {
        {
            let loaded = self.read();
            let found = loaded.by_version.get(version).or_else(|| {
                loaded
                    .by_version
                    .iter()
                    .find(|(v, _)| v.starts_with(version))
                    .map(|(_, b)| b)
            });
            if let Some(b) = found {
                return Ok(Some(b.clone()));
            }
        }
        let source = self.store.set_version_source(version).await?;
        let Some(bank) = source.and_then(|s| parse_bank(&s).bank) else {
            return Ok(None);
        };
        let bank = Arc::new(bank);
        self.write()
            .by_version
            .insert(bank.version.clone(), bank.clone());
        Ok(Some(bank))
    }

    /// Checks an uploaded bank (YAML, or a spreadsheet named `name`: its
    /// stem is the set id when the workbook names none), saves it as
    /// `ID.yaml` in the banks folder (a spreadsheet as the YAML it stands
    /// for), keeps its version, and, when `activate`, makes it the set
    /// visitors get; else it waits for 发布.
    pub async fn upload(
        &self,
        bytes: Vec<u8>,
        name: &str,
        activate: bool,
    ) -> Result<Uploaded, RegistryError> {
        let report = self.check_upload(bytes, name).await?;
        let Some(bank) = report.bank else {
            return Err(RegistryError::Invalid(report.problems));
        };
        let _changing = self.changing.lock().await;
        let live = self.active().filter(|b| b.id == bank.id);
        if let (false, Some(live)) = (activate, live) {
            return self.upload_draft(bank, &live, report.problems).await;
        }
        self.clear_draft(&bank.id).await?;
        let dir = self.folder();
        let file = if self.store.is_shared() {
            // Kept in the database, which every node serves from; not in
            // this node's folder, which the others cannot see.
            self.keep(&bank).await?;
            let at = rfc3339(self.clock.now());
            self.store
                .share_set(&bank.id, &bank.version, false, &at)
                .await?;
            dir.join(format!("{}.yaml", bank.id))
        } else {
            let file = self.save(&bank, &dir)?;
            self.keep(&bank).await?;
            file
        };
        let bank = self.write().insert(bank, file);
        let detail = format!(
            "set {} version {}, {} questions",
            bank.id,
            &bank.version[..12],
            bank.questions.len()
        );
        self.record(AuditAction::SetUploaded, &detail).await?;
        if activate {
            self.activate_held(&bank.id).await?;
            tracing::info!(set = %bank.id, version = %bank.version, "set uploaded and activated");
        } else {
            tracing::info!(set = %bank.id, version = %bank.version, "set uploaded; not live until published");
        }
        Ok(Uploaded {
            bank,
            draft: false,
            warnings: report.problems,
        })
    }

    /// Parses an upload off the HTTP workers, one upload at a time: a
    /// second one waits up to [`UPLOAD_WAIT`] for its turn, then is refused.
    async fn check_upload(&self, bytes: Vec<u8>, name: &str) -> Result<LoadReport, RegistryError> {
        let turn = tokio::time::timeout(UPLOAD_WAIT, self.checking.clone().acquire_owned())
            .await
            .map_err(|_| RegistryError::Busy)?
            .map_err(|_| RegistryError::Busy)?;
        let name = name.to_owned();
        // The turn ends with the parse, even if the uploader went away.
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            load::parse_file(&name, &bytes)
        })
        .await
        .map_err(|e| RegistryError::Folder(format!("the upload could not be checked: {e}")))
    }

    /// Keeps a new version of the live set as its draft: its text in the
    /// store, not in the banks folder nor shared as the version every node
    /// serves, so visitors (and a restart) keep the live version.
    async fn upload_draft(
        &self,
        bank: Bank,
        live: &Bank,
        warnings: Vec<Problem>,
    ) -> Result<Uploaded, RegistryError> {
        if bank.version == live.version {
            // The live version itself: nothing waits any more.
            self.clear_draft(&bank.id).await?;
            return Ok(Uploaded {
                bank: Arc::new(bank),
                draft: false,
                warnings,
            });
        }
        self.keep(&bank).await?;
        self.store.set_draft(&bank.id, Some(&bank.version)).await?;
        let bank = Arc::new(bank);
        {
            let mut loaded = self.write();
            loaded.by_version.insert(bank.version.clone(), bank.clone());
            loaded.drafts.insert(bank.id.clone(), bank.clone());
        }
        let detail = format!(
            "set {} version {}, {} questions, a draft of the live set",
            bank.id,
            &bank.version[..12],
            bank.questions.len()
        );
        self.record(AuditAction::SetUploaded, &detail).await?;
        tracing::info!(set = %bank.id, version = %bank.version, "draft of the live set uploaded; the live version serves until published");
        Ok(Uploaded {
            bank,
            draft: true,
            warnings,
        })
    }

    /// Forgets the draft of a set, if it has one.
    async fn clear_draft(&self, id: &str) -> Result<(), StoreError> {
        if self.write().drafts.remove(id).is_some() {
            self.store.set_draft(id, None).await?;
        }
        Ok(())
    }

    /// Makes a set's draft its current version: saved into the banks
    /// folder (or shared, on a shared store) as an upload is.
    async fn promote_draft(&self, id: &str) -> Result<(), RegistryError> {
        let Some(bank) = self.draft(id) else {
            return Ok(());
        };
        let file = if self.store.is_shared() {
            let at = rfc3339(self.clock.now());
            self.store
                .share_set(&bank.id, &bank.version, false, &at)
                .await?;
            self.folder().join(format!("{}.yaml", bank.id))
        } else {
            self.save(&bank, &self.folder())?
        };
        {
            let mut loaded = self.write();
            loaded.insert_arc(bank.clone(), file);
            loaded.drafts.remove(id);
        }
        self.store.set_draft(id, None).await?;
        Ok(())
    }

    /// Reads the drafts kept in the store (at start, and when another node
    /// changed the shared sets): a draft whose set is gone or already at
    /// that version is dropped.
    async fn load_drafts(&self) -> Result<(), StoreError> {
        let mut drafts = BTreeMap::new();
        for (id, version) in self.store.set_drafts().await? {
            let pending = self.get(&id).is_some_and(|b| b.version != version);
            if !pending {
                continue;
            }
            match self.version(&version).await? {
                Some(bank) => {
                    drafts.insert(id, bank);
                }
                None => {
                    tracing::error!(set = %id, version = %version, "a draft's text is missing or no longer valid")
                }
            }
        }
        self.write().drafts = drafts;
        Ok(())
    }

    /// Saves an upload as `ID.yaml` in the banks folder, setting aside an
    /// older file of the set under another name.
    fn save(&self, bank: &Bank, dir: &Path) -> Result<PathBuf, RegistryError> {
        let known = self.read().files.get(&bank.id).cloned();
        let file = upload_file(dir, &bank.id, known.as_deref());
        write_atomically(&file, &bank.source).map_err(|e| {
            tracing::error!(file = %file.display(), error = %e, "cannot save the uploaded set");
            RegistryError::Folder(format!("cannot save the set into the banks folder: {e}"))
        })?;
        // The set's old file under another name would clash with ID.yaml at the
        // next reload or start; it is kept beside, renamed so it is not loaded.
        if let Some(old) = known.filter(|o| *o != file && o.parent() == Some(dir) && o.exists()) {
            let kept = old.with_extension("yaml.replaced");
            match std::fs::rename(&old, &kept) {
                Ok(()) => {
                    tracing::info!(old = %old.display(), kept = %kept.display(), "older file of the set set aside")
                }
                Err(e) => {
                    tracing::warn!(old = %old.display(), error = %e, "cannot set the older file of the set aside")
                }
            }
        }
        Ok(file)
    }

    /// Removes a set that is not live: it is no longer listed or loaded,
    /// and its file is set aside (`ID.yaml.removed`) so no reload or start
    /// brings it back. Its versions stay, in memory and in the database, so
    /// sessions and entries on it keep working.
    pub async fn remove(&self, id: &str) -> Result<Arc<Bank>, RegistryError> {
        let _changing = self.changing.lock().await;
        let (bank, file) = {
            let mut loaded = self.write();
            if loaded.active.as_deref() == Some(id) {
                return Err(RegistryError::Live(id.to_owned()));
            }
            let bank = loaded
                .by_id
                .remove(id)
                .ok_or_else(|| RegistryError::NoSuchSet(id.to_owned()))?;
            (bank, loaded.files.remove(id))
        };
        self.clear_draft(id).await?;
        if self.store.is_shared() {
            let at = rfc3339(self.clock.now());
            self.store
                .share_set(&bank.id, &bank.version, true, &at)
                .await?;
        } else if let Some(file) = file.filter(|f| f.exists()) {
            let mut kept = file.clone().into_os_string();
            kept.push(".removed");
            if let Err(e) = std::fs::rename(&file, &kept) {
                tracing::warn!(file = %file.display(), error = %e, "cannot set the removed set's file aside");
            }
        }
        let detail = format!("set {} version {}", bank.id, &bank.version[..12]);
        self.record(AuditAction::SetRemoved, &detail).await?;
        tracing::info!(set = %bank.id, "set removed");
        Ok(bank)
    }

    /// Makes a loaded set the one visitors get (its draft first, when it
    /// has one waiting), and remembers it.
    pub async fn activate(&self, id: &str) -> Result<Arc<Bank>, RegistryError> {
        let _changing = self.changing.lock().await;
        self.activate_held(id).await
    }

    /// [`Self::activate`], the caller holding [`Self::changing`].
    async fn activate_held(&self, id: &str) -> Result<Arc<Bank>, RegistryError> {
        self.promote_draft(id).await?;
        let bank = {
            let mut loaded = self.write();
            let bank = loaded
                .by_id
                .get(id)
                .cloned()
                .ok_or_else(|| RegistryError::NoSuchSet(id.to_owned()))?;
            loaded.active = Some(id.to_owned());
            bank
        };
        self.store.remember_active_set(id).await?;
        let detail = format!("set {} version {}", bank.id, &bank.version[..12]);
        self.record(AuditAction::SetActivated, &detail).await?;
        Ok(bank)
    }

    /// Re-reads the banks folder: valid files are loaded (a set's new
    /// version replaces its old one), broken ones reported, and the sets
    /// already loaded keep serving.
    pub async fn reload(&self) -> Result<Reloaded, RegistryError> {
        let source = self.source.clone();
        let (ok, files) = tokio::task::spawn_blocking(move || read_folder(&source))
            .await
            .map_err(|e| RegistryError::Folder(e.to_string()))?
            .map_err(|e| RegistryError::Folder(format!("cannot read the banks folder: {e}")))?;
        let changing = self.changing.lock().await;
        for (file, bank) in ok {
            self.keep(&bank).await?;
            self.write().insert(bank, file);
        }
        if self.store.is_shared() {
            self.seen.store(-1, std::sync::atomic::Ordering::SeqCst);
            self.sync_held().await?;
        }
        drop(changing);
        let broken = files.iter().filter(|f| f.id.is_none()).count();
        let detail = format!("{} file(s), {broken} broken", files.len());
        self.record(AuditAction::SetsReloaded, &detail).await?;
        if broken > 0 {
            tracing::warn!(
                broken,
                "reload: some bank files are broken; the sets already loaded keep serving"
            );
        }
        Ok(Reloaded {
            files,
            active: self.read().active.clone(),
        })
    }

    /// On a shared store, applies the sets uploaded, removed and made
    /// active through any node, when the store's generation moved since
    /// last time; `true` when it did.
    pub async fn sync(&self) -> Result<bool, StoreError> {
        let _changing = self.changing.lock().await;
        self.sync_held().await
    }

    /// [`Self::sync`], the caller holding [`Self::changing`].
    async fn sync_held(&self) -> Result<bool, StoreError> {
        use std::sync::atomic::Ordering;
        let generation = self.store.sets_generation().await?;
        if self.seen.load(Ordering::SeqCst) == generation {
            return Ok(false);
        }
        let shared = self.store.shared_sets().await?;
        let dir = self.folder();
        for s in shared {
            if s.removed {
                let mut loaded = self.write();
                if loaded.active.as_deref() != Some(s.set_id.as_str()) {
                    loaded.by_id.remove(&s.set_id);
                    loaded.files.remove(&s.set_id);
                }
                continue;
            }
            let current = self.get(&s.set_id).is_some_and(|b| b.version == s.version);
            if current {
                continue;
            }
            match self.version(&s.version).await? {
                Some(bank) => {
                    let file = dir.join(format!("{}.yaml", bank.id));
                    self.write().insert_arc(bank, file);
                }
                None => {
                    tracing::error!(set = %s.set_id, version = %s.version, "a shared set's text is missing or no longer valid")
                }
            }
        }
        if let Some(active) = self.store.active_set().await? {
            // Published from another node's folder: its text is in the store.
            if self.get(&active).is_none() {
                if let Some(v) = self.store.latest_set_version(&active).await? {
                    if let Some(bank) = self.version(&v).await? {
                        let file = dir.join(format!("{}.yaml", bank.id));
                        self.write().insert_arc(bank, file);
                    }
                }
            }
            let mut loaded = self.write();
            if loaded.by_id.contains_key(&active) {
                loaded.active = Some(active);
            }
        }
        self.load_drafts().await?;
        self.seen.store(generation, Ordering::SeqCst);
        Ok(true)
    }

    /// Follows the shared store's sets for as long as the service runs.
    pub fn follow(registry: Arc<Self>) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FOLLOW_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match registry.sync().await {
                    Ok(true) => tracing::info!(
                        active = ?registry.read().active,
                        "sets changed through another node applied"
                    ),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read the shared sets"),
                }
            }
        });
    }

    /// Keeps a set's text in the store, so sessions on this version can be
    /// scored after it is replaced or the service restarts.
    async fn keep(&self, bank: &Bank) -> Result<(), StoreError> {
        let at = rfc3339(self.clock.now());
        self.store
            .keep_set_version(&bank.version, &bank.id, &bank.source, &at)
            .await
    }

    /// Appends a staff action to the audit log.
    async fn record(&self, action: AuditAction, detail: &str) -> Result<(), StoreError> {
        let at = rfc3339(self.clock.now());
        self.store.audit(action, detail, &at).await.map(|_| ())
    }

    /// The folder uploads are written into.
    fn folder(&self) -> PathBuf {
        let q = &self.source;
        if q.is_dir() || q.extension().is_none() {
            q.clone()
        } else {
            q.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    }
}

/// Where an upload of set `id` is saved: `ID.yaml`, unless that file holds
/// something else (another set, or a draft that does not load): then
/// `ID-2.yaml`, `ID-3.yaml`… An upload replaces only a file of its own set.
fn upload_file(dir: &Path, id: &str, known: Option<&Path>) -> PathBuf {
    let ours = |file: &Path| {
        known == Some(file)
            || std::fs::read_to_string(file)
                .ok()
                .and_then(|text| parse_bank(&text).bank)
                .is_some_and(|b| b.id == id)
    };
    (1..)
        .map(|n| match n {
            1 => dir.join(format!("{id}.yaml")),
            n => dir.join(format!("{id}-{n}.yaml")),
        })
        .find(|file| !file.exists() || ours(file))
        .unwrap_or_else(|| dir.join(format!("{id}.yaml")))
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}
