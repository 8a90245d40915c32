//! The logs on disk.
//!
//! ```text
//! <sync folder>/gloss/<device id>/00000001.snapshot.log   compacted, immutable
//!                                 00000004.log            finished, immutable
//!                                 00000005.log            the open tail, appended
//! ```
//!
//! Only the device named by the folder writes in it. Records are appended to
//! the highest-numbered segment and fsynced before a change counts as made;
//! a segment past [`LogOptions::segment_bytes`] is left as it is (finished)
//! and the next one started. Files written whole (snapshots) are written to a
//! temporary name, fsynced and renamed, so no reader sees half of one.
//!
//! Readers read every file under `gloss/`, whatever its name: conflict
//! copies, duplicates and strays are just more records, and records say
//! which device and op they are, so reading one twice changes nothing.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::record;
use super::{DeviceId, Op};

/// The folder inside the sync folder that Gloss owns.
pub const ROOT: &str = "gloss";

const SNAPSHOT_SUFFIX: &str = ".snapshot.log";
const SEGMENT_SUFFIX: &str = ".log";
const TEMP_SUFFIX: &str = ".tmp";

/// The longest line a reader takes as a record. A record holds one change,
/// and the longest a user makes is a note of a few megabytes; a longer line
/// is damage, skipped without being held in memory.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// How many damaged files one pass describes; the rest are only counted,
/// so a folder full of garbage costs a number, not memory.
pub const MAX_DAMAGED_FILES: usize = 20;

/// How many offsets of damaged lines are listed per file.
const OFFSETS_LISTED: usize = 3;

#[derive(Debug, Clone, Copy)]
pub struct LogOptions {
    /// A segment this large is finished and the next one started.
    pub segment_bytes: u64,
    /// Compaction runs once this many finished segments have piled up.
    pub compact_after: usize,
}

impl Default for LogOptions {
    fn default() -> LogOptions {
        LogOptions { segment_bytes: 1 << 20, compact_after: 8 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("could not write the sync log {path}: {source}. Check that the sync folder exists and is writable.")]
    Write { path: PathBuf, source: io::Error },
    #[error("could not read the sync folder {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("could not encode a change for the sync log: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(
        "{} is a symbolic link or not a folder; Gloss never writes through links in the sync folder. \
         Remove it (another device or a sync tool put it there) and sync again.",
        path.display()
    )]
    Link { path: PathBuf },
    #[error(
        "the snapshot {} did not read back as written ({reason}); the segments it was to replace are kept",
        path.display()
    )]
    Unverified { path: PathBuf, reason: String },
    #[error(
        "this device's op numbers are used up (a record in its log claims number {0}); \
         it takes a new device id and sends its changes again"
    )]
    Exhausted(u64),
}

type Result<T> = std::result::Result<T, LogError>;

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> LogError + '_ {
    move |source| LogError::Write { path: path.to_owned(), source }
}

fn read_error(path: &Path) -> impl FnOnce(io::Error) -> LogError + '_ {
    move |source| LogError::Read { path: path.to_owned(), source }
}

/// The folder a device writes its log in.
pub fn device_dir(sync_dir: &Path, device: &DeviceId) -> PathBuf {
    sync_dir.join(ROOT).join(device.as_str())
}

/// A file the writer made: `<n>.log` or `<n>.snapshot.log`. Conflict copies
/// and other strays are not segments; they are read, never written or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Segment {
    pub number: u64,
    pub snapshot: bool,
}

