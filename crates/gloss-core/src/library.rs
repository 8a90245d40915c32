//! The library as the rest of Gloss sees it: the store, the events and the
//! operations over them. Cheap to clone; every clone is the same library.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::annotations::{self, Changed, Origin, Writer};
use crate::config;
use crate::events::{AnnotationChange, Event, Events, NoticeLevel, ScanReason};
use crate::ingest::{self, ReconcileReport, Scope};
use crate::scan::ScanCounts;
use crate::search::{self, SearchHit};
use crate::store::episodes::{self, EpisodeId, EpisodeRecord, EpisodeSummary};
use crate::store::{now_ms, savepoint, settings, Error, Result, Store};

#[derive(Debug, Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    events: Events,
    /// Two reconciles at once would both see a new file as new.
    reconcile_lock: Mutex<()>,
}

impl Library {
    /// Opens the library kept in `data_dir` (see [`config::data_dir`]).
    pub fn open(data_dir: &Path) -> Result<Library> {
        let store = Store::open(data_dir)?;
        Ok(Library { inner: Arc::new(Inner { store, events: Events::default(), reconcile_lock: Mutex::new(()) }) })
    }

    /// The database, for the parts of Gloss that keep their own tables in it.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Where every change to the library is announced.
    pub fn events(&self) -> &Events {
        &self.inner.events
    }

    /// The library folder: `explicit`, else `GLOSS_LIBRARY`, else the folder
    /// last reconciled or watched. `None` when none was ever given: ask the user.
    pub fn library_folder(&self, explicit: Option<&Path>) -> Result<Option<PathBuf>> {
        match config::library_dir(explicit) {
            Some(folder) => Ok(Some(folder)),
            None => self.store().read(|conn| settings::library_folder(conn)),
        }
    }

    /// Whether the library folder is watched by polling (for network shares).
    pub fn force_polling(&self) -> Result<bool> {
        self.store().read(|conn| settings::force_polling(conn))
    }

    /// Takes effect the next time watching starts.
    pub fn set_force_polling(&self, on: bool) -> Result<()> {
        let value = if on { "true" } else { "false" };
        self.store().write(|tx| settings::set(tx, settings::FORCE_POLLING, value))
    }

    /// One full pass over `folder`: parses new and changed files, marks
    /// vanished ones missing, remembers `folder` as the library.
    pub fn reconcile(&self, folder: &Path) -> Result<ScanCounts> {
        let root = self.use_folder(folder)?;
        Ok(self.reconcile_and_announce(&root, ScanReason::Manual, &mut Told::default())?.counts)
    }

    /// The one way to change what the user owns: runs `work` in one durable
    /// write transaction with a [`Writer`] of `origin`, and after commit
    /// announces what it changed. A refusal (`Invalid`, `NotFound`,
    /// `Conflict`) rolls back whatever `work` wrote before it, like a
    /// database error does, and announces nothing.
    pub fn change<T>(
        &self,
        origin: Origin,
        work: impl FnOnce(&mut Writer) -> annotations::Result<T>,
    ) -> annotations::Result<T> {
        let (value, changed) = self.store().write(|tx| {
            savepoint(tx, || {
                let mut writer = Writer::new(tx, now_ms(), origin.clone());
                let value = work(&mut writer)?;
                Ok::<_, annotations::Error>((value, writer.finish()?))
            })
        })??;
        self.announce(origin, changed);
        Ok(value)
    }

