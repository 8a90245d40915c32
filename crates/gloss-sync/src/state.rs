//! The merged state: what every op seen so far adds up to.
//!
//! The state is a map of registers ([`Key`]), one per field of each thing
//! the user annotates. Applying an op writes the registers it touches; each
//! register keeps the write with the greatest [`Version`] (HLC stamp, then op
//! id), so applying is idempotent and the result does not depend on the order
//! ops arrive in. Two replicas that applied the same set of ops are equal
//! (`==`), whatever the order and however often.
//!
//! Notes are kept more carefully: a note register remembers every version
//! no later write replaced, so of two truly concurrent edits the loser stays
//! visible as an earlier version instead of vanishing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::clock::Hlc;
use super::op::{fold_tag, Anchor, Change, Fingerprint, HighlightId, NoteOn, OpId, Tagged};
use super::Op;

/// One register. Serialised only by stores that keep registers waiting
/// for their episode across restarts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// Set once, by the op that created the highlight; its stamp is the creation time.
    Created(HighlightId),
    Anchor(HighlightId),
    Color(HighlightId),
    /// The tombstone: `true` while the highlight is in the trash.
    Deleted(HighlightId),
    Note(NoteOn),
    /// Membership of one tag (folded, see [`fold_tag`]) on one thing.
    Tag(Tagged, String),
    Star(Fingerprint, String),
    Read(Fingerprint),
    Position(Fingerprint),
    Setting(String),
    /// A rating, by event id: written once.
    Review(String),
    /// Whether a rating was undone, by event id.
    ReviewUndone(String),
    /// A card's review choices (included, suspended), by card id.
    Card(String),
}

impl Key {
    /// The highlight this register belongs to, if any.
    pub fn highlight(&self) -> Option<&HighlightId> {
        match self {
            Key::Created(id) | Key::Anchor(id) | Key::Color(id) | Key::Deleted(id) => Some(id),
            Key::Note(NoteOn::Highlight(id)) | Key::Tag(Tagged::Highlight(id), _) => Some(id),
            _ => None,
        }
    }
}

/// Orders the writes of one register: the later stamp wins, and of equal
/// stamps the greater op id (device, then number).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub stamp: Hlc,
    pub op: OpId,
}

/// A register's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Value {
    Anchor(Anchor),
    Text(String),
    Flag(bool),
    /// A tag as the user spelled it, and whether it is on.
    Tag {
        name: String,
        tagged: bool,
    },
    Json(serde_json::Value),
}

/// What one op writes into one register.
enum Write {
    Set(Value),
    Note { text: String, replaces: Vec<OpId> },
}

