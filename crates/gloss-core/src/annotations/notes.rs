//! Notes on a whole episode, and on a whole insight (or any block) without
//! selecting text. Highlight notes live on the highlight.

use rusqlite::{params, Connection};

use super::episode;
use super::error::Result;
use super::index;
use crate::store::episodes::EpisodeId;

/// The block key under which the episode's own note is stored.
const EPISODE_NOTE: &str = "";

/// Sets the note on episode `episode_id` (Markdown; empty clears it).
pub fn set_episode_note(conn: &Connection, episode_id: EpisodeId, text: &str, now: i64) -> Result<()> {
    episode::load(conn, episode_id, "episode_id")?;
    store(conn, episode_id, EPISODE_NOTE, text, now)
}

/// Sets the note on one insight (`s2.i1`) or block (`s2.i1.body`) of an
/// episode (Markdown; empty clears it).
pub fn set_insight_note(conn: &Connection, episode_id: EpisodeId, block_key: &str, text: &str, now: i64) -> Result<()> {
    let record = episode::load(conn, episode_id, "episode_id")?;
    episode::check_block_key(&record, block_key)?;
    store(conn, episode_id, block_key, text, now)
}

/// A cleared note stays a row with empty text: a later sync merges the
/// clearing like any other edit.
fn store(conn: &Connection, episode_id: EpisodeId, block_key: &str, text: &str, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notes (episode_id, block_key, text, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (episode_id, block_key) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
    )?
    .execute(params![episode_id, block_key, text, now])?;
    Ok(index::episode_changed(conn, episode_id)?)
}

/// The episode's note, and its insight notes by block key (non-empty only).
pub(crate) fn for_episode(conn: &Connection, episode_id: EpisodeId) -> Result<(String, Vec<(String, String)>)> {
    let mut stmt = conn
        .prepare_cached("SELECT block_key, text FROM notes WHERE episode_id = ?1 AND text <> '' ORDER BY block_key")?;
    let mut episode_note = String::new();
    let mut insight_notes = Vec::new();
    for row in stmt.query_map([episode_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))? {
        let (key, text) = row?;
        if key == EPISODE_NOTE {
            episode_note = text;
        } else {
            insight_notes.push((key, text));
        }
    }
    Ok((episode_note, insight_notes))
}
