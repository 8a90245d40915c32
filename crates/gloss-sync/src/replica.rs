//! [`Replica`]: one device's side of sync. It stamps and logs local changes,
//! reads everyone's logs, and keeps the merged [`State`].

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::clock::{self, Clock, Observed};
use super::compact::compact;
use super::log::{self, Damage, FolderReader, LogError, LogOptions, LogWriter};
use super::{Change, DeviceId, Key, NoteOn, Op, OpId, State};

/// Something about a round the user may want to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Damage(Damage),
    /// A device's clock is far ahead of this one's: its changes are kept and
    /// merged, but this device's clock does not follow it.
    ClockAhead {
        device: DeviceId,
        ahead_ms: u64,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Damage(damage) => damage.fmt(f),
            Problem::ClockAhead { device, ahead_ms } => write!(
                f,
                "device {device}'s clock is {:.1} hours ahead of this one; its changes are kept, \
                 but please correct its clock",
                *ahead_ms as f64 / 3_600_000.0
            ),
        }
    }
}

/// What one round of reading the sync folder did.
#[derive(Debug, Default)]
pub struct Round {
    /// Records read (new ones and ones seen before).
    pub read: usize,
    /// Registers whose visible value changed, each once.
    pub changed: BTreeSet<Key>,
    pub problems: Vec<Problem>,
    /// Devices with a log in the folder.
    pub devices: BTreeSet<DeviceId>,
    /// The records read, in the order read: a store that keeps what it
    /// applied across restarts tells from their ids which are new to it.
    pub ops: Vec<Op>,
}

impl Round {
    /// Adds what a later round over the same replica did.
    fn absorb(&mut self, later: Round) {
        self.read += later.read;
        self.changed.extend(later.changed);
        self.problems.extend(later.problems);
        self.devices.extend(later.devices);
        self.ops.extend(later.ops);
    }
}

/// What a compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compacted {
    pub segments: usize,
    pub ops_before: usize,
    pub ops_kept: usize,
}

#[derive(Debug)]
pub struct Replica {
    sync_dir: PathBuf,
    device: DeviceId,
    clock: Clock,
    /// The number of this device's last op.
    last_seq: u64,
    state: State,
    writer: LogWriter,
    reader: FolderReader,
}

impl Replica {
    /// Opens this device's log in `sync_dir` and reads the whole folder,
    /// this device's own log included (which also tells where its numbering
    /// and clock stand). Local changes are only stamped after that, so they
    /// always sort after what the device has already written.
    pub fn open(sync_dir: &Path, device: DeviceId, options: LogOptions) -> Result<(Replica, Round), LogError> {
        let (mut replica, mut round) = Replica::open_own(sync_dir, device, options)?;
        round.absorb(replica.round()?);
        Ok((replica, round))
    }

    /// Opens this device's log and reads only that: numbering and clock
    /// continue where the device left off, but nothing of the other devices
    /// is known yet. Changes made while the device was not syncing are
    /// recorded now, so they are stamped by when they were made and not
    /// after edits from elsewhere that the user never saw; the next
    /// [`round`](Self::round) reads everyone else.
    pub fn open_own(sync_dir: &Path, device: DeviceId, options: LogOptions) -> Result<(Replica, Round), LogError> {
        let writer = LogWriter::open(sync_dir, &device, options)?;
        let mut replica = Replica {
            sync_dir: sync_dir.to_owned(),
            device,
            clock: Clock::new(),
            last_seq: 0,
            state: State::new(),
            writer,
            reader: FolderReader::new(),
        };
        let own = replica.device.clone();
        let round = replica.read_at(Some(&own), clock::wall_ms())?;
        Ok((replica, round))
    }