/// The registers a change writes. `Purge` writes none: it removes them.
fn writes(change: &Change) -> Vec<(Key, Write)> {
    let set = |key, value| vec![(key, Write::Set(value))];
    let tag = |on: &Tagged, tag: &str, tagged| {
        (Key::Tag(on.clone(), fold_tag(tag)), Write::Set(Value::Tag { name: tag.trim().to_owned(), tagged }))
    };
    match change {
        Change::CreateHighlight { highlight, anchor, color, note, tags } => {
            let on = Tagged::Highlight(highlight.clone());
            let mut writes = vec![
                (Key::Created(highlight.clone()), Write::Set(Value::Flag(true))),
                (Key::Anchor(highlight.clone()), Write::Set(Value::Anchor(anchor.clone()))),
                (Key::Color(highlight.clone()), Write::Set(Value::Text(color.clone()))),
                (Key::Deleted(highlight.clone()), Write::Set(Value::Flag(false))),
                (
                    Key::Note(NoteOn::Highlight(highlight.clone())),
                    Write::Note { text: note.clone(), replaces: Vec::new() },
                ),
            ];
            writes.extend(tags.iter().map(|name| tag(&on, name, true)));
            writes
        }
        Change::Reattach { highlight, anchor } => set(Key::Anchor(highlight.clone()), Value::Anchor(anchor.clone())),
        Change::SetColor { highlight, color } => set(Key::Color(highlight.clone()), Value::Text(color.clone())),
        Change::SetNote { on, text, replaces } => {
            vec![(Key::Note(on.clone()), Write::Note { text: text.clone(), replaces: replaces.clone() })]
        }
        Change::SetTag { on, tag: name, tagged } => vec![tag(on, name, *tagged)],
        Change::Delete { highlight } => set(Key::Deleted(highlight.clone()), Value::Flag(true)),
        Change::Restore { highlight } => set(Key::Deleted(highlight.clone()), Value::Flag(false)),
        Change::Purge { .. } => Vec::new(),
        Change::SetStar { episode, insight, starred } => {
            set(Key::Star(episode.clone(), insight.clone()), Value::Flag(*starred))
        }
        Change::SetRead { episode, read } => set(Key::Read(episode.clone()), Value::Flag(*read)),
        Change::SetPosition { episode, position } => {
            set(Key::Position(episode.clone()), Value::Json((*position).into()))
        }
        Change::SetSetting { key, value } => set(Key::Setting(key.clone()), Value::Json(value.clone())),
        Change::Review { event, card, rating, at } => set(
            Key::Review(event.clone()),
            Value::Json(serde_json::json!({ "card": card, "rating": rating, "at": at })),
        ),
        Change::UndoReview { event } => set(Key::ReviewUndone(event.clone()), Value::Flag(true)),
        Change::SetCard { card, included, suspended, buried_until } => set(
            Key::Card(card.clone()),
            Value::Json(
                serde_json::json!({ "included": included, "suspended": suspended, "buried_until": buried_until }),
            ),
        ),
    }
}

/// The registers a change touches, for stamping it after them and for compaction.
pub fn keys(change: &Change) -> Vec<Key> {
    writes(change).into_iter().map(|(key, _)| key).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    Value { at: Version, value: Value },
    Note(NoteSlot),
}

/// A note's versions. `winner` is the greatest version ever written;
/// `heads` are the versions no op has replaced (the winner among them, and
/// any concurrent edit that lost); `replaced` remembers every version any op
/// replaced, including ones not seen yet, so arrival order does not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NoteSlot {
    winner: NoteVersion,
    heads: BTreeMap<OpId, NoteVersion>,
    replaced: BTreeSet<OpId>,
}

/// One version of a note.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NoteVersion {
    pub at: Version,
    pub text: String,
}

/// Whether `new` should replace `old` in a last-writer-wins register. Equal
/// versions with different values only come from a broken log (one op id
/// written twice); the value then decides, so every replica still agrees.
fn wins<T: Serialize>(new: (&Version, &T), old: (&Version, &T)) -> bool {
    match new.0.cmp(old.0) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            let text = |value: &T| serde_json::to_string(value).unwrap_or_default();
            text(new.1) > text(old.1)
        }
    }
}

impl NoteSlot {
    fn new(version: NoteVersion, replaces: Vec<OpId>) -> NoteSlot {
        let mut slot = NoteSlot { winner: version.clone(), heads: BTreeMap::new(), replaced: BTreeSet::new() };
        slot.write(version, replaces);
        slot
    }

    /// Adds a version; true if the winner or the set of heads changed.
    fn write(&mut self, version: NoteVersion, replaces: Vec<OpId>) -> bool {
        let mut changed = false;
        for id in replaces {
            changed |= self.heads.remove(&id).is_some();
            self.replaced.insert(id);
        }
        if wins((&version.at, &version.text), (&self.winner.at, &self.winner.text)) {
            self.winner = version.clone();
            changed = true;
        }
        if !self.replaced.contains(&version.at.op) {
            let id = version.at.op.clone();
            match self.heads.get(&id) {
                Some(old) if !wins((&version.at, &version.text), (&old.at, &old.text)) => {}
                _ => {
                    self.heads.insert(id, version);
                    changed = true;
                }
            }
        }
        changed
    }
}