impl Segment {
    fn parse(name: &str) -> Option<Segment> {
        let (digits, snapshot) = match name.strip_suffix(SNAPSHOT_SUFFIX) {
            Some(digits) => (digits, true),
            None => (name.strip_suffix(SEGMENT_SUFFIX)?, false),
        };
        let number =
            (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()?;
        Some(Segment { number, snapshot })
    }

    pub fn file_name(self) -> String {
        let suffix = if self.snapshot { SNAPSHOT_SUFFIX } else { SEGMENT_SUFFIX };
        format!("{:08}{suffix}", self.number)
    }
}

/// Whether a file in the sync folder may hold records: everything but
/// hidden files (sync tools' partial downloads) and our own temporary files.
fn holds_records(name: &str) -> bool {
    !name.starts_with('.') && !name.ends_with(TEMP_SUFFIX)
}

/// The segments in a device's folder, in order.
pub(crate) fn segments(dir: &Path) -> Result<Vec<Segment>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(read_error(dir)(error)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(read_error(dir))?;
        // A link or folder with a segment's name is not one of ours.
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if let Some(segment) = entry.file_name().to_str().and_then(Segment::parse).filter(|_| regular) {
            found.push(segment);
        }
    }
    found.sort();
    Ok(found)
}

/// Appends this device's ops to its own log.
#[derive(Debug)]
pub struct LogWriter {
    dir: PathBuf,
    device: DeviceId,
    options: LogOptions,
    /// The segment being appended to, and its length.
    tail: Segment,
    tail_len: u64,
    file: Option<File>,
}

impl LogWriter {
    /// Opens the device's log with a new segment for its tail. An existing
    /// tail is never continued: a crash may have left it torn, and a sync
    /// tool may have put an older copy of it in its place (keeping the
    /// newer one as a conflict copy), so its bytes are not known to be the
    /// ones this device wrote last.
    pub fn open(sync_dir: &Path, device: &DeviceId, options: LogOptions) -> Result<LogWriter> {
        let dir = device_dir(sync_dir, device);
        fs::create_dir_all(sync_dir).map_err(write_error(sync_dir))?;
        real_dir(&sync_dir.join(ROOT))?;
        real_dir(&dir)?;
        let next = Segment { number: segments(&dir)?.last().map_or(1, |s| s.number + 1), snapshot: false };
        Ok(LogWriter { dir, device: device.clone(), options, tail: next, tail_len: 0, file: None })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn device(&self) -> &DeviceId {
        &self.device
    }

    /// Appends the ops and fsyncs them; once this returns they survive a
    /// crash. On failure the segment is abandoned, so a partly written
    /// record is never continued.
    pub fn append(&mut self, ops: &[Op]) -> Result<()> {
        let mut bytes = Vec::with_capacity(ops.len() * 256);
        for op in ops {
            record::encode(op, &mut bytes)?;
        }
        let result = self.write_tail(&bytes);
        if result.is_err() {
            self.start_next_segment();
        }
        result
    }

    fn write_tail(&mut self, bytes: &[u8]) -> Result<()> {
        let mut carried = Vec::new();
        if let Some(file) = &mut self.file {
            if !still_in_place(file, &self.dir.join(self.tail.file_name()), self.tail_len) {
                // A sync tool replaced or rewrote the tail under us. What this
                // writer put in it goes into the next segment again (records
                // read twice change nothing), so none of it can be lost with
                // the file it was in.
                carried = read_back(file).map_err(write_error(&self.dir))?;
                self.start_next_segment();
            }
        }
        if self.tail_len >= self.options.segment_bytes {
            self.start_next_segment();
        }
        let file = match self.file.take() {
            Some(file) => file,
            None => self.create_tail()?,
        };
        let file = self.file.insert(file);
        let path = self.dir.join(self.tail.file_name());
        carried.extend_from_slice(bytes);
        file.write_all(&carried).map_err(write_error(&path))?;
        file.sync_data().map_err(write_error(&path))?;
        self.tail_len += carried.len() as u64;
        Ok(())
    }

    /// Creates the tail segment: always a new file. A name already taken
    /// (a planted file or link, another copy's segment) is skipped, never
    /// opened: creating exclusively does not follow a link.
    fn create_tail(&mut self) -> Result<File> {
        real_dir(&self.dir)?;
        loop {
            let path = self.dir.join(self.tail.file_name());
            // Readable too, for `read_back`.
            match OpenOptions::new().create_new(true).read(true).append(true).open(&path) {
                Ok(file) => {
                    sync_dir(&self.dir)?;
                    return Ok(file);
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists && self.tail.number < MAX_SEGMENT => {
                    self.start_next_segment();
                }
                Err(error) => return Err(write_error(&path)(error)),
            }
        }
    }

    fn start_next_segment(&mut self) {
        self.file = None;
        self.tail = Segment { number: self.tail.number + 1, snapshot: false };
        self.tail_len = 0;
    }

    /// Finished segments (everything before the tail), oldest first.
    pub(crate) fn finished(&self) -> Result<Vec<Segment>> {
        Ok(segments(&self.dir)?.into_iter().filter(|s| s.number < self.tail.number).collect())
    }

    pub(crate) fn options(&self) -> LogOptions {
        self.options
    }

    /// Replaces the finished segments `old` with one snapshot holding `ops`:
    /// the snapshot is complete on disk before anything is removed.
    pub(crate) fn replace_with_snapshot(&mut self, old: &[Segment], ops: &[Op]) -> Result<()> {
        let Some(number) = old.iter().map(|s| s.number).max() else { return Ok(()) };
        let snapshot = Segment { number, snapshot: true };
        let mut bytes = Vec::new();
        for op in ops {
            record::encode(op, &mut bytes)?;
        }
        let path = self.dir.join(snapshot.file_name());
        write_whole(&path, &bytes)?;
        // Nothing is removed unless what replaces it reads back whole.
        let unverified = |reason: String| LogError::Unverified { path: path.clone(), reason };
        let read = read_segments(&self.dir, &self.device, &[snapshot])?;
        let ids = |ops: &[Op]| ops.iter().map(|op| (op.seq, op.digest())).collect::<Vec<_>>();
        if ids(&read) != ids(ops) {
            return Err(unverified(format!("{} of {} records", read.len(), ops.len())));
        }
        for segment in old.iter().filter(|&&s| s != snapshot) {
            let path = self.dir.join(segment.file_name());
            match fs::remove_file(&path) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(write_error(&path)(error)),
                _ => {}
            }
        }
        sync_dir(&self.dir)
    }
}

/// Whether `path` is still the file this writer has open, as long as the
/// writer made it.
fn still_in_place(file: &File, path: &Path, len: u64) -> bool {
    let same = |handle: same_file::Handle| Ok::<_, io::Error>(same_file::Handle::from_path(path)? == handle);
    let same_file = file.try_clone().and_then(same_file::Handle::from_file).and_then(same);
    same_file.unwrap_or(false) && fs::metadata(path).is_ok_and(|meta| meta.len() == len)
}

/// Everything in the open file, wherever it is now.
fn read_back(file: &File) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut reader = file.try_clone()?;
    reader.seek(SeekFrom::Start(0))?;
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Segment numbers have eight digits.
const MAX_SEGMENT: u64 = 99_999_999;

/// Makes sure `path` is a folder of its own, creating it if missing: never a
/// link, which would carry this device's writes out of the sync folder.
fn real_dir(path: &Path) -> Result<()> {
    match fs::create_dir(path) {
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => return Err(write_error(path)(error)),
        _ => {}
    }
    let meta = fs::symlink_metadata(path).map_err(write_error(path))?;
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(LogError::Link { path: path.to_owned() });
    }
    Ok(())
}

