//! The one error type of the library core (store, ingest, watch, search).
//! Every message is written for the person running Gloss: it names the file
//! or folder involved and, where there is one, what to do about it.

use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("another Gloss is using the data folder {} (pid {pid}); close it first, or pass a different --data folder", dir.display())]
    Locked { dir: PathBuf, pid: String },

    #[error("could not use the data folder {}: {source}; check that it exists and is writable, or pass --data DIR", dir.display())]
    DataDir { dir: PathBuf, source: std::io::Error },

    #[error("no data folder given and no home folder found; pass --data DIR or set GLOSS_DATA")]
    NoDataDir,

    #[error("could not open the database {}: {source}{}", path.display(), open_advice(path, source))]
    Open { path: PathBuf, source: rusqlite::Error },

    /// A write found no room: the disk is full (or the database reached its
    /// size limit). SQLite rolled the transaction back, so nothing changed.
    #[error("the disk holding the data folder {} is full, so nothing was changed; free some space on it, then try again", dir.display())]
    DiskFull { dir: PathBuf, source: rusqlite::Error },

    #[error("the database {} can not use write-ahead logging (journal mode stays {mode}); keep the data folder on a local disk", path.display())]
    NoWal { path: PathBuf, mode: String },

    #[error("the database {} was written by a newer Gloss (schema {found}, this Gloss knows up to {known}); update Gloss", path.display())]
    TooNew { path: PathBuf, found: usize, known: usize },

    #[error("could not back up {} to {} before upgrading it: {source}; nothing was changed", path.display(), backup.display())]
    Backup { path: PathBuf, backup: PathBuf, source: rusqlite::Error },

    #[error("could not upgrade the database {}: {source}{}", path.display(), backups.as_ref().map(|b| format!("; a backup is in {}", b.display())).unwrap_or_default())]
    Migrate { path: PathBuf, backups: Option<PathBuf>, source: Box<rusqlite_migration::Error> },

    #[error("the library folder {} can not be read: {source}; pass --library DIR or set GLOSS_LIBRARY", path.display())]
    Folder { path: PathBuf, source: std::io::Error },

    #[error("could not watch the library folder {}: {source}", path.display())]
    Watch { path: PathBuf, source: notify::Error },

    /// The database file itself is damaged; nothing is written to it.
    #[error("the database {} is damaged: {reason}. Gloss writes nothing to it: run `gloss recover` to copy everything that can still be read into a new database (the damaged file is kept in the data folder's `damaged` folder), or put back a copy from its `backups` folder", path.display())]
    Corrupt { path: PathBuf, reason: String },

    #[error("episode {id} in the database is damaged: {reason}")]
    Damaged { id: i64, reason: String },

    /// A read stopped by its [`super::StopSwitch`].
    #[error(
        "stopped before it finished: Gloss is closing, or whoever asked went away; nothing was changed, so ask again"
    )]
    Stopped,

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl Error {
    /// Whether the failure was the disk (or the database's size limit)
    /// running out of room: the API reports it so the user can free space.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::DiskFull { .. } => true,
            Error::Sqlite(err) | Error::Open { source: err, .. } => is_full(err),
            _ => false,
        }
    }
}

/// Whether SQLite found the database file damaged.
pub(crate) fn is_corrupt(err: &rusqlite::Error) -> bool {
    matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
}

/// Whether SQLite found no room for a write (`SQLITE_FULL`).
pub(crate) fn is_full(err: &rusqlite::Error) -> bool {
    matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull))
}

/// What the user can do about a database that would not open, when the
/// cause says: SQLite's own words ("attempt to write a readonly database")
/// do not tell that Gloss needs to write in the data folder.
fn open_advice(path: &Path, err: &rusqlite::Error) -> String {
    let folder = path.parent().unwrap_or(path).display();
    match err.sqlite_error_code() {
        Some(
            rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied,
        ) => {
            format!("; Gloss needs to write in the data folder {folder}: make it and its files writable, or pass --data DIR")
        }
        Some(rusqlite::ErrorCode::DiskFull) => format!("; the disk holding {folder} is full: free some space on it"),
        _ => String::new(),
    }
}
