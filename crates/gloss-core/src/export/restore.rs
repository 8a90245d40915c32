//! Writes a [`Backup`] into the library as it is: highlights keep their
//! ids, times, colors, tags and places; notes, stars and reading state
//! keep their times. Importing the same backup twice changes nothing the
//! second time, and an item already in the library in a newer version
//! (a later `updated_at`) is left as it is.
//!
//! Episodes are found by fingerprint, then by id (see [`Episodes`]). An
//! item whose episode the library does not have is reported, not dropped
//! silently. Anchors are kept when the library has the very text they were
//! computed on, and re-computed from the selector otherwise.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};

use super::backup::{Backup, EpisodeEntry, EpisodeRef, HighlightEntry, ReviewEventEntry, TagEntry};
use super::{ImportReport, Problem};
use crate::annotations::highlights::{self, parse_id, to_sql, HighlightRow};
use crate::annotations::reading::{self, ReadingRow};
use crate::annotations::tags::{self, TagName, Tagged};
use crate::annotations::{deck, notes, preferences, reanchor, review, stars, Error, Highlight, Result, Writer};
use crate::store::episodes::EpisodeId;
use crate::store::settings;
use gloss_anchor::AnchorStatus;
use gloss_parse::model::{short_hash, CANONICAL_TEXT_VERSION};
use gloss_review::{CardId, Rating, ReviewEvent};
use gloss_sync::CardChoice;

/// Settings a backup may set: the user's preferences only.
const PREFERENCE_PREFIX: &str = "ui_";

/// A local episode, as import needs it.
struct Local {
    id: EpisodeId,
    path: String,
    fingerprint: Option<String>,
    revision: i64,
    text_hash: Option<String>,
}

/// The library's episodes, to find the one an entry names.
struct Episodes {
    all: Vec<Local>,
    by_fingerprint: HashMap<String, Vec<usize>>,
    by_id: HashMap<EpisodeId, usize>,
}

impl Episodes {
    fn load(conn: &Connection) -> Result<Episodes> {
        let mut stmt = conn.prepare("SELECT id, path, fingerprint, text_revision, canonical_text FROM episodes")?;
        let rows = stmt.query_map([], |row| {
            let text: Option<String> = row.get(4)?;
            Ok(Local {
                id: row.get(0)?,
                path: row.get(1)?,
                fingerprint: row.get(2)?,
                revision: row.get(3)?,
                text_hash: text.as_deref().map(short_hash),
            })
        })?;
        let all: Vec<Local> = rows.collect::<rusqlite::Result<_>>()?;
        let mut by_fingerprint: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, local) in all.iter().enumerate() {
            if let Some(fingerprint) = &local.fingerprint {
                by_fingerprint.entry(fingerprint.clone()).or_default().push(i);
            }
            by_id.insert(local.id, i);
        }
        Ok(Episodes { all, by_fingerprint, by_id })
    }

    /// The local episode `reference` names: the one with its fingerprint;
    /// among several (untitled documents share one), the one with its id
    /// or source path. Without a fingerprint match, the one with its id,
    /// but only if that one has no fingerprint to contradict it.
    fn find(&self, reference: &EpisodeRef, path: Option<&str>) -> std::result::Result<&Local, String> {
        let same_id = self.by_id.get(&reference.id).map(|&i| &self.all[i]);
        let candidates = reference.fingerprint.as_ref().and_then(|f| self.by_fingerprint.get(f));
        let found = match candidates.map(Vec::as_slice) {
            Some([only]) => Some(&self.all[*only]),
            Some(several) => several
                .iter()
                .map(|&i| &self.all[i])
                .find(|l| l.id == reference.id)
                .or_else(|| several.iter().map(|&i| &self.all[i]).find(|l| Some(l.path.as_str()) == path)),
            None => same_id.filter(|l| l.fingerprint.is_none() || reference.fingerprint.is_none()),
        };
        found.ok_or_else(|| {
            format!(
                "episode {} is not in this library; add its summary to the library folder and import again",
                reference.describe()
            )
        })
    }
}