/// Writes a file whole: temporary name, fsync, rename, fsync the folder.
/// The temporary file is created afresh: whatever had its name (a planted
/// link) is removed first, not followed.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut temp_name = path.as_os_str().to_owned();
    temp_name.push(TEMP_SUFFIX);
    let temp = PathBuf::from(temp_name);
    match fs::remove_file(&temp) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(write_error(&temp)(error)),
        _ => {}
    }
    let mut file = OpenOptions::new().write(true).create_new(true).open(&temp).map_err(write_error(&temp))?;
    file.write_all(bytes).map_err(write_error(&temp))?;
    file.sync_all().map_err(write_error(&temp))?;
    drop(file);
    fs::rename(&temp, path).map_err(write_error(path))?;
    match path.parent() {
        Some(dir) => sync_dir(dir),
        None => Ok(()),
    }
}

/// Makes a file's creation, rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    // Windows can not open a folder as a file; its renames are durable anyway.
    if cfg!(windows) {
        return Ok(());
    }
    File::open(dir).and_then(|d| d.sync_all()).map_err(write_error(dir))
}

/// Something wrong in the sync folder that the user may want to know about.
/// None of them stop a round: the rest of the folder is still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Lines of one file that are not valid records: how many, where the
    /// first few start, and why the first was refused. They are read again
    /// when the file changes, in case a sync tool was still writing them.
    Records { path: PathBuf, count: u64, offsets: Vec<u64>, reason: String },
    /// A file that could not be read at all.
    Unreadable { path: PathBuf, reason: String },
    /// More damaged files than are described one by one.
    MoreFiles(usize),
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Records { path, count, offsets, reason } => {
                let at: Vec<String> = offsets.iter().map(u64::to_string).collect();
                let more = if *count > offsets.len() as u64 { ", ..." } else { "" };
                write!(
                    f,
                    "{}: {count} damaged record{} (at byte {}{more}; the first: {reason}); \
                     they are skipped and read again when the file changes",
                    path.display(),
                    if *count == 1 { "" } else { "s" },
                    at.join(", ")
                )
            }
            Damage::Unreadable { path, reason } => {
                write!(f, "{}: could not be read ({reason})", path.display())
            }
            Damage::MoreFiles(count) => write!(f, "{count} more files in the sync folder hold damaged records"),
        }
    }
}

