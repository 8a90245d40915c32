//! [`Replica`]: one device's side of sync. It stamps and logs local changes,
//! reads everyone's logs, and keeps the merged [`State`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::clock::{self, Clock, MAX_AHEAD_MS};
use super::compact::compact;
use super::log::{self, Batch, Damage, FolderReader, LogError, LogOptions, LogWriter};
use super::op::MAX_NUMBER;
use super::{Change, DeviceId, Key, NoteOn, Op, OpId, State};

/// Something about a round the user may want to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Damage(Damage),
    /// Changes of a device stamped more than [`MAX_AHEAD_MS`] ahead of this
    /// device's clock: a clock set wrong, or a forged stamp. They stay in
    /// the folder and wait until this clock reaches them, so they can not
    /// win every register forever; every device holds them back the same
    /// way, so all still converge.
    ClockAhead {
        device: DeviceId,
        ahead_ms: u64,
        held: usize,
    },
    /// Different records claim the same op numbers of one device: two
    /// copies of one data folder write under one id. Both are kept.
    SecondWriter {
        device: DeviceId,
        ops: usize,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Damage(damage) => damage.fmt(f),
            Problem::ClockAhead { device, ahead_ms, held } => write!(
                f,
                "{held} change{} from device {device} are stamped {:.1} hours ahead of this device's clock; \
                 they are kept and apply when that time comes. Correct the clock of the device that made them.",
                if *held == 1 { "" } else { "s" },
                *ahead_ms as f64 / 3_600_000.0
            ),
            Problem::SecondWriter { device, ops } => write!(
                f,
                "{ops} change{} of device {device} came in two different versions: two copies of one data \
                 folder sync under the same id. Both versions are kept; the copy that notices takes a new id.",
                if *ops == 1 { "" } else { "s" }
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
    /// The records merged, in the order read (and those held back until
    /// now): a store that keeps what it applied across restarts tells from
    /// their ids which are new to it.
    pub ops: Vec<Op>,
    /// Ids among `ops` seen before with other content ([`Problem::SecondWriter`]):
    /// not new by id, yet what they say may be.
    pub rewritten: Vec<OpId>,
}

impl Round {
    /// Whether another writer was seen using `device`'s id.
    pub fn second_writer_of(&self, device: &DeviceId) -> bool {
        self.problems.iter().any(|p| matches!(p, Problem::SecondWriter { device: d, .. } if d == device))
    }

    /// Adds what a later round over the same replica did.
    fn absorb(&mut self, later: Round) {
        self.read += later.read;
        self.changed.extend(later.changed);
        self.problems.extend(later.problems);
        self.devices.extend(later.devices);
        self.ops.extend(later.ops);
        self.rewritten.extend(later.rewritten);
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
    /// Ops stamped too far ahead of the wall clock, waiting for it.
    held: Vec<Op>,
    /// Per device and op number, a digest of what the op said when first
    /// read, to notice a second writer under one id.
    digests: HashMap<DeviceId, HashMap<u64, u32>>,
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
            held: Vec::new(),
            digests: HashMap::new(),
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
    /// note's current text, or its previous edit in the same batch
    /// (including the note a highlight created in the batch starts with). So a
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
            if self.last_seq >= MAX_NUMBER {
                return Err(LogError::Exhausted(self.last_seq));
            }
            self.last_seq += 1;
            let stamp = self.clock.stamp(wall_ms, self.state.latest(&change));
            let op = Op { device: self.device.clone(), seq: self.last_seq, stamp, change };
            // What a later note edit in the batch replaces: this note, or
            // the one a new highlight starts with.
            match &op.change {
                Change::SetNote { on, .. } => noted.insert(on.clone(), op.id()),
                Change::CreateHighlight { highlight, .. } => {
                    noted.insert(NoteOn::Highlight(highlight.clone()), op.id())
                }
                _ => None,
            };
            ops.push(op);
        }
        // On failure the numbers stay used: a torn record may hold them.
        self.writer.append(&ops)?;
        let digests = self.digests.entry(self.device.clone()).or_default();
        for op in &ops {
            digests.insert(op.seq, op.digest());
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
        Ok(self.merge(batch, wall_ms))
    }

    /// Reads what is new in the sync folder without merging it: the slow
    /// part of a round (files, parsing), which a store does before taking
    /// its write lock, then hands to [`merge`](Self::merge).
    pub fn read(&mut self) -> Result<Batch, LogError> {
        self.reader.read_new(&self.sync_dir)
    }

    /// Merges what [`read`](Self::read) found, at wall time `wall_ms`, with
    /// the ops held back until then.
    pub fn merge(&mut self, batch: Batch, wall_ms: u64) -> Round {
        let mut round = Round {
            read: batch.ops.len(),
            problems: batch.damage.into_iter().map(Problem::Damage).collect(),
            devices: batch.devices,
            ..Round::default()
        };
        let limit = wall_ms.saturating_add(MAX_AHEAD_MS);
        let (due, held): (Vec<Op>, Vec<Op>) =
            std::mem::take(&mut self.held).into_iter().partition(|op| op.stamp.ms <= limit);
        self.held = held;
        let mut second_writers = BTreeMap::<DeviceId, usize>::new();
        let mut ready = due;
        for op in batch.ops {
            if op.device == self.device {
                self.last_seq = self.last_seq.max(op.seq);
            }
            let digest = op.digest();
            let first = *self.digests.entry(op.device.clone()).or_default().entry(op.seq).or_insert(digest);
            if first != digest {
                *second_writers.entry(op.device.clone()).or_default() += 1;
                round.rewritten.push(op.id());
            }
            if op.stamp.ms > limit {
                self.held.push(op);
            } else {
                ready.push(op);
            }
        }
        for op in &ready {
            self.clock.observe(op.stamp);
            round.changed.extend(self.state.apply(op));
        }
        round.ops = ready;
        let mut ahead = BTreeMap::<&DeviceId, (u64, usize)>::new();
        for op in &self.held {
            let (most, held) = ahead.entry(&op.device).or_default();
            *most = (*most).max(op.stamp.ms - wall_ms);
            *held += 1;
        }
        round.problems.extend(ahead.into_iter().map(|(device, (ahead_ms, held))| Problem::ClockAhead {
            device: device.clone(),
            ahead_ms,
            held,
        }));
        round.problems.extend(second_writers.into_iter().map(|(device, ops)| Problem::SecondWriter { device, ops }));
        round
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
        // Only this device's records are read: another device's in this
        // folder are forged, and dropped here.
        let ops = log::read_segments(self.writer.dir(), &self.device, &finished)?;
        let ops_before = ops.len();
        let kept = compact(ops);
        self.writer.replace_with_snapshot(&finished, &kept)?;
        Ok(Compacted { segments: finished.len(), ops_before, ops_kept: kept.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hlc;

    const HOUR: u64 = 3_600_000;

    fn color(highlight: &str, color: &str) -> Change {
        Change::SetColor { highlight: highlight.into(), color: color.into() }
    }

    /// Writes `op` into `device`'s folder as if that device had: forged
    /// records need no replica.
    fn forge(sync: &Path, op: &Op) {
        let mut writer = LogWriter::open(sync, &op.device, LogOptions::default()).unwrap();
        writer.append(std::slice::from_ref(op)).unwrap();
    }

    #[test]
    fn a_stamp_far_ahead_waits_for_its_time_and_never_freezes_a_register() {
        let sync = tempfile::tempdir().unwrap();
        let options = LogOptions::default();
        let (mut ahead, _) = Replica::open(sync.path(), DeviceId::generate(), options).unwrap();
        let (mut on_time, _) = Replica::open(sync.path(), DeviceId::generate(), options).unwrap();
        let now = 1000 * HOUR;
        let month = 30 * 24 * HOUR;
        ahead.record_at(vec![color("h", "red")], now + month).unwrap();
        // The largest clock value any record may carry, from a forger.
        let forger = DeviceId::generate();
        let stamp = Hlc::new(MAX_NUMBER, u32::MAX);
        forge(sync.path(), &Op { device: forger.clone(), seq: 1, stamp, change: color("h", "black") });

        let round = on_time.round_at(now).unwrap();
        let held: Vec<_> = round
            .problems
            .iter()
            .map(|p| match p {
                Problem::ClockAhead { device, held, .. } => (device.clone(), *held),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(held.len(), 2, "{held:?}");
        assert!(held.iter().all(|(device, n)| device != on_time.device() && *n == 1));
        assert!(on_time.state().version(&Key::Color("h".into())).is_none(), "held back, not merged");

        // The register takes later edits: here now, and once the month has passed.
        let mine = on_time.record_at(vec![color("h", "blue")], now).unwrap();
        assert_eq!(mine[0].stamp, Hlc::new(now, 0), "the clock was not dragged ahead");
        on_time.round_at(now + month).unwrap();
        let color_of = |r: &Replica| match r.state().value_of(&Key::Color("h".into())) {
            Some(crate::state::Value::Text(color)) => color.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(color_of(&on_time), "red");
        on_time.record_at(vec![color("h", "green")], now + month).unwrap();
        assert_eq!(color_of(&on_time), "green");
        let round = ahead.round_at(now + month).unwrap();
        assert!(round
            .problems
            .iter()
            .all(|p| !matches!(p, Problem::ClockAhead { device, .. } if device == ahead.device())));
        assert_eq!(ahead.state(), on_time.state(), "both hold back the forged stamp and agree on the rest");
    }

    #[test]
    fn two_writers_under_one_id_are_noticed_and_both_kept() {
        let sync = tempfile::tempdir().unwrap();
        let options = LogOptions::default();
        let copied = DeviceId::generate();
        // Two copies of one data folder, opened before either wrote.
        let (mut original, _) = Replica::open(sync.path(), copied.clone(), options).unwrap();
        let (mut copy, _) = Replica::open(sync.path(), copied.clone(), options).unwrap();
        original.record_at(vec![color("h", "red")], 1000).unwrap();
        copy.record_at(vec![color("k", "blue")], 2000).unwrap();
        let (third, round) = Replica::open(sync.path(), DeviceId::generate(), options).unwrap();
        assert!(round.second_writer_of(&copied), "{:?}", round.problems);
        assert_eq!(round.rewritten, [OpId { device: copied.clone(), seq: 1 }]);
        assert!(third.state().version(&Key::Color("h".into())).is_some());
        assert!(third.state().version(&Key::Color("k".into())).is_some());
        // The copies notice too; reading one op twice is not a second writer.
        assert!(original.round_at(3000).unwrap().second_writer_of(&copied));
        assert!(!original.round_at(3000).unwrap().second_writer_of(&copied));
    }

    #[test]
    fn a_forged_last_op_number_stops_this_device_with_a_clear_error() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let forged = Op { device: device.clone(), seq: MAX_NUMBER, stamp: Hlc::new(1, 0), change: color("h", "red") };
        forge(sync.path(), &forged);
        let (mut replica, _) = Replica::open(sync.path(), device, LogOptions::default()).unwrap();
        let error = replica.record_at(vec![color("h", "blue")], 2).unwrap_err();
        assert!(matches!(error, LogError::Exhausted(n) if n == MAX_NUMBER), "{error}");
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

        // A highlight created and its note edited in one batch.
        let anchor =
            crate::Anchor { episode: "ep".into(), selector: gloss_anchor::describe("some text", 0, 4).unwrap() };
        let create = Change::CreateHighlight {
            highlight: "h".into(),
            anchor,
            color: "yellow".into(),
            note: "first".into(),
            tags: vec![],
        };
        let on = NoteOn::Highlight("h".into());
        let edit = Change::SetNote { on: on.clone(), text: "edited".into(), replaces: vec![] };
        let batch = replica.record_edits(vec![(create, 40), (edit, 50)]).unwrap();
        assert_eq!(replaced(&batch[1]), [batch[0].id()]);
        assert!(replica.state().note(&on).unwrap().earlier.is_empty());
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
