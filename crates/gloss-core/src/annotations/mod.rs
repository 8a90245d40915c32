//! What the user adds to episodes: highlights, notes, tags, stars, reading
//! state, and the trash that makes deleting any of it undoable.
//!
//! # Shape
//!
//! Each user action is one function over a [`Writer`] in the submodules
//! (`highlights::create`, `tags::rename`, ...). Every row is written by one
//! function of its kind (see [`write`]), which import, sync and
//! re-anchoring call too. `Library::change` runs a change in one durable
//! transaction and announces it after commit; the application's
//! `Annotations` (in `app`) has one method per API operation.
//!
//! # Sync
//!
//! The row writers report the sync [`Change`](gloss_sync::Change)s they
//! made; the [`Writer`] queues them in the [`outbox`], in the same
//! transaction, when the change is local (a user action or an import),
//! and never when it came from another device.
//!
//! # Never losing anything
//!
//! Deleting a highlight or a tag sets a tombstone (`deleted_at`); restoring
//! clears it. Only [`Annotations::empty_trash`] removes rows. A highlight
//! keeps its quote, note and tags whatever happens to its episode: when the
//! text changes it is re-anchored ([`reanchor`]) and told `orphaned` or
//! `ambiguous` rather than moved to a wrong place; when the file goes away
//! the episode stays, `missing`, with its text and highlights.

pub mod deck;
mod derived;
mod episode;
mod error;
pub mod feed;
pub mod highlights;
pub mod index;
pub mod model;
pub mod notes;
pub mod origin;
pub mod outbox;
pub mod preferences;
pub mod query;
pub mod reading;
pub mod reanchor;
pub mod review;
pub mod review_sources;
pub mod stars;
pub mod tags;
pub mod trash;
pub mod versions;
pub mod view;
pub mod write;

pub use error::{Error, Result};
pub use feed::{FeedFilter, FeedItem, FeedPage, NoteItem};
pub use highlights::{HighlightPatch, NewHighlight};
pub use model::{Anchor, Color, Highlight, HighlightId, HighlightItem};
pub use origin::{Caller, Door, Origin};
pub use query::{Found, HighlightFilter, HighlightHit, HighlightPage};
pub use reading::{ReadingState, ReadingUpdate};
pub use reanchor::{reanchor_episode, Reanchored};
pub use tags::Tag;
pub use trash::{Emptied, Trash};
pub use versions::{EarlierVersion, NoteRef};
pub use view::{EpisodeAnnotations, EpisodeMarks};
pub use write::{Changed, Kind, Writer};

impl crate::store::Refusable for Error {
    fn into_store(self) -> std::result::Result<crate::store::Error, Error> {
        match self {
            Error::Store(error) => Ok(error),
            refusal => Err(refusal),
        }
    }
}

/// Runs a read of annotations on a pooled reader: a refusal is the
/// caller's answer, a database failure the store's.
pub fn read<T>(store: &crate::store::Store, work: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
    store.read(|conn| match work(conn) {
        Ok(value) => Ok(Ok(value)),
        Err(Error::Store(e)) => Err(e),
        Err(refusal) => Ok(Err(refusal)),
    })?
}
