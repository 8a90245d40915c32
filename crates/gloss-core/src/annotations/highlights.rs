//! Highlights: creating one from a quote or a range, editing, trashing and
//! restoring it, and placing it again by hand after re-anchoring gave up.
//!
//! Each function is one user action over one open transaction, taking the
//! time (`now`, Unix milliseconds) from its caller, and queues what it
//! changed for sync in that transaction ([`crate::sync::outbox`]).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Deserialize;

use super::episode::{self, TextEpisode};
use super::error::{Error, Result};
use super::index;
use super::model::{status_from_str, status_str, Anchor, Color, Highlight, HighlightId};
use super::tags::{self, Tagged};
use crate::store::episodes::EpisodeId;
use crate::sync::outbox;
use gloss_anchor::{find_quote, AnchorStatus, QuoteError, Selector, Span};
use gloss_sync::{self as sync, Change};

/// What `create_highlight` takes: the episode and either a quote (with an
/// occurrence if it appears more than once) or a code point range.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHighlight {
    pub episode_id: EpisodeId,
    pub quote: Option<String>,
    /// 1-based: which of several occurrences of `quote`.
    pub occurrence: Option<usize>,
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub color: Option<Color>,
    pub note: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What `update_highlight` takes: the fields given are replaced.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighlightPatch {
    pub id: String,
    pub color: Option<Color>,
    pub note: Option<String>,
    /// The complete new list of tags.
    pub tags: Option<Vec<String>>,
}

/// A new random highlight id.
pub fn new_id() -> HighlightId {
    uuid::Uuid::new_v4().to_string()
}

/// Reads a highlight id as given; `field` names where it came from.
pub(crate) fn parse_id(raw: &str, field: &'static str) -> Result<HighlightId> {
    uuid::Uuid::parse_str(raw.trim())
        .map(|id| id.to_string())
        .map_err(|_| Error::invalid(field, format!("{raw:?} is not a highlight id (a UUID like 0b7c…-…)")))
}

/// Stores a new highlight with id `id` (see [`new_id`]).
pub fn create(conn: &Connection, id: &str, now: i64, new: &NewHighlight) -> Result<Highlight> {
    let id = parse_id(id, "id")?;
    let target = episode::load_text(conn, new.episode_id, "episode_id")?;
    let span = locate(&target, new)?;
    let selector = target.describe(span, ("start", "end"))?;
    let tags = tags::resolve(conn, &tags::parse_all(&new.tags, "tags")?, now)?;
    // Stored with the row, so the search index takes the highlight in once.
    let tags_text: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    let revision = target.record.text_revision;
    conn.prepare_cached(
        "INSERT INTO highlights (id, episode_id, exact, prefix, suffix, sel_start, sel_end, block_key,
                text_version, selector_revision, color, note, anchor_status, anchor_start, anchor_end,
                anchor_revision, created_at, updated_at, tags_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?6, ?7, ?10, ?14, ?14, ?15)",
    )?
    .execute(params![
        id,
        new.episode_id,
        selector.exact,
        selector.prefix,
        selector.suffix,
        to_sql(selector.start),
        to_sql(selector.end),
        selector.block_key,
        selector.text_version,
        revision,
        new.color.unwrap_or_default(),
        new.note.as_deref().unwrap_or(""),
        status_str(AnchorStatus::Anchored),
        now,
        tags_text.join(&index::TAG_SEPARATOR.to_string()),
    ])?;
    tags::link(conn, Tagged::Highlight(conn.last_insert_rowid()), &tags)?;
    index::episode_changed(conn, new.episode_id)?;
    let created = get(conn, &id)?;
    if let Some(episode) = target.record.fingerprint {
        let change = Change::CreateHighlight {
            highlight: id,
            anchor: sync::Anchor { episode, selector },
            color: created.color.as_str().to_owned(),
            note: created.note.clone(),
            tags: created.tags.clone(),
        };
        outbox::push(conn, now, [change])?;
    }
    Ok(created)
}

/// Where in the episode's text the new highlight goes.
fn locate(target: &TextEpisode, new: &NewHighlight) -> Result<Span> {
    match (&new.quote, new.start, new.end) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err(Error::invalid("quote", "give either a quote or start and end, not both"))
        }
        (Some(quote), None, None) => find_quote(&target.text, quote, new.occurrence).map_err(|e| match e {
            QuoteError::Empty | QuoteError::NotFound => Error::invalid("quote", format!("{e} {}", target.name())),
            QuoteError::Ambiguous { .. } => Error::conflict("quote", e.to_string()),
            QuoteError::NoSuchOccurrence { .. } => Error::invalid("occurrence", e.to_string()),
        }),
        (None, Some(start), Some(end)) => Ok(Span { start, end }),
        (None, None, _) => Err(Error::invalid("quote", "give the text to highlight as a quote, or start and end")),
        (None, Some(_), None) => Err(Error::invalid("end", "give end with start")),
    }
}

impl TextEpisode {
    /// How error messages name the episode.
    fn name(&self) -> String {
        format!("(episode {}, {})", self.record.summary.id, self.record.summary.source_path)
    }
}

