//! The store as a [`SyncTarget`]: copies what the merged [`State`] says
//! into the annotation tables.
//!
//! Highlights are matched by id and episodes by fingerprint (the local
//! episode with that fingerprint that has text, an active one first). A
//! highlight that is new here, or was placed anew elsewhere, takes the
//! other device's selector and is placed on this device's text by the
//! anchoring pipeline ([`reanchor_episode`]), since the local file may
//! differ from the one it was made on; exactly placed ones then take the
//! local text's selector, as after any re-anchoring.
//!
//! Everything is written through the plain writers, never the user
//! actions, so nothing is queued in the outbox: what arrives does not echo
//! back. Values from another device are taken as data, never trusted: an
//! unknown color reads as the default, an unusable tag name is left out,
//! a highlight id that is not a UUID is ignored.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

use crate::annotations::highlights::to_sql;
use crate::annotations::preferences::FOLLOWING;
use crate::annotations::tags::{self, parse_valid, Resolved};
use crate::annotations::versions::{self, NoteRef};
use crate::annotations::{index, notes, reading, reanchor_episode, stars, Color, Result};
use crate::store::episodes::EpisodeId;
use crate::store::settings;
use gloss_anchor::Selector;
use gloss_sync::op::{HighlightId, NoteOn, Tagged};
use gloss_sync::state::{Key, NoteVersion};
use gloss_sync::{Hlc, State, SyncTarget};

/// Applies merged registers to the database in one transaction (the
/// caller's). Call [`finish`](StoreTarget::finish) once everything is applied.
pub(crate) struct StoreTarget<'c> {
    conn: &'c Connection,
    /// Unix milliseconds: when tags first seen here are created.
    now: i64,
    /// The local episode of each fingerprint looked up (this round).
    episodes: RefCell<HashMap<String, Option<EpisodeId>>>,
    /// Episodes whose annotations changed.
    pub changed: BTreeSet<EpisodeId>,
    /// Whether a setting that follows the user changed.
    pub settings_changed: bool,
    /// Registers applied.
    pub applied: usize,
    /// Episodes with highlights to place on their text.
    to_place: BTreeSet<EpisodeId>,
    /// Whether tags were written.
    retagged: bool,
    /// Tags looked up or created this round, by key.
    tags: HashMap<String, Resolved>,
    new_rows: Vec<NewRow>,
}

/// Highlights inserted per statement: large batches for the search index,
/// well under SQLite's limit of 32,766 parameters (15 per row).
const ROWS_PER_INSERT: usize = 500;

/// A highlight new to this database, waiting to be inserted with others.
struct NewRow {
    id: HighlightId,
    /// The insert's parameters, in order.
    values: Vec<Value>,
    tags: Vec<Resolved>,
    earlier: Vec<NoteVersion>,
}

/// A highlight row as apply compares it.
struct Row {
    seq: i64,
    episode_id: EpisodeId,
    place: (String, String, String, i64, i64),
    deleted_at: Option<i64>,
}