    /// Publishes a committed change as an [`Event::AnnotationChanged`]
    /// carrying the highlights written (as they are now), so a window can
    /// update them in place. Past [`AnnotationChange::MAX_HIGHLIGHTS`] it
    /// carries none and says so: listeners reload instead.
    pub(crate) fn announce(&self, origin: Origin, changed: Changed) {
        if changed.is_empty() {
            return;
        }
        let complete = changed.highlights.len() <= AnnotationChange::MAX_HIGHLIGHTS;
        let highlights = if complete && !changed.highlights.is_empty() {
            annotations::read(self.store(), |conn| {
                changed.highlights.iter().map(|id| annotations::highlights::get(conn, id)).collect()
            })
            .unwrap_or_default()
        } else {
            Vec::new()
        };
        let episode_ids: Vec<EpisodeId> = changed.episodes.iter().copied().collect();
        self.events().publish(Event::AnnotationChanged(Box::new(AnnotationChange {
            origin,
            episode_id: match episode_ids.as_slice() {
                [only] => Some(*only),
                _ => None,
            },
            episode_ids,
            kinds: changed.kinds.into_iter().collect(),
            highlights_complete: complete,
            highlights,
            purged: changed.purged.into_iter().collect(),
        })));
    }

    /// Every episode, by path.
    pub fn list_episodes(&self) -> Result<Vec<EpisodeSummary>> {
        self.store().read(|conn| episodes::list(conn))
    }

    pub fn episode(&self, id: EpisodeId) -> Result<Option<EpisodeRecord>> {
        self.store().read(|conn| episodes::get(conn, id))
    }

    /// Episodes matching `query` (see [`search`](crate::search)), best
    /// first, a word nothing starts with corrected first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        self.store().read(|conn| search::search(conn, &search::spelling::correct(conn, query)?, limit))
    }

    /// The folder as an absolute path without symlinks (the form watcher
    /// events use), remembered as the library folder.
    pub(crate) fn use_folder(&self, folder: &Path) -> Result<PathBuf> {
        let root = std::fs::canonicalize(folder).map_err(|source| Error::Folder { path: folder.to_owned(), source })?;
        let text = root.to_string_lossy();
        self.store().write(|tx| settings::set(tx, settings::LIBRARY_FOLDER, &text))?;
        Ok(root)
    }

    /// Reconciles `scope`, telling the user the problems met that `told` does not hold yet.
    pub(crate) fn reconcile_scope(&self, root: &Path, scope: &Scope, told: &mut Told) -> Result<ReconcileReport> {
        let report = {
            let _one_at_a_time = self.inner.reconcile_lock.lock().unwrap_or_else(PoisonError::into_inner);
            ingest::reconcile(self.store(), self.events(), root, scope)?
        };
        told.tell(self.events(), &report.problems, matches!(scope, Scope::All));
        Ok(report)
    }

    /// A full reconcile of `root`, announced with a [`Event::Scanned`].
    pub(crate) fn reconcile_and_announce(
        &self,
        root: &Path,
        reason: ScanReason,
        told: &mut Told,
    ) -> Result<ReconcileReport> {
        let report = self.reconcile_scope(root, &Scope::All, told)?;
        self.events().publish(Event::Scanned { reason, counts: report.counts });
        Ok(report)
    }

    /// The library folder itself is gone: marks every episode missing.
    pub(crate) fn folder_gone(&self) -> Result<()> {
        let _one_at_a_time = self.inner.reconcile_lock.lock().unwrap_or_else(PoisonError::into_inner);
        ingest::folder_gone(self.store(), self.events())
    }
}

/// The problems in the folder (unreadable parts, unusable names) the user
/// was told about. A watcher looks at the folder again and again, polling
/// every few seconds: each problem is worth one notice, not one per look.
#[derive(Debug, Default)]
pub(crate) struct Told(BTreeSet<String>);

impl Told {
    /// Publishes the `problems` not told yet. After a look at the whole
    /// folder, forgets those that went away, so they are told if they return.
    fn tell(&mut self, events: &Events, problems: &[String], whole_folder: bool) {
        for problem in problems.iter().filter(|problem| !self.0.contains(*problem)) {
            events.publish(Event::notice(NoticeLevel::Warning, problem.clone()));
        }
        if whole_folder {
            self.0.clear();
        }
        self.0.extend(problems.iter().cloned());
    }
}
