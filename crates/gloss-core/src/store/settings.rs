//! Small named values kept in the database: the library folder last used,
//! whether to watch by polling, the sync folder, and the user's settings.

use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension};

use super::Result;

/// The library folder last reconciled or watched, as an absolute path.
pub const LIBRARY_FOLDER: &str = "library_folder";

/// `"true"` to watch the library by polling instead of file-system events,
/// for folders on network shares where no events arrive.
pub const FORCE_POLLING: &str = "watch_force_polling";

/// The sync folder, as an absolute path; absent while sync is off (see
/// [`crate::sync::service`]).
pub const SYNC_DIR: &str = "sync_dir";

/// What each highlight color means to the user, as a JSON object
/// (`{"yellow": "key idea"}`). It follows the user to every device: change
/// it with [`Annotations::set_color_names`](crate::app::Annotations::set_color_names),
/// which records it for sync.
pub const COLOR_NAMES: &str = "ui_color_names";

/// The review settings (gloss-review's `Settings`, as JSON): desired
/// retention, cards per day, when a day starts. They follow the user.
pub const REVIEW: &str = "ui_review";

/// What enters review (gloss-core's `ReviewSources`, as JSON): kinds of
/// card, and choices per episode and tag. It follows the user.
pub const REVIEW_SOURCES: &str = "ui_review_sources";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    let value = conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?;
    Ok(value)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

pub fn remove(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

pub fn library_folder(conn: &Connection) -> Result<Option<PathBuf>> {
    Ok(get(conn, LIBRARY_FOLDER)?.map(PathBuf::from))
}

pub fn force_polling(conn: &Connection) -> Result<bool> {
    Ok(get(conn, FORCE_POLLING)?.as_deref() == Some("true"))
}

/// The sync folder, when sync is on.
pub fn sync_dir(conn: &Connection) -> Result<Option<PathBuf>> {
    Ok(get(conn, SYNC_DIR)?.map(PathBuf::from))
}
