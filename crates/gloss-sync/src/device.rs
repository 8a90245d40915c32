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
pub fn device_id(data_dir: &Path) -> Result<DeviceId, DeviceError> {
    let path = data_dir.join(DEVICE_FILE);
    let io_error = |source| DeviceError::Io { path: path.clone(), source };
    match fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().map_err(|error: super::op::InvalidDeviceId| DeviceError::Invalid {
            path: path.clone(),
            reason: error.to_string(),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => renew_device_id(data_dir),
        Err(error) => Err(io_error(error)),
    }
}

/// Makes a new device id for `data_dir` and stores it in place of the old.
pub fn renew_device_id(data_dir: &Path) -> Result<DeviceId, DeviceError> {
    let path = data_dir.join(DEVICE_FILE);
    let io_error = |source| DeviceError::Io { path: path.clone(), source };
    let device = DeviceId::generate();
    fs::create_dir_all(data_dir).map_err(io_error)?;
    let temp = data_dir.join(format!("{DEVICE_FILE}.tmp"));
    let mut file = fs::File::create(&temp).map_err(io_error)?;
    writeln!(file, "{device}").and_then(|()| file.sync_all()).map_err(io_error)?;
    fs::rename(&temp, &path).map_err(io_error)?;
    Ok(device)
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
}
