//! The live watcher, on real temp folders with the real notify backend.
//! Waits are generous and nothing asserts on how long anything took.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use crate::util::{drain, event_path, summary, wait_for, Fixture};
use gloss_core::events::{Event, NoticeLevel, ScanReason};
use gloss_core::store::episodes::Status;
use gloss_core::watch::{WatchOptions, Watcher};

/// How long the library must stay quiet before a test concludes nothing more
/// is coming (only used to check that nothing *extra* happens).
const QUIET: Duration = Duration::from_millis(1500);

fn watch(fixture: &Fixture) -> (Watcher, std::sync::mpsc::Receiver<Event>) {
    let events = fixture.library.events().subscribe();
    let watcher = fixture.library.watch(fixture.folder.path(), WatchOptions::default()).unwrap();
    assert!(!watcher.is_polling());
    wait_for(&events, "the start-up scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Startup, .. }));
    (watcher, events)
}

fn is_about(event: &Event, path: &str) -> bool {
    event_path(event) == Some(path)
}

#[test]
fn create_modify_atomic_save_rename_delete_and_restore_each_announce_once() {
    let fixture = Fixture::new();
    let (_watcher, events) = watch(&fixture);

    fixture.write("a.txt", &summary("A", "Show", "first"));
    wait_for(&events, "added", |e| matches!(e, Event::Added { episode } if episode.source_path == "a.txt"));
    let id = fixture.episode_at("a.txt").id;

    fixture.write("a.txt", &summary("A", "Show", "second"));
    wait_for(
        &events,
        "updated",
        |e| matches!(e, Event::Updated { episode, text_changed: true, .. } if episode.id == id),
    );

    // An editor's atomic save: write a hidden temp file, rename it over.
    fixture.write(".a.txt.swp", &summary("A", "Show", "third"));
    std::fs::rename(fixture.path(".a.txt.swp"), fixture.path("a.txt")).unwrap();
    wait_for(
        &events,
        "atomic save",
        |e| matches!(e, Event::Updated { episode, text_changed: true, .. } if episode.id == id),
    );
    assert!(fixture.library.episode(id).unwrap().unwrap().canonical_text.unwrap().contains("third"));

    std::fs::rename(fixture.path("a.txt"), fixture.path("renamed.txt")).unwrap();
    wait_for(&events, "rename", |e| {
        matches!(e, Event::Updated { episode, moved_from: Some(from), .. }
            if episode.id == id && from == "a.txt" && episode.source_path == "renamed.txt")
    });

    std::fs::remove_file(fixture.path("renamed.txt")).unwrap();
    wait_for(&events, "missing", |e| matches!(e, Event::Missing { episode } if episode.id == id));
    assert_eq!(fixture.library.episode(id).unwrap().unwrap().summary.status, Status::Missing);

    fixture.write("restored.txt", &summary("A", "Show", "third"));
    wait_for(
        &events,
        "restore",
        |e| matches!(e, Event::Updated { episode, .. } if episode.id == id && episode.status == Status::Active),
    );

    let extra: Vec<_> = drain(&events, QUIET).into_iter().filter(|e| event_path(e).is_some()).collect();
    assert!(extra.is_empty(), "every change was announced exactly once: {extra:#?}");
    assert_eq!(fixture.library.list_episodes().unwrap().len(), 1);
}

#[test]
fn a_file_that_fails_is_announced_as_an_error_and_recovers_when_fixed() {
    let fixture = Fixture::new();
    fixture.write("good.txt", &summary("Good", "Show", "x"));
    let (_watcher, events) = watch(&fixture);

    std::fs::write(fixture.path("bad.txt"), b"\x00\x00binary").unwrap();
    let seen = wait_for(&events, "error", |e| matches!(e, Event::Error { .. }));
    let Some(Event::Error { episode }) = seen.last() else { unreachable!() };
    assert!(episode.error.as_deref().unwrap().contains("bad.txt"), "{episode:?}");
    assert_eq!(fixture.episode_at("good.txt").status, Status::Active);

    fixture.write("bad.txt", &summary("Fixed", "Show", "y"));
    wait_for(
        &events,
        "fixed",
        |e| matches!(e, Event::Updated { episode, .. } if episode.source_path == "bad.txt" && episode.status == Status::Active),
    );
    assert_eq!(fixture.episode_at("bad.txt").error, None);
}

#[test]
fn a_burst_of_a_thousand_files_is_ingested_exactly_once_each() {
    const FILES: usize = 1000;
    let fixture = Fixture::new();
    let (_watcher, events) = watch(&fixture);
    for n in 0..FILES {
        fixture.write(&format!("burst/{n:04}.txt"), &summary(&format!("Burst {n}"), "Show", "x"));
    }
    let mut added: HashMap<String, usize> = HashMap::new();
    let mut other = Vec::new();
    while added.len() < FILES {
        let seen = wait_for(&events, "the burst", |e| matches!(e, Event::Added { .. }));
        for event in seen {
            match event {
                Event::Added { episode } => *added.entry(episode.source_path).or_default() += 1,
                Event::Scanned { .. } | Event::Notice { .. } => {}
                event => other.push(event),
            }
        }
    }
    for event in drain(&events, QUIET) {
        match event {
            Event::Added { episode } => *added.entry(episode.source_path).or_default() += 1,
            Event::Scanned { .. } | Event::Notice { .. } => {}
            event => other.push(event),
        }
    }
    assert!(other.is_empty(), "no updates or errors: {other:#?}");
    let twice: Vec<_> = added.iter().filter(|(_, count)| **count != 1).collect();
    assert!(twice.is_empty(), "each file announced once: {twice:?}");
    assert_eq!(fixture.library.list_episodes().unwrap().len(), FILES);
}

#[test]
fn a_half_written_file_is_retried_until_complete() {
    let fixture = Fixture::new();
    let (_watcher, events) = watch(&fixture);
    let text = summary("Slow", "Show", "The last line arrives late.");
    let (first, rest) = text.split_at(text.len() / 3);
    let mut file = std::fs::File::create(fixture.path("slow.txt")).unwrap();
    // Empty, then partial, then complete, with pauses long enough for the
    // watcher to look at each stage.
    std::thread::sleep(Duration::from_millis(400));
    file.write_all(first.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    file.write_all(rest.as_bytes()).unwrap();
    drop(file);
    wait_for(&events, "the complete file", |e| {
        matches!(e, Event::Added { episode } | Event::Updated { episode, .. }
            if episode.source_path == "slow.txt" && episode.status == Status::Active)
            && fixture.episode_at("slow.txt").status == Status::Active
            && fixture
                .library
                .episode(fixture.episode_at("slow.txt").id)
                .unwrap()
                .unwrap()
                .canonical_text
                .is_some_and(|t| t.contains("arrives late"))
    });
    drain(&events, QUIET);
    let episode = fixture.episode_at("slow.txt");
    assert_eq!((episode.status, episode.error), (Status::Active, None));
    assert_eq!(fixture.library.list_episodes().unwrap().len(), 1);
}

#[test]
fn a_moved_folder_keeps_every_episode() {
    let fixture = Fixture::new();
    for n in 0..5 {
        fixture.write(&format!("inbox/{n}.txt"), &summary(&format!("Ep {n}"), "Show", "x"));
    }
    let (_watcher, events) = watch(&fixture);
    let before: Vec<_> = fixture.library.list_episodes().unwrap().into_iter().map(|e| e.id).collect();
    std::fs::rename(fixture.path("inbox"), fixture.path("archive")).unwrap();
    let mut moved = 0;
    while moved < 5 {
        let seen = wait_for(&events, "folder move", |e| matches!(e, Event::Updated { moved_from: Some(_), .. }));
        moved += seen.iter().filter(|e| matches!(e, Event::Updated { moved_from: Some(_), .. })).count();
    }
    let after = fixture.library.list_episodes().unwrap();
    assert!(after.iter().all(|e| e.source_path.starts_with("archive/") && e.status == Status::Active));
    let mut ids: Vec<_> = after.into_iter().map(|e| e.id).collect();
    ids.sort();
    assert_eq!(ids, before);
    let strays: Vec<_> = drain(&events, QUIET).into_iter().filter(|e| is_about(e, "inbox/0.txt")).collect();
    assert!(strays.is_empty(), "{strays:#?}");
}

#[test]
fn changes_while_stopped_are_reconciled_when_watching_starts_again() {
    let fixture = Fixture::new();
    fixture.write("keep.txt", &summary("Keep", "Show", "x"));
    fixture.write("move.txt", &summary("Move", "Show", "x"));
    fixture.write("delete.txt", &summary("Delete", "Show", "x"));
    let (watcher, _events) = watch(&fixture);
    let moved_id = fixture.episode_at("move.txt").id;
    drop(watcher);

    let fixture = fixture.restart(|folder| {
        std::fs::rename(folder.join("move.txt"), folder.join("moved.txt")).unwrap();
        std::fs::remove_file(folder.join("delete.txt")).unwrap();
        crate::util::write(&folder.join("new.txt"), &summary("New", "Show", "x"));
    });
    let events = fixture.library.events().subscribe();
    let _watcher = fixture.library.watch(fixture.folder.path(), WatchOptions::default()).unwrap();
    let seen = wait_for(&events, "start-up scan", |e| matches!(e, Event::Scanned { .. }));
    let Some(Event::Scanned { counts, .. }) = seen.last() else { unreachable!() };
    assert_eq!((counts.added, counts.moved, counts.unchanged, counts.missing), (1, 1, 1, 1));
    assert_eq!(fixture.episode_at("moved.txt").id, moved_id);

    // And it is live again.
    fixture.write("later.txt", &summary("Later", "Show", "x"));
    wait_for(&events, "live again", |e| is_about(e, "later.txt"));
}

#[test]
fn polling_can_be_forced_and_tells_the_user() {
    let fixture = Fixture::new();
    fixture.library.set_force_polling(true).unwrap();
    let events = fixture.library.events().subscribe();
    let options = WatchOptions { poll_interval: Duration::from_millis(200), ..WatchOptions::default() };
    let watcher = fixture.library.watch(fixture.folder.path(), options).unwrap();
    assert!(watcher.is_polling());
    let seen = wait_for(&events, "start-up scan", |e| matches!(e, Event::Scanned { .. }));
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Notice { level: NoticeLevel::Info, message } if message.contains("polling"))),
        "{seen:#?}"
    );
    fixture.write("polled.txt", &summary("Polled", "Show", "x"));
    wait_for(&events, "polled file", |e| matches!(e, Event::Added { episode } if episode.source_path == "polled.txt"));
}