impl<'c> StoreTarget<'c> {
    pub fn new(conn: &'c Connection, now: i64) -> StoreTarget<'c> {
        StoreTarget {
            conn,
            now,
            episodes: RefCell::default(),
            changed: BTreeSet::new(),
            settings_changed: false,
            applied: 0,
            to_place: BTreeSet::new(),
            retagged: false,
            tags: HashMap::new(),
            new_rows: Vec::new(),
        }
    }

    /// Places the highlights that arrived on their episodes' text, and
    /// drops tags that nothing carries any more (renamed, merged or deleted
    /// on the device the change came from; tags exist only through use).
    pub fn finish(&mut self) -> Result<()> {
        for episode_id in std::mem::take(&mut self.to_place) {
            reanchor_episode(self.conn, episode_id)?;
        }
        if std::mem::take(&mut self.retagged) {
            self.conn.execute(
                "DELETE FROM tags WHERE deleted_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM highlight_tags WHERE tag_id = tags.id)
                    AND NOT EXISTS (SELECT 1 FROM episode_tags WHERE tag_id = tags.id)",
                [],
            )?;
        }
        Ok(())
    }

    fn episode(&self, fingerprint: &str) -> Result<Option<EpisodeId>> {
        if let Some(found) = self.episodes.borrow().get(fingerprint) {
            return Ok(*found);
        }
        let found = self
            .conn
            .prepare_cached(
                "SELECT id FROM episodes WHERE fingerprint = ?1 AND canonical_text IS NOT NULL
                 ORDER BY status <> 'active', id LIMIT 1",
            )?
            .query_row([fingerprint], |row| row.get(0))
            .optional()?;
        self.episodes.borrow_mut().insert(fingerprint.to_owned(), found);
        Ok(found)
    }

    fn touch(&mut self, episode_id: EpisodeId) -> Result<()> {
        if self.changed.insert(episode_id) {
            index::episode_changed(self.conn, episode_id)?;
        }
        Ok(())
    }

    fn highlight(&mut self, state: &State, id: &HighlightId, placed_anew: bool) -> Result<()> {
        if uuid::Uuid::parse_str(id).map(|uuid| uuid.to_string()).ok().as_deref() != Some(id.as_str()) {
            return Ok(());
        }
        let existing = self.row(id)?;
        let Some(view) = state.highlight(id) else {
            // Purged (emptied from the trash) on some device.
            return match existing {
                Some(row) => self.purge(id, &row),
                None => Ok(()),
            };
        };
        let Some(episode_id) = self.episode(&view.anchor.episode)? else { return Ok(()) };
        let color = Color::parse(&view.color).unwrap_or_default();
        let note = view.note.as_ref().map_or("", |note| note.text.as_str());
        let deleted_since = state.version(&Key::Deleted(id.clone())).map_or(view.updated, |v| v.stamp);
        let deleted_at = view.deleted.then(|| existing.as_ref().and_then(|row| row.deleted_at)).map(|kept| {
            // A highlight already in the trash keeps the time it went there.
            kept.unwrap_or(ms(deleted_since))
        });
        let selector = &view.anchor.selector;
        let tags = self.resolve_tags(&view.tags)?;
        let earlier = view.note.as_ref().map(|note| note.earlier.clone()).unwrap_or_default();
        match existing {
            None => {
                // With its tags, so the search index takes the row in once.
                let tags_text: Vec<&str> = tags.iter().map(|tag| tag.name.as_str()).collect();
                let values = vec![
                    Value::from(id.clone()),
                    Value::from(episode_id),
                    Value::from(selector.exact.clone()),
                    Value::from(selector.prefix.clone()),
                    Value::from(selector.suffix.clone()),
                    Value::from(to_sql(selector.start)),
                    Value::from(to_sql(selector.end)),
                    Value::from(selector.block_key.clone()),
                    Value::from(selector.text_version),
                    Value::from(color.as_str().to_owned()),
                    Value::from(note.to_owned()),
                    Value::from(ms(view.created)),
                    Value::from(ms(view.updated)),
                    Value::from(deleted_at),
                    Value::from(tags_text.join(&index::TAG_SEPARATOR.to_string())),
                ];
                self.to_place.insert(episode_id);
                self.new_rows.push(NewRow { id: id.clone(), values, tags, earlier });
            }
            Some(row) => {
                if placed_anew && (row.episode_id != episode_id || row.place != place_of(selector)) {
                    self.replace_selector(row.seq, episode_id, selector)?;
                    self.to_place.insert(episode_id);
                    if row.episode_id != episode_id {
                        self.touch(row.episode_id)?;
                    }
                }
                self.conn
                    .prepare_cached(
                        "UPDATE highlights SET color = ?2, note = ?3, deleted_at = ?4, updated_at = ?5 WHERE seq = ?1",
                    )?
                    .execute(params![row.seq, color, note, deleted_at, ms(view.updated)])?;
                tags::set_resolved(self.conn, tags::Tagged::Highlight(row.seq), &tags)?;
                self.retagged = true;
                index::refresh_highlight(self.conn, row.seq)?;
                versions::replace(self.conn, &NoteRef::Highlight { id: id.clone() }, &earlier)?;
            }
        }
        self.touch(episode_id)
    }

    /// Inserts the highlights new to this database, many per statement:
    /// the search index then takes in a batch at a time, not a row.
    fn insert_new_rows(&mut self) -> Result<()> {
        let rows = std::mem::take(&mut self.new_rows);
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, -1, ?, ?, 'orphaned', -1, ?, ?, ?, ?)";
            let sql = format!(
                "INSERT INTO highlights (id, episode_id, exact, prefix, suffix, sel_start, sel_end, block_key,
                    text_version, selector_revision, color, note, anchor_status, anchor_revision,
                    created_at, updated_at, deleted_at, tags_text)
                 VALUES {} RETURNING id, seq",
                vec![one; chunk.len()].join(", ")
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let values = chunk.iter().flat_map(|row| row.values.iter());
            let inserted: HashMap<String, i64> = stmt
                .query_map(rusqlite::params_from_iter(values), |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for row in chunk {
                let Some(&seq) = inserted.get(&row.id) else { continue };
                tags::link(self.conn, tags::Tagged::Highlight(seq), &row.tags)?;
                if !row.earlier.is_empty() {
                    versions::replace(self.conn, &NoteRef::Highlight { id: row.id.clone() }, &row.earlier)?;
                }
            }
        }
        Ok(())
    }