/// Changes a live highlight's color, note or tags.
pub fn update(conn: &Connection, now: i64, patch: &HighlightPatch) -> Result<Highlight> {
    let (seq, episode_id) = live_row(conn, &patch.id)?;
    let before = get(conn, &patch.id)?;
    let tag_names = patch.tags.as_deref().map(|t| tags::parse_all(t, "tags")).transpose()?;
    conn.prepare_cached(
        "UPDATE highlights SET color = coalesce(?2, color), note = coalesce(?3, note), updated_at = ?4
         WHERE seq = ?1",
    )?
    .execute(params![seq, patch.color, patch.note, now])?;
    if let Some(names) = tag_names {
        tags::set(conn, Tagged::Highlight(seq), &names, now)?;
        index::refresh_highlight(conn, seq)?;
    }
    index::episode_changed(conn, episode_id)?;
    record(conn, now, before)
}

/// Puts a highlight in the trash (undo with [`restore`]; only emptying the
/// trash removes it). Trashing one already there changes nothing.
pub fn delete(conn: &Connection, id: &str, now: i64) -> Result<HighlightId> {
    let (seq, episode_id, _) = row(conn, id)?;
    let before = get(conn, id)?;
    conn.prepare_cached(
        "UPDATE highlights SET deleted_at = ?2, updated_at = ?2 WHERE seq = ?1 AND deleted_at IS NULL",
    )?
    .execute([seq, now])?;
    index::episode_changed(conn, episode_id)?;
    Ok(record(conn, now, before)?.id)
}

/// Takes a highlight back out of the trash, as it was.
pub fn restore(conn: &Connection, id: &str, now: i64) -> Result<Highlight> {
    let (seq, episode_id, _) = row(conn, id)?;
    let before = get(conn, id)?;
    conn.prepare_cached(
        "UPDATE highlights SET deleted_at = NULL, updated_at = ?2 WHERE seq = ?1 AND deleted_at IS NOT NULL",
    )?
    .execute([seq, now])?;
    index::episode_changed(conn, episode_id)?;
    record(conn, now, before)
}

/// The user places a highlight (typically an orphan) on `[start, end)` of
/// the episode's current text: it takes that text as its quote and is
/// anchored there.
pub fn reattach(conn: &Connection, id: &str, start: usize, end: usize, now: i64) -> Result<Highlight> {
    let (seq, episode_id) = live_row(conn, id)?;
    let before = get(conn, id)?;
    let target = episode::load_text(conn, episode_id, "id")?;
    let selector = target.describe(Span { start, end }, ("start", "end"))?;
    place(conn, seq, &selector, target.record.text_revision, Some(now))?;
    index::episode_changed(conn, episode_id)?;
    record(conn, now, before)
}

/// The user accepts a fuzzy anchor: the highlight takes the text it was
/// placed on as its quote and counts as anchored.
pub fn confirm(conn: &Connection, id: &str, now: i64) -> Result<Highlight> {
    let (seq, episode_id) = live_row(conn, id)?;
    let highlight = get(conn, id)?;
    let (AnchorStatus::Fuzzy, Some(start), Some(end)) =
        (highlight.anchor.status, highlight.anchor.start, highlight.anchor.end)
    else {
        return Err(Error::conflict(
            "id",
            format!(
                "highlight {id} is {}, not fuzzy: only a fuzzy place can be confirmed; place it with reattach",
                status_str(highlight.anchor.status)
            ),
        ));
    };
    let target = episode::load_text(conn, episode_id, "id")?;
    let selector = target.describe(Span { start, end }, ("id", "id")).map_err(|_| {
        Error::conflict("id", format!("the place of highlight {id} is out of date; place it with reattach"))
    })?;
    place(conn, seq, &selector, target.record.text_revision, Some(now))?;
    index::episode_changed(conn, episode_id)?;
    record(conn, now, highlight)
}

/// Queues for sync what the user's action changed on a highlight, by
/// comparing it as it was (`before`) with how it is now; returns it now.
/// One comparison serves every edit, so no action can forget a field.
fn record(conn: &Connection, now: i64, before: Highlight) -> Result<Highlight> {
    let after = get(conn, &before.id)?;
    let id = &after.id;
    let mut changes = Vec::new();
    if before.selector != after.selector {
        if let Some(episode) = outbox::fingerprint(conn, after.episode_id)? {
            let anchor = sync::Anchor { episode, selector: after.selector.clone() };
            changes.push(Change::Reattach { highlight: id.clone(), anchor });
        }
    }
    if before.color != after.color {
        changes.push(Change::SetColor { highlight: id.clone(), color: after.color.as_str().to_owned() });
    }
    if before.note != after.note {
        let on = sync::NoteOn::Highlight(id.clone());
        changes.push(Change::SetNote { on, text: after.note.clone(), replaces: Vec::new() });
    }
    changes.extend(outbox::tag_changes(&sync::Tagged::Highlight(id.clone()), &before.tags, &after.tags));
    match (before.deleted_at.is_some(), after.deleted_at.is_some()) {
        (false, true) => changes.push(Change::Delete { highlight: id.clone() }),
        (true, false) => changes.push(Change::Restore { highlight: id.clone() }),
        _ => {}
    }
    outbox::push(conn, now, changes)?;
    Ok(after)
}

