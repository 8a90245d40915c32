//! The trash: trashed highlights and tags, and emptying it, the only way
//! anything the user made leaves the database.

use rusqlite::Connection;
use serde::Serialize;

use super::error::Result;
use super::model::HighlightItem;
use super::query::{self, HighlightFilter};
use crate::sync::outbox;
use gloss_sync::Change;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trash {
    /// Newest first.
    pub highlights: Vec<HighlightItem>,
    pub tags: Vec<TrashedTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrashedTag {
    pub name: String,
    /// Unix milliseconds.
    pub deleted_at: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Emptied {
    pub highlights: usize,
    pub tags: usize,
}

pub fn list(conn: &Connection) -> Result<Trash> {
    let highlights = query::list(conn, &HighlightFilter { trashed: true, ..Default::default() })?.items;
    let mut stmt = conn.prepare_cached(
        "SELECT name, deleted_at FROM tags WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, key",
    )?;
    let tags = stmt
        .query_map([], |row| Ok(TrashedTag { name: row.get(0)?, deleted_at: row.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Trash { highlights, tags })
}

/// Removes every trashed highlight and tag for good, with their tag links
/// and earlier note versions; the highlights are purged on every device.
pub fn empty(conn: &Connection, now: i64) -> Result<Emptied> {
    let purged: Vec<String> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM highlights WHERE deleted_at IS NOT NULL ORDER BY seq")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    conn.execute_batch(
        "DELETE FROM highlight_tags
         WHERE highlight_seq IN (SELECT seq FROM highlights WHERE deleted_at IS NOT NULL)
            OR tag_id IN (SELECT id FROM tags WHERE deleted_at IS NOT NULL);
         DELETE FROM episode_tags WHERE tag_id IN (SELECT id FROM tags WHERE deleted_at IS NOT NULL);
         DELETE FROM note_versions
         WHERE highlight_id IN (SELECT id FROM highlights WHERE deleted_at IS NOT NULL);",
    )?;
    outbox::push(conn, now, purged.into_iter().map(|highlight| Change::Purge { highlight }))?;
    let highlights = conn.execute("DELETE FROM highlights WHERE deleted_at IS NOT NULL", [])?;
    let tags = conn.execute("DELETE FROM tags WHERE deleted_at IS NOT NULL", [])?;
    Ok(Emptied { highlights, tags })
}
