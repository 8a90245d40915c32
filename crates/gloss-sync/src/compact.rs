//! Compaction: which of a device's own ops a snapshot must keep so that the
//! state built from the snapshot equals the state built from every op.
//!
//! An op may go only if, for every register it writes, a later op of the
//! same device makes it irrelevant everywhere:
//!
//! - a value register: a later own op writes the same register (it wins
//!   over this one on every replica, whatever else arrives);
//! - a note: a later own op *replaces* this version (so it is never shown
//!   as an earlier version); the dropped version's own `replaces` move to
//!   that later op, so nothing it hid comes back;
//! - anything about a purged highlight: the purge hides it all.
//!
//! Everything else stays, tombstones and purges included, so a device that
//! was away for months reads the snapshot and ends where everyone else is.
//! The device's last op always stays too: it tells the device, should it
//! lose its data folder's state, where its numbering stands, so an op id is
//! never given twice.

use std::collections::{HashMap, HashSet};

use super::state::{keys, Key};
use super::{Change, HighlightId, Op, OpId};

/// The ops (all of one device) a snapshot keeps, in their original order.
pub fn compact(ops: Vec<Op>) -> Vec<Op> {
    let mut seen = HashSet::new();
    let mut ops: Vec<Op> = ops.into_iter().filter(|op| seen.insert(op.id())).collect();
    ops.sort_by_key(|op| (op.stamp, op.seq));

    let purged: HashSet<HighlightId> = ops
        .iter()
        .filter_map(|op| match &op.change {
            Change::Purge { highlight } => Some(highlight.clone()),
            _ => None,
        })
        .collect();
    let mut last_writer: HashMap<Key, usize> = HashMap::new();
    let mut replacers: HashMap<OpId, Vec<usize>> = HashMap::new();
    for (at, op) in ops.iter().enumerate() {
        for key in keys(&op.change) {
            last_writer.insert(key, at);
        }
        for id in replaces(&op.change) {
            replacers.entry(id.clone()).or_default().push(at);
        }
    }

    let newest = ops.iter().map(|op| op.seq).max();
    let mut keep = vec![true; ops.len()];
    for at in 0..ops.len() {
        if Some(ops[at].seq) == newest {
            continue;
        }
        let id = ops[at].id();
        let carrier = replacers.get(&id).and_then(|list| list.iter().copied().filter(|&j| j > at).max());
        let superseded = |key: &Key| {
            if key.highlight().is_some_and(|h| purged.contains(h)) {
                return true;
            }
            match key {
                Key::Note(_) => carrier.is_some(),
                _ => last_writer.get(key).is_some_and(|&last| last > at),
            }
        };
        let writes = keys(&ops[at].change);
        if matches!(ops[at].change, Change::Purge { .. }) || writes.is_empty() || !writes.iter().all(superseded) {
            continue;
        }
        keep[at] = false;
        // Hand what this version replaced on to the version replacing it.
        let inherited: Vec<OpId> = replaces(&ops[at].change).to_vec();
        if let Some(j) = carrier {
            if let Change::SetNote { replaces, .. } = &mut ops[j].change {
                for id in inherited {
                    if !replaces.contains(&id) {
                        replacers.entry(id.clone()).or_default().push(j);
                        replaces.push(id);
                    }
                }
            }
        }
    }
    let mut kept: Vec<Op> = ops.into_iter().zip(keep).filter_map(|(op, keep)| keep.then_some(op)).collect();
    kept.sort_by_key(|op| op.seq);
    kept
}

fn replaces(change: &Change) -> &[OpId] {
    match change {
        Change::SetNote { replaces, .. } => replaces,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceId, Hlc, NoteOn, State};

    fn device(n: u8) -> DeviceId {
        format!("{n:016x}").parse().unwrap()
    }

    fn op(dev: u8, seq: u64, change: Change) -> Op {
        Op { device: device(dev), seq, stamp: Hlc::new(seq * 10 + u64::from(dev), 0), change }
    }

    fn build(ops: &[Op]) -> State {
        let mut state = State::new();
        ops.iter().for_each(|op| {
            state.apply(op);
        });
        state
    }

    #[test]
    fn repeated_writes_shrink_to_the_last_and_the_state_is_unchanged() {
        let mut own = Vec::new();
        for seq in 1..=50 {
            own.push(op(1, seq, Change::SetPosition { episode: "ep".into(), position: seq }));
        }
        own.push(op(1, 51, Change::SetRead { episode: "ep".into(), read: true }));
        let kept = compact(own.clone());
        assert_eq!(kept.iter().map(|op| op.seq).collect::<Vec<_>>(), [50, 51]);
        assert_eq!(build(&kept), build(&own));
    }

    #[test]
    fn a_note_version_someone_may_still_show_is_kept() {
        let on = NoteOn::Episode("ep".into());
        let set = |text: &str, replaces: Vec<OpId>| Change::SetNote { on: on.clone(), text: text.into(), replaces };
        let other = op(2, 1, set("theirs", vec![]));
        let a1 = op(1, 1, set("mine 1", vec![other.id()]));
        let a2 = op(1, 2, set("mine 2", vec![a1.id()]));
        // Written after "theirs" arrived, but not replacing a2: a2 stays an earlier version.
        let a3 = op(1, 3, set("mine 3", vec![other.id()]));
        let own = vec![a1.clone(), a2.clone(), a3.clone()];
        let kept = compact(own.clone());
        assert_eq!(kept.iter().map(|op| op.seq).collect::<Vec<_>>(), [2, 3]);
        // a2 now replaces what a1 replaced, so "theirs" stays hidden.
        assert!(matches!(&kept[0].change, Change::SetNote { replaces, .. } if replaces.contains(&other.id())));
        let mut everything = own.clone();
        everything.push(other.clone());
        let mut compacted = kept.clone();
        compacted.push(other);
        assert_eq!(build(&compacted), build(&everything));
    }
}
