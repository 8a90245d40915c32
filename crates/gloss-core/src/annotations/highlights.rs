//! Highlights: creating one from a quote or a range, editing, trashing and
//! restoring it, and placing it again by hand after re-anchoring gave up.
//!
//! Each public function is one user action over a [`Writer`]; every one of
//! them, and import, sync and re-anchoring, stores the row through [`put`].

use std::sync::LazyLock;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Deserialize;

use super::episode::{self, TextEpisode};
use super::error::{Error, Result};
use super::model::{status_from_str, status_str, Anchor, Color, Highlight, HighlightId};
use super::tags::{self, Tagged};
use super::versions::{self, NoteRef};
use super::write::{Kind, Writer};
use super::{derived, index, outbox};
use crate::store::episodes::EpisodeId;
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

/// A highlight row as [`put`] takes it: the highlight, and the text
/// revisions its selector and its anchor were taken on.
#[derive(Debug, Clone)]
pub(crate) struct HighlightRow {
    pub highlight: Highlight,
    pub selector_revision: i64,
    pub anchor_revision: i64,
}

/// Stores a new highlight with id `id` (see [`new_id`]), made at `at`.
pub fn create(w: &mut Writer, id: &str, at: i64, new: &NewHighlight) -> Result<Highlight> {
    let id = parse_id(id, "id")?;
    let target = episode::load_text(w.conn(), new.episode_id, "episode_id")?;
    let span = locate(&target, new)?;
    let selector = target.describe(span, ("start", "end"))?;
    let tags = tags::parse_all(&new.tags, "tags")?.into_iter().map(|t| t.name).collect();
    let revision = target.record.text_revision;
    let highlight = Highlight {
        id: id.clone(),
        episode_id: new.episode_id,
        anchor: Anchor::exact(&selector),
        selector,
        color: new.color.unwrap_or_default(),
        note: new.note.clone().unwrap_or_default(),
        tags,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    put(w, &HighlightRow { highlight, selector_revision: revision, anchor_revision: revision })?;
    get(w.conn(), &id)
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
pub fn update(w: &mut Writer, patch: &HighlightPatch) -> Result<Highlight> {
    let mut row = live(w.conn(), &patch.id)?;
    if let Some(tags) = &patch.tags {
        row.highlight.tags = tags::parse_all(tags, "tags")?.into_iter().map(|t| t.name).collect();
    }
    if let Some(color) = patch.color {
        row.highlight.color = color;
    }
    if let Some(note) = &patch.note {
        row.highlight.note = note.clone();
    }
    edit(w, row)
}

/// Puts a highlight in the trash (undo with [`restore`]; only emptying the
/// trash removes it). Trashing one already there changes nothing.
pub fn delete(w: &mut Writer, id: &str) -> Result<HighlightId> {
    let mut row = stored(w.conn(), id)?;
    if row.highlight.deleted_at.is_some() {
        return Ok(row.highlight.id);
    }
    row.highlight.deleted_at = Some(w.now());
    Ok(edit(w, row)?.id)
}

/// Takes a highlight back out of the trash, as it was.
pub fn restore(w: &mut Writer, id: &str) -> Result<Highlight> {
    let mut row = stored(w.conn(), id)?;
    if row.highlight.deleted_at.is_none() {
        return Ok(row.highlight);
    }
    row.highlight.deleted_at = None;
    edit(w, row)
}

/// The user places a highlight (typically an orphan) on `[start, end)` of
/// the episode's current text: it takes that text as its quote and is
/// anchored there.
pub fn reattach(w: &mut Writer, id: &str, start: usize, end: usize) -> Result<Highlight> {
    let row = live(w.conn(), id)?;
    let target = episode::load_text(w.conn(), row.highlight.episode_id, "id")?;
    let selector = target.describe(Span { start, end }, ("start", "end"))?;
    edit(w, placed(row, selector, target.record.text_revision))
}

/// The user accepts a fuzzy anchor: the highlight takes the text it was
/// placed on as its quote and counts as anchored.
pub fn confirm(w: &mut Writer, id: &str) -> Result<Highlight> {
    let row = live(w.conn(), id)?;
    let highlight = &row.highlight;
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
    let target = episode::load_text(w.conn(), highlight.episode_id, "id")?;
    let selector = target.describe(Span { start, end }, ("id", "id")).map_err(|_| {
        Error::conflict("id", format!("the place of highlight {id} is out of date; place it with reattach"))
    })?;
    edit(w, placed(row, selector, target.record.text_revision))
}

/// `row` placed exactly on `selector`, taken on text revision `revision`.
pub(crate) fn placed(mut row: HighlightRow, selector: Selector, revision: i64) -> HighlightRow {
    row.highlight.anchor = Anchor::exact(&selector);
    row.highlight.selector = selector;
    row.selector_revision = revision;
    row.anchor_revision = revision;
    row
}

/// Stores a user's edit of a highlight, stamped now; returns it as stored.
fn edit(w: &mut Writer, mut row: HighlightRow) -> Result<Highlight> {
    row.highlight.updated_at = w.now();
    put(w, &row)?;
    get(w.conn(), &row.highlight.id)
}

/// A highlight row's columns after `id` and `episode_id`, bound as ?3 to
/// ?22 in [`put`]'s statements (`id` ?1, `episode_id` ?2).
const ROW_COLUMNS: [&str; 20] = [
    "exact",
    "prefix",
    "suffix",
    "sel_start",
    "sel_end",
    "block_key",
    "text_version",
    "selector_revision",
    "color",
    "note",
    "anchor_status",
    "anchor_start",
    "anchor_end",
    "anchor_reason",
    "anchor_score",
    "anchor_revision",
    "created_at",
    "updated_at",
    "deleted_at",
    "tags_text",
];

/// `put`'s three statements, one chosen per row rather than one upsert:
/// a statement that may set `episode_id`, a foreign key, runs in a
/// statement savepoint, and at each savepoint FTS5 writes its pending terms
/// out as a segment. Writing many highlights in one transaction (an import,
/// a sync, a restore) wrote a segment per highlight and merged them again
/// and again. Only moving a highlight to another episode sets it now.
static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let placeholders: Vec<String> = (3..=22).map(|n| format!("?{n}")).collect();
    format!(
        "INSERT INTO highlights (id, episode_id, {}) VALUES (?1, ?2, {})",
        ROW_COLUMNS.join(", "),
        placeholders.join(", ")
    )
});
static UPDATE_SQL: LazyLock<String> =
    LazyLock::new(|| format!("UPDATE highlights SET {} WHERE id = ?1 AND episode_id = ?2", row_assignments()));