    /// The live tags named, created as needed, sorted by key; names that
    /// are no valid tag are left out. Looked up once per round.
    fn resolve_tags(&mut self, names: &[String]) -> Result<Vec<Resolved>> {
        let mut resolved = Vec::with_capacity(names.len());
        for name in parse_valid(names) {
            let tag = match self.tags.get(&name.key) {
                Some(tag) => tag.clone(),
                None => {
                    let tag = tags::ensure(self.conn, &name, self.now)?;
                    self.tags.insert(name.key.clone(), tag.clone());
                    tag
                }
            };
            resolved.push(tag);
        }
        resolved.sort_by_key(|tag| tag.name.to_lowercase());
        Ok(resolved)
    }

    fn row(&self, id: &str) -> Result<Option<Row>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT seq, episode_id, exact, prefix, suffix, sel_start, sel_end, deleted_at
                 FROM highlights WHERE id = ?1",
            )?
            .query_row([id], |row| {
                Ok(Row {
                    seq: row.get(0)?,
                    episode_id: row.get(1)?,
                    place: (row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?),
                    deleted_at: row.get(7)?,
                })
            })
            .optional()?;
        Ok(row)
    }

    /// Takes another device's selector, to be placed on this device's text.
    fn replace_selector(&self, seq: i64, episode_id: EpisodeId, selector: &Selector) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE highlights SET episode_id = ?2, exact = ?3, prefix = ?4, suffix = ?5, sel_start = ?6,
                    sel_end = ?7, block_key = ?8, text_version = ?9, selector_revision = -1, anchor_revision = -1
                 WHERE seq = ?1",
            )?
            .execute(params![
                seq,
                episode_id,
                selector.exact,
                selector.prefix,
                selector.suffix,
                to_sql(selector.start),
                to_sql(selector.end),
                selector.block_key,
                selector.text_version,
            ])?;
        Ok(())
    }

    fn purge(&mut self, id: &str, row: &Row) -> Result<()> {
        self.conn.prepare_cached("DELETE FROM highlight_tags WHERE highlight_seq = ?1")?.execute([row.seq])?;
        self.conn.prepare_cached("DELETE FROM note_versions WHERE highlight_id = ?1")?.execute([id])?;
        self.conn.prepare_cached("DELETE FROM highlights WHERE seq = ?1")?.execute([row.seq])?;
        self.touch(row.episode_id)
    }

    fn episode_note(&mut self, state: &State, episode: &str, block_key: &str) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let view = state.note(&notes::note_on(episode, block_key));
        let (text, at, earlier) = match view {
            Some(view) => (view.text, view.updated, view.earlier),
            None => (String::new(), version_stamp(state, &Key::Note(notes::note_on(episode, block_key))), Vec::new()),
        };
        notes::store(self.conn, episode_id, block_key, &text, ms(at))?;
        versions::replace(self.conn, &NoteRef::of_episode(episode_id, block_key), &earlier)?;
        self.touch(episode_id)
    }

    fn star(&mut self, state: &State, episode: &str, insight: &str) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let at = version_stamp(state, &Key::Star(episode.to_owned(), insight.to_owned()));
        stars::store(self.conn, episode_id, insight, state.starred(&episode.to_owned(), insight), ms(at))?;
        self.touch(episode_id)
    }

    fn reading(&mut self, state: &State, episode: &String) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let at = version_stamp(state, &Key::Read(episode.clone()))
            .max(version_stamp(state, &Key::Position(episode.clone())));
        let position = state.position(episode).map(|p| i64::try_from(p).unwrap_or(i64::MAX));
        reading::store(self.conn, episode_id, state.read(episode), position, ms(at))?;
        self.touch(episode_id)
    }

    fn episode_tags(&mut self, state: &State, episode: &str) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let tags = self.resolve_tags(&state.tags(&Tagged::Episode(episode.to_owned())))?;
        tags::set_resolved(self.conn, tags::Tagged::Episode(episode_id), &tags)?;
        self.retagged = true;
        self.touch(episode_id)
    }

    fn setting(&mut self, state: &State, name: &str) -> Result<()> {
        let Some((_, stored_as)) = FOLLOWING.iter().find(|(synced, _)| *synced == name) else { return Ok(()) };
        match state.setting(name) {
            Some(value) => settings::set(self.conn, stored_as, &value.to_string())?,
            None => settings::remove(self.conn, stored_as)?,
        }
        self.settings_changed = true;
        Ok(())
    }
}

