//! Keeps the full-text index (`search_index`, an external-content FTS5
//! table over `episodes`) in step with the episode columns it indexes.
//!
//! Done here rather than by triggers: a trigger makes each write to an
//! episode a statement SQLite must be able to undo alone, and the savepoint
//! for it makes FTS5 write its pending terms out as a new index segment.
//! A cold import wrote one tiny segment per file and merged them over and
//! over (at 10,000 files, 928 MB written for a 114 MB database). Written
//! here, a batch's terms reach the disk once, at commit.

use rusqlite::{Connection, OptionalExtension, ToSql};

use super::episodes::EpisodeId;
use super::Result;

/// The indexed columns, in the index's order.
const COLUMNS: &str = "title, show, tldr, canonical_text, bottom_line, search_highlights, search_notes, search_tags";

/// What an episode row holds of the indexed columns: the index must be
/// told these exact values to forget a row.
#[derive(Debug, PartialEq, Eq)]
struct Indexed([Option<String>; 8]);

fn read(conn: &Connection, id: EpisodeId) -> Result<Option<Indexed>> {
    let sql = format!("SELECT {COLUMNS} FROM episodes WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |row| {
            let mut indexed = Indexed(Default::default());
            for (i, value) in indexed.0.iter_mut().enumerate() {
                *value = row.get(i)?;
            }
            Ok(indexed)
        })
        .optional()?)
}

fn write(conn: &Connection, id: EpisodeId, indexed: &Indexed, delete: bool) -> Result<()> {
    let sql = match delete {
        true => format!(
            "INSERT INTO search_index (search_index, rowid, {COLUMNS}) VALUES ('delete', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        false => format!("INSERT INTO search_index (rowid, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
    };
    let mut values: Vec<&dyn ToSql> = vec![&id];
    values.extend(indexed.0.iter().map(|value| value as &dyn ToSql));
    conn.prepare_cached(&sql)?.execute(values.as_slice())?;
    Ok(())
}

/// Indexes a row just added to `episodes`.
pub(crate) fn add(conn: &Connection, id: EpisodeId) -> Result<()> {
    match read(conn, id)? {
        Some(indexed) => write(conn, id, &indexed, false),
        None => Ok(()),
    }
}

/// Runs `change` on episode `id`'s row and re-indexes the row if it
/// changed an indexed column.
pub(crate) fn reindex_after<T>(conn: &Connection, id: EpisodeId, change: impl FnOnce() -> Result<T>) -> Result<T> {
    let before = read(conn, id)?;
    let changed = change()?;
    let after = read(conn, id)?;
    if before != after {
        if let Some(before) = &before {
            write(conn, id, before, true)?;
        }
        if let Some(after) = &after {
            write(conn, id, after, false)?;
        }
    }
    Ok(changed)
}
