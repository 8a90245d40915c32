//! Notes on a whole episode, and on a whole insight (or any block) without
//! selecting text. Highlight notes live on the highlight.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::Result;
use super::write::{Kind, Writer};
use super::{episode, outbox};
use crate::store::episodes::EpisodeId;
use gloss_sync::{Change, NoteOn};

/// The block key under which the episode's own note is stored.
pub(crate) const EPISODE_NOTE: &str = "";

/// Sets the note on episode `episode_id` (Markdown; empty clears it).
pub fn set_episode_note(w: &mut Writer, episode_id: EpisodeId, text: &str) -> Result<()> {
    episode::load(w.conn(), episode_id, "episode_id")?;
    put(w, episode_id, EPISODE_NOTE, text, w.now())
}

/// Sets the note on one insight (`s2.i1`) or block (`s2.i1.body`) of an
/// episode (Markdown; empty clears it).
pub fn set_insight_note(w: &mut Writer, episode_id: EpisodeId, block_key: &str, text: &str) -> Result<()> {
    let record = episode::load(w.conn(), episode_id, "episode_id")?;
    episode::check_block_key(&record, block_key)?;
    put(w, episode_id, block_key, text, w.now())
}

/// The one writer of episode and insight notes: stores the text as it is,
/// written at `at`, and queues it for sync when it changed and the change
/// is local. A cleared note stays a row with empty text.
pub(crate) fn put(w: &mut Writer, episode_id: EpisodeId, block_key: &str, text: &str, at: i64) -> Result<()> {
    let conn = w.conn();
    let changed = current(conn, episode_id, block_key)? != text;
    conn.prepare_cached(
        "INSERT INTO notes (episode_id, block_key, text, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (episode_id, block_key) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
    )?
    .execute(params![episode_id, block_key, text, at])?;
    if let (true, Some(episode)) = (changed, outbox::fingerprint(conn, episode_id)?) {
        w.queue([Change::SetNote { on: note_on(&episode, block_key), text: text.to_owned(), replaces: Vec::new() }]);
    }
    w.touch(Kind::Note, episode_id)
}

/// When the note was last written, if there is one.
pub(crate) fn updated_at(conn: &Connection, episode_id: EpisodeId, block_key: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT updated_at FROM notes WHERE episode_id = ?1 AND block_key = ?2")?
        .query_row(params![episode_id, block_key], |row| row.get(0))
        .optional()?)
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
