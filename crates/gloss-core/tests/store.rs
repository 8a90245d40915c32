//! The database: opening, locking, migrations, backups, durability.

use crate::util::{summary, Fixture};
use gloss_core::annotations::{Caller, Door};
use gloss_core::app::Annotations;
use gloss_core::store::{schema, Error, Store, DB_FILE};
use gloss_core::Library;
use rusqlite::Connection;
use tempfile::TempDir;

#[test]
fn a_second_gloss_on_the_same_data_folder_is_refused_with_the_holders_pid() {
    let data = TempDir::new().unwrap();
    let _first = Store::open(data.path()).unwrap();
    let error = Store::open(data.path()).unwrap_err();
    assert!(matches!(error, Error::Locked { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("another Gloss is using the data folder"), "{message}");
    assert!(message.contains(&format!("pid {}", std::process::id())), "{message}");
}

#[test]
fn the_lock_is_released_when_the_store_closes() {
    let data = TempDir::new().unwrap();
    drop(Store::open(data.path()).unwrap());
    Store::open(data.path()).unwrap();
}

#[test]
fn a_clean_close_leaves_everything_in_the_database_file() {
    let fixture = Fixture::new();
    fixture.write("a.txt", &summary("Folded", "Show", "In the one file."));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    assert_eq!(fixture.library.list_episodes().unwrap().len(), 1, "a read connection is open too");
    let data = fixture.data.path().to_owned();
    drop(fixture.library);
    let wal = data.join(format!("{DB_FILE}-wal"));
    assert!(!wal.exists(), "closing left {}: a copy of {DB_FILE} alone would miss its writes", wal.display());
    let copy = Connection::open(data.join(DB_FILE)).unwrap();
    let episodes: i64 = copy.query_row("SELECT count(*) FROM episodes", [], |row| row.get(0)).unwrap();
    assert_eq!(episodes, 1);
}

/// Commits do not checkpoint (that made one commit in thirty wait for the
/// database file's sync); a thread of the store copies them into the file
/// while it runs, without a close.
#[test]
fn commits_reach_the_database_file_from_the_checkpoint_thread() {
    let data = TempDir::new().unwrap();
    let store = Store::open(data.path()).unwrap();
    let in_file = || -> i64 {
        // Reads the file alone: a copy without the WAL.
        let copy = data.path().join("copy.db");
        std::fs::copy(data.path().join(DB_FILE), &copy).unwrap();
        let count = Connection::open(&copy)
            .unwrap()
            .query_row("SELECT count(*) FROM settings WHERE key LIKE 'checkpoint-%'", [], |row| row.get(0))
            .unwrap_or(0);
        std::fs::remove_file(copy).unwrap();
        count
    };
    for n in 0..20 {
        store
            .write(|tx| {
                tx.execute("INSERT INTO settings (key, value) VALUES (?1, 'x')", [format!("checkpoint-{n}")])?;
                Ok(())
            })
            .unwrap();
    }
    crate::util::poll("the commits copied into the file", std::time::Duration::from_secs(20), || in_file() == 20);
}

#[test]
fn migrations_are_valid() {
    schema::migrations().validate().unwrap();
}

#[test]
fn an_empty_database_is_brought_to_the_latest_version_without_a_backup() {
    let data = TempDir::new().unwrap();
    Store::open(data.path()).unwrap();
    let conn = Connection::open(data.path().join(DB_FILE)).unwrap();
    let version: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
    assert_eq!(version, schema::latest_version());
    assert!(!data.path().join("backups").exists());
}

/// A large write (a first import) writes each index's terms out once per
/// 16 MiB, not once per MiB, FTS5's default (schema version 19).
#[test]
fn the_full_text_indexes_gather_16_mib_of_terms_before_writing_a_segment() {
    let data = TempDir::new().unwrap();
    Store::open(data.path()).unwrap();
    let conn = Connection::open(data.path().join(DB_FILE)).unwrap();
    for index in ["search_index", "highlight_index"] {
        let sql = format!("SELECT v FROM {index}_config WHERE k = 'hashsize'");
        let bytes: i64 = conn.query_row(&sql, [], |row| row.get(0)).unwrap();
        assert_eq!(bytes, 16 << 20, "{index}");
    }
}

/// Data each schema version can hold, written with that version's SQL; the
/// check that it survived every later migration. Index `n` is for version `n + 1`.
fn fixture_for_version(version: usize, conn: &Connection) {
    let episode = gloss_parse::parse_bytes(summary("Old Episode", "Old Show", "Kept text.").as_bytes()).unwrap();
    match version {
        1 => {
            conn.execute(
                "INSERT INTO episodes (path, size, mtime_ns, content_hash, fingerprint, kind, title, show,
                     structure, canonical_text, canonical_version, text_revision, status, first_seen, updated_at)
                 VALUES ('old.txt', 10, 1, 'abc', ?1, 'summary', ?2, ?3, ?4, ?5, 1, 1, 'active', 1, 1)",
                rusqlite::params![
                    episode.fingerprint(),
                    episode.title,
                    episode.show,
                    serde_json::to_string(&episode).unwrap(),
                    episode.canonical_text()
                ],
            )
            .unwrap();
            conn.execute("INSERT INTO settings (key, value) VALUES ('library_folder', '/old')", []).unwrap();
        }
        2 => {} // The search index holds derived data only.
        3 => {
            conn.execute(
                "INSERT INTO highlights (id, episode_id, exact, prefix, suffix, sel_start, sel_end, text_version,
                     selector_revision, color, note, anchor_status, anchor_start, anchor_end, anchor_revision,
                     created_at, updated_at)
                 VALUES ('0b7c9a3e-1d2f-4a5b-8c6d-7e8f9a0b1c2d', 1, 'Kept', '', ' text.', 0, 4, 1, 1, 'green',
                     'old note', 'anchored', 0, 4, 1, 1, 1)",
                [],
            )
            .unwrap();
        }
        // Sync's tables start empty on an existing database (joining a
        // folder exports what is there); the sync tests cover their data.
        // Version 5 adds an index; version 7 fills the review deck from
        // what earlier versions hold (checked below).
        4 | 5 => {}
        7 => {
            // From version 7 on, the write path keeps the deck: the card of
            // the highlight written above, as that path writes it.
            conn.execute(
                "INSERT OR IGNORE INTO review_cards (card, episode_id, in_deck)
                 VALUES ('highlight/0b7c9a3e-1d2f-4a5b-8c6d-7e8f9a0b1c2d', 1, 1)",
                [],
            )
            .unwrap();
        }
        6 => {
            conn.execute(
                "INSERT INTO review_events (id, card, rating, at)
                 VALUES ('e1', 'highlight/0b7c9a3e-1d2f-4a5b-8c6d-7e8f9a0b1c2d', 3, 1767225600000)",
                [],
            )
            .unwrap();
        }
        // No card is buried before version 8 exists; version 9 adds a
        // view of the search index.
        8 | 9 => {}
        // From version 10 on, the write path adds an episode's marks row
        // (counted from what it holds on migrating, checked below).
        10 => {
            conn.execute(
                "INSERT INTO episode_marks (episode_id, highlight_count)
                 SELECT id, (SELECT count(*) FROM highlights WHERE episode_id = episodes.id AND deleted_at IS NULL)
                 FROM episodes",
                [],
            )
            .unwrap();
        }
        // From version 11 on, the write path indexes an episode itself:
        // the one written above, as it would have.
        11 => {
            conn.execute("INSERT INTO search_index (search_index) VALUES ('rebuild')", []).unwrap();
        }
        // From version 12 on, the write path indexes a highlight itself.
        12 => {
            conn.execute("INSERT INTO highlight_index (highlight_index) VALUES ('rebuild')", []).unwrap();
        }
        // Version 13 fills the tag keys from what is there (the highlight
        // above has no tags); version 14 adds an index, 15 a view of the
        // search index, 16 an index, 17 a view of the highlight index, 18
        // drops an index, 19 sets the indexes' hashsize.
        13..=18 => {}
        other => panic!("add a fixture for schema version {other}"),
    }
}

