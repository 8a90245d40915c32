//! What reading and writing a hostile sync folder must never do, whatever
//! the folder holds: panic, write through a link out of the folder, merge a
//! record out of bounds, or lose a change this device made. Shared by the
//! `sync_folder` fuzz target (fuzz/) and the replay of its regressions.

use std::fs;
use std::path::Path;

use arbitrary::Arbitrary;
use gloss_sync::log::{self, LogError};
use gloss_sync::{Change, DeviceId, Hlc, LogOptions, Op, Replica};

/// The folder layout and records to try.
#[derive(Debug, Arbitrary)]
pub struct FolderInput {
    files: Vec<FileInput>,
    /// Whether this device's own log folder is a link out of the folder.
    own_folder_is_a_link: bool,
    /// Local changes made after reading, to drive the writer and compaction.
    local_edits: u8,
}

#[derive(Debug, Arbitrary)]
struct FileInput {
    /// Which folder under `gloss/` (see [`FOLDERS`]).
    folder: u8,
    /// Which name in it (see [`NAMES`]).
    name: u8,
    content: Content,
}

#[derive(Debug, Arbitrary)]
enum Content {
    /// Bytes as a sync tool or a forger might leave them.
    Raw(Vec<u8>),
    /// Lines each given a correct checksum, so the op itself is parsed.
    Checksummed(Vec<String>),
    /// Well-formed ops with any numbers.
    Ops(Vec<OpInput>),
    /// A link to a file outside the sync folder.
    Link,
}

#[derive(Debug, Arbitrary)]
struct OpInput {
    folder: u8,
    seq: u64,
    ms: u64,
    n: u32,
    position: u64,
}

/// Index 0 is this device; the last is not a device id at all.
const FOLDERS: [&str; 4] = ["00000000000000aa", "00000000000000bb", "00000000000000cc", "not-a-device"];
const NAMES: [&str; 9] = [
    "00000001.log",
    "00000002.log",
    "00000003.snapshot.log",
    "00000003.snapshot.log.tmp",
    "00000004.log",
    "99999999.log",
    "00000001.sync-conflict-20250101-101010-ABCDEFG.log",
    ".syncthing.00000002.log.tmp",
    "stray",
];
const OUTSIDE: &[u8] = b"a file outside the sync folder";
const OPTIONS: LogOptions = LogOptions { segment_bytes: 300, compact_after: 2 };
const WALL_MS: u64 = 1_800_000_000_000;

fn device(folder: u8) -> DeviceId {
    FOLDERS[usize::from(folder) % 3].parse().expect("a device id")
}

fn record_line(json: &str) -> String {
    format!("{{\"crc\":\"{:08x}\",\"op\":{json}}}\n", crc32fast::hash(json.as_bytes()))
}

fn op_line(op: &OpInput) -> String {
    let op = Op {
        device: device(op.folder),
        seq: op.seq,
        stamp: Hlc::new(op.ms, op.n),
        change: Change::SetPosition { episode: "ep".into(), position: op.position },
    };
    record_line(&serde_json::to_string(&op).expect("an op encodes"))
}

fn lay_out(sync: &Path, outside: &Path, input: &FolderInput) {
    for file in &input.files {
        let dir = sync.join(log::ROOT).join(FOLDERS[usize::from(file.folder) % FOLDERS.len()]);
        if fs::create_dir_all(&dir).is_err() {
            continue;
        }
        let path = dir.join(NAMES[usize::from(file.name) % NAMES.len()]);
        if fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        let bytes = match &file.content {
            Content::Raw(bytes) => bytes.clone(),
            Content::Checksummed(lines) => lines.iter().map(|line| record_line(line)).collect::<String>().into_bytes(),
            Content::Ops(ops) => ops.iter().map(op_line).collect::<String>().into_bytes(),
            Content::Link => {
                std::os::unix::fs::symlink(outside, &path).expect("a link");
                continue;
            }
        };
        fs::write(&path, bytes).expect("a file");
    }
}

/// The files of a folder and what they hold.
fn contents(dir: &Path) -> Vec<(std::ffi::OsString, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("a folder")
        .map(|entry| entry.expect("an entry"))
        .map(|entry| (entry.file_name(), fs::read(entry.path()).unwrap_or_default()))
        .collect();
    files.sort();
    files
}

/// Lays the input out as a sync folder, opens this device on it, makes
/// local changes and compacts; then checks the invariants.
pub fn check_folder(input: FolderInput) {
    let root = gloss_testkit::scratch_dir();
    let sync = root.path().join("sync");
    let outside = root.path().join("outside.txt");
    let elsewhere = root.path().join("elsewhere");
    fs::write(&outside, OUTSIDE).expect("the outside file");
    fs::create_dir_all(&elsewhere).expect("the outside folder");
    let this = device(0);
    if input.own_folder_is_a_link {
        fs::create_dir_all(sync.join(log::ROOT)).expect("the root");
        std::os::unix::fs::symlink(&elsewhere, log::device_dir(&sync, &this)).expect("a link");
    }
    lay_out(&sync, &outside, &input);
    let untouched = contents(&elsewhere);

    let opened = Replica::open(&sync, this.clone(), OPTIONS);
    let mut made = Vec::new();
    match opened {
        Err(LogError::Link { .. }) => assert!(input.own_folder_is_a_link, "only a link is refused"),
        Err(error) => panic!("opening failed: {error}"),
        Ok((mut replica, round)) => {
            assert!(!input.own_folder_is_a_link, "a linked log folder was opened");
            for op in &round.ops {
                assert!(op.check().is_ok(), "merged an op out of bounds: {op:?}");
            }
            for n in 0..input.local_edits % 8 {
                let change = Change::SetRead { episode: format!("ep{n}"), read: true };
                match replica.record_at(vec![change], WALL_MS + u64::from(n)) {
                    Ok(ops) => made.extend(ops),
                    Err(LogError::Exhausted(_)) => break,
                    Err(error) => panic!("recording failed: {error}"),
                }
                if let Err(error) = replica.compact() {
                    panic!("compaction failed: {error}");
                }
            }
        }
    }

    assert_eq!(fs::read(&outside).expect("the outside file"), OUTSIDE, "wrote through a link");
    assert!(contents(&elsewhere) == untouched, "wrote through a link");
    // Every change this device made reaches a device that reads the folder.
    let batch = log::FolderReader::new().read_new(&sync).expect("the folder reads");
    for op in &made {
        assert!(batch.ops.iter().any(|read| read == op), "lost a local change: {op:?}");
    }
}
