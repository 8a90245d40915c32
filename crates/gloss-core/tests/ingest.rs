//! Reconciling the library folder with the database, without the watcher.

use crate::util::{event_path, summary, Fixture};
use gloss_core::app::Annotations;
use gloss_core::events::Event;
use gloss_core::events::{Caller, Door};
use gloss_core::scan::ScanCounts;
use gloss_core::store::episodes::Status;
use gloss_core::store::settings;

fn counts(added: usize, updated: usize, moved: usize, unchanged: usize, missing: usize, errors: usize) -> ScanCounts {
    ScanCounts { added, updated, moved, unchanged, missing, errors }
}

#[test]
fn a_first_scan_reads_nested_folders_and_ignores_hidden_swap_and_partial_files() {
    let fixture = Fixture::new();
    fixture.write("one.txt", &summary("One", "Show", "a"));
    fixture.write("shows/two.md", &summary("Two", "Show", "b"));
    fixture.write("shows/2024/deep/three.txt", &summary("Three", "Show", "c"));
    for ignored in [
        ".hidden.txt",
        ".git/config.txt",
        "one.txt.swp",
        "one.txt~",
        "four.txt.part",
        "five.txt.crdownload",
        "six.tmp",
        "picture.png",
    ] {
        fixture.write(ignored, &summary("Ignored", "Show", "x"));
    }
    let counts_seen = fixture.library.reconcile(fixture.folder.path()).unwrap();
    assert_eq!(counts_seen, counts(3, 0, 0, 0, 0, 0));
    let paths: Vec<_> = fixture.library.list_episodes().unwrap().into_iter().map(|e| e.source_path).collect();
    assert_eq!(paths, ["one.txt", "shows/2024/deep/three.txt", "shows/two.md"]);
}

#[test]
fn an_unchanged_folder_rescans_without_reading_or_announcing_anything() {
    let fixture = Fixture::new();
    for n in 0..5 {
        fixture.write(&format!("{n}.txt"), &summary(&format!("Ep {n}"), "Show", "x"));
    }
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, 5, 0, 0));
    let seen: Vec<Event> = events.try_iter().collect();
    assert!(matches!(seen.as_slice(), [Event::Scanned { .. }]), "{seen:#?}");
}

#[test]
fn a_touched_file_with_the_same_bytes_is_not_re_parsed() {
    let fixture = Fixture::new();
    fixture.write("a.txt", &summary("A", "Show", "x"));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let file = std::fs::File::options().append(true).open(fixture.path("a.txt")).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, 1, 0, 0));
    assert_eq!(events.try_iter().filter(|e| event_path(e).is_some()).count(), 0);
}

#[test]
fn an_edited_file_keeps_its_id_and_its_previous_text() {
    let fixture = Fixture::new();
    fixture.write("a.txt", &summary("A", "Show", "The original wording."));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let id = fixture.episode_at("a.txt").id;
    fixture.write("a.txt", &summary("A", "Show", "The edited wording, longer."));
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 1, 0, 0, 0, 0));
    let updated = events.try_iter().find(|e| matches!(e, Event::Updated { .. })).unwrap();
    assert!(matches!(updated, Event::Updated { text_changed: true, moved_from: None, .. }), "{updated:?}");
    let record = fixture.library.episode(id).unwrap().unwrap();
    assert_eq!(record.text_revision, 2);
    assert!(record.canonical_text.unwrap().contains("edited wording"));
    assert!(record.previous_canonical_text.unwrap().contains("original wording"));
}

#[test]
fn a_renamed_or_moved_file_keeps_its_episode() {
    let fixture = Fixture::new();
    fixture.write("a.txt", &summary("A", "Show", "x"));
    fixture.write("b.txt", &summary("B", "Show", "y"));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let a = fixture.episode_at("a.txt").id;
    let b = fixture.episode_at("b.txt").id;
    std::fs::rename(fixture.path("a.txt"), fixture.path("renamed.txt")).unwrap();
    std::fs::create_dir(fixture.path("archive")).unwrap();
    std::fs::rename(fixture.path("b.txt"), fixture.path("archive/b.txt")).unwrap();
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 2, 0, 0, 0));
    assert_eq!(fixture.episode_at("renamed.txt").id, a);
    assert_eq!(fixture.episode_at("archive/b.txt").id, b);
    assert_eq!(fixture.library.list_episodes().unwrap().len(), 2);
    let moves: Vec<_> = events
        .try_iter()
        .filter_map(|e| match e {
            Event::Updated { moved_from: Some(from), episode, .. } => Some((from, episode.source_path)),
            _ => None,
        })
        .collect();
    assert!(moves.contains(&("a.txt".into(), "renamed.txt".into())), "{moves:?}");
}

