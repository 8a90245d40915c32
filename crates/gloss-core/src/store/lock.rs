//! One Gloss per data folder. Two processes writing the same database and
//! reconciling the same library would race each other's ingest, so the second
//! one is refused with the first one's pid instead.
//!
//! The lock is the operating system's (`flock`), so it goes away with the
//! process even if it is killed. It is taken on the data folder itself, not
//! only on `gloss.lock` inside it: a user may delete that file (tidying up,
//! or to "unstick" Gloss), and a lock on a deleted file no longer keeps a
//! second Gloss out. `gloss.lock` is still locked (Gloss versions before this
//! one look only there) and holds the pid, for the refusal's message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::error::{Error, Result};

/// The file holding the pid of the Gloss that has the data folder.
const LOCK_FILE: &str = "gloss.lock";

/// Holds the data folder until dropped.
#[derive(Debug)]
pub struct DataDirLock {
    _folder: Option<File>,
    _file: File,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock> {
        let io_error = |source| Error::DataDir { dir: data_dir.to_owned(), source };
        let locked = |pid: Option<String>| Error::Locked {
            dir: data_dir.to_owned(),
            pid: pid.or_else(|| holder_pid(data_dir)).unwrap_or_else(|| "unknown".to_owned()),
        };
        let folder = lock_folder(data_dir).map_err(|error| match error {
            TryLockError::WouldBlock => locked(None),
            TryLockError::Error(source) => io_error(source),
        })?;
        // Not truncated on open: the pid inside belongs to whoever holds the lock.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(data_dir.join(LOCK_FILE))
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                return Err(locked(Some(pid.trim().to_owned()).filter(|pid| !pid.is_empty())));
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        write!(file, "{}", std::process::id()).map_err(io_error)?;
        file.flush().map_err(io_error)?;
        Ok(DataDirLock { _folder: folder, _file: file })
    }
}

/// Locks the data folder itself (Unix: a folder can be opened and locked
/// like a file). Elsewhere only `gloss.lock` is locked.
fn lock_folder(data_dir: &Path) -> std::result::Result<Option<File>, TryLockError> {
    if !cfg!(unix) {
        return Ok(None);
    }
    let folder = File::open(data_dir).map_err(TryLockError::Error)?;
    folder.try_lock()?;
    Ok(Some(folder))
}

/// The pid holding the lock on the data folder, from `gloss.lock` or, when
/// that file is gone, from the kernel's list of locks (Linux).
fn holder_pid(data_dir: &Path) -> Option<String> {
    let written = std::fs::read_to_string(data_dir.join(LOCK_FILE)).ok();
    if let Some(pid) = written.map(|pid| pid.trim().to_owned()).filter(|pid| !pid.is_empty()) {
        return Some(pid);
    }
    locking_pid(data_dir)
}

/// Reads `/proc/locks` (`1: FLOCK ADVISORY WRITE <pid> <maj>:<min>:<inode> 0 EOF`)
/// for the flock on the folder's inode.
#[cfg(target_os = "linux")]
fn locking_pid(data_dir: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(data_dir).ok()?.ino().to_string();
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let on_folder = fields.get(1) == Some(&"FLOCK") && fields.get(5)?.rsplit(':').next() == Some(inode.as_str());
        on_folder.then(|| fields[4].to_owned())
    })
}

#[cfg(not(target_os = "linux"))]
fn locking_pid(_data_dir: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_gloss_is_refused_even_after_the_lock_file_was_deleted() {
        let data = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(data.path()).unwrap();
        let refused = DataDirLock::acquire(data.path()).unwrap_err().to_string();
        let pid = std::process::id().to_string();
        assert!(refused.contains(&pid), "{refused}");

        std::fs::remove_file(data.path().join(LOCK_FILE)).unwrap();
        let refused = DataDirLock::acquire(data.path()).unwrap_err();
        let Error::Locked { pid: named, .. } = &refused else { panic!("{refused}") };
        if cfg!(target_os = "linux") {
            assert_eq!(named, &pid, "the kernel's lock list names the holder");
        }

        drop(first);
        DataDirLock::acquire(data.path()).expect("free again once the first one is gone");
    }
}
