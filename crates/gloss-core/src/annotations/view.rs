//! What the reader and the episode list show of the annotations.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::error::Result;
use super::model::Highlight;
use super::query::{self, HighlightFilter};
use super::reading::{self, ReadingState};
use super::tags::{self, TagName};
use super::{notes, stars};
use crate::store::episodes::EpisodeId;

/// Everything the user added to one episode (the parts of docs/api.md's
/// `Episode` that are not the parsed text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeAnnotations {
    pub tags: Vec<String>,
    pub note: String,
    /// Non-empty insight notes by block key.
    pub insight_notes: BTreeMap<String, String>,
    /// Starred block keys.
    pub stars: Vec<String>,
    pub reading: ReadingState,
    /// Live highlights in reading order; orphans and ambiguous ones last.
    pub highlights: Vec<Highlight>,
}

pub fn episode_annotations(conn: &Connection, episode_id: EpisodeId) -> Result<EpisodeAnnotations> {
    let filter = HighlightFilter { episode_id: Some(episode_id), ..Default::default() };
    let highlights = query::list(conn, &filter)?.items.into_iter().map(|item| item.highlight).collect();
    let (note, insight_notes) = notes::for_episode(conn, episode_id)?;
    Ok(EpisodeAnnotations {
        tags: tags::of_episode(conn, episode_id)?,
        note,
        insight_notes: insight_notes.into_iter().collect(),
        stars: stars::for_episode(conn, episode_id)?,
        reading: reading::get(conn, episode_id)?,
        highlights,
    })
}

/// What the episode list shows of one episode's annotations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EpisodeMarks {
    /// Live highlights.
    pub highlight_count: usize,
    /// Live highlights whose place in the text is lost or uncertain
    /// (orphaned, ambiguous or fuzzy): the reader's Needs attention, which
    /// the list shows so an edit that broke them is seen without opening it.
    pub attention_count: usize,
    pub read: bool,
    /// When the episode was last opened, Unix milliseconds; `None`: never.
    pub last_read: Option<i64>,
}

/// The marks of every episode.
pub fn episode_marks(conn: &Connection) -> Result<HashMap<EpisodeId, EpisodeMarks>> {
    // The table the episode list reads, kept by triggers (`store::schema::list`).
    let mut stmt =
        conn.prepare_cached("SELECT episode_id, highlight_count, attention_count, read, last_read FROM episode_marks")?;
    let rows = stmt.query_map([], |row| {
        let count = |n: usize| row.get::<_, i64>(n).map(|c| usize::try_from(c).unwrap_or(0));
        let marks = EpisodeMarks {
            highlight_count: count(1)?,
            attention_count: count(2)?,
            read: row.get(3)?,
            last_read: row.get(4)?,
        };
        Ok((row.get(0)?, marks))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Episodes carrying tag `tag` (or one nested under it) themselves or on
/// one of their live highlights: the tag filter of the episode list and of
/// episode search hits.
pub fn episodes_tagged(conn: &Connection, tag: &str) -> Result<HashSet<EpisodeId>> {
    let key = tag_key(tag)?;
    let mut stmt = conn.prepare_cached(&episodes_tagged_sql("?1"))?;
    let rows = stmt.query_map([key], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The key `tag` is stored under, refused (as field `tag`) if it is no tag name.
pub(crate) fn tag_key(tag: &str) -> Result<String> {
    Ok(TagName::parse(tag, "tag")?.key)
}

/// How many episodes carry the tag with key `key` (or one nested under it).
pub(crate) fn count_tagged(conn: &Connection, key: &str) -> Result<usize> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM episode_tag_keys WHERE tag_key = ?1")?
        .query_row([key], |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// A query of the ids of the episodes carrying the tag whose key is bound
/// to `param`, or one nested under it (see [`episodes_tagged`]): one range
/// of `episode_tag_keys`, kept by the write path.
pub(crate) fn episodes_tagged_sql(param: &str) -> String {
    format!("SELECT episode_id FROM episode_tag_keys WHERE tag_key = {param}")
}