impl SyncTarget for StoreTarget<'_> {
    type Error = crate::annotations::Error;

    fn has_episode(&self, fingerprint: &str) -> Result<bool> {
        Ok(self.episode(fingerprint)?.is_some())
    }

    fn apply(&mut self, state: &State, changed: &[Key]) -> Result<()> {
        // A highlight is written whole, once, however many of its registers changed.
        let mut highlights: BTreeMap<&HighlightId, bool> = BTreeMap::new();
        let mut tagged = BTreeSet::new();
        let mut reading = BTreeSet::new();
        for key in changed {
            self.applied += 1;
            match key {
                Key::Created(id) | Key::Anchor(id) => {
                    highlights.insert(id, true);
                }
                Key::Note(NoteOn::Episode(episode)) => self.episode_note(state, episode, notes::EPISODE_NOTE)?,
                Key::Note(NoteOn::Insight { episode, insight }) => self.episode_note(state, episode, insight)?,
                Key::Tag(Tagged::Episode(episode), _) => {
                    tagged.insert(episode);
                }
                Key::Star(episode, insight) => self.star(state, episode, insight)?,
                Key::Read(episode) | Key::Position(episode) => {
                    reading.insert(episode);
                }
                Key::Setting(name) => self.setting(state, name)?,
                Key::Color(id)
                | Key::Deleted(id)
                | Key::Note(NoteOn::Highlight(id))
                | Key::Tag(Tagged::Highlight(id), _) => {
                    highlights.entry(id).or_insert(false);
                }
            }
        }
        for (id, placed_anew) in highlights {
            self.highlight(state, id, placed_anew)?;
        }
        self.insert_new_rows()?;
        for episode in tagged {
            self.episode_tags(state, episode)?;
        }
        for episode in reading {
            self.reading(state, episode)?;
        }
        Ok(())
    }
}

/// What decides whether a highlight was placed elsewhere: its quote, context and offsets.
fn place_of(selector: &Selector) -> (String, String, String, i64, i64) {
    (
        selector.exact.clone(),
        selector.prefix.clone(),
        selector.suffix.clone(),
        to_sql(selector.start),
        to_sql(selector.end),
    )
}

/// When a register was last written; stores keep it as the row's time.
fn version_stamp(state: &State, key: &Key) -> Hlc {
    state.version(key).map(|v| v.stamp).unwrap_or_default()
}

/// A stamp's wall time, as the tables store times.
fn ms(stamp: Hlc) -> i64 {
    i64::try_from(stamp.ms).unwrap_or(i64::MAX)
}
