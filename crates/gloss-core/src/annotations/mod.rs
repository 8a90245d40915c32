//! What the user adds to episodes: highlights, notes, tags, stars, reading
//! state, and the trash that makes deleting any of it undoable.
//!
//! # Shape
//!
//! Each user action is one function over an open connection, in the
//! submodules (`highlights::create`, `tags::rename`, ...), taking the time
//! of the action from the caller. [`Annotations`] runs each in its own
//! `BEGIN IMMEDIATE` transaction on the store's writer, which commits with
//! `synchronous = FULL`: when a method returns, the change is on disk.
//!
//! # Sync
//!
//! Each action function also queues the sync [`Change`](gloss_sync::Change)s
//! it made in the sync outbox ([`crate::sync::outbox`]), in its own
//! transaction: a change is stored if and only if it is queued. Changes
//! from other devices are written by `sync::apply` through the plain
//! writers (`notes::store`, `stars::store`, ...), which queue nothing.
//!
//! # Never losing anything
//!
//! Deleting a highlight or a tag sets a tombstone (`deleted_at`); restoring
//! clears it. Only [`Annotations::empty_trash`] removes rows. A highlight
//! keeps its quote, note and tags whatever happens to its episode: when the
//! text changes it is re-anchored ([`reanchor`]) and told `orphaned` or
//! `ambiguous` rather than moved to a wrong place; when the file goes away
//! the episode stays, `missing`, with its text and highlights.

mod episode;
mod error;
pub mod highlights;
pub mod index;
pub mod model;
pub mod notes;
pub mod preferences;
pub mod query;
pub mod reading;
pub mod reanchor;
pub mod stars;
pub mod tags;
pub mod trash;
pub mod versions;
pub mod view;

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

pub use error::{Error, Result};
pub use highlights::{HighlightPatch, NewHighlight};
pub use model::{Anchor, Color, Highlight, HighlightId, HighlightItem};
pub use query::{Found, HighlightFilter, HighlightHit, HighlightPage};
pub use reading::{ReadingState, ReadingUpdate};
pub use reanchor::{reanchor_episode, Reanchored};
pub use tags::Tag;
pub use trash::{Emptied, Trash};
pub use versions::{EarlierVersion, NoteRef};
pub use view::{EpisodeAnnotations, EpisodeMarks};

use crate::store::episodes::EpisodeId;
use crate::store::{now_ms, Store};

/// The annotation operations over a store, one method per API operation
/// (docs/api.md), each one durable transaction.
#[derive(Debug, Clone, Copy)]
pub struct Annotations<'s> {
    store: &'s Store,
}

impl<'s> Annotations<'s> {
    pub fn new(store: &'s Store) -> Self {
        Annotations { store }
    }

    fn write<T>(&self, work: impl FnOnce(&Connection, i64) -> Result<T>) -> Result<T> {
        write(self.store, work)
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        read(self.store, work)
    }

    /// `create_highlight`: anchors a quote (or a code point range) in an
    /// episode. An absent quote is `Invalid { field: "quote" }`, one found
    /// several times without an occurrence `Conflict { field: "quote" }`.
    pub fn create_highlight(&self, new: &NewHighlight) -> Result<Highlight> {
        let id = highlights::new_id();
        self.write(|conn, now| highlights::create(conn, &id, now, new))
    }

    /// `update_highlight`: color, note, tags.
    pub fn update_highlight(&self, patch: &HighlightPatch) -> Result<Highlight> {
        self.write(|conn, now| highlights::update(conn, now, patch))
    }

    /// `delete_highlight`: to the trash.
    pub fn delete_highlight(&self, id: &str) -> Result<HighlightId> {
        self.write(|conn, now| highlights::delete(conn, id, now))
    }

    /// `restore_highlight`: back from the trash.
    pub fn restore_highlight(&self, id: &str) -> Result<Highlight> {
        self.write(|conn, now| highlights::restore(conn, id, now))
    }

