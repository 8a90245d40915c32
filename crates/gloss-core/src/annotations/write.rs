//! The one path of a change to what the user owns.
//!
//! Every row of a highlight, note, tag, star, reading state or synced
//! setting is written by one function of its kind's module
//! (`highlights::put`, `notes::put`, `stars::put`, `reading::put`, the
//! `tags` writers, `preferences::put`), and each takes a [`Writer`]: the
//! open transaction, the time, and where the change came from
//! ([`Origin`]). The writer is what makes every origin reach every
//! consumer alike:
//!
//! - it queues the sync [`Change`]s a row writer reports when the change
//!   is local (a user action or an import), and never when it came from
//!   another device, so nothing echoes back ([`Writer::queue`]);
//! - it notes each episode whose search text changed ([`Writer::touch`]);
//! - it collects what changed ([`Changed`]); `Library::change` runs the
//!   transaction and announces that after commit, as an
//!   `annotation_changed` event the live UI, automatic export and any other
//!   consumer listen to.
//!
//! User actions through any door, import, sync apply, re-anchoring and
//! restoring from the trash all write through it; no other module writes
//! those tables (`tests/write_path.rs` checks the SQL).

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::model::HighlightId;
use super::origin::Origin;
use super::{index, outbox};
use crate::store::episodes::EpisodeId;
use gloss_sync::Change;

/// What kind of thing a change touched, so a consumer can tell whether it
/// cares (automatic export ignores a reading position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Highlight,
    Note,
    Star,
    Tag,
    /// An episode marked read or unread.
    Reading,
    /// Where the user stopped reading: changes on every visit.
    Position,
    /// A setting that follows the user to every device.
    Setting,
    /// A rating in the review log, or a card's review choices.
    Review,
}

/// What one transaction changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub kinds: BTreeSet<Kind>,
    pub episodes: BTreeSet<EpisodeId>,
    /// Highlights written (created, edited, trashed, restored, re-anchored).
    pub highlights: BTreeSet<HighlightId>,
    /// Highlights removed for good (the trash emptied).
    pub purged: BTreeSet<HighlightId>,
}

impl Changed {
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Adds what another transaction changed.
    pub fn extend(&mut self, other: Changed) {
        self.kinds.extend(other.kinds);
        self.episodes.extend(other.episodes);
        self.highlights.extend(other.highlights);
        self.purged.extend(other.purged);
    }
}

/// One transaction's changes to what the user owns (see the module doc).
pub struct Writer<'c> {
    conn: &'c Connection,
    now: i64,
    origin: Origin,
    outgoing: Vec<Change>,
    changed: Changed,
    /// The review cards to refresh at the end, by episode: the cards of
    /// the highlights written, or all of the episode's (`None`).
    cards: BTreeMap<EpisodeId, Option<BTreeSet<HighlightId>>>,
}

impl<'c> Writer<'c> {
    /// A writer over the caller's open transaction; `now` is Unix milliseconds.
    pub fn new(conn: &'c Connection, now: i64, origin: Origin) -> Writer<'c> {
        Writer { conn, now, origin, outgoing: Vec::new(), changed: Changed::default(), cards: BTreeMap::new() }
    }

    pub fn conn(&self) -> &'c Connection {
        self.conn
    }

    /// When the change is made, Unix milliseconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Queues sync changes a row writer made, when this change is local.
    /// A note settled (one that `replaces` earlier versions) supersedes its
    /// edits queued earlier in the same transaction.
    pub(crate) fn queue(&mut self, changes: impl IntoIterator<Item = Change>) {
        if !self.origin.is_local() {
            return;
        }
        for change in changes {
            if let Change::SetNote { on, replaces, .. } = &change {
                if !replaces.is_empty() {
                    self.outgoing.retain(|queued| !matches!(queued, Change::SetNote { on: same, .. } if same == on));
                }
            }
            self.outgoing.push(change);
        }
    }

    /// Notes a change of `kind` to episode `episode_id`'s annotations; its
    /// search text is re-indexed before the next search, and all its
    /// review cards are refreshed.
    pub(crate) fn touch(&mut self, kind: Kind, episode_id: EpisodeId) -> Result<()> {
        self.cards.insert(episode_id, None);
        self.note(kind, episode_id)
    }

    fn note(&mut self, kind: Kind, episode_id: EpisodeId) -> Result<()> {
        self.changed.kinds.insert(kind);
        self.changed.episodes.insert(episode_id);
        // Every time: a savepoint rolled back may have undone an earlier note.
        Ok(index::episode_changed(self.conn, episode_id)?)
    }

    /// Notes a change that belongs to no episode (a setting).
    pub(crate) fn touch_library(&mut self, kind: Kind) {
        self.changed.kinds.insert(kind);
    }

    /// Notes that highlight `id` of episode `episode_id` was written: its
    /// review cards are refreshed, or all the episode's when re-anchoring
    /// (the episode's text changed, and its insights' cards with it).
    pub(crate) fn touch_highlight(&mut self, id: &str, episode_id: EpisodeId) -> Result<()> {
        self.changed.highlights.insert(id.to_owned());
        if matches!(self.origin, Origin::Anchoring) {
            return self.touch(Kind::Highlight, episode_id);
        }
        if let Some(ids) = self.cards.entry(episode_id).or_insert_with(|| Some(BTreeSet::new())) {
            ids.insert(id.to_owned());
        }
        self.note(Kind::Highlight, episode_id)
    }

    /// Notes that highlight `id` of episode `episode_id` is gone for good.
    pub(crate) fn touch_purged(&mut self, id: &str, episode_id: EpisodeId) -> Result<()> {
        self.changed.highlights.remove(id);
        self.changed.purged.insert(id.to_owned());
        self.touch(Kind::Highlight, episode_id)
    }

    /// Runs `work` under a savepoint: a refusal undoes its writes and what
    /// it queued, and comes back as `Ok(Err(refusal))` so the change can go
    /// on (one bad row of an import); a database error ends the change.
    pub(crate) fn savepoint<T>(
        &mut self,
        work: impl FnOnce(&mut Writer<'c>) -> Result<T>,
    ) -> Result<std::result::Result<T, Error>> {
        let queued = self.outgoing.len();
        let conn = self.conn;
        let result = crate::store::savepoint(conn, || work(self))?;
        if result.is_err() {
            self.outgoing.truncate(queued);
        }
        Ok(result)
    }

    /// Runs `work` as Gloss's own re-anchoring, whatever this writer's
    /// origin: where Gloss places a highlight on this device's text is no
    /// change of the user's, and is never sent to other devices.
    pub(crate) fn as_anchoring<T>(&mut self, work: impl FnOnce(&mut Writer<'c>) -> Result<T>) -> Result<T> {
        let origin = std::mem::replace(&mut self.origin, Origin::Anchoring);
        let result = work(self);
        self.origin = origin;
        result
    }

    /// Queues what is to go to other devices and returns what changed, for
    /// announcing once the transaction commits. Call last, in the transaction.
    pub fn finish(self) -> Result<Changed> {
        // Review cards and the tag filter's rows follow what they are made from.
        for (&episode_id, highlights) in &self.cards {
            let cards = highlights.as_ref().map_or(super::deck::Cards::All, super::deck::Cards::OfHighlights);
            super::deck::refresh_episode(self.conn, episode_id, cards)?;
        }
        for &episode_id in &self.changed.episodes {
            super::derived::refresh_tag_keys(self.conn, episode_id)?;
        }
        outbox::push(self.conn, self.now, self.outgoing)?;
        Ok(self.changed)
    }
}
