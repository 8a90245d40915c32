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
//! Everything is written through the one row writers of `annotations`,
//! with a writer of origin `Remote`: nothing is queued in the outbox, so
//! what arrives does not echo back. Values from another device are taken as data, never trusted: an
//! unknown color reads as the default, an unusable tag name is left out,
//! a highlight id that is not a UUID is ignored.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::OptionalExtension;

use crate::annotations::highlights::{self, HighlightRow};
use crate::annotations::preferences::{self, FOLLOWING};
use crate::annotations::reading::{self, ReadingRow};
use crate::annotations::tags::{self, parse_valid};
use crate::annotations::versions::{self, NoteRef};
use crate::annotations::{deck, notes, reanchor, review, stars, Anchor, Color, Highlight, Result, Writer};
use crate::store::episodes::EpisodeId;
use gloss_anchor::AnchorStatus;
use gloss_review::{Rating, ReviewEvent};
use gloss_sync::op::{HighlightId, NoteOn, Tagged};
use gloss_sync::state::Key;
use gloss_sync::{Hlc, State, SyncTarget};

/// Applies merged registers to the database through the caller's
/// [`Writer`] (of origin `Remote`, so nothing is queued back). Call
/// [`finish`](StoreTarget::finish) once everything is applied.
pub(crate) struct StoreTarget<'w, 'c> {
    w: &'w mut Writer<'c>,
    /// The local episode of each fingerprint looked up (this round).
    episodes: RefCell<HashMap<String, Option<EpisodeId>>>,
    /// Registers applied.
    pub applied: usize,
    /// Episodes with highlights to place on their text.
    to_place: BTreeSet<EpisodeId>,
    /// Whether tags were written.
    retagged: bool,
}

impl<'w, 'c> StoreTarget<'w, 'c> {
    pub fn new(w: &'w mut Writer<'c>) -> StoreTarget<'w, 'c> {
        StoreTarget { w, episodes: RefCell::default(), applied: 0, to_place: BTreeSet::new(), retagged: false }
    }

    /// Places the highlights that arrived on their episodes' text, and
    /// drops tags that nothing carries any more (renamed, merged or deleted
    /// on the device the change came from; tags exist only through use).
    pub fn finish(&mut self) -> Result<()> {
        for episode_id in std::mem::take(&mut self.to_place) {
            reanchor::reanchor_in(self.w, episode_id)?;
        }
        if std::mem::take(&mut self.retagged) {
            tags::drop_unused(self.w)?;
        }
        Ok(())
    }

    fn episode(&self, fingerprint: &str) -> Result<Option<EpisodeId>> {
        if let Some(found) = self.episodes.borrow().get(fingerprint) {
            return Ok(*found);
        }
        let found = self
            .w
            .conn()
            .prepare_cached(
                "SELECT id FROM episodes WHERE fingerprint = ?1 AND canonical_text IS NOT NULL
                 ORDER BY status <> 'active', id LIMIT 1",
            )?
            .query_row([fingerprint], |row| row.get(0))
            .optional()?;
        self.episodes.borrow_mut().insert(fingerprint.to_owned(), found);
        Ok(found)
    }

    fn highlight(&mut self, state: &State, id: &HighlightId, placed_anew: bool) -> Result<()> {
        if uuid::Uuid::parse_str(id).map(|uuid| uuid.to_string()).ok().as_deref() != Some(id.as_str()) {
            return Ok(());
        }
        let existing = match highlights::stored(self.w.conn(), id) {
            Ok(row) => Some(row),
            Err(crate::annotations::Error::NotFound { .. }) => None,
            Err(error) => return Err(error),
        };
        let Some(view) = state.highlight(id) else {
            // Purged (emptied from the trash) on some device.
            return highlights::purge(self.w, id);
        };
        let Some(episode_id) = self.episode(&view.anchor.episode)? else { return Ok(()) };
        let deleted_since = state.version(&Key::Deleted(id.clone())).map_or(view.updated, |v| v.stamp);
        // A highlight already in the trash keeps the time it went there.
        let kept_deleted = existing.as_ref().and_then(|row| row.highlight.deleted_at);
        let deleted_at = view.deleted.then(|| kept_deleted.unwrap_or(ms(deleted_since)));
        let selector = &view.anchor.selector;
        let earlier = view.note.as_ref().map(|note| note.earlier.clone()).unwrap_or_default();
        let fields = |highlight: &mut Highlight| {
            highlight.color = Color::parse(&view.color).unwrap_or_default();
            highlight.note = view.note.as_ref().map_or(String::new(), |note| note.text.clone());
            highlight.tags = parse_valid(&view.tags).into_iter().map(|tag| tag.name).collect();
            highlight.updated_at = ms(view.updated);
            highlight.deleted_at = deleted_at;
        };
        let row = match existing {
            // New here: placed on this device's text once the round is in.
            None => {
                let mut highlight = Highlight {
                    id: id.clone(),
                    episode_id,
                    selector: selector.clone(),
                    color: Color::default(),
                    note: String::new(),
                    tags: Vec::new(),
                    anchor: Anchor {
                        status: AnchorStatus::Orphaned,
                        start: None,
                        end: None,
                        reason: None,
                        score: None,
                    },
                    created_at: ms(view.created),
                    updated_at: 0,
                    deleted_at: None,
                };
                fields(&mut highlight);
                self.to_place.insert(episode_id);
                HighlightRow { highlight, selector_revision: -1, anchor_revision: -1 }
            }
            Some(mut row) => {
                let moved = row.highlight.episode_id != episode_id || !same_place(&row.highlight, selector);
                if placed_anew && moved {
                    // Another device's selector, to be placed on this device's text.
                    row.highlight.episode_id = episode_id;
                    row.highlight.selector = selector.clone();
                    row.selector_revision = -1;
                    row.anchor_revision = -1;
                    self.to_place.insert(episode_id);
                }
                fields(&mut row.highlight);
                row
            }
        };
        highlights::put(self.w, &row)?;
        versions::replace(self.w.conn(), &NoteRef::Highlight { id: id.clone() }, &earlier)?;
        self.retagged = true;
        Ok(())
    }

