//! Property test for sync: three devices, each with its own copy of the
//! shared folder (as Syncthing or Dropbox keep one per machine), make random
//! changes with clocks that disagree, and a random "sync tool" copies their
//! files between the copies: whole, cut off mid-record, as conflict copies,
//! duplicated, out of order. Devices read rounds, compact their logs and
//! restart at random. Once every file has arrived whole and every clock has
//! passed every stamp (ops stamped too far ahead wait for that), all three
//! states are equal, and equal to the state of every acknowledged change
//! applied at once: nothing converged on less than everything. (Breaking
//! compaction's hand-over of replaced note versions, reading torn tails as
//! consumed, or skipping conflict copies each makes this test fail.) A
//! fourth device that was away the whole time catches up from the
//! (compacted) folder alone.

use std::fs;
use std::path::{Path, PathBuf};

use gloss_anchor::describe;
use gloss_sync::{Anchor, Change, DeviceId, LogOptions, NoteOn, Op, Replica, State, Tagged, MAX_AHEAD_MS};
use proptest::prelude::*;

const HOUR: u64 = 3_600_000;
/// 1 January 2025, so clocks behind still read as plausible times.
const START_MS: u64 = 1_735_689_600_000;
/// One device on time, one hours behind, one further ahead than the
/// allowed skew: the others hold its ops back until their clocks get there.
const SKEW_MS: [i64; 3] = [0, -5 * HOUR as i64, (MAX_AHEAD_MS + 6 * HOUR) as i64];
/// Small segments, compacted early, so rolling and compaction happen often.
const OPTIONS: LogOptions = LogOptions { segment_bytes: 700, compact_after: 2 };

const COLORS: &[&str] = &["yellow", "green", "blue"];
const TEXTS: &[&str] = &["", "first thought", "second thought", "a *Markdown* note", "é 🧠"];
const TAGS: &[&str] = &["ai", "AI", "work", "ai/open-source"];
const EPISODES: &[&str] = &["ep-a", "ep-b"];

#[derive(Debug, Clone)]
enum Edit {
    Create,
    Color { highlight: usize, color: usize },
    Note { on: usize, text: usize },
    Resolve { on: usize, text: usize },
    Tag { on: usize, tag: usize, tagged: bool },
    Delete { highlight: usize },
    Restore { highlight: usize },
    Purge { highlight: usize },
    Star { episode: usize, starred: bool },
    Read { episode: usize, read: bool },
    Position { episode: usize, at: u64 },
    Setting { value: u8 },
}

#[derive(Debug, Clone)]
enum Copy {
    Whole,
    /// One file arrives cut at a byte.
    Torn {
        file: usize,
        cut: usize,
    },
    /// One file arrives a second time under a sync tool's conflict name.
    Conflict {
        file: usize,
    },
}

