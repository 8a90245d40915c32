//! Checkpoints the WAL on a thread of its own.
//!
//! SQLite checkpoints inside the commit that takes the WAL past its
//! threshold: that commit copies the WAL into the database file and syncs
//! the file before it returns. At 100,000 episodes one highlight in thirty
//! took 150–530 ms that way, where the others took 10. So the writer's own
//! checkpoints are off (`wal_autocheckpoint = 0`): each commit nudges this
//! thread, which lets the commits that follow closely gather, then
//! checkpoints them with its own connection. PASSIVE: it never waits for a
//! reader or the writer, and the writer's commits go on meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long commits gather before they are checkpointed together.
const GATHER: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub(crate) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Set during [`super::Store::bulk`], which checkpoints once at its end.
    paused: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Starts the thread on `conn` (read-write, on the store's file). `None`
    /// when no thread can be started: the writer then checkpoints itself.
    pub(crate) fn start(conn: Connection) -> Option<Checkpointer> {
        let (nudge, nudged) = sync_channel::<()>(1);
        let thread =
            std::thread::Builder::new().name("gloss-checkpoint".into()).spawn(move || run(&conn, &nudged)).ok()?;
        Some(Checkpointer { nudge: Some(nudge), thread: Some(thread), paused: Arc::default() })
    }

    /// Tells the thread a commit was made.
    pub(crate) fn nudge(&self) {
        if let (Some(nudge), false) = (&self.nudge, self.paused.load(Ordering::SeqCst)) {
            // Full: a nudge is waiting already.
            let _ = nudge.try_send(());
        }
    }

    pub(crate) fn pause(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Stops the thread, which closes its connection: the store's last
    /// connection to close must be the writer (see `Store`'s `Drop`).
    pub(crate) fn stop(&mut self) {
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(conn: &Connection, nudged: &Receiver<()>) {
    while nudged.recv().is_ok() {
        let until = Instant::now() + GATHER;
        loop {
            match nudged.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(()) if Instant::now() < until => {}
                Ok(()) | Err(RecvTimeoutError::Timeout) => break,
                // The store is closing; it checkpoints the rest itself.
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // A failed checkpoint leaves the frames in the WAL, where readers
        // find them; the next one, or the store's close, copies them.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}