#[test]
fn forced_polling_sees_creates_edits_within_one_second_restored_old_copies_and_deletes() {
    let fixture = Fixture::new();
    fixture.library.set_force_polling(true).unwrap();
    let options = WatchOptions { poll_interval: Duration::from_millis(100), ..WatchOptions::default() };
    let events = fixture.library.events().subscribe();
    let _watcher = fixture.library.watch(fixture.folder.path(), options).unwrap();
    wait_for(&events, "start-up scan", |e| matches!(e, Event::Scanned { .. }));
    // Saved as a sync tool does: written aside (hidden, so ignored) with the
    // modification time it should have, then renamed over. The times are
    // what a network share or a sync tool shows: two saves within one
    // second, and an older copy put back with its old time.
    let second = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let save = |text: &str, mtime| {
        fixture.write(".a.txt.partial", text);
        let file = std::fs::File::options().write(true).open(fixture.path(".a.txt.partial")).unwrap();
        file.set_modified(mtime).unwrap();
        std::fs::rename(fixture.path(".a.txt.partial"), fixture.path("a.txt")).unwrap();
    };

    save(&summary("A", "Show", "first"), second + Duration::from_millis(100));
    wait_for(&events, "created", |e| matches!(e, Event::Added { episode } if episode.source_path == "a.txt"));
    let id = fixture.episode_at("a.txt").id;
    let has_text = |words: &str| fixture.library.episode(id).unwrap().unwrap().canonical_text.unwrap().contains(words);

    save(&summary("A", "Show", "second, in the same second"), second + Duration::from_millis(600));
    wait_for(&events, "edited within the second", |e| matches!(e, Event::Updated { episode, .. } if episode.id == id));
    assert!(has_text("second, in the same second"));

    save(&summary("A", "Show", "an older copy"), second - Duration::from_secs(3600));
    wait_for(&events, "an older copy restored", |e| matches!(e, Event::Updated { episode, .. } if episode.id == id));
    assert!(has_text("an older copy"));

    std::fs::remove_file(fixture.path("a.txt")).unwrap();
    wait_for(&events, "deleted", |e| matches!(e, Event::Missing { episode } if episode.id == id));
    let extra: Vec<_> = drain(&events, QUIET).into_iter().filter(|e| !matches!(e, Event::Scanned { .. })).collect();
    assert!(extra.is_empty(), "each change announced once, and nothing while the folder stays still: {extra:#?}");
}

