//! Stars on insights (or any block) of an episode.

use rusqlite::{params, Connection};

use super::episode;
use super::error::Result;
use crate::store::episodes::EpisodeId;
use crate::sync::outbox;
use gloss_sync::Change;

/// Stars or un-stars block `block_key` (`s2.i1`) of an episode. An
/// un-starred block keeps its row with the flag cleared, so a later sync
/// merges it field by field.
pub fn set_star(conn: &Connection, episode_id: EpisodeId, block_key: &str, starred: bool, now: i64) -> Result<()> {
    let record = episode::load(conn, episode_id, "episode_id")?;
    episode::check_block_key(&record, block_key)?;
    store(conn, episode_id, block_key, starred, now)?;
    if let Some(episode) = record.fingerprint {
        outbox::push(conn, now, [Change::SetStar { episode, insight: block_key.to_owned(), starred }])?;
    }
    Ok(())
}

/// Writes a star as it is, queueing nothing.
pub(crate) fn store(conn: &Connection, episode_id: EpisodeId, block_key: &str, starred: bool, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO stars (episode_id, block_key, starred, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (episode_id, block_key) DO UPDATE SET starred = excluded.starred, updated_at = excluded.updated_at",
    )?
    .execute(params![episode_id, block_key, starred, now])?;
    Ok(())
}

/// The starred block keys of an episode, sorted.
pub(crate) fn for_episode(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT block_key FROM stars WHERE episode_id = ?1 AND starred = 1 ORDER BY block_key")?;
    let rows = stmt.query_map([episode_id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
