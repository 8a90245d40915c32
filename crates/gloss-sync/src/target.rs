//! Where merged changes land: the local database, through [`SyncTarget`].
//!
//! The merge rules live in [`State`] alone; a target never compares stamps.
//! After each round it is handed the registers whose visible value changed
//! and copies what the state now says into its own tables. Registers about
//! an episode the device does not have (matched by fingerprint) wait in a
//! [`Waiting`] set and are handed over once the episode is ingested.

use std::collections::{BTreeMap, BTreeSet};

use super::op::{NoteOn, Tagged};
use super::state::Value;
use super::{Fingerprint, HighlightId, Key, State};

pub trait SyncTarget {
    type Error;

    /// Whether the local library has an episode with this fingerprint.
    fn has_episode(&self, fingerprint: &str) -> Result<bool, Self::Error>;

    /// Makes the local copy of `changed` match `state`. For a highlight,
    /// any of its registers means "write the whole highlight again"
    /// ([`State::highlight`]); one that is `None` there was purged.
    fn apply(&mut self, state: &State, changed: &[Key]) -> Result<(), Self::Error>;
}

/// The episode a register is about, if any; `None` for settings, and for a
/// highlight whose creation has not arrived (it can not be placed yet).
pub fn episode_of(state: &State, key: &Key) -> Option<Fingerprint> {
    match key {
        Key::Note(NoteOn::Episode(episode) | NoteOn::Insight { episode, .. })
        | Key::Tag(Tagged::Episode(episode), _)
        | Key::Star(episode, _)
        | Key::Read(episode)
        | Key::Position(episode) => Some(episode.clone()),
        Key::Setting(_) | Key::Review(_) | Key::ReviewUndone(_) | Key::Card(_) => None,
        _ => match state.value_of(&Key::Anchor(key.highlight()?.clone()))? {
            Value::Anchor(anchor) => Some(anchor.episode.clone()),
            _ => None,
        },
    }
}

/// Registers held back until their episode (or highlight creation) arrives.
///
/// A folder may hold many of them (every annotation of episodes this device
/// does not have), so nothing here costs per waiting register on an
/// ordinary round: the set is looked through again only when asked
/// ([`retry`](Self::retry), after an ingest) or for the highlights just
/// created, and a store saves only what changed ([`take_changes`](Self::take_changes)).
#[derive(Debug, Default)]
pub struct Waiting {
    keys: BTreeSet<Key>,
    /// Keys that started or stopped waiting since the last `take_changes`:
    /// `true` if waiting now.
    changes: BTreeMap<Key, bool>,
}

/// Registers kept waiting from an earlier run: [`Waiting::retry`] hands
/// over those whose episode has arrived meanwhile.
impl FromIterator<Key> for Waiting {
    fn from_iter<I: IntoIterator<Item = Key>>(keys: I) -> Waiting {
        Waiting { keys: keys.into_iter().collect(), changes: BTreeMap::new() }
    }
}

impl Waiting {
    pub fn new() -> Waiting {
        Waiting::default()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The registers held back.
    pub fn keys(&self) -> impl Iterator<Item = &Key> + '_ {
        self.keys.iter()
    }

    /// What started (`true`) or stopped (`false`) waiting since the last
    /// call, for a store to keep the set across restarts.
    pub fn take_changes(&mut self) -> BTreeMap<Key, bool> {
        std::mem::take(&mut self.changes)
    }

