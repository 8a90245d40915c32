//! Two real Syncthing instances carrying one folder between two places on
//! this machine, for the sync tests where what a sync tool does to files
//! matters: it delivers them late and whole, through temporary
//! `.syncthing.NAME.tmp` files, and when a file changed on both sides while
//! they were apart it keeps one side's as
//! `NAME.sync-conflict-DATE-TIME-DEVICE.ext`. Each folder also holds
//! Syncthing's `.stfolder` and, once it replaced or deleted a file there,
//! `.stversions`.

mod instance;
mod rest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use instance::Instance;

/// How long to wait for Syncthing before calling a test failed: a guard
/// against hangs, many times what it needs on a busy machine.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// Two instances, `a` and `b`, each with its side of one shared folder.
/// Dropping it stops both (and prints their logs if the test failed).
pub struct SyncthingPair {
    a: Instance,
    b: Instance,
    folder_a: TempDir,
    folder_b: TempDir,
}

impl SyncthingPair {
    /// Starts both instances, introduces them to each other and shares the
    /// folder; returns once they are connected.
    pub fn start() -> SyncthingPair {
        let (a, b) = (Instance::start("a"), Instance::start("b"));
        let (folder_a, folder_b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
        // a only accepts b; b dials a, who knows it by then. (Were each to
        // dial the other, the first dial would reach a side that does not
        // know the dialer yet, be refused, and be tried again only some
        // 20 s later.)
        a.add_device(&b, "dynamic");
        b.add_device(&a, &a.address);
        a.share(folder_a.path(), &b);
        b.share(folder_b.path(), &a);
        let pair = SyncthingPair { a, b, folder_a, folder_b };
        pair.wait_until_connected(true);
        pair
    }

    /// `a`'s side of the folder.
    pub fn folder_a(&self) -> &Path {
        self.folder_a.path()
    }

    /// `b`'s side of the folder.
    pub fn folder_b(&self) -> &Path {
        self.folder_b.path()
    }

    /// Takes the two apart, as two devices offline from each other: what
    /// changes on one side stays there until [`resume`](Self::resume).
    pub fn pause(&self) {
        self.b.set_paused(&self.a, true);
        self.wait_until_connected(false);
    }

    /// Brings them together again. Both scan first, so that everything
    /// changed on either side while apart meets what changed on the other,
    /// as it would after a while offline (where a file changed on both
    /// sides, that makes a conflict copy).
    pub fn resume(&self) {
        self.a.scan();
        self.b.scan();
        // b dials a again at once.
        self.b.set_paused(&self.a, false);
        self.wait_until_connected(true);
    }

    /// Waits until both sides hold the same files, byte for byte, and
    /// neither instance has anything left to do. Both scan first, so
    /// everything written before the call is included.
    pub fn settle(&self) {
        self.a.scan();
        self.b.scan();
        let deadline = Instant::now() + PATIENCE;
        loop {
            let Some(pending) = self.pending() else { return };
            assert!(Instant::now() < deadline, "the two sides of the folder never became the same: {pending}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Slows both instances down to receiving `kib_per_second` KiB/s (0: no
    /// limit), so a large file stays in transit long enough to be seen.
    pub fn limit_receiving(&self, kib_per_second: u32) {
        self.a.limit_receiving(kib_per_second);
        self.b.limit_receiving(kib_per_second);
    }

    /// What keeps the two sides from being the same, if anything.
    fn pending(&self) -> Option<String> {
        if let Err(pending) = self.a.in_sync_with(&self.b).and_then(|()| self.b.in_sync_with(&self.a)) {
            return Some(pending);
        }
        let (a, b) = (files(self.folder_a()), files(self.folder_b()));
        let differ: Vec<&PathBuf> = a.keys().chain(b.keys()).filter(|path| a.get(*path) != b.get(*path)).collect();
        (!differ.is_empty()).then(|| format!("Syncthing is idle, but these files differ: {differ:?}"))
    }

    fn wait_until_connected(&self, connected: bool) {
        let deadline = Instant::now() + PATIENCE;
        while self.a.connected_to(&self.b) != connected || self.b.connected_to(&self.a) != connected {
            assert!(Instant::now() < deadline, "the instances did not {}connect", if connected { "" } else { "dis" });
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Every file in one side of the folder with its bytes, by path, except
/// what is Syncthing's own there: its folder marker, the versions it keeps
/// of what the other side replaced (different on each side), and files it
/// is still receiving.
fn files(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let own = |entry: &walkdir::DirEntry| {
        let name = entry.file_name().to_string_lossy();
        (entry.depth() == 1 && (name == ".stfolder" || name == ".stversions")) || is_temporary(entry.path())
    };
    walkdir::WalkDir::new(folder)
        .into_iter()
        .filter_entry(|entry| !own(entry))
        // A file renamed or deleted meanwhile: the sides are not settled yet.
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            (entry.path().strip_prefix(folder).unwrap().to_owned(), bytes)
        })
        .collect()
}

/// Whether `path` is a file Syncthing is still receiving.
pub fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(".syncthing.") && name.ends_with(".tmp"))
}

/// Whether `path` is one side of a conflict Syncthing kept.
pub fn is_conflict_copy(path: &Path) -> bool {
    path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.contains(".sync-conflict-"))
}
