//! Stars on insights (or any block) of an episode.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::Result;
use super::write::{Kind, Writer};
use super::{episode, outbox};
use crate::store::episodes::EpisodeId;
use gloss_sync::Change;

/// Stars or unstars one insight (or any block) of an episode.
pub fn set_star(w: &mut Writer, episode_id: EpisodeId, block_key: &str, starred: bool) -> Result<()> {
    let record = episode::load(w.conn(), episode_id, "episode_id")?;
    episode::check_block_key(&record, block_key)?;
    put(w, episode_id, block_key, starred, w.now())
}

/// The one writer of stars: stores one as it is, set at `at`, and queues
/// it for sync when it changed and the change is local.
pub(crate) fn put(w: &mut Writer, episode_id: EpisodeId, block_key: &str, starred: bool, at: i64) -> Result<()> {
    let conn = w.conn();
    let before: Option<bool> = conn
        .prepare_cached("SELECT starred FROM stars WHERE episode_id = ?1 AND block_key = ?2")?
        .query_row(params![episode_id, block_key], |row| row.get(0))
        .optional()?;
    conn.prepare_cached(
        "INSERT INTO stars (episode_id, block_key, starred, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (episode_id, block_key) DO UPDATE SET starred = excluded.starred, updated_at = excluded.updated_at",
    )?
    .execute(params![episode_id, block_key, starred, at])?;
    if let (true, Some(episode)) = (before != Some(starred), outbox::fingerprint(conn, episode_id)?) {
        w.queue([Change::SetStar { episode, insight: block_key.to_owned(), starred }]);
    }
    w.touch(Kind::Star, episode_id)
}

/// When the star was last set, if ever.
pub(crate) fn updated_at(conn: &Connection, episode_id: EpisodeId, block_key: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT updated_at FROM stars WHERE episode_id = ?1 AND block_key = ?2")?
        .query_row(params![episode_id, block_key], |row| row.get(0))
        .optional()?)
}

/// The starred block keys of an episode, sorted.
pub(crate) fn for_episode(conn: &Connection, episode_id: EpisodeId) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT block_key FROM stars WHERE episode_id = ?1 AND starred = 1 ORDER BY block_key")?;
    let rows = stmt.query_map([episode_id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