/// What one pass over the sync folder found.
#[derive(Debug, Default)]
pub struct Batch {
    pub ops: Vec<Op>,
    /// At most [`MAX_DAMAGED_FILES`] entries, then one [`Damage::MoreFiles`].
    pub damage: Vec<Damage>,
    /// Every device with a folder in the sync folder.
    pub devices: BTreeSet<DeviceId>,
}

impl Batch {
    fn note(&mut self, damage: Damage) {
        let full = self.damage.len() >= MAX_DAMAGED_FILES;
        match self.damage.last_mut() {
            Some(Damage::MoreFiles(count)) => *count += 1,
            _ if full => self.damage.push(Damage::MoreFiles(1)),
            _ => self.damage.push(damage),
        }
    }
}

/// How far a file has been read: every byte before `offset` is consumed
/// (complete, valid lines); `len` is the size it had then.
#[derive(Debug, Clone, Copy)]
struct Mark {
    offset: u64,
    len: u64,
}

/// Reads what is new in the sync folder, remembering per file how far it got,
/// so a round reads only what was appended or added since the last one.
#[derive(Debug, Default)]
pub struct FolderReader {
    marks: HashMap<PathBuf, Mark>,
}

impl FolderReader {
    pub fn new() -> FolderReader {
        FolderReader::default()
    }

    pub fn read_new(&mut self, sync_dir: &Path) -> Result<Batch> {
        self.read_new_of(sync_dir, None)
    }

