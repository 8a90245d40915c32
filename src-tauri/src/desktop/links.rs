//! Links into the window: it opens at the place a `gloss://` link names
//! ([`Link`]), and a running window goes there when another `gloss` is
//! started with one (what the desktop entry runs when a link is opened).
//!
//! The flow, on Linux: the second process's single-instance plugin hands
//! its arguments to this one over D-Bus and exits; that plugin's
//! `deep-link` feature passes them to the deep-link plugin, which takes a
//! lone argument with the `gloss` scheme (tauri.conf.json) as a link;
//! [`follow`] sends its route to the page, which goes there as it goes to
//! any hash route (ui/js/desktop.js).

use gloss::link::Link;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_deep_link::DeepLinkExt;

/// The window, as tauri.conf.json labels it.
const MAIN: &str = "main";
/// Takes the page to a place; the payload is the UI's hash route.
const OPEN_EVENT: &str = "gloss://open";

/// Opens the main window, declared in tauri.conf.json with `create: false`
/// so that it is made here: started with a link, it loads at the link's
/// place instead of loading the last episode and then moving.
pub fn open_window<R: Runtime>(app: &AppHandle<R>, link: Option<&Link>) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
        .ok_or("tauri.conf.json declares no window labelled main")?;
    if let Some(link) = link {
        // Joined to the app's URL: the UI's page, with the route as its fragment.
        config.url = WebviewUrl::App(link.route().into());
    }
    WebviewWindowBuilder::from_config(app, &config)?.build()?;
    Ok(())
}

/// Takes the window to each link the deep-link plugin hears of while it
/// runs. The `gloss` that forwarded it checked the link before (see
/// `cli::Cli`), so a link refused here came from elsewhere: said on
/// stderr, like any other argument refused.
pub fn follow<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            match url.as_str().parse::<Link>() {
                Ok(link) => {
                    let _ = handle.emit_to(MAIN, OPEN_EVENT, link.route());
                }
                Err(err) => eprintln!("gloss: {url}: {err}"),
            }
        }
    });
}

/// Brings the window to the front: another `gloss` was started, from the
/// launcher or with a link, and handed over to this one.
pub fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
