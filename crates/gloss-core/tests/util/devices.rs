//! The devices of the sync tests: each a data folder and a library folder
//! with the same generated episodes filed its own way, the library opened on
//! them, and a sync session with whatever sync folder the test gives it (one
//! folder shared by all, or each its own side of a real Syncthing pair).
//! `Snapshot` is what a user sees of the annotations, to compare devices.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gloss_core::annotations::{Caller, Color, Door, HighlightFilter, NewHighlight, NoteRef};
use gloss_core::app::Annotations;
use gloss_core::store::episodes::EpisodeId;
use gloss_core::store::settings;
use gloss_core::sync::{RoundReport, SyncSession};
use gloss_core::Library;
use gloss_sync::log::ROOT;
use gloss_sync::{device_id, LogOptions};
use tempfile::TempDir;

/// Small segments compacted early, so compaction happens in these tests.
pub const OPTIONS: LogOptions = LogOptions { segment_bytes: 600, compact_after: 2 };

/// Seeds of the generated episodes every device has.
pub const SHARED: [u64; 2] = [3, 8];

/// One device: its data folder, its library folder and its sync session.
pub struct Device {
    pub name: &'static str,
    pub data: TempDir,
    pub folder: TempDir,
    pub library: Library,
    session: Option<SyncSession>,
}

impl Device {
    /// A device with the shared episodes, filed its own way.
    pub fn new(name: &'static str, seeds: &[u64]) -> Device {
        let data = TempDir::new().unwrap();
        let folder = TempDir::new().unwrap();
        let library = Library::open(data.path()).unwrap();
        let mut device = Device { name, data, folder, library, session: None };
        for &seed in seeds {
            device.add_episode(seed);
        }
        device
    }

    /// Writes episode `seed` the way this device names files (the first
    /// device with LF line ends, the others with CRLF) and ingests it.
    /// A second device made by copying this one's data folder, device id
    /// and all (as a restored backup on another machine would be), with an
    /// empty library folder: its episodes are those in its database.
    pub fn copied(&self) -> Device {
        let data = TempDir::new().unwrap();
        let db = rusqlite::Connection::open(self.data.path().join(gloss_core::store::DB_FILE)).unwrap();
        db.execute("VACUUM INTO ?1", [data.path().join(gloss_core::store::DB_FILE).to_str().unwrap()]).unwrap();
        let id = gloss_sync::device::DEVICE_FILE;
        std::fs::copy(self.data.path().join(id), data.path().join(id)).unwrap();
        let library = Library::open(data.path()).unwrap();
        Device { name: self.name, data, folder: TempDir::new().unwrap(), library, session: None }
    }

    pub fn add_episode(&mut self, seed: u64) {
        let text = gloss_testkit::summary(seed);
        let (path, bytes) = match self.name {
            "a" => (format!("episodes/{seed}.txt"), text),
            other => (format!("{other}/Podcasts/summary-{seed:03}.txt"), text.replace('\n', "\r\n")),
        };
        crate::util::write(&self.folder.path().join(path), &bytes);
        self.library.reconcile(self.folder.path()).unwrap();
        // As the sync service does on an ingest.
        if let Some(session) = &mut self.session {
            session.recheck_waiting();
        }
    }