/// A note as the user sees it: the current text, and the texts of
/// concurrent edits that lost to it, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteView {
    pub text: String,
    pub updated: Hlc,
    pub earlier: Vec<NoteVersion>,
}

/// A highlight as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HighlightView {
    pub id: HighlightId,
    pub anchor: Anchor,
    pub color: String,
    pub note: Option<NoteView>,
    /// Tags as spelled by their last writer, in folded order.
    pub tags: Vec<String>,
    pub deleted: bool,
    pub created: Hlc,
    /// The latest stamp of any of its fields.
    pub updated: Hlc,
}

/// A rating as the review log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewView {
    pub event: String,
    pub card: String,
    pub rating: u8,
    pub at: u64,
    pub undone: bool,
}

/// What the user chose for a review card.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardChoice {
    /// In review against the default rule; `None`: the rule decides.
    pub included: Option<bool>,
    pub suspended: bool,
    /// Out of review until then (Unix milliseconds): buried for the day.
    pub buried_until: Option<u64>,
}

/// Everything the ops seen so far add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    registers: BTreeMap<Key, Slot>,
    purged: BTreeSet<HighlightId>,
}

impl State {
    pub fn new() -> State {
        State::default()
    }

    /// Applies one op; returns the registers whose visible value changed
    /// (none if the op was applied before or lost to later writes).
    pub fn apply(&mut self, op: &Op) -> Vec<Key> {
        if let Change::Purge { highlight } = &op.change {
            return self.purge(highlight);
        }
        let at = Version { stamp: op.stamp, op: op.id() };
        let mut changed = Vec::new();
        for (key, write) in writes(&op.change) {
            if key.highlight().is_some_and(|id| self.purged.contains(id)) {
                continue;
            }
            if self.write(&key, &at, write) {
                changed.push(key);
            }
        }
        changed
    }

    fn write(&mut self, key: &Key, at: &Version, write: Write) -> bool {
        let slot = self.registers.get_mut(key);
        match (slot, write) {
            (None, Write::Set(value)) => {
                self.registers.insert(key.clone(), Slot::Value { at: at.clone(), value });
                true
            }
            (None, Write::Note { text, replaces }) => {
                let version = NoteVersion { at: at.clone(), text };
                self.registers.insert(key.clone(), Slot::Note(NoteSlot::new(version, replaces)));
                true
            }
            (Some(Slot::Value { at: old_at, value: old }), Write::Set(value)) => {
                let newer = wins((at, &value), (old_at, old));
                if newer {
                    *old_at = at.clone();
                    *old = value;
                }
                newer
            }
            (Some(Slot::Note(slot)), Write::Note { text, replaces }) => {
                slot.write(NoteVersion { at: at.clone(), text }, replaces)
            }
            // A key always takes the same kind of write; nothing else reaches here.
            (Some(_), _) => false,
        }
    }

    fn purge(&mut self, highlight: &HighlightId) -> Vec<Key> {
        if !self.purged.insert(highlight.clone()) {
            return Vec::new();
        }
        let gone: Vec<Key> = self.registers.keys().filter(|key| key.highlight() == Some(highlight)).cloned().collect();
        for key in &gone {
            self.registers.remove(key);
        }
        gone
    }

    /// The greatest stamp among the registers `change` writes: a local
    /// change is stamped after it, so it wins over what the user saw.
    pub fn latest(&self, change: &Change) -> Option<Hlc> {
        keys(change).iter().filter_map(|key| self.version(key)).map(|v| v.stamp).max()
    }

    /// The version currently winning a register.
    pub fn version(&self, key: &Key) -> Option<&Version> {
        match self.registers.get(key)? {
            Slot::Value { at, .. } => Some(at),
            Slot::Note(slot) => Some(&slot.winner.at),
        }
    }