    /// Like [`read_new`](Self::read_new), reading only the log of `only`
    /// when given (a device reads its own log before anyone else's).
    /// Folders not named as a device, links and hidden files are not read.
    pub fn read_new_of(&mut self, sync_dir: &Path, only: Option<&DeviceId>) -> Result<Batch> {
        let root = sync_dir.join(ROOT);
        let mut batch = Batch::default();
        let mut present = HashSet::new();
        let devices = match fs::read_dir(&root) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(batch),
            Err(error) => return Err(read_error(&root)(error)),
        };
        for device in devices {
            let device = device.map_err(read_error(&root))?;
            let dir = device.path();
            let Some(id) = device.file_name().to_str().and_then(|n| n.parse::<DeviceId>().ok()) else { continue };
            if !device.file_type().map_err(read_error(&dir))?.is_dir() || only.is_some_and(|only| &id != only) {
                continue;
            }
            for file in fs::read_dir(&dir).map_err(read_error(&dir))? {
                let file = file.map_err(read_error(&dir))?;
                let path = file.path();
                let readable =
                    file.file_name().to_str().is_some_and(holds_records) && file.file_type().is_ok_and(|t| t.is_file());
                if readable {
                    present.insert(path.clone());
                    self.read_file(&path, &id, &mut batch);
                }
            }
            batch.devices.insert(id);
        }
        // Forget files that are gone (compacted away), so the map stays small.
        let looked_at = |path: &Path| match only {
            Some(device) => path.starts_with(root.join(device.as_str())),
            None => true,
        };
        self.marks.retain(|path, _| present.contains(path) || !looked_at(path));
        Ok(batch)
    }

    fn read_file(&mut self, path: &Path, device: &DeviceId, batch: &mut Batch) {
        let unreadable = |error: io::Error| Damage::Unreadable { path: path.to_owned(), reason: error.to_string() };
        let mut file = match File::open(path) {
            Ok(file) => file,
            // Removed between listing and opening: compaction, or the sync tool.
            Err(error) if error.kind() == io::ErrorKind::NotFound => return,
            Err(error) => return batch.note(unreadable(error)),
        };
        let len = match file.metadata() {
            Ok(meta) => meta.len(),
            Err(error) => return batch.note(unreadable(error)),
        };
        let mark = self.marks.get(path).copied();
        let offset = match mark {
            Some(mark) if mark.len == len => return,
            // Shorter than what was read: replaced, so read it all again.
            Some(mark) if mark.offset <= len => mark.offset,
            _ => 0,
        };
        if let Err(error) = file.seek(SeekFrom::Start(offset)) {
            return batch.note(unreadable(error));
        }
        match read_records(BufReader::with_capacity(1 << 16, file), offset, path, device, batch) {
            Ok(consumed) => {
                self.marks.insert(path.to_owned(), Mark { offset: consumed, len });
            }
            Err(error) => batch.note(unreadable(error)),
        }
    }
}

/// The damaged lines of one file, summed up as they are met.
#[derive(Default)]
struct FileDamage {
    count: u64,
    offsets: Vec<u64>,
    first: Option<Refusal>,
}

/// Why a line is not taken; put in words only for the first of a file, so
/// a file of garbage costs no formatting per line.
enum Refusal {
    TooLong(u64),
    Foreign(DeviceId),
    Record(record::RecordError),
}

impl FileDamage {
    fn add(&mut self, offset: u64, refusal: Refusal) {
        self.count += 1;
        if self.offsets.len() < OFFSETS_LISTED {
            self.offsets.push(offset);
        }
        self.first.get_or_insert(refusal);
    }

    fn into_damage(self, path: &Path, device: &DeviceId) -> Option<Damage> {
        let reason = match self.first? {
            Refusal::TooLong(len) => format!("a line of {len} bytes, longer than any record ({MAX_RECORD_BYTES})"),
            Refusal::Foreign(other) => format!("a record of device {other} in the folder of {device}"),
            Refusal::Record(error) => error.to_string(),
        };
        Some(Damage::Records { path: path.to_owned(), count: self.count, offsets: self.offsets, reason })
    }
}

/// Reads the complete lines from `reader` (positioned at `offset` in the
/// file `path` of `device`'s folder) into the batch, a buffer at a time, so
/// memory stays bounded by [`MAX_RECORD_BYTES`] whatever the file holds.
/// Returns the offset up to which the file is consumed for good: the first
/// damaged line, or else the unfinished tail.
fn read_records(
    mut reader: impl BufRead,
    offset: u64,
    path: &Path,
    device: &DeviceId,
    batch: &mut Batch,
) -> io::Result<u64> {
    let mut line = Vec::new();
    let mut line_len: u64 = 0;
    let mut at = offset;
    let mut damage = FileDamage::default();
    let mut first_damaged = None;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        let newline = memchr::memchr(b'\n', buffer);
        let part = &buffer[..newline.unwrap_or(buffer.len())];
        line_len += part.len() as u64;
        if line_len <= MAX_RECORD_BYTES as u64 {
            line.extend_from_slice(part);
        } else {
            line = Vec::new();
        }
        let used = newline.map_or(buffer.len(), |n| n + 1);
        reader.consume(used);
        if newline.is_none() {
            continue;
        }
        let refused = if line_len > MAX_RECORD_BYTES as u64 {
            Some(Refusal::TooLong(line_len))
        } else if line.is_empty() {
            None
        } else {
            match record::decode(&line) {
                Ok(op) if &op.device == device => {
                    batch.ops.push(op);
                    None
                }
                Ok(op) => Some(Refusal::Foreign(op.device)),
                Err(error) => Some(Refusal::Record(error)),
            }
        };
        if let Some(refusal) = refused {
            first_damaged.get_or_insert(at);
            damage.add(at, refusal);
        }
        at += line_len + 1;
        line.clear();
        line_len = 0;
    }
    if let Some(damage) = damage.into_damage(path, device) {
        batch.note(damage);
    }
    Ok(first_damaged.unwrap_or(at))
}

