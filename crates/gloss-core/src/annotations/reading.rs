//! Reading state per episode: read or unread, and where the reader was.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::episode;
use super::error::{Error, Result};
use super::highlights::to_sql;
use super::outbox;
use super::write::{Kind, Writer};
use crate::store::episodes::EpisodeId;
use gloss_sync::Change;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingState {
    pub read: bool,
    /// Code point offset into the canonical text where the reader was last.
    pub position: Option<usize>,
    /// Unix milliseconds of the last visit; `None` if never opened.
    pub visited_at: Option<i64>,
}

/// What `set_reading_state` takes: fields left out keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingUpdate {
    pub episode_id: EpisodeId,
    pub read: Option<bool>,
    pub position: Option<usize>,
}

/// Records a visit to an episode, and what it changes: read, position.
pub fn set_reading_state(w: &mut Writer, update: &ReadingUpdate) -> Result<ReadingState> {
    let target = episode::load_text(w.conn(), update.episode_id, "episode_id")?;
    if let Some(position) = update.position {
        let len = target.len();
        if position > len {
            return Err(Error::invalid(
                "position",
                format!("position {position} is past the end of episode {} ({len} characters)", update.episode_id),
            ));
        }
    }
    let before = row(w.conn(), update.episode_id)?;
    let edited = update.read.is_some() || update.position.is_some();
    put(
        w,
        update.episode_id,
        &ReadingRow {
            read: update.read.or(before.as_ref().map(|b| b.read)).unwrap_or(false),
            position: update.position.map(to_sql).or(before.as_ref().and_then(|b| b.position)),
            visited_at: w.now(),
            updated_at: if edited { w.now() } else { before.map_or(w.now(), |b| b.updated_at) },
        },
    )?;
    get(w.conn(), update.episode_id)
}

/// An episode's reading row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadingRow {
    pub read: bool,
    pub position: Option<i64>,
    /// When the episode was last opened.
    pub visited_at: i64,
    /// When `read` or `position` last changed.
    pub updated_at: i64,
}

/// The one writer of reading state: stores the episode's row as given
/// (and what the episode list orders by in `episode_marks`), and queues for sync what changed (read, position) when the change is
/// local. A visit alone changes nothing another window or device shows.
pub(crate) fn put(w: &mut Writer, episode_id: EpisodeId, new: &ReadingRow) -> Result<()> {
    let conn = w.conn();
    let before = row(conn, episode_id)?;
    conn.prepare_cached(
        "INSERT INTO reading (episode_id, read, position, visited_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (episode_id) DO UPDATE SET read = excluded.read, position = excluded.position,
            visited_at = excluded.visited_at, updated_at = excluded.updated_at",
    )?
    .execute(params![episode_id, new.read, new.position, new.visited_at, new.updated_at])?;
    conn.prepare_cached("UPDATE episode_marks SET read = ?2, last_read = ?3 WHERE episode_id = ?1")?
        .execute(params![episode_id, new.read, new.visited_at])?;
    let read_changed = before.as_ref().map_or(new.read, |b| b.read != new.read);
    let position_changed = new.position.is_some() && before.as_ref().is_none_or(|b| b.position != new.position);
    let episode = outbox::fingerprint(conn, episode_id)?;
    if read_changed {
        if let Some(episode) = episode.clone() {
            w.queue([Change::SetRead { episode, read: new.read }]);
        }
        w.touch(Kind::Reading, episode_id)?;
    }
    if let (true, Some(position)) = (position_changed, new.position) {
        if let Some(episode) = episode {
            w.queue([Change::SetPosition { episode, position: u64::try_from(position).unwrap_or(0) }]);
        }
        w.touch(Kind::Position, episode_id)?;
    }
    Ok(())
}

/// The episode's reading row, if it was ever visited.
pub(crate) fn row(conn: &Connection, episode_id: EpisodeId) -> Result<Option<ReadingRow>> {
    Ok(conn
        .prepare_cached("SELECT read, position, visited_at, updated_at FROM reading WHERE episode_id = ?1")?
        .query_row([episode_id], |row| {
            Ok(ReadingRow {
                read: row.get(0)?,
                position: row.get(1)?,
                visited_at: row.get(2)?,
                updated_at: row.get(3)?,
            })
        })
        .optional()?)
}

/// An episode's reading state; never visited reads as unread.
pub fn get(conn: &Connection, episode_id: EpisodeId) -> Result<ReadingState> {
    let state = conn
        .prepare_cached("SELECT read, position, visited_at FROM reading WHERE episode_id = ?1")?
        .query_row([episode_id], |row| {
            let position: Option<i64> = row.get(1)?;
            Ok(ReadingState {
                read: row.get(0)?,
                position: position.and_then(|p| usize::try_from(p).ok()),
                visited_at: row.get(2)?,
            })
        })
        .optional()?;
    Ok(state.unwrap_or_default())
}
