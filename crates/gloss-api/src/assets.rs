//! The static UI that `gloss serve` hands to browsers.
//!
//! The `ui/` folder is embedded at build time (rust-embed), so an installed
//! binary serves it without the source tree; debug builds read it from disk,
//! so editing the UI needs no rebuild. `GLOSS_UI_DIR` points any build at
//! another folder.

use rust_embed::RustEmbed;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

#[derive(RustEmbed)]
#[folder = "../../ui/"]
struct Ui;

/// Same policy as the Tauri window: only our own scripts, styles and API.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/// The file for a URL path and its MIME type, if there is one.
pub fn get(url_path: &str) -> Option<(Cow<'static, [u8]>, String)> {
    let relative = match url_path.trim_start_matches('/') {
        "" => "index.html",
        other => other,
    };
    // Refuse anything that could climb out of the UI folder.
    if !Path::new(relative).components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let bytes = match std::env::var_os("GLOSS_UI_DIR") {
        Some(dir) => Cow::Owned(std::fs::read(PathBuf::from(dir).join(relative)).ok()?),
        None => Ui::get(relative)?.data,
    };
    let mime = mime_guess::from_path(relative).first_or_octet_stream();
    let mime = if mime.type_() == "text" || mime.subtype() == "javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    Some((bytes, mime))
}
