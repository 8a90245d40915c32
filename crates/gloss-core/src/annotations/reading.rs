//! Reading state per episode: read or unread, and where the reader was.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::episode;
use super::error::{Error, Result};
use super::highlights::to_sql;
use crate::store::episodes::EpisodeId;
use crate::sync::outbox;
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

/// Records a visit to an episode: every call stamps the visit time, and
/// sets the read flag and position when given.
pub fn set_reading_state(conn: &Connection, update: &ReadingUpdate, now: i64) -> Result<ReadingState> {
    let target = episode::load_text(conn, update.episode_id, "episode_id")?;
    if let Some(position) = update.position {
        let len = target.len();
        if position > len {
            return Err(Error::invalid(
                "position",
                format!("position {position} is past the end of episode {} ({len} characters)", update.episode_id),
            ));
        }
    }
    let before = get(conn, update.episode_id)?;
    conn.prepare_cached(
        "INSERT INTO reading (episode_id, read, position, visited_at, updated_at)
         VALUES (?1, coalesce(?2, 0), ?3, ?4, ?4)
         ON CONFLICT (episode_id) DO UPDATE SET
            read = coalesce(?2, read), position = coalesce(?3, position), visited_at = ?4,
            updated_at = CASE WHEN ?2 IS NULL AND ?3 IS NULL THEN updated_at ELSE ?4 END",
    )?
    .execute(params![update.episode_id, update.read, update.position.map(to_sql), now])?;
    let after = get(conn, update.episode_id)?;
    // The visit time stays on this device; what was read, and where, follows the user.
    if let Some(episode) = target.record.fingerprint {
        let mut changes = Vec::new();
        if after.read != before.read {
            changes.push(Change::SetRead { episode: episode.clone(), read: after.read });
        }
        if let (Some(position), true) = (after.position, after.position != before.position) {
            changes.push(Change::SetPosition { episode, position: position as u64 });
        }
        outbox::push(conn, now, changes)?;
    }
    Ok(after)
}

/// Writes the read flag and position as sync merged them, queueing
/// nothing; the visit time stays this device's own.
pub(crate) fn store(
    conn: &Connection,
    episode_id: EpisodeId,
    read: Option<bool>,
    position: Option<i64>,
    at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reading (episode_id, read, position, visited_at, updated_at)
         VALUES (?1, coalesce(?2, 0), ?3, ?4, ?4)
         ON CONFLICT (episode_id) DO UPDATE SET
            read = coalesce(?2, read), position = coalesce(?3, position), updated_at = ?4",
    )?
    .execute(params![episode_id, read, position, at])?;
    Ok(())
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