/// Stores `selector` as the highlight's selector and anchors it there.
/// `edited` is the time of the user's edit, or `None` when Gloss itself
/// moved the highlight (re-anchoring), which is no edit of the user's.
pub(crate) fn place(
    conn: &Connection,
    seq: i64,
    selector: &Selector,
    revision: i64,
    edited: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE highlights SET exact = ?2, prefix = ?3, suffix = ?4, sel_start = ?5, sel_end = ?6,
                block_key = ?7, text_version = ?8, selector_revision = ?9,
                anchor_status = 'anchored', anchor_start = ?5, anchor_end = ?6, anchor_reason = NULL,
                anchor_score = NULL, anchor_revision = ?9, updated_at = coalesce(?10, updated_at)
         WHERE seq = ?1",
    )?
    .execute(params![
        seq,
        selector.exact,
        selector.prefix,
        selector.suffix,
        to_sql(selector.start),
        to_sql(selector.end),
        selector.block_key,
        selector.text_version,
        revision,
        edited
    ])?;
    Ok(())
}

/// `(seq, episode_id, deleted)` of highlight `id`.
fn row(conn: &Connection, id: &str) -> Result<(i64, EpisodeId, bool)> {
    let id = parse_id(id, "id")?;
    conn.prepare_cached("SELECT seq, episode_id, deleted_at IS NOT NULL FROM highlights WHERE id = ?1")?
        .query_row([&id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?
        .ok_or_else(|| Error::not_found("id", format!("no highlight with id {id}")))
}

/// Like [`row`], refusing a highlight in the trash.
fn live_row(conn: &Connection, id: &str) -> Result<(i64, EpisodeId)> {
    match row(conn, id)? {
        (_, _, true) => Err(Error::conflict("id", format!("highlight {id} is in the trash; restore it first"))),
        (seq, episode_id, false) => Ok((seq, episode_id)),
    }
}

/// Highlight `id`, live or in the trash.
pub fn get(conn: &Connection, id: &str) -> Result<Highlight> {
    let id = parse_id(id, "id")?;
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM highlights h WHERE h.id = ?1"))?
        .query_row([&id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("id", format!("no highlight with id {id}")))
}

/// The columns [`from_row`] reads, from `highlights h`.
pub(crate) const COLUMNS: &str = "h.id, h.episode_id, h.exact, h.prefix, h.suffix, h.sel_start, h.sel_end,
    h.block_key, h.text_version, h.color, h.note, h.tags_text, h.anchor_status, h.anchor_start,
    h.anchor_end, h.anchor_reason, h.anchor_score, h.created_at, h.updated_at, h.deleted_at";

/// How many columns [`COLUMNS`] has: the index of the first one after them.
pub(crate) const COLUMN_COUNT: usize = 20;

/// The selector stored in the seven columns from `at` (exact, prefix,
/// suffix, sel_start, sel_end, block_key, text_version); `offset` reads
/// the two offsets, strictly or forgivingly as the caller needs.
pub(crate) fn selector_at(
    row: &Row,
    at: usize,
    offset: impl Fn(usize) -> rusqlite::Result<usize>,
) -> rusqlite::Result<Selector> {
    Ok(Selector {
        exact: row.get(at)?,
        prefix: row.get(at + 1)?,
        suffix: row.get(at + 2)?,
        start: offset(at + 3)?,
        end: offset(at + 4)?,
        block_key: row.get(at + 5)?,
        text_version: row.get(at + 6)?,
    })
}

pub(crate) fn from_row(row: &Row) -> rusqlite::Result<Highlight> {
    let offset = |i: usize| -> rusqlite::Result<usize> {
        let value: i64 = row.get(i)?;
        usize::try_from(value).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, value))
    };
    let optional_offset =
        |i: usize| -> rusqlite::Result<Option<usize>> { row.get::<_, Option<i64>>(i)?.map(|_| offset(i)).transpose() };
    let status: String = row.get(12)?;
    let tags_text: String = row.get(11)?;
    Ok(Highlight {
        id: row.get(0)?,
        episode_id: row.get(1)?,
        selector: selector_at(row, 2, offset)?,
        color: row.get(9)?,
        note: row.get(10)?,
        tags: tags_text.split(index::TAG_SEPARATOR).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        anchor: Anchor {
            status: status_from_str(&status).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, status.into())
            })?,
            start: optional_offset(13)?,
            end: optional_offset(14)?,
            reason: row.get(15)?,
            score: row.get::<_, Option<f64>>(16)?.map(|s| s as f32),
        },
        created_at: row.get(17)?,
        updated_at: row.get(18)?,
        deleted_at: row.get(19)?,
    })
}

/// Offsets are `usize` in Rust and INTEGER in SQLite.
pub(crate) fn to_sql(offset: usize) -> i64 {
    i64::try_from(offset).unwrap_or(i64::MAX)
}