#[derive(Debug, Clone)]
enum Action {
    /// A few changes recorded together (one append, one fsync).
    Edit {
        replica: usize,
        edits: Vec<Edit>,
    },
    Sync {
        from: usize,
        to: usize,
        copy: Copy,
    },
    Round {
        replica: usize,
    },
    Compact {
        replica: usize,
    },
    /// The sync tool saw a device's own file changed on two machines: the
    /// stale copy from `from` wins the name and the device's current file
    /// becomes a conflict copy (the device may keep appending to it).
    Clash {
        from: usize,
        owner: usize,
        file: usize,
    },
    Restart {
        replica: usize,
    },
    Wait {
        ms: u64,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let any_index = 0..16usize;
    prop_oneof![
        1 => Just(Edit::Create),
        2 => (any_index.clone(), 0..COLORS.len()).prop_map(|(highlight, color)| Edit::Color { highlight, color }),
        4 => (any_index.clone(), 0..TEXTS.len()).prop_map(|(on, text)| Edit::Note { on, text }),
        1 => (any_index.clone(), 0..TEXTS.len()).prop_map(|(on, text)| Edit::Resolve { on, text }),
        3 => (any_index.clone(), 0..TAGS.len(), any::<bool>()).prop_map(|(on, tag, tagged)| Edit::Tag { on, tag, tagged }),
        1 => any_index.clone().prop_map(|highlight| Edit::Delete { highlight }),
        1 => any_index.clone().prop_map(|highlight| Edit::Restore { highlight }),
        1 => any_index.clone().prop_map(|highlight| Edit::Purge { highlight }),
        1 => (0..EPISODES.len(), any::<bool>()).prop_map(|(episode, starred)| Edit::Star { episode, starred }),
        1 => (0..EPISODES.len(), any::<bool>()).prop_map(|(episode, read)| Edit::Read { episode, read }),
        1 => (0..EPISODES.len(), 0..1000u64).prop_map(|(episode, at)| Edit::Position { episode, at }),
        1 => any::<u8>().prop_map(|value| Edit::Setting { value }),
    ]
}

fn copy() -> impl Strategy<Value = Copy> {
    prop_oneof![
        2 => Just(Copy::Whole),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(file, cut)| Copy::Torn { file, cut }),
        1 => any::<usize>().prop_map(|file| Copy::Conflict { file }),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let replica = 0..3usize;
    prop_oneof![
        8 => (replica.clone(), prop::collection::vec(edit(), 1..5)).prop_map(|(replica, edits)| Action::Edit { replica, edits }),
        4 => (replica.clone(), replica.clone(), copy()).prop_map(|(from, to, copy)| Action::Sync { from, to, copy }),
        3 => replica.clone().prop_map(|replica| Action::Round { replica }),
        1 => replica.clone().prop_map(|replica| Action::Compact { replica }),
        1 => replica.clone().prop_map(|replica| Action::Restart { replica }),
        1 => (replica.clone(), replica.clone(), any::<usize>()).prop_map(|(from, owner, file)| Action::Clash { from, owner, file }),
        2 => (1..2 * HOUR).prop_map(|ms| Action::Wait { ms }),
    ]
}

fn device(replica: usize) -> DeviceId {
    format!("{:016x}", replica + 1).parse().expect("a valid device id")
}

/// Three devices and their folders, and every change any of them acknowledged.
struct World {
    root: tempfile::TempDir,
    replicas: Vec<Replica>,
    acknowledged: Vec<Op>,
    highlights: Vec<String>,
    now: u64,
    conflicts: usize,
}

impl World {
    fn new() -> World {
        let root = gloss_testkit::scratch_dir();
        let replicas = (0..3)
            .map(|r| Replica::open(&root.path().join(format!("r{r}")), device(r), OPTIONS).expect("open").0)
            .collect();
        World { root, replicas, acknowledged: Vec::new(), highlights: Vec::new(), now: START_MS, conflicts: 0 }
    }

    fn folder(&self, replica: usize) -> PathBuf {
        self.root.path().join(format!("r{replica}"))
    }

    fn wall(&self, replica: usize) -> u64 {
        self.now.saturating_add_signed(SKEW_MS[replica])
    }

    /// Mostly the first few highlights, so devices edit the same ones.
    fn highlight(&self, index: usize) -> Option<String> {
        let pool = if index.is_multiple_of(4) { self.highlights.len() } else { self.highlights.len().min(2) };
        (pool > 0).then(|| self.highlights[index % pool].clone())
    }

    fn note_target(&self, index: usize) -> NoteOn {
        match self.highlight(index) {
            Some(id) if !index.is_multiple_of(3) => NoteOn::Highlight(id),
            _ if index.is_multiple_of(2) => NoteOn::Episode(EPISODES[0].into()),
            _ => NoteOn::Insight { episode: EPISODES[0].into(), insight: "s1.i1".into() },
        }
    }

