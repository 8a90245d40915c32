//! Settings that follow the user to every device through sync (what each
//! highlight color means), as opposed to settings of one machine (the
//! library folder, the window's theme and text size).

use std::collections::HashMap;

use rusqlite::Connection;

use super::error::Result;
use crate::store::settings;
use crate::sync::outbox;
use gloss_sync::Change;

/// Each setting that follows the user: its name in the sync log, and the
/// key it is stored under in the settings table (as JSON).
pub(crate) const FOLLOWING: &[(&str, &str)] = &[("color_names", settings::COLOR_NAMES)];

/// Sets what each highlight color means (`{"yellow": "key idea"}`).
pub fn set_color_names(conn: &Connection, names: &HashMap<String, String>, now: i64) -> Result<()> {
    let value = serde_json::to_value(names).unwrap_or_default();
    settings::set(conn, settings::COLOR_NAMES, &value.to_string())?;
    outbox::push(conn, now, [Change::SetSetting { key: "color_names".into(), value }])?;
    Ok(())
}

/// The stored value of a following setting, as JSON.
pub(crate) fn get(conn: &Connection, stored_as: &str) -> Result<Option<serde_json::Value>> {
    Ok(settings::get(conn, stored_as)?.and_then(|text| serde_json::from_str(&text).ok()))
}