    /// Hands `changed` to the target, holding back what it can not take yet.
    pub fn deliver<T: SyncTarget>(
        &mut self,
        state: &State,
        target: &mut T,
        changed: impl IntoIterator<Item = Key>,
    ) -> Result<(), T::Error> {
        let mut ready = Vec::new();
        for key in changed {
            let placeable = match (&key, episode_of(state, &key)) {
                // Not about an episode: the review log and card choices are
                // kept whether or not the card's source is here yet.
                (Key::Setting(_) | Key::Review(_) | Key::ReviewUndone(_) | Key::Card(_), _) => true,
                // A purged highlight: the target removes it.
                (_, None) if key.highlight().is_some_and(|id| state.is_purged(id)) => true,
                (_, None) => false,
                (_, Some(episode)) => target.has_episode(&episode)?,
            };
            if placeable {
                if self.keys.remove(&key) {
                    self.changes.insert(key.clone(), false);
                }
                ready.push(key);
            } else if self.keys.insert(key.clone()) {
                self.changes.insert(key, true);
            }
        }
        if ready.is_empty() {
            return Ok(());
        }
        target.apply(state, &ready)
    }

    /// Tries every held-back register again: call when episodes were ingested.
    pub fn retry<T: SyncTarget>(&mut self, state: &State, target: &mut T) -> Result<(), T::Error> {
        self.retry_where(state, target, |_| true)
    }

    /// Tries again the held-back registers of these highlights (whose
    /// creation, and so their episode, may have just arrived).
    pub fn retry_highlights<T: SyncTarget>(
        &mut self,
        state: &State,
        target: &mut T,
        highlights: &BTreeSet<HighlightId>,
    ) -> Result<(), T::Error> {
        if highlights.is_empty() {
            return Ok(());
        }
        self.retry_where(state, target, |key| key.highlight().is_some_and(|id| highlights.contains(id)))
    }

    fn retry_where<T: SyncTarget>(
        &mut self,
        state: &State,
        target: &mut T,
        wanted: impl Fn(&Key) -> bool,
    ) -> Result<(), T::Error> {
        let again: Vec<Key> = self.keys.iter().filter(|key| wanted(key)).cloned().collect();
        self.deliver(state, target, again)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;
    use crate::{Anchor, Change, DeviceId, Hlc, Op};
    use gloss_anchor::describe;

    /// A target that keeps the highlights it was given, as a table would.
    #[derive(Default)]
    struct Table {
        episodes: HashSet<String>,
        colors: BTreeMap<String, String>,
    }

    impl SyncTarget for Table {
        type Error = std::convert::Infallible;

        fn has_episode(&self, fingerprint: &str) -> Result<bool, Self::Error> {
            Ok(self.episodes.contains(fingerprint))
        }

        fn apply(&mut self, state: &State, changed: &[Key]) -> Result<(), Self::Error> {
            for id in changed.iter().filter_map(Key::highlight) {
                match state.highlight(id) {
                    Some(view) => self.colors.insert(id.clone(), view.color),
                    None => self.colors.remove(id),
                };
            }
            Ok(())
        }
    }

    #[test]
    fn annotations_wait_for_their_episode_and_attach_when_it_arrives() {
        let device: DeviceId = "00000000000000aa".parse().unwrap();
        let op = |seq, change| Op { device: device.clone(), seq, stamp: Hlc::new(seq, 0), change };
        let anchor = Anchor { episode: "later".into(), selector: describe("text here", 0, 4).unwrap() };
        let mut state = State::new();
        let mut table = Table::default();
        let mut waiting = Waiting::new();

        // The colour arrives before the highlight's creation, which arrives before its episode.
        let changed = state.apply(&op(2, Change::SetColor { highlight: "h".into(), color: "blue".into() }));
        waiting.deliver(&state, &mut table, changed).unwrap();
        let create = Change::CreateHighlight {
            highlight: "h".into(),
            anchor,
            color: "yellow".into(),
            note: String::new(),
            tags: vec![],
        };
        let changed = state.apply(&op(1, create));
        waiting.deliver(&state, &mut table, changed).unwrap();
        assert!(table.colors.is_empty() && !waiting.is_empty());

        table.episodes.insert("later".into());
        waiting.retry(&state, &mut table).unwrap();
        assert_eq!(table.colors["h"], "blue");
        assert!(waiting.is_empty());
    }
}
