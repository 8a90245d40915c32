//! [`Gloss`]: one running Gloss — the library, its watcher, and the views the
//! API hands out. Operations that combine several parts of the core live
//! here, so the API layer only translates requests.

mod annotate;
mod auto_export;
mod episode_list;
mod hits;

use std::collections::{HashMap, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

pub use annotate::Annotations;
pub use auto_export::AutoExport;
pub use episode_list::{EpisodeFilter, EpisodeItem, EpisodePage, EpisodeSort, ShowCount};
pub use hits::{Hit, HitKind, SearchPage};

use crate::annotations::{self, query, reanchor, view, Caller, Door, EpisodeAnnotations, HighlightFilter, Origin};
use crate::events::{Event, Events};
use crate::export;
use crate::library::Library;
use crate::store::episodes::{EpisodeId, EpisodeSummary, Status};
use crate::store::{settings, Result};
use crate::sync::service::{self, SyncService, SyncStatus};
use crate::sync::{RoundReport, SyncError};
use crate::watch::{WatchOptions, Watcher};
use gloss_parse::model::{Block, Episode};

/// How many recent notices (watch fallbacks, scan problems) the status keeps.
const KEPT_NOTICES: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `--data`; else `GLOSS_DATA`; else the platform data folder.
    pub data_dir: Option<PathBuf>,
    /// `--library`; else `GLOSS_LIBRARY`; else the folder used last.
    pub library_dir: Option<PathBuf>,
    /// Keep the library folder in step while running (serve, desktop).
    pub watch: bool,
}

pub struct Gloss {
    library: Library,
    state: Arc<Mutex<Running>>,
    /// Syncing while the app runs; one-shot commands sync on request only.
    sync: Option<SyncService>,
    /// A one-shot Gloss (the command line with no Gloss running) hears its
    /// own changes here and exports once as it closes, so a scripted edit
    /// reaches the automatic export folder too.
    changes_to_export: Option<Mutex<std::sync::mpsc::Receiver<Event>>>,
    /// A running Gloss exports after each change instead; dropping the
    /// worker does the export a change still waits for, so a change made
    /// just before closing is exported too.
    _auto_export: Option<auto_export::Worker>,
}

impl Drop for Gloss {
    fn drop(&mut self) {
        let Some(changes) = self.changes_to_export.take() else { return };
        let changes = changes.into_inner().unwrap_or_else(PoisonError::into_inner);
        if changes.try_iter().any(|event| matches!(&event, Event::AnnotationChanged(c) if c.changes_content())) {
            auto_export::run_once(&self.library);
        }
    }
}

#[derive(Default)]
struct Running {
    folder: Option<PathBuf>,
    watcher: Option<Watcher>,
    /// Why watching is not running, when it is not.
    watch_error: Option<String>,
    notices: VecDeque<String>,
}

impl Gloss {
    /// Opens the data folder and, if asked, starts watching the library
    /// folder in the background (the first reconcile of a large library
    /// takes seconds; the API answers meanwhile).
    pub fn open(options: OpenOptions) -> Result<Gloss> {
        let data_dir = crate::config::data_dir(options.data_dir.as_deref())?;
        let library = Library::open(&data_dir)?;
        let folder = library
            .library_folder(options.library_dir.as_deref())?
            .map(|folder| std::fs::canonicalize(&folder).unwrap_or(folder));
        let state = Arc::new(Mutex::new(Running { folder: folder.clone(), ..Default::default() }));
        let kept = Arc::downgrade(&state);
        library.events().on_event(move |event| {
            let Some(state) = kept.upgrade() else { return false };
            if let Event::Notice { message, .. } = event {
                let mut state = lock(&state);
                if state.notices.len() == KEPT_NOTICES {
                    state.notices.pop_front();
                }
                state.notices.push_back(message.clone());
            }
            true
        });
        let sync = options.watch.then(|| SyncService::start(library.clone()));
        let (_auto_export, changes_to_export) = match options.watch {
            true => (Some(auto_export::start(library.clone())), None),
            false => (None, Some(Mutex::new(library.events().subscribe()))),
        };
        let gloss = Gloss { library, state, sync, changes_to_export, _auto_export };
        // Highlights left behind by an interrupted re-anchoring, or by
        // another program's write, catch up. Every highlight is read for
        // that (30 ms at 10,000 episodes), so not when the file is as a
        // Gloss closing cleanly left it.
        if !gloss.library.store().found_as_left() {
            reanchor::reanchor_pending(gloss.library.store())?;
        }
        if let (true, Some(folder)) = (options.watch, folder) {
            gloss.watch_in_background(folder);
        }
        Ok(gloss)
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn events(&self) -> &Events {
        self.library.events()
    }

    /// The user's highlights, notes, tags and reading state, changed on
    /// behalf of `caller`.
    pub fn annotations(&self, caller: Caller) -> Annotations<'_> {
        Annotations::new(&self.library, caller)
    }