    pub fn device(&self) -> &DeviceId {
        &self.device
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn sync_dir(&self) -> &Path {
        &self.sync_dir
    }

    /// Records local changes: stamps them, appends them to this device's log
    /// and fsyncs it, then applies them. When this returns `Ok` the changes
    /// are durable and will reach every device.
    pub fn record(&mut self, changes: Vec<Change>) -> Result<Vec<Op>, LogError> {
        self.record_at(changes, clock::wall_ms())
    }

    /// [`record`](Self::record) at a given wall time (tests play clocks with it).
    pub fn record_at(&mut self, changes: Vec<Change>, wall_ms: u64) -> Result<Vec<Op>, LogError> {
        self.append(changes.into_iter().map(|change| (change, wall_ms)).collect(), false)
    }

    /// Records changes the user made, each at its own wall time, in order
    /// (a queue of changes kept while not syncing). Each `SetNote` also
    /// replaces the version the user was looking at when editing: the
    /// note's current text, or its previous edit in the same batch. So a
    /// concurrent edit from elsewhere that the user had not seen is never
    /// taken as replaced, and stays visible if it loses.
    pub fn record_edits(&mut self, edits: Vec<(Change, u64)>) -> Result<Vec<Op>, LogError> {
        self.append(edits, true)
    }

    fn append(&mut self, changes: Vec<(Change, u64)>, follow_notes: bool) -> Result<Vec<Op>, LogError> {
        let mut noted: HashMap<NoteOn, OpId> = HashMap::new();
        let mut ops = Vec::with_capacity(changes.len());
        for (mut change, wall_ms) in changes {
            if let (true, Change::SetNote { on, replaces, .. }) = (follow_notes, &mut change) {
                let seen = match noted.get(on) {
                    Some(id) => Some(id.clone()),
                    None => self.state.version(&Key::Note(on.clone())).map(|v| v.op.clone()),
                };
                if let Some(seen) = seen.filter(|seen| !replaces.contains(seen)) {
                    replaces.push(seen);
                }
            }
            self.last_seq += 1;
            let stamp = self.clock.stamp(wall_ms, self.state.latest(&change));
            let op = Op { device: self.device.clone(), seq: self.last_seq, stamp, change };
            if let Change::SetNote { on, .. } = &op.change {
                noted.insert(on.clone(), op.id());
            }
            ops.push(op);
        }
        // On failure the numbers stay used: a torn record may hold them.
        self.writer.append(&ops)?;
        for op in &ops {
            self.state.apply(op);
        }
        Ok(ops)
    }

    /// Reads what is new in the sync folder and applies it.
    pub fn round(&mut self) -> Result<Round, LogError> {
        self.round_at(clock::wall_ms())
    }

    pub fn round_at(&mut self, wall_ms: u64) -> Result<Round, LogError> {
        self.read_at(None, wall_ms)
    }

    fn read_at(&mut self, only: Option<&DeviceId>, wall_ms: u64) -> Result<Round, LogError> {
        let batch = self.reader.read_new_of(&self.sync_dir, only)?;
        let mut round = Round {
            read: batch.ops.len(),
            problems: batch.damage.into_iter().map(Problem::Damage).collect(),
            devices: batch.devices,
            ..Round::default()
        };
        let mut ahead: Option<(DeviceId, u64)> = None;
        for op in &batch.ops {
            if op.device == self.device {
                self.last_seq = self.last_seq.max(op.seq);
            }
            if let Observed::TooFarAhead { ahead_ms } = self.clock.observe(op.stamp, wall_ms) {
                if ahead.as_ref().is_none_or(|(_, most)| ahead_ms > *most) {
                    ahead = Some((op.device.clone(), ahead_ms));
                }
            }
            round.changed.extend(self.state.apply(op));
        }
        if let Some((device, ahead_ms)) = ahead {
            round.problems.push(Problem::ClockAhead { device, ahead_ms });
        }
        round.ops = batch.ops;
        Ok(round)
    }

    /// Compacts this device's finished segments into one snapshot if enough
    /// have piled up ([`LogOptions::compact_after`]).
    pub fn compact_if_due(&mut self) -> Result<Option<Compacted>, LogError> {
        let finished = self.writer.finished()?;
        let plain = finished.iter().filter(|s| !s.snapshot).count();
        if plain < self.writer.options().compact_after {
            return Ok(None);
        }
        self.compact().map(Some)
    }

    /// Merges all finished segments of this device's own log into one
    /// snapshot that keeps what any replica still needs (see `compact`).
    pub fn compact(&mut self) -> Result<Compacted, LogError> {
        let finished = self.writer.finished()?;
        if finished.is_empty() {
            return Ok(Compacted::default());
        }
        let ops = log::read_segments(self.writer.dir(), &finished)?;
        let ops_before = ops.len();
        let (own, foreign): (Vec<Op>, Vec<Op>) = ops.into_iter().partition(|op| op.device == self.device);
        // Records of another device in this folder are not ours to judge: keep them as they are.
        let mut kept = compact(own);
        kept.extend(foreign);
        self.writer.replace_with_snapshot(&finished, &kept)?;
        Ok(Compacted { segments: finished.len(), ops_before, ops_kept: kept.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Hlc, MAX_AHEAD_MS};

    const HOUR: u64 = 3_600_000;

    fn color(highlight: &str, color: &str) -> Change {
        Change::SetColor { highlight: highlight.into(), color: color.into() }
    }

    #[test]
    fn an_edit_made_after_seeing_a_far_future_one_wins_over_it() {
        let sync = tempfile::tempdir().unwrap();
        let options = LogOptions::default();
        let (mut ahead, _) = Replica::open(sync.path(), DeviceId::generate(), options).unwrap();
        let (mut on_time, _) = Replica::open(sync.path(), DeviceId::generate(), options).unwrap();
        let now = 1000 * HOUR;
        let far = ahead.record_at(vec![color("h", "red")], now + 30 * 24 * HOUR).unwrap();
        let round = on_time.round_at(now).unwrap();
        assert!(matches!(round.problems[..], [Problem::ClockAhead { ahead_ms, .. }] if ahead_ms == 30 * 24 * HOUR));
        assert_eq!(on_time.state().version(&Key::Color("h".into())).unwrap().stamp, far[0].stamp);
        let mine = on_time.record_at(vec![color("h", "blue")], now).unwrap();
        assert!(mine[0].stamp > far[0].stamp);
        // Its clock did not follow: the next unrelated edit is stamped near its own time.
        let next = on_time.record_at(vec![color("other", "green")], now).unwrap();
        assert!(next[0].stamp <= Hlc::new(now + MAX_AHEAD_MS, 1));
        ahead.round_at(now).unwrap();
        assert_eq!(ahead.state(), on_time.state());
    }

    #[test]
    fn a_note_edit_replaces_the_version_seen_even_an_earlier_edit_in_the_same_batch() {
        let sync = tempfile::tempdir().unwrap();
        let (mut replica, _) = Replica::open(sync.path(), DeviceId::generate(), LogOptions::default()).unwrap();
        let on = NoteOn::Episode("ep".into());
        let note = |text: &str| Change::SetNote { on: on.clone(), text: text.into(), replaces: vec![] };
        let first = replica.record_edits(vec![(note("one"), 10)]).unwrap();
        let batch = replica.record_edits(vec![(note("two"), 20), (note("three"), 30)]).unwrap();
        let replaced = |op: &Op| match &op.change {
            Change::SetNote { replaces, .. } => replaces.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(replaced(&batch[0]), [first[0].id()]);
        assert_eq!(replaced(&batch[1]), [batch[0].id()]);
        let view = replica.state().note(&on).unwrap();
        assert_eq!((view.text.as_str(), view.earlier.len()), ("three", 0));
    }

    #[test]
    fn opening_reads_only_this_devices_log_until_the_first_round() {
        let sync = tempfile::tempdir().unwrap();
        let options = LogOptions::default();
        let device = DeviceId::generate();
        let (mut mine, _) = Replica::open(sync.path(), device.clone(), options).unwrap();
        mine.record_at(vec![color("mine", "blue")], 1000).unwrap();
        drop(mine);
        let (mut other, _) = Replica::open(sync.path(), DeviceId::generate(), options).unwrap();
        other.record_at(vec![color("theirs", "red")], 5000).unwrap();

        let (mut again, own) = Replica::open_own(sync.path(), device, options).unwrap();
        assert_eq!(own.ops.len(), 1);
        assert!(
            again.state().highlight(&"theirs".into()).is_none()
                && again.state().version(&Key::Color("theirs".into())).is_none()
        );
        // Stamped by when it was made, not after what the device has not read yet.
        let late = again.record_edits(vec![(color("theirs", "green"), 2000)]).unwrap();
        assert!(late[0].stamp < Hlc::new(5000, 0));
        let round = again.round().unwrap();
        assert_eq!(round.ops.len(), 2, "the other device's op and its own new one");
        assert_eq!(again.state().version(&Key::Color("theirs".into())).unwrap().stamp, Hlc::new(5000, 0));
    }

    #[test]
    fn a_restarted_device_continues_its_numbering_after_compaction() {
        let sync = tempfile::tempdir().unwrap();
        let options = LogOptions { segment_bytes: 200, compact_after: 2 };
        let device = DeviceId::generate();
        let (mut replica, _) = Replica::open(sync.path(), device.clone(), options).unwrap();
        for n in 0..20 {
            replica.record_at(vec![color("h", &format!("c{n}"))], 1000 + n).unwrap();
        }
        let compacted = replica.compact().unwrap();
        assert!(compacted.ops_kept < compacted.ops_before, "{compacted:?}");
        let state = replica.state().clone();
        drop(replica);
        let (mut again, _) = Replica::open(sync.path(), device, options).unwrap();
        assert_eq!(again.state(), &state);
        let op = again.record_at(vec![color("h", "last")], 2000).unwrap();
        assert_eq!(op[0].seq, 21);
    }
}
