//! Exporting again after every change, to a folder the user chose (an
//! Obsidian vault, say), while the app runs.
//!
//! A worker thread listens to the library's events; after an annotation
//! change (local or from sync) and a quiet second, it exports with the
//! `auto_export` setting. Markdown's re-export rule applies as always: a
//! file the user edited is never overwritten. A failure is told as a
//! notice, and the next change tries again. Stopping the worker (as Gloss
//! closes) does the export a change still waits for first.

use std::path::PathBuf;
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

/// Starts the worker.
pub(super) fn start(library: Library) -> Worker {
    let (control, messages) = channel();
    let changes = control.clone();
    library.events().on_event(move |event| match event {
        Event::AnnotationChanged(change) if change.changes_content() => changes.send(Message::Changed).is_ok(),
        _ => true,
    });
    let thread = std::thread::spawn(move || {
        while let Ok(Message::Changed) = messages.recv() {
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