    fn read<T>(&self, work: impl FnOnce(&rusqlite::Connection) -> annotations::Result<T>) -> annotations::Result<T> {
        annotations::read(self.library.store(), work)
    }

    /// (Re)starts watching `folder`, replacing any earlier watcher.
    fn watch_in_background(&self, folder: PathBuf) {
        let library = self.library.clone();
        let state = Arc::clone(&self.state);
        std::thread::spawn(move || {
            // Stop the old watcher before the new one reconciles.
            let old = lock(&state).watcher.take();
            drop(old);
            let started = library.watch(&folder, WatchOptions::default());
            let mut state = lock(&state);
            if state.folder.as_deref() != Some(folder.as_path()) {
                return; // the user chose another folder meanwhile
            }
            match started {
                Ok(watcher) => {
                    state.watcher = Some(watcher);
                    state.watch_error = None;
                }
                Err(err) => {
                    let message = err.to_string();
                    state.watch_error = Some(message.clone());
                    drop(state);
                    library.events().publish(Event::notice(crate::events::NoticeLevel::Warning, message));
                }
            }
        });
    }

    pub fn status(&self) -> Result<LibraryStatus> {
        let (counts, errors) = self.library.store().read(|conn| {
            let mut counts = StatusCounts::default();
            for (status, count) in crate::store::episodes::count_by_status(conn)? {
                match status {
                    Status::Active => counts.active = count,
                    Status::Missing => counts.missing = count,
                    Status::Error => counts.error = count,
                }
            }
            let errors = crate::store::episodes::failed(conn)?
                .into_iter()
                .map(|episode| FileError {
                    episode_id: episode.id,
                    path: episode.source_path,
                    message: episode.error.unwrap_or_default(),
                })
                .collect();
            Ok((counts, errors))
        })?;
        let state = lock(&self.state);
        Ok(LibraryStatus {
            library_dir: state.folder.clone(),
            data_dir: self.library.store().data_dir().to_owned(),
            counts,
            watching: state.watcher.is_some(),
            watch_error: state.watch_error.clone(),
            notices: state.notices.iter().cloned().collect(),
            errors,
        })
    }

    /// One page of episodes in the order `filter.sort` asks for (newest
    /// first unless told), after `filter.after`; the first page also has the
    /// total and the shows for filtering (see [`episode_list`]).
    pub fn list_episodes(&self, filter: &EpisodeFilter) -> annotations::Result<EpisodePage> {
        self.read(|conn| episode_list::page(conn, filter))
    }

    /// Everything the reader shows for one episode.
    pub fn episode_view(&self, id: EpisodeId) -> annotations::Result<Option<EpisodeView>> {
        let Some(record) = self.library.episode(id)? else { return Ok(None) };
        let annotations = self.read(|conn| view::episode_annotations(conn, id))?;
        let episode = record.episode.unwrap_or_else(|| Episode::empty(gloss_parse::model::DocKind::Document));
        let related = self.link_related(&episode)?;
        Ok(Some(EpisodeView {
            blocks: episode.blocks(),
            summary: record.summary,
            fingerprint: record.fingerprint,
            related,
            episode,
            annotations,
        }))
    }