    /// The change for the user editing a note: it replaces the version the
    /// user sees, so a concurrent edit elsewhere that loses stays visible.
    pub fn edit_note(&self, on: NoteOn, text: String) -> Change {
        let replaces = match self.registers.get(&Key::Note(on.clone())) {
            Some(Slot::Note(slot)) => vec![slot.winner.at.op.clone()],
            _ => Vec::new(),
        };
        Change::SetNote { on, text, replaces }
    }

    /// The change for the user settling a note's conflict: it replaces the
    /// current text and every earlier version, which then stop showing.
    pub fn resolve_note(&self, on: NoteOn, text: String) -> Change {
        let replaces = match self.registers.get(&Key::Note(on.clone())) {
            Some(Slot::Note(slot)) => slot.heads.keys().cloned().collect(),
            _ => Vec::new(),
        };
        Change::SetNote { on, text, replaces }
    }

    /// A value register's current value.
    pub(crate) fn value_of(&self, key: &Key) -> Option<&Value> {
        match self.registers.get(key)? {
            Slot::Value { value, .. } => Some(value),
            Slot::Note(_) => None,
        }
    }

    fn flag(&self, key: &Key) -> Option<bool> {
        match self.value_of(key)? {
            Value::Flag(flag) => Some(*flag),
            _ => None,
        }
    }

    fn json(&self, key: &Key) -> Option<&serde_json::Value> {
        match self.value_of(key)? {
            Value::Json(json) => Some(json),
            _ => None,
        }
    }

    /// A note, if it has text or earlier versions.
    pub fn note(&self, on: &NoteOn) -> Option<NoteView> {
        let Some(Slot::Note(slot)) = self.registers.get(&Key::Note(on.clone())) else {
            return None;
        };
        let mut earlier: Vec<NoteVersion> =
            slot.heads.values().filter(|v| v.at != slot.winner.at && !v.text.is_empty()).cloned().collect();
        earlier.sort_by(|a, b| b.at.cmp(&a.at));
        if slot.winner.text.is_empty() && earlier.is_empty() {
            return None;
        }
        Some(NoteView { text: slot.winner.text.clone(), updated: slot.winner.at.stamp, earlier })
    }

    /// The tags on something, as spelled, in folded order.
    pub fn tags(&self, on: &Tagged) -> Vec<String> {
        self.tag_registers(on)
            .filter_map(|(_, slot)| match slot {
                Slot::Value { value: Value::Tag { name, tagged: true }, .. } => Some(name.clone()),
                _ => None,
            })
            .collect()
    }

    fn tag_registers<'a>(&'a self, on: &'a Tagged) -> impl Iterator<Item = (&'a Key, &'a Slot)> + 'a {
        self.registers
            .range(Key::Tag(on.clone(), String::new())..)
            .take_while(move |(key, _)| matches!(key, Key::Tag(t, _) if t == on))
    }

    /// A highlight, once the op that created it has arrived.
    pub fn highlight(&self, id: &HighlightId) -> Option<HighlightView> {
        let created = self.version(&Key::Created(id.clone()))?.stamp;
        let Some(Value::Anchor(anchor)) = self.value_of(&Key::Anchor(id.clone())) else {
            return None;
        };
        let color = match self.value_of(&Key::Color(id.clone())) {
            Some(Value::Text(color)) => color.clone(),
            _ => String::new(),
        };
        let tagged = Tagged::Highlight(id.clone());
        let field_keys = [Key::Anchor(id.clone()), Key::Color(id.clone()), Key::Deleted(id.clone())];
        let updated = field_keys
            .iter()
            .chain(std::iter::once(&Key::Note(NoteOn::Highlight(id.clone()))))
            .filter_map(|key| self.version(key))
            .map(|v| v.stamp)
            .chain(self.tag_registers(&tagged).filter_map(|(key, _)| self.version(key)).map(|v| v.stamp))
            .fold(created, Hlc::max);
        Some(HighlightView {
            id: id.clone(),
            anchor: anchor.clone(),
            color,
            note: self.note(&NoteOn::Highlight(id.clone())),
            tags: self.tags(&tagged),
            deleted: self.flag(&Key::Deleted(id.clone())).unwrap_or(false),
            created,
            updated,
        })
    }

