//! One Gloss per data folder. Two processes writing the same database and
//! reconciling the same library would race each other's ingest, so the second
//! one is refused with the first one's pid instead.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::error::{Error, Result};

/// Holds an exclusive lock on `<data>/gloss.lock` until dropped. The lock is
/// the operating system's (`flock` on Unix), so it goes away with the process
/// even if it is killed; the file itself is left behind and reused.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock> {
        let path = data_dir.join("gloss.lock");
        let io_error = |source| Error::DataDir { dir: data_dir.to_owned(), source };
        // Not truncated on open: the pid inside belongs to whoever holds the lock.
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = match pid.trim() {
                    "" => "unknown".to_owned(),
                    pid => pid.to_owned(),
                };
                return Err(Error::Locked { dir: data_dir.to_owned(), pid });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        write!(file, "{}", std::process::id()).map_err(io_error)?;
        file.flush().map_err(io_error)?;
        Ok(DataDirLock { _file: file })
    }
}
