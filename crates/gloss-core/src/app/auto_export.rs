//! Exporting again after every change, to a folder the user chose (an
//! Obsidian vault, say), while the app runs.
//!
//! A worker thread listens to the library's events; after an annotation
//! change (local or from sync) and a quiet second, it exports with the
//! `auto_export` setting. Markdown's re-export rule applies as always: a
//! file the user edited is never overwritten. A failure is told as a
//! notice, and the next change tries again. Stopping the worker (as Gloss
//! closes) does the export a change still waits for first.
//!
//! A Markdown export folder is watched, too: a note edited there (in
//! Obsidian, say) is read back at once, not at the next change in Gloss.
//! The export's own writes wake it once more, to find nothing to do.

use std::path::PathBuf;

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::annotations::{Caller, Door};
use crate::events::{Event, NoticeLevel};
use crate::export::{self, Format, MarkdownOptions};
use crate::library::Library;
use crate::store::{settings, Result};

/// The setting's key; its value is an [`AutoExport`] as JSON.
const AUTO_EXPORT: &str = "auto_export";

/// Quiet time after a change before exporting, so a burst of changes (typing
/// a note, a sync round) is one export.
const SETTLE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoExport {
    pub format: Format,
    /// Absolute.
    pub out_dir: PathBuf,
    /// Templates and layout, for Markdown.
    #[serde(default, skip_serializing_if = "is_default")]
    pub markdown: MarkdownOptions,
}

fn is_default(options: &MarkdownOptions) -> bool {
    *options == MarkdownOptions::default()
}

pub fn get(conn: &Connection) -> Result<Option<AutoExport>> {
    Ok(settings::get(conn, AUTO_EXPORT)?.and_then(|v| serde_json::from_str(&v).ok()))
}

pub fn set(conn: &Connection, value: Option<&AutoExport>) -> Result<()> {
    match value {
        Some(value) => settings::set(conn, AUTO_EXPORT, &serde_json::to_string(value).unwrap_or_default()),
        None => settings::remove(conn, AUTO_EXPORT),
    }
}

/// The running worker. Dropping it stops it, once it has exported what a
/// change still waits for; it holds the library open until then.
pub(super) struct Worker {
    control: Sender<Message>,
    thread: Option<JoinHandle<()>>,
}

enum Message {
    /// What the user owns changed.
    Changed,
    Stop,
}

/// How often the worker looks whether the export folder changed, to watch the new one.
const RECHECK: Duration = Duration::from_secs(2);

/// Starts the worker.
pub(super) fn start(library: Library) -> Worker {
    let (control, messages) = channel();
    let changes = control.clone();
    library.events().on_event(move |event| match event {
        Event::AnnotationChanged(change) if change.changes_content() => changes.send(Message::Changed).is_ok(),
        _ => true,
    });
    let edits = control.clone();
    let thread = std::thread::spawn(move || {
        let mut watching = None;
        loop {
            watching = watch_folder(&library, watching, &edits);
            match messages.recv_timeout(RECHECK) {
                Ok(Message::Changed) => {}
                Err(RecvTimeoutError::Timeout) => continue,
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            }
            // Wait for the burst to end; a stop does not wait.
            let stopping = loop {
                match messages.recv_timeout(SETTLE) {
                    Ok(Message::Changed) => continue,
                    Err(RecvTimeoutError::Timeout) => break false,
                    Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => break true,
                }
            };
            run_once(&library);
            if stopping {
                return;
            }
        }
    });
    Worker { control, thread: Some(thread) }
}

/// A watch on the Markdown export folder.
struct FolderWatch {
    folder: PathBuf,
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

/// The watch on the export folder the setting names now: `current` when it
/// is that one, a new one, or none (not Markdown, not set, not watchable).
fn watch_folder(library: &Library, current: Option<FolderWatch>, edits: &Sender<Message>) -> Option<FolderWatch> {
    let target = library.store().read(|conn| get(conn)).ok().flatten().filter(|t| t.format == Format::Markdown)?;
    if current.as_ref().is_some_and(|watch| watch.folder == target.out_dir) {
        return current;
    }
    let edits = edits.clone();
    let root = target.out_dir.clone();
    let mut debouncer = new_debouncer(SETTLE / 2, None, move |result: DebounceEventResult| {
        let edited = result.is_ok_and(|events| events.iter().flat_map(|e| &e.paths).any(|p| is_users_file(&root, p)));
        if edited {
            let _ = edits.send(Message::Changed);
        }
    })
    .ok()?;
    debouncer.watch(&target.out_dir, RecursiveMode::Recursive).ok()?;
    Some(FolderWatch { folder: target.out_dir, _debouncer: debouncer })
}

/// A Markdown file the user may edit: not hidden (Gloss's manifest and
/// temporary files are) and not a new version Gloss wrote beside one.
fn is_users_file(root: &std::path::Path, path: &std::path::Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let hidden =
        path.strip_prefix(root).map_or(true, |rel| rel.iter().any(|part| part.to_string_lossy().starts_with('.')));
    name.ends_with(".md") && !name.ends_with(".gloss-new.md") && !hidden
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.control.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Exports once with the `auto_export` setting, if it is on.
pub(super) fn run_once(library: &Library) {
    let Ok(Some(target)) = library.store().read(|conn| get(conn)) else { return };
    let caller = Caller::door(Door::ExportedFile);
    if let Err(err) = export::export(library, &caller, target.format, &target.out_dir, &target.markdown) {
        let message = format!("automatic export to {} failed: {err}", target.out_dir.display());
        library.events().publish(Event::notice(NoticeLevel::Warning, message));
    }
}
