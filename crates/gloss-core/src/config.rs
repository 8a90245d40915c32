//! Where Gloss keeps its data and which folder is the library.
//!
//! Data folder: the explicit `--data DIR`, else `GLOSS_DATA`, else the
//! platform data folder (`$XDG_DATA_HOME/gloss`, usually
//! `~/.local/share/gloss`, on Linux). Library folder: the explicit
//! `--library DIR`, else `GLOSS_LIBRARY`, else the folder last used, which the
//! database remembers.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::store::{Error, Result};

pub const DATA_ENV: &str = "GLOSS_DATA";
pub const LIBRARY_ENV: &str = "GLOSS_LIBRARY";

/// The data folder to use, from the command line, the environment or the platform.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let platform = || directories::ProjectDirs::from("", "", "gloss").map(|dirs| dirs.data_dir().to_owned());
    first_of(explicit, std::env::var_os(DATA_ENV), platform).ok_or(Error::NoDataDir)
}

/// The library folder given on the command line or in the environment, if
/// any; otherwise the caller falls back to the remembered one
/// ([`crate::Library::library_folder`]).
pub fn library_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    first_of(explicit, std::env::var_os(LIBRARY_ENV), || None)
}

/// The explicit path, else a non-empty environment value, else the fallback.
fn first_of(
    explicit: Option<&Path>,
    env: Option<OsString>,
    fallback: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    explicit.map(Path::to_owned).or_else(|| env.filter(|value| !value.is_empty()).map(PathBuf::from)).or_else(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_beats_environment_beats_fallback() {
        let fallback = || Some(PathBuf::from("/platform"));
        let env = || Some(OsString::from("/env"));
        assert_eq!(first_of(Some(Path::new("/flag")), env(), fallback), Some("/flag".into()));
        assert_eq!(first_of(None, env(), fallback), Some("/env".into()));
        assert_eq!(first_of(None, Some(OsString::new()), fallback), Some("/platform".into()));
        assert_eq!(first_of(None, None, || None), None);
    }
}
