//! `gloss mcp`: a Model Context Protocol server on stdin and stdout, so an
//! assistant (Claude Desktop, Claude Code, Cursor, VS Code...) can search
//! and read the library, and with `--allow-write` add highlights and notes.
//!
//! It is a door like the command line: every tool is one API request put
//! through the same [`Client`] (to the running Gloss, else the data folder
//! opened here), as [`Door::Mcp`](gloss_core::events::Door::Mcp), so its
//! changes reach every open window and sync like the window's own. The
//! protocol is rmcp's, the official Rust SDK. stdout carries only protocol
//! messages; anything for people goes to stderr. Free of Tauri, like
//! [`Client`].

mod server;
mod tools;
mod worker;

use crate::cli::Error;
use crate::client::Client;
use rmcp::ServiceExt;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// Also offer the tools that change the library (create_highlight,
    /// add_note); without it assistants can only search and read.
    #[arg(long)]
    pub allow_write: bool,
}

/// How long pending work may take to end once the assistant has gone.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves one assistant until it closes stdin, then closes the data folder
/// if it was opened here.
pub fn run(client: Client, args: McpArgs) -> Result<ExitCode, Error> {
    let (gloss, client_thread) = worker::Worker::start(client)?;
    let server = server::GlossServer::new(gloss, args.allow_write);
    let access = if args.allow_write { "reads and writes" } else { "read-only; --allow-write lets it write" };
    eprintln!("gloss mcp: serving the Model Context Protocol on stdin and stdout ({access})");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let served = runtime.block_on(async {
        let running = server.serve(rmcp::transport::stdio()).await?;
        running.waiting().await?;
        Ok::<(), Error>(())
    });
    // Drops the tasks still holding the worker (a read of stdin may still
    // be pending), so that the client thread ends.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    let _ = client_thread.join();
    served?;
    Ok(ExitCode::SUCCESS)
}