    pub fn notes(&self) -> Annotations<'_> {
        Annotations::new(&self.library, Caller::door(Door::Cli))
    }

    /// The local id of episode `seed`, found by its title.
    pub fn episode(&self, seed: u64) -> EpisodeId {
        let title = gloss_testkit::spec(seed).title;
        let episodes = self.library.list_episodes().unwrap();
        episodes.iter().find(|e| e.title.as_deref() == Some(title.as_str())).unwrap().id
    }

    pub fn text(&self, seed: u64) -> String {
        self.library.episode(self.episode(seed)).unwrap().unwrap().canonical_text.unwrap()
    }

    /// A round with the sync folder `sync`, in this device's running session.
    pub fn round(&mut self, sync: &Path) -> RoundReport {
        let store = self.library.store();
        let session = match &mut self.session {
            Some(session) => session,
            None => self.session.insert(SyncSession::open(store, self.data.path(), sync, OPTIONS).unwrap()),
        };
        session.round(store).unwrap()
    }

    /// Gloss restarts: the session (and everything in memory) is gone.
    pub fn restart(&mut self) {
        self.session = None;
    }

    /// A highlight on `len` code points of episode `seed`'s text from `start`.
    pub fn highlight(&self, seed: u64, start: usize, len: usize) -> String {
        let new = NewHighlight {
            episode_id: self.episode(seed),
            start: Some(start),
            end: Some(start + len),
            color: Some(Color::Green),
            note: Some(format!("why this matters, by {}", self.name)),
            tags: vec!["AI".into(), "policy".into()],
            ..Default::default()
        };
        self.notes().create_highlight(&new).unwrap().id
    }

    /// Where this device writes its log in the sync folder `sync`.
    pub fn log_dir(&self, sync: &Path) -> PathBuf {
        sync.join(ROOT).join(device_id(self.data.path()).unwrap().as_str())
    }

    /// The open tail of this device's log in `sync`: its highest-numbered
    /// segment (not a snapshot, not a sync tool's copy).
    pub fn tail(&self, sync: &Path) -> PathBuf {
        let is_segment = |name: &str| name.strip_suffix(".log").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        let files = std::fs::read_dir(self.log_dir(sync)).unwrap().map(|f| f.unwrap().path());
        let segments = files.filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(is_segment));
        segments.max().unwrap_or_else(|| panic!("device {} has no log segment in {}", self.name, sync.display()))
    }

    pub fn log_bytes(&self, sync: &Path) -> u64 {
        let files = std::fs::read_dir(self.log_dir(sync));
        files.map_or(0, |files| files.map(|f| f.unwrap().metadata().unwrap().len()).sum())
    }

    pub fn pending(&self) -> usize {
        self.library.store().read(|conn| gloss_core::annotations::outbox::count(conn)).unwrap()
    }

    /// Everything the user sees of the annotations, by episode title and
    /// highlight id (local ids differ between devices).
    pub fn snapshot(&self) -> Snapshot {
        let notes = self.notes();
        let mut highlights = BTreeMap::new();
        for trashed in [false, true] {
            let filter = HighlightFilter { trashed, ..Default::default() };
            for item in notes.list_highlights(&filter).unwrap().items {
                let h = item.highlight;
                let versions = notes.note_versions(&NoteRef::Highlight { id: h.id.clone() }).unwrap();
                let earlier = versions.into_iter().map(|v| v.text).collect();
                let seen =
                    Seen { exact: h.selector.exact, color: h.color, note: h.note, tags: h.tags, trashed, earlier };
                highlights.insert(h.id, seen);
            }
        }
        let mut episodes = BTreeMap::new();
        for episode in self.library.list_episodes().unwrap() {
            let annotations = notes.episode_annotations(episode.id).unwrap();
            let versions = notes.note_versions(&NoteRef::Episode { episode_id: episode.id }).unwrap();
            episodes.insert(
                episode.title.unwrap_or_default(),
                (
                    annotations.note,
                    versions.into_iter().map(|v| v.text).collect::<Vec<_>>(),
                    annotations.insight_notes,
                    annotations.stars,
                    annotations.tags,
                    (annotations.reading.read, annotations.reading.position),
                ),
            );
        }
        let tags = notes.list_tags().unwrap().into_iter().map(|t| (t.name, t.count)).collect();
        let color_names = self.library.store().read(|conn| settings::get(conn, settings::COLOR_NAMES)).unwrap();
        Snapshot { highlights, episodes, tags, color_names }
    }
}

#[derive(Debug, PartialEq)]
pub struct Seen {
    pub exact: String,
    pub color: Color,
    pub note: String,
    pub tags: Vec<String>,
    pub trashed: bool,
    pub earlier: Vec<String>,
}

pub type EpisodeSeen = (String, Vec<String>, BTreeMap<String, String>, Vec<String>, Vec<String>, (bool, Option<usize>));

#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub highlights: BTreeMap<String, Seen>,
    pub episodes: BTreeMap<String, EpisodeSeen>,
    pub tags: Vec<(String, usize)>,
    pub color_names: Option<String>,
}
