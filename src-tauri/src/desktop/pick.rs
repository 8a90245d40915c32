//! The native file and folder picker: one command behind every Choose…
//! button of the window (the library, sync and export folders, the file to
//! import). It only asks: the path chosen goes back to the page, which puts
//! it in its field, and the operation the field is for uses it from there,
//! as it would a path the user typed.

use serde::Deserialize;
use tauri::{Runtime, WebviewWindow};
use tauri_plugin_dialog::{DialogExt, FilePath};

/// What the user is asked for.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Folder,
    File,
}

/// The kinds of file a file picker offers, by extension.
#[derive(Debug, Deserialize)]
pub struct Filter {
    /// What the files are, for the picker's list of kinds.
    name: String,
    /// Without the dot.
    extensions: Vec<String>,
}

/// Asks the user for a folder or a file with the native picker, titled
/// `title`, over the asking window. Resolves with its path, or `None` when
/// the user cancels.
#[tauri::command]
pub async fn pick<R: Runtime>(
    window: WebviewWindow<R>,
    kind: Kind,
    title: String,
    filter: Option<Filter>,
) -> Option<String> {
    let mut dialog = window.dialog().file().set_parent(&window).set_title(title);
    if let Some(filter) = &filter {
        let extensions: Vec<&str> = filter.extensions.iter().map(String::as_str).collect();
        dialog = dialog.add_filter(&filter.name, &extensions);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let chosen = move |path: Option<FilePath>| {
        let _ = tx.send(path.and_then(|path| path.into_path().ok()));
    };
    match kind {
        Kind::Folder => dialog.pick_folder(chosen),
        Kind::File => dialog.pick_file(chosen),
    }
    rx.await.ok().flatten().map(|path| path.display().to_string())
}