/// Applies `backup` inside the caller's transaction, counting into `report`.
pub fn apply(w: &mut Writer, backup: &Backup, report: &mut ImportReport) -> Result<()> {
    let episodes = Episodes::load(w.conn())?;
    let paths: HashMap<(Option<&str>, EpisodeId), &str> = backup
        .episodes
        .iter()
        .filter_map(|e| Some(((e.episode.fingerprint.as_deref(), e.episode.id), e.source_path.as_deref()?)))
        .collect();
    let path_of = |r: &EpisodeRef| paths.get(&(r.fingerprint.as_deref(), r.id)).copied();
    let mut trashed_tags = Vec::new();
    for tag in &backup.tags {
        if let Some(row) = item(w, report, None, None, |w, report| restore_tag(w, tag, report))? {
            trashed_tags.extend(row.map(|id| (id, tag)));
        }
    }
    for entry in &backup.episodes {
        let local = match episodes.find(&entry.episode, entry.source_path.as_deref()) {
            Ok(local) => local,
            Err(reason) => {
                if has_episode_data(entry) {
                    report.problems.push(Problem { row: None, id: None, reason });
                }
                continue;
            }
        };
        item(w, report, None, None, |w, report| restore_episode(w, local.id, entry, report))?;
    }
    // Only anchors computed on the text the library has are kept.
    let same_text: HashMap<(Option<&str>, EpisodeId), bool> = backup
        .episodes
        .iter()
        .map(|e| {
            let local = episodes.find(&e.episode, e.source_path.as_deref()).ok();
            let same = backup.canonical_text_version == CANONICAL_TEXT_VERSION
                && e.text_hash.is_some()
                && local.is_some_and(|l| l.text_hash == e.text_hash);
            ((e.episode.fingerprint.as_deref(), e.episode.id), same)
        })
        .collect();
    let mut reanchor = BTreeSet::new();
    for (n, highlight) in backup.highlights.iter().enumerate() {
        let local = match episodes.find(&highlight.episode, path_of(&highlight.episode)) {
            Ok(local) => local,
            Err(reason) => {
                let reason = format!("highlight {:?}: {reason}", shorten(&highlight.selector.exact));
                report.problems.push(Problem { row: Some(n + 1), id: Some(highlight.id.clone()), reason });
                continue;
            }
        };
        let keep_anchor =
            same_text.get(&(highlight.episode.fingerprint.as_deref(), highlight.episode.id)).copied().unwrap_or(false);
        let written = item(w, report, Some(n + 1), Some(&highlight.id), |w, report| {
            restore_highlight(w, local, highlight, keep_anchor, report)
        })?;
        if written == Some(true) && !keep_anchor {
            reanchor.insert(local.id);
        }
    }
    for (tag_id, tag) in trashed_tags {
        link_trashed(w.conn(), &episodes, tag_id, tag)?;
    }
    for episode_id in reanchor {
        reanchor::reanchor_in(w, episode_id)?;
    }
    for (key, value) in backup.settings.iter().filter(|(k, _)| k.starts_with(PREFERENCE_PREFIX)) {
        if settings::get(w.conn(), key)?.as_deref() != Some(value.as_str()) {
            preferences::put(w, key, Some(value))?;
            report.settings += 1;
            match key.as_str() {
                settings::REVIEW => review::replay_all(w.conn())?,
                settings::REVIEW_SOURCES => deck::refresh_all(w.conn())?,
                _ => {}
            }
        }
    }
    for entry in &backup.review.events {
        item(w, report, None, Some(&entry.id), |w, report| restore_rating(w, entry, report))?;
    }
    for entry in &backup.review.cards {
        item(w, report, None, Some(&entry.card), |w, _| {
            let choice =
                CardChoice { included: entry.included, suspended: entry.suspended, buried_until: entry.buried_until };
            review::put_card(w, &card_id(&entry.card)?, choice)
        })?;
    }
    Ok(())
}

fn card_id(text: &str) -> Result<CardId> {
    text.parse().map_err(|error: gloss_review::card::InvalidCardId| Error::invalid("card", error.to_string()))
}