#[test]
fn a_file_edited_and_renamed_at_once_is_matched_by_title_and_show() {
    let fixture = Fixture::new();
    fixture.write("draft.txt", &summary("Same Episode", "Show", "First draft."));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let id = fixture.episode_at("draft.txt").id;
    std::fs::remove_file(fixture.path("draft.txt")).unwrap();
    fixture.write("final.txt", &summary("Same Episode", "Show", "Final wording."));
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 1, 0, 0, 0));
    let record = fixture.library.episode(fixture.episode_at("final.txt").id).unwrap().unwrap();
    assert_eq!(record.summary.id, id);
    assert!(record.previous_canonical_text.unwrap().contains("First draft."));
}

#[test]
fn a_deleted_file_leaves_a_readable_missing_episode_that_reattaches_when_it_returns() {
    let fixture = Fixture::new();
    let text = summary("Gone", "Show", "Still readable.");
    fixture.write("gone.txt", &text);
    fixture.write("other.txt", &summary("Other", "Show", "x"));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let id = fixture.episode_at("gone.txt").id;

    std::fs::remove_file(fixture.path("gone.txt")).unwrap();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, 1, 1, 0));
    let record = fixture.library.episode(id).unwrap().unwrap();
    assert_eq!(record.summary.status, Status::Missing);
    assert!(record.canonical_text.unwrap().contains("Still readable."));
    assert!(fixture.library.search("readable", 10).unwrap().iter().any(|hit| hit.episode.id == id));
    // Still missing on the next scan, and still counted.
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, 1, 1, 0));

    // Back under another name: same episode.
    fixture.write("back/again.txt", &text);
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 1, 1, 0, 0));
    let back = fixture.episode_at("back/again.txt");
    assert_eq!((back.id, back.status), (id, Status::Active));
}

#[test]
fn a_file_that_fails_is_recorded_with_its_name_and_cleared_by_a_good_version() {
    let fixture = Fixture::new();
    fixture.write("good.txt", &summary("Good", "Show", "x"));
    fixture.write("bad.txt", "");
    // An empty file only just written may still be being written: make it old.
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(fixture.path("bad.txt")).unwrap().set_modified(an_hour_ago).unwrap();
    std::fs::write(fixture.path("binary.txt"), b"\x00\x01\x02 not text").unwrap();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(1, 0, 0, 0, 0, 2));
    for name in ["bad.txt", "binary.txt"] {
        let bad = fixture.episode_at(name);
        assert_eq!(bad.status, Status::Error);
        let message = bad.error.unwrap();
        assert!(message.contains(name), "{message}");
    }
    assert_eq!(fixture.episode_at("good.txt").status, Status::Active);
    // Unchanged, it stays an error without being read again.
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, 1, 0, 2));

    let id = fixture.episode_at("bad.txt").id;
    fixture.write("bad.txt", &summary("Fixed", "Show", "y"));
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 1, 0, 1, 0, 1));
    let fixed = fixture.episode_at("bad.txt");
    assert_eq!((fixed.id, fixed.status, fixed.error), (id, Status::Active, None));
    assert!(events.try_iter().any(|e| matches!(e, Event::Updated { episode, .. } if episode.id == id)));
}

#[test]
fn a_broken_version_keeps_the_last_good_text() {
    let fixture = Fixture::new();
    fixture.write("a.txt", &summary("A", "Show", "Good text."));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let id = fixture.episode_at("a.txt").id;
    std::fs::write(fixture.path("a.txt"), b"\x00broken").unwrap();
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, 0, 0, 1));
    assert!(events.try_iter().any(|e| matches!(e, Event::Error { episode } if episode.id == id)));
    let record = fixture.library.episode(id).unwrap().unwrap();
    assert_eq!(record.summary.status, Status::Error);
    assert!(record.canonical_text.unwrap().contains("Good text."));
}

