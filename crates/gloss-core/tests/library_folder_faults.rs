//! The library folder misbehaving while Gloss watches it: deleted, replaced
//! by a file, replaced by another folder, odd names, symlink loops, very
//! deep trees. Each ends with a clear notice or a correct library, never a
//! panic, a hang or a lost episode. Real folders, the real notify watcher.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::util::{notices, summary, wait_for, wait_until, within, write, Fixture, PATIENCE};
use gloss_core::annotations::{Caller, Door};
use gloss_core::app::Annotations;
use gloss_core::events::{Event, NoticeLevel, ScanReason};
use gloss_core::store::episodes::Status;
use gloss_core::watch::{WatchOptions, Watcher};
use gloss_core::Library;

/// Watches `folder` (by polling if asked) and waits for the start-up scan;
/// returns the events seen so far too.
fn watch_by(library: &Library, folder: &Path, polling: bool) -> (Watcher, Receiver<Event>, Vec<Event>) {
    let events = library.events().subscribe();
    // Short waits so the folder is looked at often; nothing depends on them.
    let options = WatchOptions {
        force_polling: Some(polling),
        poll_interval: Duration::from_millis(100),
        ..WatchOptions::default()
    };
    let watcher = library.watch(folder, options).unwrap();
    let seen =
        wait_for(&events, "the start-up scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Startup, .. }));
    (watcher, events, seen)
}

fn watch(library: &Library, folder: &Path) -> (Watcher, Receiver<Event>, Vec<Event>) {
    watch_by(library, folder, false)
}

fn paths(library: &Library) -> BTreeSet<String> {
    library.list_episodes().unwrap().into_iter().map(|e| e.source_path).collect()
}

fn is_warning_naming(event: &Event, path: &Path, words: &str) -> bool {
    matches!(event, Event::Notice { level: NoticeLevel::Warning, message }
        if message.contains(&path.display().to_string()) && message.contains(words))
}

#[test]
fn a_deleted_library_folder_leaves_missing_episodes_that_reattach_when_it_is_back() {
    deleted_folder(false);
}

/// A network share that goes away (unmounted) is the polled case.
#[test]
fn a_deleted_polled_library_folder_leaves_missing_episodes_that_reattach_when_it_is_back() {
    deleted_folder(true);
}

fn deleted_folder(polling: bool) {
    let fixture = Fixture::new();
    let lib = fixture.path("library");
    let a = summary("A", "Show", "Still readable while gone.");
    let b = summary("B", "Show", "x");
    write(&lib.join("a.txt"), &a);
    write(&lib.join("sub/b.txt"), &b);
    let (watcher, events, _) = watch_by(&fixture.library, &lib, polling);
    let a_id = fixture.episode_at("a.txt").id;
    let notes = Annotations::new(&fixture.library, Caller::door(Door::Cli));
    notes.set_episode_note(a_id, "my note").unwrap();

    std::fs::remove_dir_all(&lib).unwrap();
    let seen = wait_for(&events, "the folder reported gone", |e| is_warning_naming(e, &lib, "gone"));
    wait_until(&events, "both episodes missing", || {
        fixture.library.list_episodes().unwrap().iter().all(|e| e.status == Status::Missing)
    });
    let record = fixture.library.episode(a_id).unwrap().unwrap();
    assert!(record.canonical_text.unwrap().contains("Still readable while gone."), "{seen:#?}");

    // Replaced by a plain file: told, not a panic or a stop.
    std::fs::write(&lib, "not a folder").unwrap();
    wait_for(&events, "the file reported", |e| is_warning_naming(e, &lib, "not a folder"));

    // Back as a folder with the same files: the same episodes, live again.
    std::fs::remove_file(&lib).unwrap();
    write(&lib.join("a.txt"), &a);
    write(&lib.join("sub/b.txt"), &b);
    wait_until(&events, "every episode back", || {
        fixture.library.list_episodes().unwrap().iter().all(|e| e.status == Status::Active)
    });
    assert_eq!(fixture.episode_at("a.txt").id, a_id);
    assert_eq!(notes.episode_annotations(a_id).unwrap().note, "my note");
    write(&lib.join("new.txt"), &summary("New", "Show", "x"));
    wait_for(&events, "a new file", |e| matches!(e, Event::Added { episode } if episode.source_path == "new.txt"));
    assert_eq!(paths(&fixture.library), BTreeSet::from(["a.txt".into(), "new.txt".into(), "sub/b.txt".into()]));
    assert_eq!(watcher.is_polling(), polling);
}

#[test]
fn a_library_folder_replaced_by_another_folder_is_watched_anew() {
    let fixture = Fixture::new();
    let lib = fixture.path("library");
    write(&lib.join("a.txt"), &summary("A", "Show", "x"));
    let (_watcher, events, _) = watch(&fixture.library, &lib);

    // A sync tool or a restore swaps the whole folder in one go.
    let staged = fixture.path("staged");
    write(&staged.join("a.txt"), &summary("A", "Show", "x"));
    write(&staged.join("b.txt"), &summary("B", "Show", "x"));
    std::fs::rename(&lib, fixture.path("old")).unwrap();
    std::fs::rename(&staged, &lib).unwrap();
    wait_for(
        &events,
        "the new folder's file",
        |e| matches!(e, Event::Added { episode } if episode.source_path == "b.txt"),
    );
    // Changes in the new folder arrive, not the old one's.
    write(&fixture.path("old/stale.txt"), &summary("Stale", "Show", "x"));
    write(&lib.join("c.txt"), &summary("C", "Show", "x"));
    wait_for(
        &events,
        "a file in the new folder",
        |e| matches!(e, Event::Added { episode } if episode.source_path == "c.txt"),
    );
    assert_eq!(paths(&fixture.library), BTreeSet::from(["a.txt".into(), "b.txt".into(), "c.txt".into()]));
    assert!(fixture.library.list_episodes().unwrap().iter().all(|e| e.status == Status::Active));
}

#[test]
fn names_with_spaces_and_non_ascii_letters_are_read_watched_and_moved() {
    let fixture = Fixture::new();
    let lib = fixture.path("Podcast Notes – Résumés 日本語");
    write(&lib.join("Épisodes 2024/Café con leche — ep 1.txt"), &summary("Café", "Show", "x"));
    // A name that is not UTF-8 can not be kept: it is named in a notice.
    let bad = lib.join(OsStr::from_bytes(b"latin1 caf\xe9.txt"));
    std::fs::write(&bad, summary("Bad name", "Show", "x")).unwrap();
    let (_watcher, events, seen) = watch(&fixture.library, &lib);
    assert!(notices(&seen).iter().any(|n| n.contains("not valid UTF-8") && n.contains("latin1 caf")), "{seen:#?}");
    let scanned = seen.iter().find_map(|e| match e {
        Event::Scanned { counts, .. } => Some(*counts),
        _ => None,
    });
    assert_eq!(scanned.map(|c| c.errors), Some(1), "the file with an unusable name counts as an error: {seen:#?}");
    let id = fixture.episode_at("Épisodes 2024/Café con leche — ep 1.txt").id;

    write(&lib.join("Épisodes 2024/naïve ünïcödé 🎧.md"), &summary("Naive", "Show", "x"));
    wait_for(
        &events,
        "a new file",
        |e| matches!(e, Event::Added { episode } if episode.source_path == "Épisodes 2024/naïve ünïcödé 🎧.md"),
    );
    std::fs::rename(lib.join("Épisodes 2024"), lib.join("Archivé 2024")).unwrap();
    wait_until(&events, "the renamed folder", || {
        paths(&fixture.library)
            == BTreeSet::from([
                "Archivé 2024/Café con leche — ep 1.txt".into(),
                "Archivé 2024/naïve ünïcödé 🎧.md".into(),
            ])
    });
    assert_eq!(fixture.episode_at("Archivé 2024/Café con leche — ep 1.txt").id, id);
    assert!(fixture.library.list_episodes().unwrap().iter().all(|e| e.status == Status::Active));
}

#[test]
fn symlink_loops_end_and_links_are_not_followed() {
    let fixture = Fixture::new();
    let lib = fixture.path("library");
    write(&lib.join("real/a.txt"), &summary("A", "Show", "x"));
    std::os::unix::fs::symlink(".", lib.join("self")).unwrap();
    std::os::unix::fs::symlink("../..", lib.join("real/up")).unwrap();
    std::os::unix::fs::symlink("real", lib.join("alias")).unwrap();
    std::os::unix::fs::symlink("real/a.txt", lib.join("link.txt")).unwrap();
    let library = fixture.library.clone();
    let folder = lib.clone();
    let (watcher, events, _) =
        within("watching a folder with symlink loops", 4 * PATIENCE, move || watch(&library, &folder));
    assert_eq!(paths(&fixture.library), BTreeSet::from(["real/a.txt".into()]));

    // Changes are seen once, under the real path only, also for links made later.
    std::os::unix::fs::symlink("real", lib.join("alias2")).unwrap();
    write(&lib.join("real/b.txt"), &summary("B", "Show", "x"));
    wait_for(&events, "a new file", |e| matches!(e, Event::Added { episode } if episode.source_path == "real/b.txt"));
    write(&lib.join("z.txt"), &summary("Z", "Show", "x"));
    wait_for(&events, "a later file", |e| matches!(e, Event::Added { episode } if episode.source_path == "z.txt"));
    assert_eq!(paths(&fixture.library), BTreeSet::from(["real/a.txt".into(), "real/b.txt".into(), "z.txt".into()]));
    drop(watcher);
}

#[test]
fn a_two_hundred_level_deep_tree_is_scanned_and_watched() {
    const LEVELS: usize = 200;
    let fixture = Fixture::new();
    let lib = fixture.path("library");
    let mut deepest = lib.clone();
    let mut expected = BTreeSet::new();
    let mut rel = PathBuf::new();
    for level in 0..LEVELS {
        deepest.push(format!("level{level:03}"));
        rel.push(format!("level{level:03}"));
        if level % 50 == 49 {
            write(&deepest.join("ep.txt"), &summary(&format!("Level {level}"), "Show", "x"));
            expected.insert(rel.join("ep.txt").to_str().unwrap().to_owned());
        }
    }
    let library = fixture.library.clone();
    let folder = lib.clone();
    let (_watcher, events, _) = within("watching a very deep tree", 4 * PATIENCE, move || watch(&library, &folder));
    assert_eq!(paths(&fixture.library), expected);

    write(&deepest.join("new.txt"), &summary("Deepest", "Show", "x"));
    let new = rel.join("new.txt").to_str().unwrap().to_owned();
    wait_for(&events, "a file at the bottom", |e| matches!(e, Event::Added { episode } if episode.source_path == new));
    // A manual scan of the same tree ends as well.
    let library = fixture.library.clone();
    let counts = within("scanning a very deep tree", 4 * PATIENCE, move || library.reconcile(&lib).unwrap());
    assert_eq!(counts.unchanged, expected.len() + 1, "{counts}");
}
