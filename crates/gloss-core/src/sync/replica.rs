//! [`Replica`]: one device's side of sync. It stamps and logs local changes,
//! reads everyone's logs, and keeps the merged [`State`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::clock::{self, Clock, Observed};
use super::compact::compact;
use super::log::{self, Damage, FolderReader, LogError, LogOptions, LogWriter};
use super::{Change, DeviceId, Key, Op, State};

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
        let round = replica.round()?;
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
        let ops: Vec<Op> = changes
            .into_iter()
            .map(|change| {
                self.last_seq += 1;
                let stamp = self.clock.stamp(wall_ms, self.state.latest(&change));
                Op { device: self.device.clone(), seq: self.last_seq, stamp, change }
            })
            .collect();
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
        let batch = self.reader.read_new(&self.sync_dir)?;
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
    use crate::sync::{Hlc, MAX_AHEAD_MS};

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
