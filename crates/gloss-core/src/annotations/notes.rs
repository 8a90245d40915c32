//! Notes on a whole episode, and on a whole insight (or any block) without
//! selecting text. Highlight notes live on the highlight.

use rusqlite::{params, Connection, OptionalExtension};

use super::episode;
use super::error::Result;
use super::index;
use crate::store::episodes::{EpisodeId, EpisodeRecord};
use crate::sync::outbox;
use gloss_sync::{Change, NoteOn};

/// The block key under which the episode's own note is stored.
pub(crate) const EPISODE_NOTE: &str = "";

/// Sets the note on episode `episode_id` (Markdown; empty clears it).
pub fn set_episode_note(conn: &Connection, episode_id: EpisodeId, text: &str, now: i64) -> Result<()> {
    let record = episode::load(conn, episode_id, "episode_id")?;
    edit(conn, &record, EPISODE_NOTE, text, now)
}

/// Sets the note on one insight (`s2.i1`) or block (`s2.i1.body`) of an
/// episode (Markdown; empty clears it).
pub fn set_insight_note(conn: &Connection, episode_id: EpisodeId, block_key: &str, text: &str, now: i64) -> Result<()> {
    let record = episode::load(conn, episode_id, "episode_id")?;
    episode::check_block_key(&record, block_key)?;
    edit(conn, &record, block_key, text, now)
}

/// Stores the user's edit, and queues it for sync if the text changed.
fn edit(conn: &Connection, record: &EpisodeRecord, block_key: &str, text: &str, now: i64) -> Result<()> {
    let changed = current(conn, record.summary.id, block_key)? != text;
    store(conn, record.summary.id, block_key, text, now)?;
    if let (true, Some(episode)) = (changed, &record.fingerprint) {
        let change = Change::SetNote { on: note_on(episode, block_key), text: text.to_owned(), replaces: Vec::new() };
        outbox::push(conn, now, [change])?;
    }
    Ok(())
}

/// Where a note of an episode is, in sync's terms.
pub(crate) fn note_on(episode: &str, block_key: &str) -> NoteOn {
    if block_key == EPISODE_NOTE {
        NoteOn::Episode(episode.to_owned())
    } else {
        NoteOn::Insight { episode: episode.to_owned(), insight: block_key.to_owned() }
    }
}

/// The text of a note ("" when there is none).
pub(crate) fn current(conn: &Connection, episode_id: EpisodeId, block_key: &str) -> Result<String> {
    let text = conn
        .prepare_cached("SELECT text FROM notes WHERE episode_id = ?1 AND block_key = ?2")?
        .query_row(params![episode_id, block_key], |row| row.get(0))
        .optional()?;
    Ok(text.unwrap_or_default())
}

/// Writes a note as it is, queueing nothing (sync's apply, and the
/// actions above). A cleared note stays a row with empty text.
pub(crate) fn store(conn: &Connection, episode_id: EpisodeId, block_key: &str, text: &str, now: i64) -> Result<()> {
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