    fn change(&mut self, replica: usize, edit: Edit) -> Change {
        let state = self.replicas[replica].state();
        let highlight = |index| self.highlight(index);
        match edit {
            Edit::Color { highlight: h, color } if highlight(h).is_some() => {
                Change::SetColor { highlight: highlight(h).unwrap_or_default(), color: COLORS[color].into() }
            }
            Edit::Note { on, text } => state.edit_note(self.note_target(on), TEXTS[text].into()),
            Edit::Resolve { on, text } => state.resolve_note(self.note_target(on), TEXTS[text].into()),
            Edit::Tag { on, tag, tagged } => {
                let on = match highlight(on) {
                    Some(id) if on % 3 != 0 => Tagged::Highlight(id),
                    _ => Tagged::Episode(EPISODES[on % EPISODES.len()].into()),
                };
                Change::SetTag { on, tag: TAGS[tag].into(), tagged }
            }
            Edit::Delete { highlight: h } if highlight(h).is_some() => {
                Change::Delete { highlight: highlight(h).unwrap_or_default() }
            }
            Edit::Restore { highlight: h } if highlight(h).is_some() => {
                Change::Restore { highlight: highlight(h).unwrap_or_default() }
            }
            Edit::Purge { highlight: h } if highlight(h).is_some() => {
                Change::Purge { highlight: highlight(h).unwrap_or_default() }
            }
            Edit::Star { episode, starred } => {
                Change::SetStar { episode: EPISODES[episode].into(), insight: "s1.i2".into(), starred }
            }
            Edit::Read { episode, read } => Change::SetRead { episode: EPISODES[episode].into(), read },
            Edit::Position { episode, at } => Change::SetPosition { episode: EPISODES[episode].into(), position: at },
            Edit::Setting { value } => Change::SetSetting { key: "colors".into(), value: value.into() },
            // Creating, or an edit of a highlight when there is none yet.
            _ => {
                let id = format!("h{}-{}", replica, self.highlights.len());
                self.highlights.push(id.clone());
                let selector = describe("a quote in its context", 2, 7).expect("a selector");
                Change::CreateHighlight {
                    highlight: id,
                    anchor: Anchor { episode: EPISODES[0].into(), selector },
                    color: COLORS[0].into(),
                    note: String::new(),
                    tags: vec![TAGS[0].into()],
                }
            }
        }
    }

    fn run(&mut self, action: Action) {
        match action {
            Action::Edit { replica, edits } => {
                let changes = edits.into_iter().map(|edit| self.change(replica, edit)).collect();
                let wall = self.wall(replica);
                let ops = self.replicas[replica].record_at(changes, wall).expect("record");
                self.acknowledged.extend(ops);
                // As the app does after writing: compact once segments pile up.
                self.replicas[replica].compact_if_due().expect("compact");
            }
            Action::Sync { from, to, copy } if from != to => self.sync(from, to, copy),
            Action::Sync { .. } => {}
            Action::Round { replica } => {
                let wall = self.wall(replica);
                self.replicas[replica].round_at(wall).expect("round");
            }
            Action::Compact { replica } => {
                self.replicas[replica].compact().expect("compact");
            }
            Action::Restart { replica } => {
                let folder = self.folder(replica);
                self.replicas[replica] = Replica::open(&folder, device(replica), OPTIONS).expect("reopen").0;
            }
            Action::Clash { from, owner, file } if from != owner => self.clash(from, owner, file),
            Action::Clash { .. } => {}
            Action::Wait { ms } => self.now += ms,
        }
    }

    fn clash(&mut self, from: usize, owner: usize, file: usize) {
        let own = self.folder(owner).join("gloss").join(device(owner).to_string());
        let stale_dir = self.folder(from).join("gloss").join(device(owner).to_string());
        let Ok(entries) = fs::read_dir(&stale_dir) else { return };
        let mut names: Vec<_> = entries.map(|e| e.expect("an entry").file_name()).collect();
        names.sort();
        if names.is_empty() {
            return;
        }
        let name = &names[file % names.len()];
        let stale = fs::read(stale_dir.join(name)).expect("a log");
        let current = own.join(name);
        if fs::read(&current).is_ok_and(|bytes| bytes != stale) {
            self.conflicts += 1;
            let stem = name.to_string_lossy().trim_end_matches(".log").to_owned();
            let loser = own.join(format!("{stem}.sync-conflict-20250101-000000-CLASH{}.log", self.conflicts));
            fs::rename(&current, loser).expect("rename");
            put(&current, &stale);
        }
    }

    /// The files of every other device's log, as `from` holds them.
    fn files(&self, from: usize, to: usize) -> Vec<(PathBuf, PathBuf)> {
        let mut files = Vec::new();
        for (d, dir) in device_dirs(&self.folder(from)) {
            if d == device(to).to_string() {
                continue;
            }
            let target = self.folder(to).join("gloss").join(&d);
            for entry in fs::read_dir(&dir).expect("a device dir") {
                let path = entry.expect("an entry").path();
                files.push((path.clone(), target.join(path.file_name().expect("a name"))));
            }
        }
        files.sort();
        files
    }