    fn episode_note(&mut self, state: &State, episode: &str, block_key: &str) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let view = state.note(&notes::note_on(episode, block_key));
        let (text, at, earlier) = match view {
            Some(view) => (view.text, view.updated, view.earlier),
            None => (String::new(), version_stamp(state, &Key::Note(notes::note_on(episode, block_key))), Vec::new()),
        };
        notes::put(self.w, episode_id, block_key, &text, ms(at))?;
        versions::replace(self.w.conn(), &NoteRef::of_episode(episode_id, block_key), &earlier)
    }

    fn star(&mut self, state: &State, episode: &str, insight: &str) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let at = version_stamp(state, &Key::Star(episode.to_owned(), insight.to_owned()));
        stars::put(self.w, episode_id, insight, state.starred(&episode.to_owned(), insight), ms(at))
    }

    fn reading(&mut self, state: &State, episode: &String) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        let at = version_stamp(state, &Key::Read(episode.clone()))
            .max(version_stamp(state, &Key::Position(episode.clone())));
        let position = state.position(episode).map(|p| i64::try_from(p).unwrap_or(i64::MAX));
        let before = reading::row(self.w.conn(), episode_id)?;
        let row = ReadingRow {
            read: state.read(episode).or(before.as_ref().map(|b| b.read)).unwrap_or(false),
            position: position.or(before.as_ref().and_then(|b| b.position)),
            visited_at: before.map_or(ms(at), |b| b.visited_at),
            updated_at: ms(at),
        };
        reading::put(self.w, episode_id, &row)
    }

    fn episode_tags(&mut self, state: &State, episode: &str) -> Result<()> {
        let Some(episode_id) = self.episode(episode)? else { return Ok(()) };
        tags::put_episode_tags(self.w, episode_id, &parse_valid(&state.tags(&Tagged::Episode(episode.to_owned()))))?;
        self.retagged = true;
        Ok(())
    }

    /// A rating, once it has arrived (an undo that comes first waits for it
    /// in the state); a card id or rating this Gloss can not read is ignored.
    fn review_event(&mut self, state: &State, event: &str) -> Result<()> {
        let Some(view) = state.review(event) else { return Ok(()) };
        let (Ok(card), Some(rating), Ok(at_ms)) =
            (view.card.parse(), Rating::from_number(view.rating), i64::try_from(view.at))
        else {
            return Ok(());
        };
        let device = state.version(&Key::Review(event.to_owned())).map(|v| v.op.device.to_string());
        let logged = ReviewEvent { id: view.event, card, rating, at_ms, undone: false };
        review::put_event(self.w, &logged, device.as_deref())?;
        if view.undone {
            review::put_undone(self.w, event)?;
        }
        Ok(())
    }

    fn card(&mut self, state: &State, card: &str) -> Result<()> {
        let (Ok(id), Some(choice)) = (card.parse(), state.card(card)) else { return Ok(()) };
        review::put_card(self.w, &id, choice)
    }

    fn setting(&mut self, state: &State, name: &str) -> Result<()> {
        let Some((_, stored_as)) = FOLLOWING.iter().find(|(synced, _)| *synced == name) else { return Ok(()) };
        let value = state.setting(name).map(|value| value.to_string());
        preferences::put(self.w, stored_as, value.as_deref())?;
        match *stored_as {
            crate::store::settings::REVIEW => review::replay_all(self.w.conn())?,
            crate::store::settings::REVIEW_SOURCES => deck::refresh_all(self.w.conn())?,
            _ => {}
        }
        Ok(())
    }
}

impl SyncTarget for StoreTarget<'_, '_> {
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
                Key::Review(event) | Key::ReviewUndone(event) => self.review_event(state, event)?,
                Key::Card(card) => self.card(state, card)?,
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
        for episode in tagged {
            self.episode_tags(state, episode)?;
        }
        for episode in reading {
            self.reading(state, episode)?;
        }
        Ok(())
    }
}

/// Whether `highlight` is where `selector` says: same quote, context and offsets.
fn same_place(highlight: &Highlight, selector: &gloss_anchor::Selector) -> bool {
    let s = &highlight.selector;
    (&s.exact, &s.prefix, &s.suffix, s.start, s.end)
        == (&selector.exact, &selector.prefix, &selector.suffix, selector.start, selector.end)
}

/// When a register was last written; stores keep it as the row's time.
fn version_stamp(state: &State, key: &Key) -> Hlc {
    state.version(key).map(|v| v.stamp).unwrap_or_default()
}

/// A stamp's wall time, as the tables store times.
fn ms(stamp: Hlc) -> i64 {
    i64::try_from(stamp.ms).unwrap_or(i64::MAX)
}