fn check_fixture_survived(library: &Library, from: usize) {
    let episodes = library.list_episodes().unwrap();
    assert_eq!(episodes.len(), 1);
    let record = library.episode(episodes[0].id).unwrap().unwrap();
    assert_eq!(record.summary.title.as_deref(), Some("Old Episode"));
    assert!(record.canonical_text.unwrap().contains("Kept text."));
    assert_eq!(library.library_folder(None).unwrap(), Some("/old".into()));
    // Version 2 indexed what version 1 held.
    let hits = library.search("kept", 10).unwrap();
    assert_eq!(hits.len(), 1);
    if from >= 3 {
        let highlight =
            Annotations::new(library, Caller::door(Door::Cli)).get_highlight("0b7c9a3e-1d2f-4a5b-8c6d-7e8f9a0b1c2d");
        assert_eq!(highlight.unwrap().note, "old note");
        // A highlight made before review existed is a card.
        let due = Annotations::new(library, Caller::door(Door::Cli)).review_due(1_800_000_000_000).unwrap();
        let cards: Vec<String> = due.cards.iter().map(|c| c.card.to_string()).collect();
        assert_eq!(cards, ["highlight/0b7c9a3e-1d2f-4a5b-8c6d-7e8f9a0b1c2d"], "from version {from}");
    }
}

