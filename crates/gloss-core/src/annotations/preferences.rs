//! Settings that follow the user to every device through sync (what each
//! highlight color means), as opposed to settings of one machine (the
//! library folder, the window's theme and text size).

use std::collections::HashMap;

use rusqlite::Connection;

use super::error::Result;
use super::write::{Kind, Writer};
use crate::store::settings;
use gloss_sync::Change;

/// Each setting that follows the user: its name in the sync log, and the
/// key it is stored under in the settings table (as JSON).
pub(crate) const FOLLOWING: &[(&str, &str)] = &[
    ("color_names", settings::COLOR_NAMES),
    ("review", settings::REVIEW),
    ("review_sources", settings::REVIEW_SOURCES),
];

/// Sets what each highlight color means (`{"yellow": "key idea"}`).
pub fn set_color_names(w: &mut Writer, names: &HashMap<String, String>) -> Result<()> {
    let value = serde_json::to_value(names).unwrap_or_default();
    put(w, settings::COLOR_NAMES, Some(&value.to_string()))
}

/// The one writer of the user's preferences (the `ui_` settings): stores
/// `value` under `stored_as` (`None` removes it), and queues it for sync
/// when it is a setting that follows the user and the change is local.
pub(crate) fn put(w: &mut Writer, stored_as: &str, value: Option<&str>) -> Result<()> {
    let conn = w.conn();
    if settings::get(conn, stored_as)?.as_deref() == value {
        return Ok(());
    }
    match value {
        Some(value) => settings::set(conn, stored_as, value)?,
        None => settings::remove(conn, stored_as)?,
    }
    if let Some((synced, _)) = FOLLOWING.iter().find(|(_, key)| *key == stored_as) {
        let value = value.and_then(|v| serde_json::from_str(v).ok()).unwrap_or(serde_json::Value::Null);
        w.queue([Change::SetSetting { key: (*synced).to_owned(), value }]);
    }
    w.touch_library(Kind::Setting);
    Ok(())
}

/// The stored value of a following setting, as JSON.
pub(crate) fn get(conn: &Connection, stored_as: &str) -> Result<Option<serde_json::Value>> {
    Ok(settings::get(conn, stored_as)?.and_then(|text| serde_json::from_str(&text).ok()))
}
