//! Changing a kernel setting for one test and putting it back however the
//! test ends. Tests using this live in the `alone` module, which `make test`
//! runs by itself, one test at a time, and keep the change as short as they
//! can: the setting is the whole machine's.

use std::path::PathBuf;

/// A `/proc/sys` setting changed until this is dropped.
pub struct Sysctl {
    path: PathBuf,
    original: String,
}

impl Sysctl {
    /// Sets `name` (`fs/inotify/max_user_watches`) to `value`. `Err` says
    /// why it can not be changed here (not root, `/proc/sys` read-only):
    /// the caller prints it as the reason for skipping.
    pub fn set(name: &str, value: u64) -> Result<Sysctl, String> {
        let path = PathBuf::from("/proc/sys").join(name);
        let original = std::fs::read_to_string(&path).map_err(|e| format!("can not read {}: {e}", path.display()))?;
        std::fs::write(&path, value.to_string()).map_err(|e| format!("can not write {}: {e}", path.display()))?;
        Ok(Sysctl { path, original: original.trim().to_owned() })
    }
}

impl Drop for Sysctl {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write(&self.path, &self.original) {
            // Not a panic: this may run while a failing test unwinds.
            eprintln!("could not restore {} to {}: {e}; restore it by hand", self.path.display(), self.original);
        }
    }
}
