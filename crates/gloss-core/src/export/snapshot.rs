//! Reads everything the user added out of the store, in one read
//! transaction, as a [`Backup`] (which every export format is rendered
//! from) plus the parsed episodes the readable formats need.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;

use super::backup::{
    Backup, CardEntry, EpisodeEntry, EpisodeRef, HighlightEntry, NoteEntry, ReadingEntry, ReviewEntry,
    ReviewEventEntry, StarEntry, TagEntry, FORMAT, VERSION,
};
use super::time;
use crate::annotations::highlights::{from_row, COLUMNS};
use crate::store::episodes::{self, EpisodeId, EpisodeRecord};
use crate::store::{Result, Store};
use gloss_parse::model::{short_hash, Episode, CANONICAL_TEXT_VERSION};

/// Settings whose key starts with this are the user's preferences.
const PREFERENCE_PREFIX: &str = "ui_";

/// The library's annotations, and the episodes they are on.
pub struct Snapshot {
    pub backup: Backup,
    /// The parsed episodes of `backup.episodes`, by id (absent for one that
    /// never parsed).
    pub episodes: HashMap<EpisodeId, Episode>,
}

impl Snapshot {
    pub fn take(store: &Store, now: i64) -> Result<Snapshot> {
        store.read(|conn| take(conn, now))
    }
}

fn take(conn: &Connection, now: i64) -> Result<Snapshot> {
    let highlights = all_highlights(conn)?;
    let mut entries: BTreeMap<EpisodeId, EpisodeEntry> = BTreeMap::new();
    let mut records: HashMap<EpisodeId, EpisodeRecord> = HashMap::new();
    let mut ids: BTreeSet<EpisodeId> = highlights.iter().map(|(_, episode)| *episode).collect();
    for table in ["notes", "stars", "reading", "episode_tags"] {
        let mut stmt = conn.prepare(&format!("SELECT DISTINCT episode_id FROM {table}"))?;
        for id in stmt.query_map([], |row| row.get(0))? {
            ids.insert(id?);
        }
    }
    for id in ids {
        let Some(record) = episodes::get(conn, id)? else { continue };
        let entry = EpisodeEntry {
            episode: reference(&record),
            source_path: Some(record.summary.source_path.clone()),
            text_hash: record.canonical_text.as_deref().map(short_hash),
            notes: notes(conn, id)?,
            stars: stars(conn, id)?,
            tags: crate::annotations::tags::of_episode(conn, id).map_err(|e| into_store(e, id))?,
            reading: reading(conn, id)?,
        };
        entries.insert(id, entry);
        records.insert(id, record);
    }
    let highlights = highlights
        .into_iter()
        .map(|(h, episode)| HighlightEntry {
            episode: entries.get(&episode).map_or_else(
                || EpisodeRef { id: episode, fingerprint: None, title: None, show: None },
                |e| e.episode.clone(),
            ),
            id: h.id,
            selector: h.selector,
            color: h.color,
            note: h.note,
            tags: h.tags,
            anchor: h.anchor,
            created_at: h.created_at,
            updated_at: h.updated_at,
            deleted_at: h.deleted_at,
        })
        .collect();
    let mut episode_list: Vec<EpisodeEntry> = entries.into_values().collect();
    episode_list.sort_by(|a, b| a.source_path.cmp(&b.source_path).then(a.episode.id.cmp(&b.episode.id)));
    let backup = Backup {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: time::rfc3339(now),
        canonical_text_version: CANONICAL_TEXT_VERSION,
        tags: tags(conn, &episode_list)?,
        episodes: episode_list,
        highlights,
        settings: preferences(conn)?,
        review: review(conn)?,
    };
    let episodes = records.into_iter().filter_map(|(id, r)| Some((id, r.episode?))).collect();
    Ok(Snapshot { backup, episodes })
}

/// Reading an episode's tags refuses nothing; only the store can fail.
fn into_store(error: crate::annotations::Error, id: EpisodeId) -> crate::store::Error {
    match error {
        crate::annotations::Error::Store(e) => e,
        other => crate::store::Error::Damaged { id, reason: other.to_string() },
    }
}

pub fn reference(record: &EpisodeRecord) -> EpisodeRef {
    EpisodeRef {
        id: record.summary.id,
        fingerprint: record.fingerprint.clone(),
        title: record.summary.title.clone(),
        show: record.summary.show.clone(),
    }
}

/// Every highlight with its episode id, in reading order per episode.
fn all_highlights(conn: &Connection) -> Result<Vec<(crate::annotations::Highlight, EpisodeId)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM highlights h
         ORDER BY h.episode_id, h.anchor_start IS NULL, h.anchor_start, h.created_at, h.seq"
    ))?;
    let rows = stmt.query_map([], |row| from_row(row).map(|h| (h.episode_id, h)))?;
    Ok(rows.map(|r| r.map(|(episode, h)| (h, episode))).collect::<rusqlite::Result<_>>()?)
}