    /// Related episodes, each linked to its episode when that is in the library.
    fn link_related(&self, episode: &Episode) -> Result<Vec<RelatedLink>> {
        if episode.related.is_empty() {
            return Ok(Vec::new());
        }
        self.library.store().read(|conn| {
            episode
                .related
                .iter()
                .map(|related| {
                    Ok(RelatedLink {
                        title: related.title.clone(),
                        summary: related.summary.clone(),
                        episode_id: crate::store::episodes::by_fingerprint(conn, &related.fingerprint())?,
                    })
                })
                .collect()
        })
    }

    /// One page of the episodes, highlights and notes matching `query`
    /// (episodes first, each kind best first), with the filters of `filter`
    /// (its `text` is ignored): `limit` hits from `offset`. Each kind pages
    /// through its best [`query::MAX_HITS`] at most.
    pub fn search(
        &self,
        query: &str,
        filter: &HighlightFilter,
        offset: usize,
        limit: usize,
    ) -> annotations::Result<hits::SearchPage> {
        annotations::index::flush(self.library.store())?;
        let found = self.read(|conn| query::search_all(conn, query, filter, offset.saturating_add(limit)))?;
        Ok(hits::page(found, query, offset, limit))
    }

    pub fn settings(&self) -> Result<Settings> {
        let folder = lock(&self.state).folder.clone();
        self.library.store().read(|conn| {
            let get = |key: &str| settings::get(conn, key);
            Ok(Settings {
                library_dir: folder,
                theme: get(THEME)?.unwrap_or_else(|| "system".into()),
                library_sort: get(LIBRARY_SORT)?
                    .and_then(|v| serde_json::from_value(v.into()).ok())
                    .unwrap_or_default(),
                text_size: get(TEXT_SIZE)?.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_TEXT_SIZE),
                sync_dir: settings::sync_dir(conn)?,
                auto_export: auto_export::get(conn)?,
                color_names: get(settings::COLOR_NAMES)?
                    .and_then(|v| serde_json::from_str(&v).ok())
                    .unwrap_or_default(),
            })
        })
    }

    /// Applies the fields given; a new library folder is watched at once,
    /// a new sync folder synced with at once.
    pub fn update_settings(
        &self,
        patch: SettingsPatch,
        caller: Caller,
    ) -> std::result::Result<Settings, SettingsError> {
        let root = match &patch.library_dir {
            Some(folder) => {
                let invalid = |reason: String| SettingsError::Invalid {
                    field: "library_dir",
                    message: format!("the library folder {} can not be used: {reason}", folder.display()),
                };
                let root = std::fs::canonicalize(folder).map_err(|err| invalid(err.to_string()))?;
                if !root.is_dir() {
                    return Err(invalid("it is a file, not a folder".to_owned()));
                }
                Some(root)
            }
            None => None,
        };
        if let Some(dir) = &patch.sync_dir {
            let invalid = |err: SyncError| match err {
                SyncError::Store(err) => SettingsError::Store(err),
                err => SettingsError::Invalid { field: "sync_dir", message: err.to_string() },
            };
            match &self.sync {
                Some(sync) => sync.set_sync_dir(dir.as_deref()),
                None => service::set_sync_dir(self.library.store(), dir.as_deref()),
            }
            .map_err(invalid)?;
        }
        if let Some(root) = root {
            lock(&self.state).folder = Some(root.clone());
            self.watch_in_background(root);
        }
        if let Some(target) = &patch.auto_export {
            self.set_auto_export(target.as_ref())?;
        }
        let preferences = self.annotations(caller);
        let refused = |field: &'static str| {
            move |err| match err {
                annotations::Error::Store(err) => SettingsError::Store(err),
                err => SettingsError::Invalid { field, message: err.to_string() },
            }
        };
        if let Some(names) = &patch.color_names {
            // Follows the user to other devices, so it goes through sync.
            preferences.set_color_names(names).map_err(refused("color_names"))?;
        }
        if let Some(theme) = &patch.theme {
            preferences.set_preference(THEME, theme.as_str()).map_err(refused("theme"))?;
        }
        if let Some(sort) = patch.library_sort {
            let value = serde_json::to_value(sort).unwrap_or_default();
            let value = value.as_str().unwrap_or_default();
            preferences.set_preference(LIBRARY_SORT, value).map_err(refused("library_sort"))?;
        }
        if let Some(size) = patch.text_size {
            preferences.set_preference(TEXT_SIZE, &size.clamp(12, 32).to_string()).map_err(refused("text_size"))?;
        }
        Ok(self.settings()?)
    }

    /// `export`: everything the user added, into `out_dir` (see
    /// [`check_export_dir`](Self::check_export_dir)).
    /// Markdown reads note edits made in its files back first, as changes
    /// of `caller`; `markdown.templates` must be an absolute folder too.
    pub fn export(
        &self,
        format: export::Format,
        out_dir: &Path,
        markdown: &export::MarkdownOptions,
        caller: &Caller,
    ) -> std::result::Result<export::ExportReport, PathError> {
        self.check_export_dir(out_dir)?;
        if let Some(templates) = &markdown.templates {
            plain_absolute(templates, "markdown.templates")?;
        }
        Ok(export::export(&self.library, caller, format, out_dir, markdown)?)
    }

    /// A folder export may write in: absolute, without `..` (it is named by
    /// a person, not assembled from input), and outside the folders Gloss
    /// reads. Exported Markdown in the library folder would come back as
    /// episodes; in the data or sync folder it would mix with Gloss's own
    /// files.
    fn check_export_dir(&self, out_dir: &Path) -> std::result::Result<(), PathError> {
        plain_absolute(out_dir, "out_dir")?;
        let sync_dir = self.library.store().read(|conn| settings::sync_dir(conn)).map_err(export::Error::Store)?;
        let library_dir = lock(&self.state).folder.clone();
        let data_dir = Some(self.library.store().data_dir().to_owned());
        let out = resolved(out_dir);
        let owned = [("library folder", library_dir), ("data folder", data_dir), ("sync folder", sync_dir)];
        for (name, dir) in owned.into_iter().filter_map(|(name, dir)| Some((name, dir?))) {
            if out.starts_with(resolved(&dir)) {
                let message = format!(
                    "{} is inside the {name} ({}); choose a folder outside it",
                    out_dir.display(),
                    dir.display()
                );
                return Err(PathError::Invalid { field: "out_dir", message });
            }
        }
        Ok(())
    }

    /// `import`: a Gloss backup, a W3C export or a Readwise CSV.
    /// Everything it brings in is a local change: it goes to the user's
    /// other devices like any edit.
    pub fn import(&self, file: &Path, caller: Caller) -> std::result::Result<export::ImportReport, PathError> {
        plain_absolute(file, "file")?;
        Ok(export::import(&self.library, Origin::Import(caller), file)?)
    }

    /// Turns exporting after every change on (exporting once now, so a
    /// folder that can not be used is refused at once) or off.
    fn set_auto_export(&self, target: Option<&AutoExport>) -> std::result::Result<(), SettingsError> {
        if let Some(target) = target {
            let caller = Caller::door(Door::ExportedFile);
            self.export(target.format, &target.out_dir, &target.markdown, &caller).map_err(|err| match err {
                PathError::Export(export::Error::Store(err)) => SettingsError::Store(err),
                err => SettingsError::Invalid { field: "auto_export.out_dir", message: err.to_string() },
            })?;
        }
        Ok(self.library.store().write(|tx| auto_export::set(tx, target))?)
    }

    /// `sync_status`.
    pub fn sync_status(&self) -> std::result::Result<SyncStatus, SyncError> {
        match &self.sync {
            Some(sync) => sync.status(),
            None => service::status(self.library.store(), Vec::new()),
        }
    }

    /// One sync round now (`sync_now`, `gloss sync`).
    pub fn sync_now(&self) -> std::result::Result<RoundReport, SyncError> {
        match &self.sync {
            Some(sync) => sync.sync_now(),
            None => service::round(&self.library, None),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

const THEME: &str = "ui_theme";
const TEXT_SIZE: &str = "ui_text_size";
/// Per machine, like the theme: how a list of files is best ordered
/// depends on the library folder, which is the machine's own.
const LIBRARY_SORT: &str = "ui_library_sort";
const DEFAULT_TEXT_SIZE: u32 = 18;

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusCounts {
    pub active: usize,
    pub missing: usize,
    pub error: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub episode_id: EpisodeId,
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryStatus {
    pub library_dir: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub counts: StatusCounts,
    pub watching: bool,
    pub watch_error: Option<String>,
    pub notices: Vec<String>,
    pub errors: Vec<FileError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedLink {
    pub title: String,
    pub summary: String,
    pub episode_id: Option<EpisodeId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EpisodeView {
    #[serde(flatten)]
    pub summary: EpisodeSummary,
    #[serde(flatten)]
    pub episode: Episode,
    /// The same episode on every device, in every file it moves to; review
    /// cards of its insights and notes are named by it.
    pub fingerprint: Option<String>,
    /// Overrides the episode's plain related list with linked entries.
    pub related: Vec<RelatedLink>,
    pub blocks: Vec<Block>,
    #[serde(flatten)]
    pub annotations: EpisodeAnnotations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub library_dir: Option<PathBuf>,
    /// The folder shared with the user's other devices; `None`: sync is off.
    pub sync_dir: Option<PathBuf>,
    /// Where and how to export after every change; `None`: off.
    pub auto_export: Option<AutoExport>,
    pub theme: String,
    pub text_size: u32,
    /// How the library list is ordered.
    pub library_sort: EpisodeSort,
    pub color_names: HashMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub library_dir: Option<PathBuf>,
    /// `null` turns sync off.
    #[serde(default, deserialize_with = "present")]
    pub sync_dir: Option<Option<PathBuf>>,
    /// `null` turns automatic export off.
    #[serde(default, deserialize_with = "present")]
    pub auto_export: Option<Option<AutoExport>>,
    pub theme: Option<Theme>,
    pub text_size: Option<u32>,
    pub library_sort: Option<EpisodeSort>,
    pub color_names: Option<HashMap<String, String>>,
}

/// Reads a field that was given, `null` included, as `Some`: for settings
/// where `null` means "turn off" and absent means "leave as is".
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Why `update_settings` refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value that can not be used; `field` names the setting.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

/// Why `export` or `import` refused.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// The path is relative or climbs with `..`; `field` names it.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Export(#[from] export::Error),
}

/// `path` with symbolic links and `.` resolved as far as it exists, so two
/// spellings of one folder compare equal.
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return path.to_owned(),
        }
    }
}

/// A path a person could have typed: absolute, no `..`, no NUL or other
/// control character (which no file system takes, or which only hide).
fn plain_absolute(path: &Path, field: &'static str) -> std::result::Result<(), PathError> {
    let shown = path.display();
    let refused = |why: &str| Err(PathError::Invalid { field, message: format!("{shown:?} {why}") });
    if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
        return refused("must be an absolute path without `..`");
    }
    if path.to_string_lossy().chars().any(char::is_control) {
        return refused("holds a control character; choose a plain folder name");
    }
    Ok(())
}
