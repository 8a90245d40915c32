//! This device's id, made once per data folder and kept in it.
//!
//! The id belongs to the data folder, not the machine: a second data folder
//! on the same machine is a second device. Copying a data folder to another
//! machine copies its id too, and two devices then write one log; the sync
//! session notices (the same op numbers with different content) and gives
//! the copy that noticed a new id ([`renew_device_id`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::DeviceId;

/// The file in the data folder holding the device id.
pub const DEVICE_FILE: &str = "sync-device";

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("could not read or create the device id in {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} does not hold a device id ({reason}); delete the file and Gloss makes a new one")]
    Invalid { path: PathBuf, reason: String },
}

/// The device id kept in `data_dir`, made and stored on first use.
///
/// First uses can meet (the sync worker starting while Settings asks for
/// the status): the new id is put in place only if there is none yet, and
/// whoever loses reads the winner's, so a data folder never speaks with two.
pub fn device_id(data_dir: &Path) -> Result<DeviceId, DeviceError> {
    let path = data_dir.join(DEVICE_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().map_err(|error: super::op::InvalidDeviceId| DeviceError::Invalid {
            path: path.clone(),
            reason: error.to_string(),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let device = DeviceId::generate();
            match written(data_dir, &device)?.persist_noclobber(&path) {
                Ok(_) => Ok(device),
                Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => device_id(data_dir),
                Err(error) => Err(DeviceError::Io { path, source: error.error }),
            }
        }
        Err(source) => Err(DeviceError::Io { path, source }),
    }
}

/// Makes a new device id for `data_dir` and stores it in place of the old.
pub fn renew_device_id(data_dir: &Path) -> Result<DeviceId, DeviceError> {
    let device = DeviceId::generate();
    let path = data_dir.join(DEVICE_FILE);
    written(data_dir, &device)?.persist(&path).map_err(|error| DeviceError::Io { path, source: error.error })?;
    Ok(device)
}

/// `device` written and synced to a temporary file of its own in `data_dir`.
fn written(data_dir: &Path, device: &DeviceId) -> Result<tempfile::NamedTempFile, DeviceError> {
    let io_error = |source| DeviceError::Io { path: data_dir.join(DEVICE_FILE), source };
    fs::create_dir_all(data_dir).map_err(io_error)?;
    let mut file =
        tempfile::Builder::new().prefix(DEVICE_FILE).suffix(".tmp").tempfile_in(data_dir).map_err(io_error)?;
    writeln!(file, "{device}").and_then(|()| file.as_file().sync_all()).map_err(io_error)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_made_once_and_kept() {
        let data = tempfile::tempdir().unwrap();
        let first = device_id(data.path()).unwrap();
        assert_eq!(device_id(data.path()).unwrap(), first);
        let renewed = renew_device_id(data.path()).unwrap();
        assert!(renewed != first && device_id(data.path()).unwrap() == renewed);
        fs::write(data.path().join(DEVICE_FILE), "../evil").unwrap();
        let error = device_id(data.path()).unwrap_err().to_string();
        assert!(error.contains("sync-device") && error.contains("delete the file"), "{error}");
    }

    #[test]
    fn first_uses_at_once_agree_on_one_id() {
        for _ in 0..50 {
            let data = tempfile::tempdir().unwrap();
            let start = std::sync::Barrier::new(8);
            let ids: Vec<DeviceId> = std::thread::scope(|scope| {
                let threads: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| {
                            start.wait();
                            device_id(data.path()).unwrap()
                        })
                    })
                    .collect();
                threads.into_iter().map(|t| t.join().unwrap()).collect()
            });
            assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
            assert_eq!(device_id(data.path()).unwrap(), ids[0]);
            let files: Vec<_> = fs::read_dir(data.path()).unwrap().collect();
            assert_eq!(files.len(), 1, "no temporary file is left behind");
        }
    }
}
