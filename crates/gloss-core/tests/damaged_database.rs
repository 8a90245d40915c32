//! A damaged database is refused at start with a message naming the file
//! and what to do, nothing is written into it, and `recover` copies what
//! can still be read into a new database while keeping the damaged file.

use crate::util::summary;
use gloss_core::annotations::{Caller, Door, HighlightFilter, NewHighlight};
use gloss_core::app::Annotations;
use gloss_core::store::recover::{recover, DAMAGED_DIR};
use gloss_core::store::{Error, DB_FILE};
use gloss_core::Library;
use std::path::Path;
use tempfile::TempDir;

/// A data folder with 30 episodes and a highlight on each, closed.
fn data_folder() -> (TempDir, TempDir) {
    let (data, folder) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    for n in 0..30 {
        let insight = format!("Insight number {n} says something worth keeping {}", "and more ".repeat(50));
        std::fs::write(folder.path().join(format!("{n}.txt")), summary(&format!("Episode {n}"), "Show", &insight))
            .unwrap();
    }
    let library = Library::open(data.path()).unwrap();
    library.reconcile(folder.path()).unwrap();
    let notes = Annotations::new(&library, Caller::door(Door::Cli));
    for episode in library.list_episodes().unwrap() {
        let new = NewHighlight {
            episode_id: episode.id,
            quote: Some("worth keeping".into()),
            note: Some("mine".into()),
            ..Default::default()
        };
        notes.create_highlight(&new).unwrap();
    }
    (data, folder)
}

fn highlights(library: &Library) -> usize {
    Annotations::new(library, Caller::door(Door::Cli)).list_highlights(&HighlightFilter::default()).unwrap().total
}

fn refusal(data: &Path) -> String {
    let error = Library::open(data).expect_err("a damaged database is refused");
    assert!(matches!(error, Error::Corrupt { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&data.join(DB_FILE).display().to_string()), "names the file: {message}");
    assert!(message.contains("gloss recover"), "says what to do: {message}");
    message
}

/// The damaged databases kept (their `-wal` and `-shm` files go with them).
fn kept_files(data: &Path) -> usize {
    let files = std::fs::read_dir(data.join(DAMAGED_DIR)).unwrap();
    files.filter(|f| f.as_ref().unwrap().path().extension().is_some_and(|e| e == "db")).count()
}

#[test]
fn flipped_bytes_are_refused_and_recovery_keeps_what_can_be_read() {
    let (data, _folder) = data_folder();
    let path = data.path().join(DB_FILE);
    // Garbage over three leaf pages of the episodes table: where the data
    // is, and not the schema, whose loss leaves nothing to read by name.
    let leaves: Vec<usize> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT pageno FROM dbstat WHERE name = 'episodes' AND pagetype = 'leaf' ORDER BY pageno")
            .unwrap();
        stmt.query_map([], |row| row.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    };
    assert!(leaves.len() > 3, "{leaves:?}");
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    for &leaf in &leaves[leaves.len() / 2 - 1..leaves.len() / 2 + 2] {
        for byte in &mut bytes[(leaf - 1) * page..leaf * page] {
            *byte = 0xA5;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = std::fs::read(&path).unwrap();
    refusal(data.path());
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written into the damaged file");

    let report = recover(data.path(), 1).unwrap();
    assert!(report.tables.iter().any(|t| t.rows > 0), "{report}");
    assert_eq!(kept_files(data.path()), 1, "the damaged file is kept");
    let library = Library::open(data.path()).expect("the recovered database opens");
    assert!(library.list_episodes().unwrap().len() <= 30);
}

#[test]
fn a_reset_schema_version_is_refused_and_recovery_gets_everything_back() {
    let (data, _folder) = data_folder();
    let conn = rusqlite::Connection::open(data.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", 0).unwrap();
    drop(conn);
    let message = refusal(data.path());
    assert!(message.contains("schema version"), "{message}");
    assert!(!message.contains("backup is in"), "points to no backup that does not exist: {message}");

    let report = recover(data.path(), 2).unwrap();
    let library = Library::open(data.path()).unwrap();
    assert_eq!((library.list_episodes().unwrap().len(), highlights(&library)), (30, 30), "{report}");
    assert!(!library.search("worth", 5).unwrap().is_empty(), "the search index is rebuilt");
}

#[test]
fn an_empty_database_file_is_refused_not_replaced_silently() {
    let (data, _folder) = data_folder();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data.path().join(format!("{DB_FILE}{suffix}")));
    }
    std::fs::write(data.path().join(DB_FILE), b"").unwrap();
    let message = refusal(data.path());
    assert!(message.contains("empty"), "{message}");
    assert_eq!(std::fs::metadata(data.path().join(DB_FILE)).unwrap().len(), 0, "left as it was");
    recover(data.path(), 3).unwrap();
    assert_eq!(kept_files(data.path()), 1);
    Library::open(data.path()).expect("a fresh database after recovery");
}
