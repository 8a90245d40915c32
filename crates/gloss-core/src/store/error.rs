//! The one error type of the library core (store, ingest, watch, search).
//! Every message is written for the person running Gloss: it names the file
//! or folder involved and, where there is one, what to do about it.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("another Gloss is using the data folder {} (pid {pid}); close it first, or pass a different --data folder", dir.display())]
    Locked { dir: PathBuf, pid: String },

    #[error("could not use the data folder {}: {source}; check that it exists and is writable, or pass --data DIR", dir.display())]
    DataDir { dir: PathBuf, source: std::io::Error },

    #[error("no data folder given and no home folder found; pass --data DIR or set GLOSS_DATA")]
    NoDataDir,

    #[error("could not open the database {}: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },

    #[error("the database {} can not use write-ahead logging (journal mode stays {mode}); keep the data folder on a local disk", path.display())]
    NoWal { path: PathBuf, mode: String },

    #[error("the database {} was written by a newer Gloss (schema {found}, this Gloss knows up to {known}); update Gloss", path.display())]
    TooNew { path: PathBuf, found: usize, known: usize },

    #[error("could not back up {} to {} before upgrading it: {source}; nothing was changed", path.display(), backup.display())]
    Backup { path: PathBuf, backup: PathBuf, source: rusqlite::Error },

    #[error("could not upgrade the database {}: {source}; a backup is in {}", path.display(), backups.display())]
    Migrate { path: PathBuf, backups: PathBuf, source: Box<rusqlite_migration::Error> },

    #[error("the library folder {} can not be read: {source}; pass --library DIR or set GLOSS_LIBRARY", path.display())]
    Folder { path: PathBuf, source: std::io::Error },

    #[error("could not watch the library folder {}: {source}", path.display())]
    Watch { path: PathBuf, source: notify::Error },

    #[error("episode {id} in the database is damaged: {reason}")]
    Damaged { id: i64, reason: String },

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl Error {
    /// Whether the failure was the disk (or the database's size limit)
    /// running out of room: the API reports it so the user can free space.
    pub fn is_disk_full(&self) -> bool {
        let sqlite = match self {
            Error::Sqlite(err) | Error::Open { source: err, .. } => err,
            _ => return false,
        };
        matches!(sqlite.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull))
    }
}