#[test]
fn the_periodic_reconcile_catches_what_events_missed() {
    let fixture = Fixture::new();
    // Polling far slower than the periodic reconcile: only the latter can see the file.
    let options = WatchOptions {
        force_polling: Some(true),
        poll_interval: Duration::from_secs(3600),
        reconcile_every: Duration::from_millis(300),
        ..WatchOptions::default()
    };
    let events = fixture.library.events().subscribe();
    let _watcher = fixture.library.watch(fixture.folder.path(), options).unwrap();
    // The first poll is an hour away: only a periodic scan can see the file.
    wait_for(&events, "a first periodic scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Periodic, .. }));
    fixture.write("quiet.txt", &summary("Quiet", "Show", "x"));
    let seen = wait_for(
        &events,
        "a periodic scan that finds the file",
        |e| matches!(e, Event::Scanned { reason: ScanReason::Periodic, counts } if counts.added == 1),
    );
    assert!(seen.iter().any(|e| matches!(e, Event::Added { episode } if episode.source_path == "quiet.txt")));
}

#[test]
fn events_serialise_to_tagged_json() {
    let fixture = Fixture::new();
    let (_watcher, events) = watch(&fixture);
    fixture.write("a.txt", &summary("A", "Show", "x"));
    let seen = wait_for(&events, "added", |e| matches!(e, Event::Added { .. }));
    let json = serde_json::to_value(seen.last().unwrap()).unwrap();
    assert_eq!(json["type"], "episode_added");
    assert_eq!(json["episode"]["source_path"], "a.txt");
    assert_eq!(json["episode"]["status"], "active");
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(&back, seen.last().unwrap());
}