/// Every op in the given segments of `device`'s folder, in file order;
/// unfinished or damaged lines (and records of other devices) are left out.
pub(crate) fn read_segments(dir: &Path, device: &DeviceId, list: &[Segment]) -> Result<Vec<Op>> {
    let mut batch = Batch::default();
    for segment in list {
        let path = dir.join(segment.file_name());
        let file = File::open(&path).map_err(read_error(&path))?;
        read_records(BufReader::new(file), 0, &path, device, &mut batch).map_err(read_error(&path))?;
    }
    Ok(batch.ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, Hlc};

    fn op(device: &DeviceId, seq: u64) -> Op {
        Op {
            device: device.clone(),
            seq,
            stamp: Hlc::new(seq, 0),
            change: Change::SetRead { episode: format!("ep{seq}"), read: true },
        }
    }

    fn seqs(batch: &Batch) -> Vec<u64> {
        batch.ops.iter().map(|op| op.seq).collect()
    }

    #[test]
    fn segment_names_round_trip_and_strays_are_not_segments() {
        for segment in [Segment { number: 3, snapshot: false }, Segment { number: 12, snapshot: true }] {
            assert_eq!(Segment::parse(&segment.file_name()), Some(segment));
        }
        for stray in [
            "00000003.sync-conflict-20240101-101010-ABCDEFG.log",
            "00000003 (conflicted copy 2024-01-01).log",
            "3.log",
            "00000003.log.tmp",
        ] {
            assert_eq!(Segment::parse(stray), None, "{stray}");
        }
    }

    #[test]
    fn a_round_reads_only_what_is_new_and_a_torn_tail_when_complete() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let mut writer = LogWriter::open(sync.path(), &device, LogOptions::default()).unwrap();
        let mut reader = FolderReader::new();
        writer.append(&[op(&device, 1), op(&device, 2)]).unwrap();
        assert_eq!(seqs(&reader.read_new(sync.path()).unwrap()), [1, 2]);
        assert!(reader.read_new(sync.path()).unwrap().ops.is_empty());

        // Half a record arrives, then the rest.
        let mut line = Vec::new();
        record::encode(&op(&device, 3), &mut line).unwrap();
        let tail = writer.dir().join(writer.tail.file_name());
        let mut file = OpenOptions::new().append(true).open(&tail).unwrap();
        file.write_all(&line[..20]).unwrap();
        let torn = reader.read_new(sync.path()).unwrap();
        assert!(torn.ops.is_empty() && torn.damage.is_empty());
        file.write_all(&line[20..]).unwrap();
        assert_eq!(seqs(&reader.read_new(sync.path()).unwrap()), [3]);
    }

    #[test]
    fn conflict_copies_and_duplicates_are_read_like_any_log() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let mut writer = LogWriter::open(sync.path(), &device, LogOptions::default()).unwrap();
        writer.append(&[op(&device, 1)]).unwrap();
        let dir = writer.dir().to_owned();
        let mut extra = Vec::new();
        record::encode(&op(&device, 2), &mut extra).unwrap();
        fs::write(dir.join("00000001.sync-conflict-20240101-101010-ABCDEFG.log"), &extra).unwrap();
        fs::write(dir.join("00000001 (conflicted copy).log"), &extra).unwrap();
        fs::write(dir.join(".syncthing.00000001.log.tmp"), b"partial").unwrap();
        let mut batch = FolderReader::new().read_new(sync.path()).unwrap();
        batch.ops.sort_by_key(|op| op.seq);
        assert_eq!(seqs(&batch), [1, 2, 2]);
        assert!(batch.damage.is_empty());
        assert_eq!(batch.devices.into_iter().collect::<Vec<_>>(), [device]);
    }

    #[test]
    fn a_damaged_line_is_reported_and_the_rest_still_read() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let dir = device_dir(sync.path(), &device);
        fs::create_dir_all(&dir).unwrap();
        let mut bytes = Vec::new();
        record::encode(&op(&device, 1), &mut bytes).unwrap();
        bytes.extend_from_slice(b"{\"crc\":\"00000000\",\"op\":{}}\n");
        record::encode(&op(&device, 3), &mut bytes).unwrap();
        fs::write(dir.join("00000001.log"), &bytes).unwrap();
        let batch = FolderReader::new().read_new(sync.path()).unwrap();
        assert_eq!(seqs(&batch), [1, 3]);
        assert!(matches!(&batch.damage[..], [Damage::Records { count: 1, .. }]));
    }

    #[test]
    fn the_writer_never_continues_a_torn_tail_and_rolls_full_segments() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let options = LogOptions { segment_bytes: 300, compact_after: 8 };
        let mut writer = LogWriter::open(sync.path(), &device, options).unwrap();
        writer.append(&[op(&device, 1)]).unwrap();
        let tail = writer.dir().join("00000001.log");
        OpenOptions::new().append(true).open(&tail).unwrap().write_all(b"{\"crc\":").unwrap();
        let mut writer = LogWriter::open(sync.path(), &device, options).unwrap();
        for seq in 2..6 {
            writer.append(&[op(&device, seq)]).unwrap();
        }
        let names: Vec<_> = segments(writer.dir()).unwrap().into_iter().map(|s| s.number).collect();
        assert!(names.len() >= 3, "{names:?}");
        let mut batch = FolderReader::new().read_new(sync.path()).unwrap();
        batch.ops.sort_by_key(|op| op.seq);
        assert_eq!(seqs(&batch), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_tail_replaced_by_an_older_copy_is_left_and_its_records_written_again() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let mut writer = LogWriter::open(sync.path(), &device, LogOptions::default()).unwrap();
        writer.append(&[op(&device, 1)]).unwrap();
        let tail = writer.dir().join("00000001.log");
        let stale = fs::read(&tail).unwrap();
        writer.append(&[op(&device, 2)]).unwrap();
        // The sync tool keeps this device's file as a conflict copy and puts
        // another machine's older copy in its place; then the copy is lost.
        let conflict = writer.dir().join("00000001.sync-conflict-20250101-000000-ABC.log");
        fs::rename(&tail, &conflict).unwrap();
        fs::write(&tail, &stale).unwrap();
        fs::remove_file(&conflict).unwrap();
        writer.append(&[op(&device, 3)]).unwrap();
        assert_eq!(fs::read(&tail).unwrap(), stale, "the replaced tail is not appended to");
        let mut batch = FolderReader::new().read_new(sync.path()).unwrap();
        batch.ops.sort_by_key(|op| op.seq);
        batch.ops.dedup_by_key(|op| op.seq);
        assert_eq!(seqs(&batch), [1, 2, 3]);
        // A reopened writer starts a segment of its own too.
        let mut writer = LogWriter::open(sync.path(), &device, LogOptions::default()).unwrap();
        writer.append(&[op(&device, 4)]).unwrap();
        let numbers: Vec<_> = segments(writer.dir()).unwrap().into_iter().map(|s| s.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
    }

    fn outside_file(dir: &Path) -> PathBuf {
        let path = dir.join("outside.txt");
        fs::write(&path, b"not the sync folder's").unwrap();
        path
    }

    #[test]
    fn the_writer_never_follows_a_planted_link_to_its_next_segment() {
        let sync = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = outside_file(elsewhere.path());
        let device = DeviceId::generate();
        let dir = device_dir(sync.path(), &device);
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("00000001.log")).unwrap();
        let options = LogOptions { segment_bytes: 200, compact_after: 8 };
        let mut writer = LogWriter::open(sync.path(), &device, options).unwrap();
        writer.append(&[op(&device, 1)]).unwrap();
        // The next segment too, planted while the writer runs.
        std::os::unix::fs::symlink(
            &outside,
            dir.join(Segment { number: writer.tail.number + 1, snapshot: false }.file_name()),
        )
        .unwrap();
        for seq in 2..5 {
            writer.append(&[op(&device, seq)]).unwrap();
        }
        assert_eq!(fs::read(&outside).unwrap(), b"not the sync folder's");
        let mut batch = FolderReader::new().read_new(sync.path()).unwrap();
        batch.ops.sort_by_key(|op| op.seq);
        assert_eq!(seqs(&batch), [1, 2, 3, 4]);
    }

    #[test]
    fn compaction_never_writes_through_a_planted_link_and_keeps_every_record() {
        let sync = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = outside_file(elsewhere.path());
        let device = DeviceId::generate();
        let options = LogOptions { segment_bytes: 150, compact_after: 2 };
        let mut writer = LogWriter::open(sync.path(), &device, options).unwrap();
        for seq in 1..6 {
            writer.append(&[op(&device, seq)]).unwrap();
        }
        let finished = writer.finished().unwrap();
        let last = finished.last().unwrap().number;
        let temp = writer.dir().join(format!("{last:08}{SNAPSHOT_SUFFIX}{TEMP_SUFFIX}"));
        std::os::unix::fs::symlink(&outside, &temp).unwrap();
        let ops = read_segments(writer.dir(), &device, &finished).unwrap();
        writer.replace_with_snapshot(&finished, &ops).unwrap();
        assert_eq!(fs::read(&outside).unwrap(), b"not the sync folder's");
        let mut batch = FolderReader::new().read_new(sync.path()).unwrap();
        batch.ops.sort_by_key(|op| op.seq);
        assert_eq!(seqs(&batch), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_log_folder_that_is_a_link_is_refused() {
        let sync = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        fs::create_dir_all(sync.path().join(ROOT)).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), device_dir(sync.path(), &device)).unwrap();
        let error = LogWriter::open(sync.path(), &device, LogOptions::default()).unwrap_err();
        assert!(matches!(error, LogError::Link { .. }), "{error}");
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn damage_is_summed_up_per_file_and_a_huge_line_is_never_held() {
        let sync = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let dir = device_dir(sync.path(), &device);
        fs::create_dir_all(&dir).unwrap();
        let mut bytes = b"garbage\n".repeat(10_000);
        bytes.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 10));
        bytes.push(b'\n');
        record::encode(&op(&device, 7), &mut bytes).unwrap();
        // A record of another device, well formed, in this device's folder.
        record::encode(&op(&DeviceId::generate(), 8), &mut bytes).unwrap();
        fs::write(dir.join("00000001.log"), &bytes).unwrap();
        for n in 0..MAX_DAMAGED_FILES + 10 {
            fs::write(dir.join(format!("stray-{n}.log")), b"junk\n").unwrap();
        }
        let batch = FolderReader::new().read_new(sync.path()).unwrap();
        assert_eq!(seqs(&batch), [7]);
        assert_eq!(batch.damage.len(), MAX_DAMAGED_FILES + 1);
        let total = |damage: &[Damage]| -> u64 {
            damage
                .iter()
                .map(|d| match d {
                    Damage::Records { count, .. } => *count,
                    Damage::MoreFiles(files) => *files as u64,
                    Damage::Unreadable { .. } => 0,
                })
                .sum()
        };
        let main = batch.damage.iter().find(|d| matches!(d, Damage::Records { count, .. } if *count > 1)).unwrap();
        let Damage::Records { count, offsets, .. } = main else { unreachable!() };
        assert_eq!((*count, &offsets[..]), (10_002, &[0, 8, 16][..]));
        assert_eq!(total(&batch.damage), 10_002 + (MAX_DAMAGED_FILES + 10) as u64, "every damaged file counted");
        assert!(main.to_string().contains("10002 damaged records"), "{main}");
    }
}
