//! A full disk during annotation writes, without filling a real disk:
//! SQLite's `max_page_count` caps the database at its current size, and the
//! next write that needs a new page fails exactly as on a full disk
//! (`SQLITE_FULL`). Such a write must fail as disk-full with a message that
//! names the data folder, store nothing of itself, and go through once there
//! is room again. (The same over HTTP on a real full disk: the `gloss`
//! package's `storage_faults` test.)

use crate::util::annotations::{quote, Setup};
use crate::util::summary;
use gloss_core::annotations::{Error, HighlightFilter, HighlightPatch};
use gloss_core::store::Store;

/// A note far larger than a page, so saving it needs new pages.
fn big_note(word: &str) -> String {
    format!("{word} ") + &"a long thought about chip exports ".repeat(3000)
}

/// Caps the database at `pages` pages, or at its current size with `None`;
/// returns the cap SQLite took (never below the current size).
fn cap(store: &Store, pages: Option<i64>) -> i64 {
    store
        .write(|tx| {
            let current: i64 = tx.query_row("PRAGMA page_count", [], |row| row.get(0))?;
            Ok(tx.pragma_update_and_check(None, "max_page_count", pages.unwrap_or(current), |row| row.get(0))?)
        })
        .unwrap()
}

fn integrity(store: &Store) -> String {
    store.read(|tx| Ok(tx.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)).unwrap()
}

/// Asserts `result` failed for want of room, with a message the user can act on.
fn assert_disk_full<T: std::fmt::Debug>(result: Result<T, Error>, store: &Store) {
    let err = result.expect_err("a write past the size limit must fail");
    let Error::Store(store_err) = &err else { panic!("not a storage error: {err:?}") };
    assert!(store_err.is_disk_full(), "not told as disk full: {err:?}");
    let message = err.to_string();
    let folder = store.data_dir().display().to_string();
    assert!(message.contains("full") && message.contains(&folder), "the message names neither: {message}");
    assert!(message.contains("free some space"), "the message does not say what to do: {message}");
}

#[test]
fn a_write_with_no_room_fails_as_disk_full_stores_nothing_and_succeeds_once_there_is_room() {
    let s = Setup::new(&[(
        "compute.txt",
        &summary("Compute Arms Race", "Tech Weekly", "Chip exports shape the open-source model race."),
    )]);
    let store = s.fx.library.store();
    let notes = s.notes();
    let episode = s.episode("compute.txt");
    let kept = notes.create_highlight(&quote(episode, "Chip exports")).unwrap();
    let everything = |trashed| notes.list_highlights(&HighlightFilter { trashed, ..Default::default() }).unwrap();
    let before = (everything(false), everything(true), notes.list_tags().unwrap());

    let pages = cap(store, None);
    let mut new = quote(episode, "open-source model race");
    new.note = Some(big_note("overflowing"));
    new.tags = vec!["never-stored".into()];
    assert_disk_full(notes.create_highlight(&new), store);
    let patch = HighlightPatch { id: kept.id.clone(), note: Some(big_note("unsaved")), ..Default::default() };
    assert_disk_full(notes.update_highlight(&patch), store);

    // Nothing of either write: no highlight, no tag, no changed note, no
    // index entry, and the database is sound.
    assert_eq!((everything(false), everything(true), notes.list_tags().unwrap()), before);
    assert_eq!(notes.get_highlight(&kept.id).unwrap().note, "");
    assert!(notes.search_highlights("overflowing", &HighlightFilter::default(), 10).unwrap().is_empty());
    assert!(notes.search_highlights("unsaved", &HighlightFilter::default(), 10).unwrap().is_empty());
    assert_eq!(integrity(store), "ok");

    // Room again: the same writes go through.
    assert!(cap(store, Some(pages * 100)) > pages);
    let created = notes.create_highlight(&new).unwrap();
    assert_eq!(created.tags, ["never-stored"]);
    assert_eq!(notes.update_highlight(&patch).unwrap().note, big_note("unsaved"));
    assert_eq!(everything(false).total, 2);
    assert_eq!(notes.search_highlights("overflowing", &HighlightFilter::default(), 10).unwrap().len(), 1);
    assert_eq!(integrity(store), "ok");
}
