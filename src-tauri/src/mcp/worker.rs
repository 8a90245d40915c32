//! The one thread that owns the [`Client`]. A client call blocks (on the
//! local channel's socket, or on the data folder opened here with its own
//! runtime), so it must not run on the MCP server's async runtime; one
//! thread also keeps the calls in the order they came.
//!
//! While no call comes for [`IDLE`], the data folder is let go
//! ([`Client::release`]) if it was opened here: an assistant keeps
//! `gloss mcp` running all day, and the user must still be able to open
//! Gloss.

use crate::cli::Error;
use crate::client::Client;
use gloss_api::Answer;
use serde_json::Value;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the data folder stays open here after the last call. Long
/// enough for an assistant's burst of calls to find it open.
pub const IDLE: Duration = Duration::from_secs(3);

type Job = (Value, oneshot::Sender<Result<Answer, Error>>);

/// Hands requests to the worker thread; the thread ends when every
/// `Worker` is dropped.
#[derive(Clone)]
pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts the thread that answers with `client`; join the handle to
    /// wait until it has closed the data folder.
    pub fn start(client: Client) -> std::io::Result<(Worker, JoinHandle<()>)> {
        let (jobs, queue) = mpsc::channel();
        let thread =
            std::thread::Builder::new().name("gloss-mcp-client".into()).spawn(move || answer(client, queue))?;
        Ok((Worker { jobs }, thread))
    }

    /// Answers `request` (`{"op": ..., "args": ...}`) as [`Client::call`] does.
    pub async fn call(&self, request: Value) -> Result<Answer, Error> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send((request, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Error {
    "gloss mcp can no longer reach Gloss (its client thread stopped); restart it".into()
}

fn answer(mut client: Client, queue: mpsc::Receiver<Job>) {
    loop {
        match queue.recv_timeout(IDLE) {
            Ok((request, reply)) => {
                // The caller may have given up (the assistant cancelled): fine.
                let _ = reply.send(client.call(request));
            }
            Err(RecvTimeoutError::Timeout) => client.release(),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