    /// `reattach_highlight`: the user places a highlight on `[start, end)`.
    pub fn reattach_highlight(&self, id: &str, start: usize, end: usize) -> Result<Highlight> {
        self.write(|conn, now| highlights::reattach(conn, id, start, end, now))
    }

    /// `confirm_highlight`: the user accepts a fuzzy place.
    pub fn confirm_highlight(&self, id: &str) -> Result<Highlight> {
        self.write(|conn, now| highlights::confirm(conn, id, now))
    }

    pub fn get_highlight(&self, id: &str) -> Result<Highlight> {
        self.read(|conn| highlights::get(conn, id))
    }

    /// `list_highlights`, and `gloss annotations`.
    pub fn list_highlights(&self, filter: &HighlightFilter) -> Result<HighlightPage> {
        self.read(|conn| query::list(conn, filter))
    }

    /// The highlight hits of `search`: quotes, notes and tags matching every
    /// word, with the filters of `filter` (its `text` is replaced by `words`).
    pub fn search_highlights(&self, words: &str, filter: &HighlightFilter, limit: usize) -> Result<Vec<HighlightHit>> {
        self.read(|conn| query::search(conn, words, filter, limit))
    }

    /// `search`: episodes and highlights matching `query`, with filters
    /// (see [`query::search_all`]). Brings the episode index up to date
    /// with the annotations first.
    pub fn search(&self, query: &str, filter: &HighlightFilter, limit: usize) -> Result<Found> {
        self.flush_search()?;
        self.read(|conn| query::search_all(conn, query, filter, limit))
    }

    /// Re-indexes episodes whose annotations changed since the last search
    /// (see [`index`]); returns how many. Cheap when there are none: call it
    /// before any search of the episode index, or in the background after
    /// annotation changes.
    pub fn flush_search(&self) -> Result<usize> {
        Ok(index::flush(self.store)?)
    }

    /// `set_episode_note`.
    pub fn set_episode_note(&self, episode_id: EpisodeId, text: &str) -> Result<()> {
        self.write(|conn, now| notes::set_episode_note(conn, episode_id, text, now))
    }

    /// `set_insight_note`.
    pub fn set_insight_note(&self, episode_id: EpisodeId, block_key: &str, text: &str) -> Result<()> {
        self.write(|conn, now| notes::set_insight_note(conn, episode_id, block_key, text, now))
    }

    /// A note's earlier versions: concurrent edits from other devices (or
    /// this one) that lost to the text shown, newest first.
    pub fn note_versions(&self, note: &NoteRef) -> Result<Vec<EarlierVersion>> {
        self.read(|conn| versions::list(conn, note))
    }

    /// Settles a note that has earlier versions: `text` becomes its text
    /// and the earlier versions are dropped, on every device.
    pub fn settle_note(&self, note: &NoteRef, text: &str) -> Result<()> {
        self.write(|conn, now| versions::settle(conn, note, text, now))
    }

    /// What each highlight color means, a setting that follows the user to
    /// every device (`update_settings`' `color_names`).
    pub fn set_color_names(&self, names: &HashMap<String, String>) -> Result<()> {
        self.write(|conn, now| preferences::set_color_names(conn, names, now))
    }

    /// `set_star`.
    pub fn set_star(&self, episode_id: EpisodeId, block_key: &str, starred: bool) -> Result<()> {
        self.write(|conn, now| stars::set_star(conn, episode_id, block_key, starred, now))
    }

    /// `set_episode_tags`.
    pub fn set_episode_tags(&self, episode_id: EpisodeId, tags: &[String]) -> Result<()> {
        self.write(|conn, now| tags::set_episode_tags(conn, episode_id, tags, now))
    }

    /// `list_tags`.
    pub fn list_tags(&self) -> Result<Vec<Tag>> {
        self.read(tags::list)
    }

    /// `rename_tag`: returns how many highlights and episodes changed.
    pub fn rename_tag(&self, from: &str, to: &str) -> Result<usize> {
        self.write(|conn, now| tags::rename(conn, from, to, now))
    }

