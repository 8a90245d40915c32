//! Everything of the `gloss` program but the window: the command line, the
//! client of a running Gloss, `gloss serve`, `gloss mcp` and `gloss://`
//! links. Thin adapters over `gloss-api`; no business rule lives here.
//!
//! Free of Tauri, so that the `gloss` binary built on it loads no GUI
//! library: a command-line call starts in milliseconds. The window is the
//! `gloss-desktop` binary (src/desktop/), which builds on this library too
//! and adds the Tauri shell; see docs/architecture.md.

pub mod cli;
mod client;
pub mod link;
mod mcp;
pub mod serve;
pub mod window;

use std::process::ExitCode;

/// Reads the command line and runs it; `open_window` is what to do when
/// it asks for the window (no command, or a `gloss://` link).
pub fn main(open_window: cli::OpenWindow) -> ExitCode {
    let cli = cli::Cli::from_args();
    match cli::run(cli, open_window) {
        Ok(code) => code,
        Err(err) if err.is::<cli::ReaderGone>() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gloss: {err}");
            ExitCode::from(1)
        }
    }
}
