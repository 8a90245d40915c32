//! The Notes view's feed: everything the user wrote, in one list, newest
//! first — highlights (with their notes) and the notes written on a whole
//! episode or on an insight — under one filter, so that a note is found
//! the same way whatever it is written on.

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::error::Result;
use super::model::{Color, HighlightItem};
use super::notes::EPISODE_NOTE;
use super::query::{self, HighlightFilter};
use super::tags::{self, within_sql, TagName};
use crate::store::episodes::{self, EpisodeId};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedFilter {
    /// Words that must all occur: in a highlight's quote, note or tags (as
    /// word prefixes), or in a note's text.
    pub text: Option<String>,
    /// A highlight's own tags or its episode's; a note's episode's.
    pub tag: Option<String>,
    /// Only highlights have a color: with one, no notes are listed.
    pub color: Option<Color>,
    pub show: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedPage {
    /// Items in all, before `offset` and `limit`.
    pub total: usize,
    pub items: Vec<FeedItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeedItem {
    Highlight(HighlightItem),
    /// A note on a whole episode or on one of its insights.
    Note(NoteItem),
}

impl FeedItem {
    /// When it was written: a highlight's creation, a note's last edit.
    fn written_at(&self) -> i64 {
        match self {
            FeedItem::Highlight(item) => item.highlight.created_at,
            FeedItem::Note(note) => note.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteItem {
    pub episode_id: EpisodeId,
    /// The insight (`s2.i1`) or block the note is on; empty for the
    /// episode's own note.
    pub block_key: String,
    /// What the note is on, as the reader shows it: the insight's title.
    /// `None` for the episode's own note.
    pub on_title: Option<String>,
    /// Markdown.
    pub text: String,
    /// Unix milliseconds.
    pub updated_at: i64,
    pub episode_title: Option<String>,
    pub show: Option<String>,
    /// The episode's tags.
    pub tags: Vec<String>,
}

/// One page of the feed for `filter`. Highlights and notes are each read
/// newest first up to the end of the page, then merged.
pub fn list(conn: &Connection, filter: &FeedFilter) -> Result<FeedPage> {
    let offset = filter.offset.unwrap_or(0);
    let end = filter.limit.map_or(usize::MAX, |limit| offset.saturating_add(limit));
    let highlights = query::list(
        conn,
        &HighlightFilter {
            text: filter.text.clone(),
            tag: filter.tag.clone(),
            color: filter.color,
            show: filter.show.clone(),
            limit: Some(end),
            ..Default::default()
        },
    )?;
    let (note_total, notes) = match filter.color {
        Some(_) => (0, Vec::new()),
        None => notes(conn, filter, end)?,
    };
    let mut items: Vec<FeedItem> = highlights.items.into_iter().map(FeedItem::Highlight).chain(notes).collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.written_at()));
    let mut items: Vec<FeedItem> = items.into_iter().skip(offset).take(end - offset).collect();
    // Only the notes on this page need what they are on and their tags.
    for item in &mut items {
        if let FeedItem::Note(note) = item {
            note.tags = tags::of_episode(conn, note.episode_id)?;
            note.on_title = on_title(conn, note.episode_id, &note.block_key)?;
        }
    }
    Ok(FeedPage { total: highlights.total + note_total, items })
}

/// How many episode and insight notes match `filter`, and the newest
/// `limit` of them, without their tags and `on_title` (filled in for the
/// page shown).
fn notes(conn: &Connection, filter: &FeedFilter, limit: usize) -> Result<(usize, Vec<FeedItem>)> {
    let mut params: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        params.push(value);
        format!("?{}", params.len())
    };
    let mut conditions = vec!["n.text <> ''".to_owned()];
    for word in filter.text.iter().flat_map(|text| text.split_whitespace()).take(crate::search::MAX_QUERY_WORDS) {
        let p = bind(word.to_lowercase().into());
        conditions.push(format!("instr(lower(n.text), {p}) > 0"));
    }
    if let Some(show) = &filter.show {
        let p = bind(show.trim().to_owned().into());
        conditions.push(format!("e.show = {p} COLLATE NOCASE"));
    }
    if let Some(tag) = &filter.tag {
        let p = bind(TagName::parse(tag, "tag")?.key.into());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM episode_tags et JOIN tags t ON t.id = et.tag_id
                     WHERE et.episode_id = n.episode_id AND t.deleted_at IS NULL AND {})",
            within_sql("t", &p)
        ));
    }
    let from_where = format!("FROM notes n JOIN episodes e ON e.id = n.episode_id WHERE {}", conditions.join(" AND "));
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {from_where}"))?
        .query_row(rusqlite::params_from_iter(&params), |row| row.get(0))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT n.episode_id, n.block_key, n.text, n.updated_at, e.title, e.show {from_where}
         ORDER BY n.updated_at DESC, n.episode_id DESC, n.block_key LIMIT {limit}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&params), |row| {
        Ok(NoteItem {
            episode_id: row.get(0)?,
            block_key: row.get(1)?,
            text: row.get(2)?,
            updated_at: row.get(3)?,
            episode_title: row.get(4)?,
            show: row.get(5)?,
            on_title: None,
            tags: Vec::new(),
        })
    })?;
    let notes = rows.map(|row| row.map(FeedItem::Note)).collect::<rusqlite::Result<_>>()?;
    Ok((usize::try_from(total).unwrap_or(0), notes))
}

/// The title of the insight `block_key` names (or the block's own text),
/// as the reader shows it; `None` for the episode's own note, or when the
/// file no longer has that block.
fn on_title(conn: &Connection, episode_id: EpisodeId, block_key: &str) -> Result<Option<String>> {
    if block_key == EPISODE_NOTE {
        return Ok(None);
    }
    let Some(record) = episodes::get(conn, episode_id)? else { return Ok(None) };
    let blocks = record.episode.map(|episode| episode.blocks()).unwrap_or_default();
    let title = format!("{block_key}.title");
    let block = blocks.iter().find(|b| b.key == title).or_else(|| blocks.iter().find(|b| b.key == block_key));
    Ok(block.map(|b| b.text.clone()))
}