    /// Every highlight whose creation has arrived, in id order.
    pub fn highlights(&self) -> impl Iterator<Item = HighlightView> + '_ {
        self.registers.keys().filter_map(|key| match key {
            Key::Created(id) => self.highlight(id),
            _ => None,
        })
    }

    pub fn starred(&self, episode: &Fingerprint, insight: &str) -> bool {
        self.flag(&Key::Star(episode.clone(), insight.to_owned())).unwrap_or(false)
    }

    pub fn read(&self, episode: &Fingerprint) -> Option<bool> {
        self.flag(&Key::Read(episode.clone()))
    }

    pub fn position(&self, episode: &Fingerprint) -> Option<u64> {
        self.json(&Key::Position(episode.clone()))?.as_u64()
    }

    pub fn setting(&self, key: &str) -> Option<&serde_json::Value> {
        self.json(&Key::Setting(key.to_owned())).filter(|value| !value.is_null())
    }

    /// A rating in the review log, once it has arrived.
    pub fn review(&self, event: &str) -> Option<ReviewView> {
        let json = self.json(&Key::Review(event.to_owned()))?;
        Some(ReviewView {
            event: event.to_owned(),
            card: json.get("card")?.as_str()?.to_owned(),
            rating: u8::try_from(json.get("rating")?.as_u64()?).ok()?,
            at: json.get("at")?.as_u64()?,
            undone: self.flag(&Key::ReviewUndone(event.to_owned())).unwrap_or(false),
        })
    }

    /// Every rating that has arrived, in event id order.
    pub fn reviews(&self) -> impl Iterator<Item = ReviewView> + '_ {
        self.registers.keys().filter_map(|key| match key {
            Key::Review(event) => self.review(event),
            _ => None,
        })
    }

    /// A card's review choices.
    pub fn card(&self, card: &str) -> Option<CardChoice> {
        let json = self.json(&Key::Card(card.to_owned()))?;
        Some(CardChoice {
            included: json.get("included")?.as_bool(),
            suspended: json.get("suspended")?.as_bool()?,
            buried_until: json.get("buried_until").and_then(|at| at.as_u64()),
        })
    }

    /// Whether a highlight was emptied from the trash for good.
    pub fn is_purged(&self, id: &HighlightId) -> bool {
        self.purged.contains(id)
    }

    /// How many registers the state holds.
    pub fn register_count(&self) -> usize {
        self.registers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::DeviceId;
    use gloss_anchor::describe;

    fn device(n: u8) -> DeviceId {
        format!("{n:016x}").parse().unwrap()
    }

    fn op(dev: u8, seq: u64, ms: u64, change: Change) -> Op {
        Op { device: device(dev), seq, stamp: Hlc::new(ms, 0), change }
    }

    fn create(id: &str) -> Change {
        Change::CreateHighlight {
            highlight: id.into(),
            anchor: Anchor { episode: "ep".into(), selector: describe("some text", 0, 4).unwrap() },
            color: "yellow".into(),
            note: String::new(),
            tags: vec!["AI".into()],
        }
    }

    fn note(on: &NoteOn, text: &str, replaces: Vec<OpId>) -> Change {
        Change::SetNote { on: on.clone(), text: text.into(), replaces }
    }

    fn apply_all(ops: &[Op]) -> State {
        let mut state = State::new();
        for op in ops {
            state.apply(op);
        }
        state
    }

    #[test]
    fn last_writer_wins_per_field_whatever_the_order() {
        let ops = [
            op(1, 1, 10, create("h")),
            op(2, 1, 20, Change::SetColor { highlight: "h".into(), color: "blue".into() }),
            op(1, 2, 20, Change::SetColor { highlight: "h".into(), color: "red".into() }),
        ];
        let forward = apply_all(&ops);
        let mut reversed = ops.clone();
        reversed.reverse();
        assert_eq!(forward, apply_all(&reversed));
        // Same stamp: the greater device id wins.
        assert_eq!(forward.highlight(&"h".into()).unwrap().color, "blue");
        // Applying again changes nothing.
        let mut again = forward.clone();
        assert!(again.apply(&ops[1]).is_empty());
        assert_eq!(again, forward);
    }

    #[test]
    fn a_concurrent_note_edit_that_loses_stays_as_an_earlier_version() {
        let on = NoteOn::Episode("ep".into());
        let first = op(1, 1, 10, note(&on, "first", vec![]));
        let a = op(1, 2, 20, note(&on, "from A", vec![first.id()]));
        let b = op(2, 1, 30, note(&on, "from B", vec![first.id()]));
        let state = apply_all(&[b.clone(), a.clone(), first.clone()]);
        let view = state.note(&on).unwrap();
        assert_eq!(view.text, "from B");
        let earlier: Vec<_> = view.earlier.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(earlier, ["from A"]);
        assert_eq!(state, apply_all(&[first.clone(), a.clone(), b.clone()]));

        // A sequential edit replaces without leaving anything behind...
        let mut state = apply_all(&[first.clone(), a.clone()]);
        assert!(state.note(&on).unwrap().earlier.is_empty());
        // ...and resolving the conflict clears the earlier version.
        state.apply(&b);
        let resolve = op(2, 2, 40, state.resolve_note(on.clone(), "merged".into()));
        state.apply(&resolve);
        assert_eq!(
            state.note(&on).unwrap(),
            NoteView { text: "merged".into(), updated: Hlc::new(40, 0), earlier: vec![] }
        );
    }

    #[test]
    fn tags_are_per_item_and_case_insensitive() {
        let on = Tagged::Highlight("h".into());
        let ops = [
            op(1, 1, 10, create("h")),
            op(2, 1, 20, Change::SetTag { on: on.clone(), tag: "ai".into(), tagged: false }),
            op(1, 2, 15, Change::SetTag { on: on.clone(), tag: "Work".into(), tagged: true }),
        ];
        let state = apply_all(&ops);
        assert_eq!(state.tags(&on), ["Work"]);
        assert!(state.tags(&Tagged::Episode("ep".into())).is_empty());
    }

    #[test]
    fn delete_is_a_tombstone_and_purge_forgets_for_good() {
        let id: HighlightId = "h".into();
        let delete = op(1, 2, 20, Change::Delete { highlight: id.clone() });
        let restore = op(2, 1, 15, Change::Restore { highlight: id.clone() });
        let state = apply_all(&[delete.clone(), op(1, 1, 10, create("h")), restore.clone()]);
        assert!(state.highlight(&id).unwrap().deleted);

        let purge = op(2, 2, 30, Change::Purge { highlight: id.clone() });
        let late = op(1, 3, 40, Change::SetColor { highlight: id.clone(), color: "red".into() });
        let one = apply_all(&[op(1, 1, 10, create("h")), purge.clone(), late.clone()]);
        let other = apply_all(&[late, op(1, 1, 10, create("h")), purge]);
        assert_eq!(one, other);
        assert!(one.highlight(&id).is_none() && one.is_purged(&id) && one.register_count() == 0);
    }

    #[test]
    fn ops_on_a_highlight_before_its_creation_wait_for_it() {
        let id: HighlightId = "h".into();
        let mut state = State::new();
        state.apply(&op(2, 1, 20, Change::SetColor { highlight: id.clone(), color: "red".into() }));
        assert!(state.highlight(&id).is_none());
        state.apply(&op(1, 1, 10, create("h")));
        let view = state.highlight(&id).unwrap();
        assert_eq!((view.color.as_str(), view.created, view.updated), ("red", Hlc::new(10, 0), Hlc::new(20, 0)));
    }
}