    fn sync(&mut self, from: usize, to: usize, copy: Copy) {
        let files = self.files(from, to);
        if files.is_empty() {
            return;
        }
        match copy {
            Copy::Whole => mirror(&files),
            Copy::Torn { file, cut } => {
                let (source, target) = &files[file % files.len()];
                let bytes = fs::read(source).expect("a log");
                put(target, &bytes[..cut % (bytes.len() + 1)]);
            }
            Copy::Conflict { file } => {
                let (source, target) = &files[file % files.len()];
                self.conflicts += 1;
                let name = target.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let stem = name.trim_end_matches(".log");
                let conflict = if self.conflicts.is_multiple_of(2) {
                    format!("{stem}.sync-conflict-20250101-000000-DEV{}.log", self.conflicts)
                } else {
                    format!("{stem} (Laptop's conflicted copy {}).log", self.conflicts)
                };
                put(&target.with_file_name(conflict), &fs::read(source).expect("a log"));
            }
        }
    }

    /// Every device's whole log reaches every other device's folder, and
    /// every clock passes every stamp made so far.
    fn settle(&mut self) {
        self.now += 2 * SKEW_MS[2].unsigned_abs();
        for owner in 0..3 {
            let own_dir = self.folder(owner).join("gloss").join(device(owner).to_string());
            for to in (0..3).filter(|&to| to != owner) {
                let target = self.folder(to).join("gloss").join(device(owner).to_string());
                let files: Vec<_> = fs::read_dir(&own_dir)
                    .expect("own dir")
                    .map(|e| e.expect("entry").path())
                    .map(|p| (p.clone(), target.join(p.file_name().expect("a name"))))
                    .collect();
                mirror(&files);
                remove_deleted_segments(&own_dir, &target);
            }
        }
        for replica in 0..3 {
            let wall = self.wall(replica);
            self.replicas[replica].round_at(wall).expect("round");
        }
    }
}

fn device_dirs(folder: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(folder.join("gloss")) else { return Vec::new() };
    entries.map(|e| e.expect("an entry")).map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())).collect()
}

/// Copies files whole, never replacing a longer copy with a shorter one
/// (sync tools do not go back in time; torn copies do, and are overwritten).
fn mirror(files: &[(PathBuf, PathBuf)]) {
    for (source, target) in files {
        let bytes = fs::read(source).expect("a log");
        let current = fs::read(target).unwrap_or_default();
        if current != bytes && current.len() <= bytes.len() {
            put(target, &bytes);
        }
    }
}

/// Compaction removed segments from the owner's folder: the sync tool
/// removes them from the copies too.
fn remove_deleted_segments(own_dir: &Path, target: &Path) {
    let Ok(entries) = fs::read_dir(target) else { return };
    for entry in entries {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let segment = name.len() >= 12
            && name[..8].bytes().all(|b| b.is_ascii_digit())
            && !name.contains(' ')
            && !name.contains("conflict");
        if segment && !own_dir.join(&name).exists() {
            fs::remove_file(&path).expect("remove");
        }
    }
}

fn put(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("a dir");
    fs::write(path, bytes).expect("write");
}

fn everything(ops: &[Op]) -> State {
    let mut state = State::new();
    for op in ops {
        state.apply(op);
    }
    state
}

proptest! {
    #![proptest_config(ProptestConfig { cases: gloss_testkit::proptest_cases(128), ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_on_every_acknowledged_change(actions in prop::collection::vec(action(), 1..120)) {
        let mut world = World::new();
        for action in actions {
            world.run(action);
        }
        world.settle();
        let expected = everything(&world.acknowledged);
        for (r, replica) in world.replicas.iter().enumerate() {
            prop_assert!(replica.state() == &expected, "replica {} differs from all acknowledged changes", r);
        }
        // A device that was away all along catches up from any copy of the folder.
        let late = Replica::open(&world.folder(0), "00000000000000ff".parse().expect("an id"), OPTIONS).expect("open").0;
        prop_assert!(late.state() == &expected, "a late device did not catch up");
    }
}