#[test]
fn every_migration_runs_from_the_previous_version_with_data_after_a_backup() {
    for from in 1..schema::latest_version() {
        let data = TempDir::new().unwrap();
        {
            let mut conn = Connection::open(data.path().join(DB_FILE)).unwrap();
            schema::migrations().to_version(&mut conn, from).unwrap();
            for version in 1..=from {
                fixture_for_version(version, &conn);
            }
        }
        let library = Library::open(data.path()).unwrap();
        check_fixture_survived(&library, from);
        let conn = Connection::open(data.path().join(DB_FILE)).unwrap();
        let marks: i64 = conn.query_row("SELECT highlight_count FROM episode_marks", [], |row| row.get(0)).unwrap();
        assert_eq!(marks, i64::from(from >= 3), "the list's counts of what version {from} held");

        let backups: Vec<_> = std::fs::read_dir(data.path().join("backups")).unwrap().collect();
        assert_eq!(backups.len(), 1, "one backup before migrating from {from}");
        let backup = backups[0].as_ref().unwrap().path();
        let name = backup.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(&format!("gloss-v{from}-")) && name.ends_with(".db"), "{name}");
        let copy = Connection::open(&backup).unwrap();
        let version: usize = copy.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(version, from, "the backup is of the database before migrating");
        let rows: i64 = copy.query_row("SELECT count(*) FROM episodes", [], |row| row.get(0)).unwrap();
        assert_eq!(rows, 1);
    }
}

#[test]
fn a_database_from_a_newer_gloss_is_refused_untouched() {
    let data = TempDir::new().unwrap();
    drop(Store::open(data.path()).unwrap());
    let newer = schema::latest_version() + 1;
    Connection::open(data.path().join(DB_FILE)).unwrap().pragma_update(None, "user_version", newer).unwrap();
    let error = Store::open(data.path()).unwrap_err();
    assert!(matches!(error, Error::TooNew { found, .. } if found == newer), "{error:?}");
    assert!(error.to_string().contains("update Gloss"), "{error}");
}

/// Run as a child process by the test below: stores one episode, then dies
/// without closing anything.
#[test]
fn child_writes_then_aborts() {
    let Some(data) = std::env::var_os("GLOSS_TEST_CHILD_DATA") else { return };
    let folder = std::env::var_os("GLOSS_TEST_CHILD_FOLDER").unwrap();
    let library = Library::open(std::path::Path::new(&data)).unwrap();
    let counts = library.reconcile(std::path::Path::new(&folder)).unwrap();
    assert_eq!(counts.added, 1);
    std::process::abort();
}

#[test]
fn an_acknowledged_write_survives_a_killed_process() {
    let fixture = Fixture::new();
    fixture.write("a.txt", &summary("Durable", "Show", "Stays."));
    let data = fixture.data.path().to_owned();
    let folder = fixture.folder.path().to_owned();
    drop(fixture.library);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "store::child_writes_then_aborts", "--nocapture", "--test-threads=1"])
        .env("GLOSS_TEST_CHILD_DATA", &data)
        .env("GLOSS_TEST_CHILD_FOLDER", &folder)
        .status()
        .unwrap();
    assert!(!status.success(), "the child was meant to abort");
    // The lock died with the process; the committed episode did not.
    let library = Library::open(&data).unwrap();
    let episodes = library.list_episodes().unwrap();
    assert_eq!(episodes.len(), 1);
    assert_eq!(episodes[0].title.as_deref(), Some("Durable"));
}
