//! The trash: trashed highlights and tags, and emptying it, the only way
//! anything the user made leaves the database.

use rusqlite::Connection;
use serde::Serialize;

use super::error::Result;
use super::model::HighlightItem;
use super::query::{self, HighlightFilter};
use super::write::Writer;
use super::{highlights, tags};

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

/// Empties the trash: the one hard delete, of highlights and tags alike.
pub fn empty(w: &mut Writer) -> Result<Emptied> {
    let purged: Vec<String> = {
        let mut stmt =
            w.conn().prepare_cached("SELECT id FROM highlights WHERE deleted_at IS NOT NULL ORDER BY seq")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &purged {
        highlights::purge(w, id)?;
    }
    let tags = tags::purge_trashed(w)?;
    Ok(Emptied { highlights: purged.len(), tags })
}