    /// `merge_tag`: returns how many highlights and episodes changed.
    pub fn merge_tag(&self, from: &str, to: &str) -> Result<usize> {
        self.write(|conn, now| tags::merge(conn, from, to, now))
    }

    /// `delete_tag`: to the trash; returns how many items carried it.
    pub fn delete_tag(&self, name: &str) -> Result<usize> {
        self.write(|conn, now| tags::delete(conn, name, now))
    }

    /// Undoes the latest `delete_tag` (or `merge_tag`) of `name`.
    pub fn restore_tag(&self, name: &str) -> Result<usize> {
        self.write(|conn, now| tags::restore(conn, name, now))
    }

    /// `set_reading_state`: call on every visit.
    pub fn set_reading_state(&self, update: &ReadingUpdate) -> Result<ReadingState> {
        self.write(|conn, now| reading::set_reading_state(conn, update, now))
    }

    /// What is in the trash.
    pub fn list_trash(&self) -> Result<Trash> {
        self.read(trash::list)
    }

    /// `empty_trash`: the one hard delete.
    pub fn empty_trash(&self) -> Result<Emptied> {
        self.write(trash::empty)
    }

    /// The annotation fields of `get_episode`.
    pub fn episode_annotations(&self, episode_id: EpisodeId) -> Result<EpisodeAnnotations> {
        self.read(|conn| view::episode_annotations(conn, episode_id))
    }

    /// `highlight_count` and `read` of `list_episodes`' items.
    pub fn episode_marks(&self) -> Result<HashMap<EpisodeId, EpisodeMarks>> {
        self.read(view::episode_marks)
    }

    /// The `tag` filter of `list_episodes` and of episode search hits.
    pub fn episodes_tagged(&self, tag: &str) -> Result<HashSet<EpisodeId>> {
        self.read(|conn| view::episodes_tagged(conn, tag))
    }

    /// Re-anchors whatever is behind its episode's text (see [`reanchor`]).
    pub fn reanchor_pending(&self) -> crate::store::Result<usize> {
        reanchor::reanchor_pending(self.store)
    }
}

/// Runs `work` in one durable write transaction with the current time. A
/// refusal (`Invalid`, `NotFound`, `Conflict`) rolls back whatever `work`
/// wrote before it, like a database error does.
pub(crate) fn write<T>(store: &Store, work: impl FnOnce(&Connection, i64) -> Result<T>) -> Result<T> {
    store.write(|tx| crate::store::savepoint(tx, || work(tx, now_ms())))?
}

impl crate::store::Refusable for Error {
    fn into_store(self) -> std::result::Result<crate::store::Error, Error> {
        match self {
            Error::Store(error) => Ok(error),
            refusal => Err(refusal),
        }
    }
}

fn read<T>(store: &Store, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    store.read(|conn| match work(conn) {
        Ok(value) => Ok(Ok(value)),
        Err(Error::Store(e)) => Err(e),
        Err(refusal) => Ok(Err(refusal)),
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_rolls_back_what_the_action_wrote_before_it() {
        let data = tempfile::TempDir::new().unwrap();
        let store = Store::open(data.path()).unwrap();
        let refused = write(&store, |conn, now| -> Result<()> {
            conn.execute("INSERT INTO tags (name, key, created_at) VALUES ('a', 'a', ?1)", [now])?;
            Err(Error::invalid("name", "refused after writing"))
        });
        assert!(matches!(refused, Err(Error::Invalid { field: "name", .. })));
        let count = || -> i64 {
            store.read(|conn| Ok(conn.query_row("SELECT count(*) FROM tags", [], |r| r.get(0))?)).unwrap()
        };
        assert_eq!(count(), 0);
        // The writer is usable afterwards, and a success commits.
        write(&store, |conn, now| {
            Ok(conn.execute("INSERT INTO tags (name, key, created_at) VALUES ('b', 'b', ?1)", [now])?)
        })
        .unwrap();
        assert_eq!(count(), 1);
    }
}
