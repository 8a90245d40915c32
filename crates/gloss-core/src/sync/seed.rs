//! Joining a sync folder for the first time: everything the database holds
//! becomes changes in the outbox, so a library annotated before sync was
//! turned on arrives on the other devices whole.
//!
//! Each change is dated when its item was last changed here (a highlight
//! when it was created, a note when it was last edited, ...), and the
//! changes are queued oldest first, so their stamps follow those times and
//! merge by them with what other devices did meanwhile. Concurrent notes on
//! the same episode both survive: one shows, the other is an earlier
//! version.

use rusqlite::Connection;

use crate::annotations::highlights::{from_row, COLUMNS, COLUMN_COUNT};
use crate::annotations::notes::note_on;
use crate::annotations::outbox;
use crate::annotations::preferences::{self, FOLLOWING};
use crate::annotations::Result;
use gloss_sync::op::{Anchor, NoteOn, Tagged};
use gloss_sync::Change;

/// Replaces the outbox with everything the database holds; returns how
/// many changes that made.
pub(crate) fn export_all(conn: &Connection, now: i64) -> Result<usize> {
    let mut changes: Vec<(Change, i64)> = Vec::new();
    highlights(conn, &mut changes)?;
    episode_notes(conn, &mut changes)?;
    stars(conn, &mut changes)?;
    episode_tags(conn, &mut changes)?;
    reading(conn, &mut changes)?;
    reviews(conn, &mut changes, now)?;
    for (synced, stored_as) in FOLLOWING {
        if let Some(value) = preferences::get(conn, stored_as)? {
            changes.push((Change::SetSetting { key: (*synced).to_owned(), value }, now));
        }
    }
    // Oldest first, so stamps follow when things were made; stable, so a
    // highlight's creation stays before its move to the trash.
    changes.sort_by_key(|(_, made_at)| *made_at);
    outbox::replace_all(conn, &changes)?;
    Ok(changes.len())
}

fn highlights(conn: &Connection, changes: &mut Vec<(Change, i64)>) -> Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, e.fingerprint FROM highlights h JOIN episodes e ON e.id = h.episode_id
         WHERE e.fingerprint IS NOT NULL ORDER BY h.seq"
    ))?;
    let rows = stmt.query_map([], |row| Ok((from_row(row)?, row.get::<_, String>(COLUMN_COUNT)?)))?;
    for row in rows {
        let (highlight, episode) = row?;
        let id = highlight.id.clone();
        let create = Change::CreateHighlight {
            highlight: id.clone(),
            anchor: Anchor { episode, selector: highlight.selector },
            color: highlight.color.as_str().to_owned(),
            note: highlight.note,
            tags: highlight.tags,
        };
        changes.push((create, highlight.created_at));
        if let Some(deleted_at) = highlight.deleted_at {
            changes.push((Change::Delete { highlight: id }, deleted_at));
        }
    }
    Ok(())
}

fn episode_notes(conn: &Connection, changes: &mut Vec<(Change, i64)>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT e.fingerprint, n.block_key, n.text, n.updated_at FROM notes n JOIN episodes e ON e.id = n.episode_id
         WHERE n.text <> '' AND e.fingerprint IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get(3)?))
    })?;
    for row in rows {
        let (episode, block_key, text, at) = row?;
        let on: NoteOn = note_on(&episode, &block_key);
        changes.push((Change::SetNote { on, text, replaces: Vec::new() }, at));
    }
    Ok(())
}

fn stars(conn: &Connection, changes: &mut Vec<(Change, i64)>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT e.fingerprint, s.block_key, s.updated_at FROM stars s JOIN episodes e ON e.id = s.episode_id
         WHERE s.starred = 1 AND e.fingerprint IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?)))?;
    for row in rows {
        let (episode, insight, at) = row?;
        changes.push((Change::SetStar { episode, insight, starred: true }, at));
    }
    Ok(())
}

fn episode_tags(conn: &Connection, changes: &mut Vec<(Change, i64)>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT e.fingerprint, t.name, t.created_at FROM episode_tags et
         JOIN tags t ON t.id = et.tag_id JOIN episodes e ON e.id = et.episode_id
         WHERE t.deleted_at IS NULL AND e.fingerprint IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?)))?;
    for row in rows {
        let (episode, tag, at) = row?;
        changes.push((Change::SetTag { on: Tagged::Episode(episode), tag, tagged: true }, at));
    }
    Ok(())
}

fn reading(conn: &Connection, changes: &mut Vec<(Change, i64)>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT e.fingerprint, r.read, r.position, r.updated_at FROM reading r JOIN episodes e ON e.id = r.episode_id
         WHERE e.fingerprint IS NOT NULL AND (r.read = 1 OR r.position IS NOT NULL)",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?, row.get::<_, Option<i64>>(2)?, row.get(3)?))
    })?;
    for row in rows {
        let (episode, read, position, at) = row?;
        if read {
            changes.push((Change::SetRead { episode: episode.clone(), read }, at));
        }
        if let Some(position) = position.and_then(|p| u64::try_from(p).ok()) {
            changes.push((Change::SetPosition { episode, position }, at));
        }
    }
    Ok(())
}

/// The review log (each rating when it was made, then its undo) and the
/// cards' choices.
fn reviews(conn: &Connection, changes: &mut Vec<(Change, i64)>, now: i64) -> Result<()> {
    let mut stmt = conn.prepare("SELECT id, card, rating, at, undone FROM review_events")?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, u8>(2)?,
            row.get::<_, i64>(3)?,
            row.get(4)?,
        ))
    })?;
    for row in rows {
        let (event, card, rating, at, undone): (String, String, u8, i64, bool) = row?;
        let review = Change::Review { event: event.clone(), card, rating, at: u64::try_from(at).unwrap_or(0) };
        changes.push((review, at));
        if undone {
            changes.push((Change::UndoReview { event }, at));
        }
    }
    let mut stmt = conn.prepare(
        "SELECT card, included, suspended, buried_until FROM review_cards
         WHERE included IS NOT NULL OR suspended = 1 OR buried_until IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get::<_, Option<i64>>(3)?)))?;
    for row in rows {
        let (card, included, suspended, buried) = row?;
        let buried_until = buried.and_then(|at| u64::try_from(at).ok());
        changes.push((Change::SetCard { card, included, suspended, buried_until }, now));
    }
    Ok(())
}
