//! The `gloss` binary: the command line and the desktop window. Both are
//! thin adapters over `gloss-api`; no business rule lives here.

mod cli;
mod client;
mod desktop;
mod link;
mod mcp;
mod serve;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::from_args();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("gloss: {err}");
            ExitCode::from(1)
        }
    }
}