/// A rating of the backup's log, added to this one (a rating already here,
/// by id, changes nothing).
fn restore_rating(w: &mut Writer, entry: &ReviewEventEntry, report: &mut ImportReport) -> Result<()> {
    let rating = Rating::from_number(entry.rating)
        .ok_or_else(|| Error::invalid("rating", format!("rating {} (ratings are 1 to 4)", entry.rating)))?;
    let event =
        ReviewEvent { id: entry.id.clone(), card: card_id(&entry.card)?, rating, at_ms: entry.at, undone: false };
    review::put_event(w, &event, entry.device.as_deref())?;
    if entry.undone {
        review::put_undone(w, &entry.id)?;
    }
    report.reviews += 1;
    Ok(())
}

fn has_episode_data(entry: &EpisodeEntry) -> bool {
    !entry.notes.is_empty() || !entry.stars.is_empty() || !entry.tags.is_empty() || entry.reading.is_some()
}

/// The first words of a quote, to name a highlight in a message.
pub fn shorten(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Runs one item's writes under a savepoint: a refusal undoes them and is
/// reported against the item; a database failure ends the whole import.
pub fn item<T>(
    w: &mut Writer,
    report: &mut ImportReport,
    row: Option<usize>,
    id: Option<&str>,
    work: impl FnOnce(&mut Writer, &mut ImportReport) -> Result<T>,
) -> Result<Option<T>> {
    match w.savepoint(|w| work(w, report))? {
        Ok(value) => Ok(Some(value)),
        Err(refusal) => {
            report.problems.push(Problem { row, id: id.map(str::to_owned), reason: refusal.to_string() });
            Ok(None)
        }
    }
}

/// Makes sure the tag exists as in the backup; returns the row of a trashed
/// tag, whose memberships are restored once the highlights are in. A
/// trashed tag the library has (trashed, or restored since: same name and
/// creation time) is the same tag and is left as it is.
fn restore_tag(w: &mut Writer, tag: &TagEntry, report: &mut ImportReport) -> Result<Option<i64>> {
    let conn = w.conn();
    let name = TagName::parse(&tag.name, "tags")?;
    let existing: Option<i64> = match tag.deleted_at {
        None => conn
            .prepare_cached("SELECT id FROM tags WHERE key = ?1 AND deleted_at IS NULL")?
            .query_row([&name.key], |row| row.get(0))
            .optional()?,
        Some(deleted_at) => conn
            .prepare_cached(
                "SELECT id FROM tags WHERE key = ?1 AND (deleted_at = ?2 OR created_at = ?3) ORDER BY deleted_at IS NULL",
            )?
            .query_row(params![name.key, deleted_at, tag.created_at], |row| row.get(0))
            .optional()?,
    };
    if let Some(id) = existing {
        return Ok(tag.deleted_at.map(|_| id));
    }
    let id = tags::insert_restored(w, &name, tag.created_at, tag.deleted_at)?;
    report.tags += 1;
    Ok(tag.deleted_at.map(|_| id))
}

fn link_trashed(conn: &Connection, episodes: &Episodes, tag_id: i64, tag: &TagEntry) -> Result<()> {
    for id in &tag.trashed_on_highlights {
        let seq: Option<i64> = conn
            .prepare_cached("SELECT seq FROM highlights WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if let Some(seq) = seq {
            tags::link(conn, Tagged::Highlight(seq), &[tags::Resolved { id: tag_id, name: tag.name.clone() }])?;
        }
    }
    for reference in &tag.trashed_on_episodes {
        if let Ok(local) = episodes.find(reference, None) {
            tags::link(conn, Tagged::Episode(local.id), &[tags::Resolved { id: tag_id, name: tag.name.clone() }])?;
        }
    }
    Ok(())
}

/// The episode's notes, stars and reading state, each kept if the library's
/// is as new; its tags added to the ones it has.
fn restore_episode(w: &mut Writer, id: EpisodeId, entry: &EpisodeEntry, report: &mut ImportReport) -> Result<()> {
    let newer = |kept: Option<i64>, at: i64| kept.is_none_or(|kept| at > kept);
    for note in &entry.notes {
        if newer(notes::updated_at(w.conn(), id, &note.block_key)?, note.updated_at) {
            notes::put(w, id, &note.block_key, &note.text, note.updated_at)?;
            report.notes += 1;
        }
    }
    for star in &entry.stars {
        if newer(stars::updated_at(w.conn(), id, &star.block_key)?, star.updated_at) {
            stars::put(w, id, &star.block_key, star.starred, star.updated_at)?;
            report.stars += 1;
        }
    }
    if let Some(reading) = &entry.reading {
        let kept = reading::row(w.conn(), id)?;
        let visited_at = kept.as_ref().map_or(reading.visited_at, |k| k.visited_at.max(reading.visited_at));
        let merged = match kept {
            Some(kept) if reading.updated_at <= kept.updated_at => ReadingRow { visited_at, ..kept },
            _ => ReadingRow {
                read: reading.read,
                position: reading.position.map(to_sql),
                visited_at,
                updated_at: reading.updated_at,
            },
        };
        if reading::row(w.conn(), id)?.as_ref() != Some(&merged) {
            reading::put(w, id, &merged)?;
            report.reading += 1;
        }
    }
    if !entry.tags.is_empty() {
        let before = tags::of_episode(w.conn(), id)?;
        let mut names = tags::parse_all(&before, "tags")?;
        names.extend(tags::parse_all(&entry.tags, "tags")?);
        tags::put_episode_tags(w, id, &names)?;
        report.tags += tags::of_episode(w.conn(), id)?.len() - before.len();
    }
    Ok(())
}

/// Writes one highlight unless the library has it as new; returns whether
/// it was written.
fn restore_highlight(
    w: &mut Writer,
    local: &Local,
    h: &HighlightEntry,
    keep_anchor: bool,
    report: &mut ImportReport,
) -> Result<bool> {
    let conn = w.conn();
    let id = parse_id(&h.id, "id")?;
    let s = &h.selector;
    if s.start > s.end || s.exact.is_empty() {
        return Err(Error::invalid("selector", format!("highlight {id} has an empty quote or a reversed range")));
    }
    if keep_anchor && matches!((h.anchor.start, h.anchor.end), (Some(a), Some(b)) if a > b) {
        return Err(Error::invalid("anchor", format!("highlight {id} has a reversed anchor")));
    }
    let existing: Option<(i64, i64)> = conn
        .prepare_cached("SELECT seq, updated_at FROM highlights WHERE id = ?1")?
        .query_row([&id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if existing.is_some_and(|(_, updated_at)| updated_at >= h.updated_at) {
        report.highlights_unchanged += 1;
        return Ok(false);
    }
    let names = tags::parse_all(&h.tags, "tags")?;
    // An anchor on the same text is kept as it was; otherwise it is stale
    // (revision -1) and re-anchoring places the highlight from its selector.
    // A selector that is not on the current text (fuzzy, orphaned,
    // ambiguous keep theirs) is from no revision the library has (0).
    let (mut anchor, anchor_revision, selector_revision) = if keep_anchor {
        let exact = matches!(h.anchor.status, AnchorStatus::Anchored | AnchorStatus::Moved);
        (h.anchor.clone(), local.revision, if exact { local.revision } else { 0 })
    } else {
        let mut anchor = h.anchor.clone();
        anchor.status = AnchorStatus::Orphaned;
        (anchor, -1, 0)
    };
    if matches!(anchor.status, AnchorStatus::Orphaned | AnchorStatus::Ambiguous) {
        (anchor.start, anchor.end) = (None, None);
    }
    let row = HighlightRow {
        highlight: Highlight {
            id,
            episode_id: local.id,
            selector: s.clone(),
            color: h.color,
            note: h.note.clone(),
            tags: names.into_iter().map(|name| name.name).collect(),
            anchor,
            created_at: h.created_at,
            updated_at: h.updated_at,
            deleted_at: h.deleted_at,
        },
        selector_revision,
        anchor_revision,
    };
    highlights::put(w, &row)?;
    if existing.is_some() {
        report.highlights_updated += 1;
    } else {
        report.highlights_added += 1;
    }
    Ok(true)
}