static MOVE_SQL: LazyLock<String> =
    LazyLock::new(|| format!("UPDATE highlights SET episode_id = ?2, {} WHERE id = ?1", row_assignments()));

fn row_assignments() -> String {
    let assignments: Vec<String> = ROW_COLUMNS.iter().zip(3..).map(|(column, n)| format!("{column} = ?{n}")).collect();
    assignments.join(", ")
}

/// The one writer of highlight rows: stores `row` whole (inserting it, or
/// replacing the row with its id), its live tags and their search text,
/// queues for sync what changed when the change is local, and notes the
/// change for the announcement. Returns the row's `seq`.
///
/// What goes to other devices is found by comparing the highlight before
/// and after, so no caller can forget a field.
pub(crate) fn put(w: &mut Writer, row: &HighlightRow) -> Result<i64> {
    let conn = w.conn();
    let h = &row.highlight;
    let before = find(conn, &h.id)?;
    let derived_before = derived::of_id(conn, &h.id)?;
    let tags = tags::resolve(w, &tags::parse_valid(&h.tags))?;
    let tags_text: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    let (start, end) = match h.anchor.status {
        AnchorStatus::Orphaned | AnchorStatus::Ambiguous => (None, None),
        _ => (h.anchor.start.map(to_sql), h.anchor.end.map(to_sql)),
    };
    let (start, end) = if start.is_some() && end.is_some() { (start, end) } else { (None, None) };
    let stored: Option<(i64, EpisodeId)> = conn
        .prepare_cached("SELECT seq, episode_id FROM highlights WHERE id = ?1")?
        .query_row([&h.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let sql = match stored {
        None => &*INSERT_SQL,
        Some((_, episode_id)) if episode_id == h.episode_id => &*UPDATE_SQL,
        Some(_) => &*MOVE_SQL,
    };
    conn.prepare_cached(sql)?.execute(params![
        h.id,
        h.episode_id,
        h.selector.exact,
        h.selector.prefix,
        h.selector.suffix,
        to_sql(h.selector.start),
        to_sql(h.selector.end),
        h.selector.block_key,
        h.selector.text_version,
        row.selector_revision,
        h.color,
        h.note,
        status_str(h.anchor.status),
        start,
        end,
        h.anchor.reason,
        h.anchor.score.map(f64::from),
        row.anchor_revision,
        h.created_at,
        h.updated_at,
        h.deleted_at,
        tags_text.join(&index::TAG_SEPARATOR.to_string()),
    ])?;
    let seq = stored.map_or_else(|| conn.last_insert_rowid(), |(seq, _)| seq);
    tags::set_resolved(conn, Tagged::Highlight(seq), &tags)?;
    derived::follow(conn, derived_before.as_ref(), derived::of_seq(conn, seq)?.as_ref())?;
    let after = get(conn, &h.id)?;
    if before.as_ref() == Some(&after) {
        return Ok(seq);
    }
    let changes = changes(conn, before.as_ref(), Some(&after))?;
    w.queue(changes);
    if let Some(moved_from) = before.map(|b| b.episode_id).filter(|&e| e != after.episode_id) {
        w.touch(Kind::Highlight, moved_from)?;
    }
    w.touch_highlight(&after.id, after.episode_id)?;
    Ok(seq)
}

/// Removes highlight `id` for good (emptying the trash, or a purge from
/// another device), with its tag links and earlier note versions.
pub(crate) fn purge(w: &mut Writer, id: &str) -> Result<()> {
    let conn = w.conn();
    let Some(before) = find(conn, id)? else { return Ok(()) };
    let seq: i64 = conn.prepare_cached("SELECT seq FROM highlights WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
    tags::unlink_all(conn, Tagged::Highlight(seq))?;
    versions::replace(conn, &NoteRef::Highlight { id: id.to_owned() }, &[])?;
    let derived_before = derived::of_seq(conn, seq)?;
    conn.prepare_cached("DELETE FROM highlights WHERE seq = ?1")?.execute([seq])?;
    derived::follow(conn, derived_before.as_ref(), None)?;
    let changes = changes(conn, Some(&before), None)?;
    w.queue(changes);
    w.touch_purged(id, before.episode_id)
}

/// The sync changes that turn a highlight as it was (`None`: new) into how
/// it is (`None`: purged). A highlight of an episode that never parsed
/// (no fingerprint) has no name on other devices, and sends nothing.
fn changes(conn: &Connection, before: Option<&Highlight>, after: Option<&Highlight>) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    let (before, after) = match (before, after) {
        (Some(before), None) => return Ok(vec![Change::Purge { highlight: before.id.clone() }]),
        (_, None) => return Ok(changes),
        (before, Some(after)) => (before, after),
    };
    let id = &after.id;
    let Some(episode) = outbox::fingerprint(conn, after.episode_id)? else { return Ok(changes) };
    let Some(before) = before else {
        changes.push(Change::CreateHighlight {
            highlight: id.clone(),
            anchor: sync::Anchor { episode, selector: after.selector.clone() },
            color: after.color.as_str().to_owned(),
            note: after.note.clone(),
            tags: after.tags.clone(),
        });
        if after.deleted_at.is_some() {
            changes.push(Change::Delete { highlight: id.clone() });
        }
        return Ok(changes);
    };
    if before.selector != after.selector || before.episode_id != after.episode_id {
        let anchor = sync::Anchor { episode, selector: after.selector.clone() };
        changes.push(Change::Reattach { highlight: id.clone(), anchor });
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
    Ok(changes)
}

/// Highlight `id` with its revisions, live or in the trash.
pub(crate) fn stored(conn: &Connection, id: &str) -> Result<HighlightRow> {
    let id = parse_id(id, "id")?;
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, h.selector_revision, h.anchor_revision FROM highlights h WHERE h.id = ?1"
    ))?
    .query_row([&id], |row| {
        // A corrupt offset is no reason to lose the highlight: its quote
        // still finds it, and anchoring distrusts the position.
        let forgiving = |i| row.get::<_, i64>(i).map(|v| usize::try_from(v).unwrap_or(usize::MAX));
        Ok(HighlightRow {
            highlight: read_row(row, forgiving)?,
            selector_revision: row.get(COLUMN_COUNT)?,
            anchor_revision: row.get(COLUMN_COUNT + 1)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::not_found("id", format!("no highlight with id {id}")))
}

/// Like [`stored`], refusing a highlight in the trash.
fn live(conn: &Connection, id: &str) -> Result<HighlightRow> {
    let row = stored(conn, id)?;
    if row.highlight.deleted_at.is_some() {
        return Err(Error::conflict("id", format!("highlight {id} is in the trash; restore it first")));
    }
    Ok(row)
}

/// Highlight `id` if there is one.
fn find(conn: &Connection, id: &str) -> Result<Option<Highlight>> {
    match get(conn, id) {
        Ok(highlight) => Ok(Some(highlight)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
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
    read_row(row, |i| {
        let value: i64 = row.get(i)?;
        usize::try_from(value).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, value))
    })
}

/// A highlight from the [`COLUMNS`] of `row`, its selector's offsets read by `offset`.
fn read_row(row: &Row, offset: impl Fn(usize) -> rusqlite::Result<usize>) -> rusqlite::Result<Highlight> {
    let optional_offset = |i: usize| -> rusqlite::Result<Option<usize>> {
        row.get::<_, Option<i64>>(i)?.map(|v| usize::try_from(v).unwrap_or(usize::MAX)).map(Ok).transpose()
    };
    let status: String = row.get(12)?;
    let tags_text: String = row.get(11)?;
    Ok(Highlight {
        id: row.get(0)?,
        episode_id: row.get(1)?,
        selector: selector_at(row, 2, &offset)?,
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
