//! Command-line interface. Each subcommand opens what it needs, runs one
//! API operation or core function, and prints the answer.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "gloss", version, about = "Read and annotate podcast episode summaries.")]
pub struct Cli {
    /// Where Gloss keeps its database (default: the platform data folder).
    #[arg(long, global = true, env = "GLOSS_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The folder of summaries to watch (default: the one used last).
    #[arg(long, global = true, env = "GLOSS_LIBRARY", value_name = "DIR")]
    pub library: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the UI and the API over HTTP (default http://127.0.0.1:4747).
    Serve(crate::serve::ServeArgs),
    /// Parse one summary file and print it as JSON.
    Parse {
        file: PathBuf,
    },
}

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        None => crate::desktop::run(cli.data, cli.library),
        Some(Command::Serve(args)) => crate::serve::run(cli.data, cli.library, args),
        Some(Command::Parse { file }) => parse(&file),
    }
}

fn parse(file: &std::path::Path) -> Result<ExitCode, Error> {
    let bytes = std::fs::read(file).map_err(|err| format!("{}: {err}", file.display()))?;
    let episode = gloss_core::parse::parse_bytes(&bytes).map_err(|err| format!("{}: {err}", file.display()))?;
    println!("{}", serde_json::to_string_pretty(&episode)?);
    Ok(ExitCode::SUCCESS)
}