#[test]
fn changes_made_while_gloss_was_closed_are_caught_at_the_next_start() {
    let fixture = Fixture::new();
    for name in ["keep", "edit", "move", "delete"] {
        fixture.write(&format!("{name}.txt"), &summary(name, "Show", "x"));
    }
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    let moved_id = fixture.episode_at("move.txt").id;
    let fixture = fixture.restart(|folder| {
        crate::util::write(&folder.join("edit.txt"), &summary("edit", "Show", "changed"));
        std::fs::rename(folder.join("move.txt"), folder.join("moved.txt")).unwrap();
        std::fs::remove_file(folder.join("delete.txt")).unwrap();
        crate::util::write(&folder.join("new.txt"), &summary("new", "Show", "x"));
    });
    // The remembered folder is used when none is given.
    let folder = fixture.library.library_folder(None).unwrap().unwrap();
    assert_eq!(fixture.library.reconcile(&folder).unwrap(), counts(1, 1, 1, 1, 1, 0));
    assert_eq!(fixture.episode_at("moved.txt").id, moved_id);
    assert_eq!(fixture.episode_at("delete.txt").status, Status::Missing);
}

#[test]
fn a_library_folder_that_does_not_exist_is_an_error_naming_it() {
    let fixture = Fixture::new();
    let nowhere = fixture.folder.path().join("nowhere");
    let message = fixture.library.reconcile(&nowhere).unwrap_err().to_string();
    assert!(message.contains("nowhere") && message.contains("--library"), "{message}");
}

/// `files` summaries, 00000.txt and on.
fn write_numbered(fixture: &Fixture, files: usize) {
    for n in 0..files {
        fixture.write(&format!("{n:05}.txt"), &summary(&format!("Ep {n}"), "Show", "x"));
    }
}

#[test]
fn a_first_scan_larger_than_one_transaction_stores_and_announces_every_file_once() {
    // More files than one transaction takes (16 batches of 256), with a
    // last batch and a last transaction that are not full.
    let fixture = Fixture::new();
    let files = 4_500;
    write_numbered(&fixture, files);
    let events = fixture.library.events().subscribe();
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(files, 0, 0, 0, 0, 0));
    let mut added: Vec<String> = events
        .try_iter()
        .filter_map(|e| match e {
            Event::Added { episode } => Some(episode.source_path),
            _ => None,
        })
        .collect();
    let announced = added.len();
    added.sort();
    added.dedup();
    assert_eq!((announced, added.len()), (files, files), "each file announced once");
    let paths: Vec<_> = fixture.library.list_episodes().unwrap().into_iter().map(|e| e.source_path).collect();
    assert_eq!(paths.len(), files);
    assert_eq!(paths.first().map(String::as_str), Some("00000.txt"));
    assert_eq!(paths.last().map(String::as_str), Some("04499.txt"));
    assert_eq!(fixture.library.reconcile(fixture.folder.path()).unwrap(), counts(0, 0, 0, files, 0, 0));
}

#[test]
fn writes_made_during_a_first_scan_are_kept_and_every_file_is_stored_once() {
    // Each waiting write ends the scan's transaction early (after the batch
    // under way): whatever the interleaving, nothing is lost or doubled.
    let fixture = Fixture::new();
    let files = 3_000;
    write_numbered(&fixture, files);
    let notes = Annotations::new(&fixture.library, Caller::door(Door::Cli));
    let mut writes = 0;
    let scanned = std::thread::scope(|scope| {
        let scan = scope.spawn(|| fixture.library.reconcile(fixture.folder.path()).unwrap());
        while !scan.is_finished() {
            writes += 1;
            notes.set_preference("written during the scan", &writes.to_string()).unwrap();
        }
        scan.join().unwrap()
    });
    assert_eq!(scanned, counts(files, 0, 0, 0, 0, 0));
    assert_eq!(fixture.library.list_episodes().unwrap().len(), files);
    let last = fixture.library.store().read(|conn| settings::get(conn, "written during the scan")).unwrap();
    assert_eq!(last, Some(writes.to_string()));
}
