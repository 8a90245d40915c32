//! Remembers the database file as `PRAGMA quick_check` last found it sound,
//! so that the next start can skip that check while the file is unchanged.
//!
//! `quick_check` reads every page: a tenth of a second or more on a large
//! library, paid by each one-shot `gloss list` or `gloss search`. Those
//! only read, and leave the file as it was, so after one check a loop of
//! them costs milliseconds; a Gloss that writes and closes cleanly records
//! the file as it left it (see `Store`'s `Drop`), so the window or `gloss
//! serve` starts without the check too. Anything else that writes the file changes its
//! change time (which no program can set back), a file copied or replaced
//! over it has another inode, and a WAL holding frames (left by a Gloss
//! that was killed) is not covered: each of those is checked again. Damage
//! the file system does without touching the file (bit rot) is still found
//! as it is read: SQLite reports the page corrupt, and the store refuses
//! to write from then on (see `Store::explained`).

use std::path::{Path, PathBuf};

/// The record, next to the database in the data folder.
const RECORD_SUFFIX: &str = "-checked";

/// What identifies one state of the database file: its size, inode and
/// change time. None where the platform does not give them (or the file or
/// its WAL says it can not be trusted as one state): then it is always
/// checked.
fn state(db_path: &Path) -> Option<String> {
    let wal = sibling(db_path, "-wal");
    if std::fs::metadata(wal).is_ok_and(|meta| meta.len() > 0) {
        return None;
    }
    let meta = std::fs::metadata(db_path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(format!("{} {} {}.{:09}", meta.len(), meta.ino(), meta.ctime(), meta.ctime_nsec()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

fn sibling(db_path: &Path, suffix: &str) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether the file is as it was when last found sound.
pub(crate) fn unchanged_since_checked(db_path: &Path) -> bool {
    let recorded = std::fs::read_to_string(sibling(db_path, RECORD_SUFFIX)).ok();
    state(db_path).is_some_and(|now| recorded.as_deref() == Some(now.as_str()))
}

/// Records the file's state as found sound. Best effort: without the
/// record the next start checks again.
pub(crate) fn record_sound(db_path: &Path) {
    let record = sibling(db_path, RECORD_SUFFIX);
    match state(db_path) {
        Some(now) => {
            let _ = std::fs::write(record, now);
        }
        None => {
            let _ = std::fs::remove_file(record);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_write_a_replacement_or_a_wal_with_frames_makes_the_file_unchecked() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gloss.db");
        std::fs::write(&db, b"one").unwrap();
        assert!(!unchanged_since_checked(&db), "never checked");
        record_sound(&db);
        assert!(unchanged_since_checked(&db));

        std::fs::write(&db, b"two").unwrap();
        assert!(!unchanged_since_checked(&db), "written");
        record_sound(&db);
        let other = dir.path().join("other");
        std::fs::write(&other, b"two").unwrap();
        std::fs::rename(&other, &db).unwrap();
        assert!(!unchanged_since_checked(&db), "replaced");

        record_sound(&db);
        std::fs::write(sibling(&db, "-wal"), b"frames").unwrap();
        assert!(!unchanged_since_checked(&db), "a WAL with frames");
    }

    #[test]
    fn a_store_closed_cleanly_is_recorded_sound_and_one_killed_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let write = |store: &crate::store::Store| {
            store
                .write(|tx| {
                    Ok(tx.execute(
                        "INSERT INTO settings (key, value) VALUES ('k', 'v') ON CONFLICT DO UPDATE SET value = 'w'",
                        [],
                    )?)
                })
                .unwrap();
        };
        let store = crate::store::Store::open(dir.path()).unwrap();
        let db = store.db_path().to_owned();
        write(&store);
        drop(store);
        assert!(unchanged_since_checked(&db), "closed after writing: recorded");

        let store = crate::store::Store::open(dir.path()).unwrap();
        write(&store);
        // Killed: nothing runs at exit (the leaked lock is this process's own).
        std::mem::forget(store);
        assert!(!unchanged_since_checked(&db), "killed after writing: checked next time");
    }
}
