//! The native menu and what choosing an item does.
//!
//! Every item is a plain item with an id: Tauri's predefined items (Quit,
//! Close Window, ...) are not supported by GTK, which shows them greyed
//! out, and their shortcuts do nothing there. Quit is answered here in Rust;
//! every other item is a UI action, sent to the window under its id.

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Menu actions reach the UI as this event, with the item's id.
const MENU_EVENT: &str = "gloss://menu";
/// The Quit item's id: the one item the UI does not answer.
const QUIT: &str = "quit";

/// The menu bar. Each item's id other than [`QUIT`] is the UI action it
/// triggers (ui/js/desktop.js lists them).
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let item = |id: &str, label: &str, accel: Option<&str>| MenuItem::with_id(app, id, label, true, accel);
    let file = Submenu::with_items(
        app,
        "File",
        true,
        &[
            &item("choose-library", "Choose Library Folder…", Some("CmdOrCtrl+O"))?,
            &item("import", "Import…", Some("CmdOrCtrl+I"))?,
            &item("export", "Export…", Some("CmdOrCtrl+E"))?,
            &item("settings", "Settings…", Some("CmdOrCtrl+,"))?,
            &PredefinedMenuItem::separator(app)?,
            &item(QUIT, "Quit Gloss", Some("CmdOrCtrl+Q"))?,
        ],
    )?;
    let view = Submenu::with_items(
        app,
        "View",
        true,
        &[
            &item("search", "Search", Some("CmdOrCtrl+F"))?,
            &item("library", "Library", Some("CmdOrCtrl+1"))?,
            &item("notes", "Notes", Some("CmdOrCtrl+2"))?,
            &item("tags", "Tags", Some("CmdOrCtrl+3"))?,
            &item("trash", "Trash", Some("CmdOrCtrl+4"))?,
            &item("shortcuts", "Keyboard Shortcuts", Some("F1"))?,
        ],
    )?;
    let help = Submenu::with_items(app, "Help", true, &[&item("about", "About Gloss", None)?])?;
    Menu::with_items(app, &[&file, &view, &help])
}

/// Runs the item chosen, by a click or its shortcut (GTK activates the item
/// for both).
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        QUIT => quit(app),
        action => {
            let _ = app.emit(MENU_EVENT, action);
        }
    }
}

/// Closes every window. Tauri ends the app once the last one is closed, so
/// Quit leaves exactly as closing the window by hand does: one way out, the
/// `RunEvent::Exit` in `desktop::run`. Answered in Rust rather than by the
/// UI, so Quit works even when the page is busy or broken.
fn quit<R: Runtime>(app: &AppHandle<R>) {
    for window in app.webview_windows().into_values() {
        let _ = window.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::menu::MenuItemKind;
    use tauri::test::{mock_builder, mock_context, noop_assets};

    /// Every item of `items` and of their submenus.
    fn flatten<R: Runtime>(items: Vec<MenuItemKind<R>>) -> Vec<MenuItemKind<R>> {
        items
            .into_iter()
            .flat_map(|item| match &item {
                MenuItemKind::Submenu(submenu) => flatten(submenu.items().expect("submenu items")),
                _ => vec![item],
            })
            .collect()
    }

    #[test]
    fn every_item_is_enabled_and_quit_is_one_of_them() {
        let app = mock_builder().build(mock_context(noop_assets())).expect("mock app builds");
        let menu = build(app.handle()).expect("menu builds");
        let mut ids = Vec::new();
        for item in flatten(menu.items().expect("menu items")) {
            match item {
                MenuItemKind::MenuItem(item) => {
                    assert!(item.is_enabled().expect("enabled state"), "{} is greyed out", item.id().as_ref());
                    ids.push(item.id().as_ref().to_owned());
                }
                // A separator is the one predefined item GTK supports.
                MenuItemKind::Predefined(item) => assert_eq!(item.text().expect("text"), ""),
                other => panic!("unexpected menu item {:?}", other.id()),
            }
        }
        assert!(ids.iter().any(|id| id == QUIT), "the menu has Quit: {ids:?}");
    }
}