fn notes(conn: &Connection, id: EpisodeId) -> Result<Vec<NoteEntry>> {
    let mut stmt =
        conn.prepare_cached("SELECT block_key, text, updated_at FROM notes WHERE episode_id = ?1 ORDER BY block_key")?;
    let rows = stmt
        .query_map([id], |row| Ok(NoteEntry { block_key: row.get(0)?, text: row.get(1)?, updated_at: row.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn stars(conn: &Connection, id: EpisodeId) -> Result<Vec<StarEntry>> {
    let mut stmt = conn
        .prepare_cached("SELECT block_key, starred, updated_at FROM stars WHERE episode_id = ?1 ORDER BY block_key")?;
    let rows = stmt.query_map([id], |row| {
        Ok(StarEntry { block_key: row.get(0)?, starred: row.get(1)?, updated_at: row.get(2)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn reading(conn: &Connection, id: EpisodeId) -> Result<Option<ReadingEntry>> {
    use rusqlite::OptionalExtension;
    let mut stmt =
        conn.prepare_cached("SELECT read, position, visited_at, updated_at FROM reading WHERE episode_id = ?1")?;
    let entry = stmt
        .query_row([id], |row| {
            Ok(ReadingEntry {
                read: row.get(0)?,
                position: row.get::<_, Option<i64>>(1)?.and_then(|p| usize::try_from(p).ok()),
                visited_at: row.get(2)?,
                updated_at: row.get(3)?,
            })
        })
        .optional()?;
    Ok(entry)
}

/// Every tag; a trashed one with what it was on.
fn tags(conn: &Connection, episodes: &[EpisodeEntry]) -> Result<Vec<TagEntry>> {
    let mut stmt = conn.prepare("SELECT id, name, created_at, deleted_at FROM tags ORDER BY key, deleted_at")?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, row.get::<_, Option<i64>>(3)?))
    })?;
    let by_id: HashMap<EpisodeId, &EpisodeRef> = episodes.iter().map(|e| (e.episode.id, &e.episode)).collect();
    let mut tags = Vec::new();
    for row in rows {
        let (id, name, created_at, deleted_at) = row?;
        let mut entry = TagEntry {
            name,
            created_at,
            deleted_at,
            trashed_on_highlights: Vec::new(),
            trashed_on_episodes: Vec::new(),
        };
        if deleted_at.is_some() {
            let mut stmt = conn.prepare_cached(
                "SELECT h.id FROM highlight_tags ht JOIN highlights h ON h.seq = ht.highlight_seq
                 WHERE ht.tag_id = ?1 ORDER BY h.id",
            )?;
            entry.trashed_on_highlights = stmt.query_map([id], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
            let mut stmt =
                conn.prepare_cached("SELECT episode_id FROM episode_tags WHERE tag_id = ?1 ORDER BY episode_id")?;
            for episode in stmt.query_map([id], |row| row.get::<_, EpisodeId>(0))? {
                let episode = episode?;
                let named = match by_id.get(&episode) {
                    Some(r) => (*r).clone(),
                    None => episodes::get(conn, episode)?
                        .as_ref()
                        .map_or(EpisodeRef { id: episode, fingerprint: None, title: None, show: None }, reference),
                };
                entry.trashed_on_episodes.push(named);
            }
        }
        tags.push(entry);
    }
    Ok(tags)
}

fn preferences(conn: &Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM settings WHERE substr(key, 1, 3) = ?1 ORDER BY key")?;
    let rows = stmt.query_map([PREFERENCE_PREFIX], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn review(conn: &Connection) -> Result<ReviewEntry> {
    let mut stmt = conn.prepare("SELECT id, card, rating, at, undone, device FROM review_events ORDER BY at, id")?;
    let events = stmt
        .query_map([], |row| {
            Ok(ReviewEventEntry {
                id: row.get(0)?,
                card: row.get(1)?,
                rating: row.get(2)?,
                at: row.get(3)?,
                undone: row.get(4)?,
                device: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT card, included, suspended, buried_until FROM review_cards
         WHERE included IS NOT NULL OR suspended = 1 OR buried_until IS NOT NULL ORDER BY card",
    )?;
    let cards = stmt
        .query_map([], |row| {
            let buried: Option<i64> = row.get(3)?;
            Ok(CardEntry {
                card: row.get(0)?,
                included: row.get(1)?,
                suspended: row.get(2)?,
                buried_until: buried.and_then(|at| u64::try_from(at).ok()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ReviewEntry { events, cards })
}
