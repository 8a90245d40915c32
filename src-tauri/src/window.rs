//! How `gloss` opens the window: by becoming `gloss-desktop`, the binary
//! installed next to it that holds the Tauri shell. Kept out of `gloss`,
//! GTK and WebKit (169 shared libraries, tens of milliseconds to load) cost
//! nothing to the command line and `gloss serve`.
//!
//! On Unix `gloss` execs it: the process id, the arguments (its own name
//! included) and the environment stay the same, so the desktop entry's
//! `Exec=gloss %u`, the single-instance hand-over of `gloss://` links and
//! tauri-driver, which watch that process, see no difference.

use crate::cli::Error;
use crate::link::Link;
use gloss_core::OpenOptions;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// The desktop binary's name, as `[[bin]]` in Cargo.toml names it.
pub const DESKTOP_BIN: &str = "gloss-desktop";

/// Where `gloss-desktop` is: next to the running `gloss`.
pub fn desktop_binary() -> Result<PathBuf, Error> {
    let exe = std::env::current_exe().map_err(|err| format!("can not find where gloss runs from: {err}"))?;
    Ok(exe.with_file_name(format!("{DESKTOP_BIN}{}", std::env::consts::EXE_SUFFIX)))
}

/// Runs `gloss-desktop` with this process's own command line. The options
/// and link read from it are not passed on: `gloss-desktop` reads the same
/// command line with the same definition ([`crate::cli::Cli`]).
pub fn exec_desktop(_: OpenOptions, _: Option<Link>) -> Result<ExitCode, Error> {
    let desktop = desktop_binary()?;
    if !desktop.is_file() {
        return Err(format!(
            "the window is a program of its own, {}, and it is missing: reinstall Gloss, or build it with \
             `cargo build -p gloss`; commands such as `gloss serve` work without it",
            desktop.display()
        )
        .into());
    }
    let mut args = std::env::args_os();
    let mut command = Command::new(&desktop);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if let Some(name) = args.next() {
            command.arg0(name);
        }
        let err = command.args(args).exec();
        Err(format!("can not start the window ({}): {err}", desktop.display()).into())
    }
    #[cfg(not(unix))]
    {
        let status = command.args(args.skip(1)).status()?;
        Ok(status.code().and_then(|code| u8::try_from(code).ok()).map_or(ExitCode::FAILURE, ExitCode::from))
    }
}
