//! Stopping reads made for someone who no longer waits for them: a server
//! that is closing, a client that went away.
//!
//! Work run under a [`StopSwitch`] ([`StopSwitch::run`]) has its reads
//! ([`super::Store::read`]) end with [`super::Error::Stopped`] once the
//! switch is flipped, from any thread. Other work (watching the library,
//! sync, the automatic export, what Gloss does as it closes) reads on:
//! the switches a thread runs under are kept per thread, and a query runs
//! on the thread that asked for it.
//!
//! Each read connection has a progress handler that looks at them every
//! [`CHECK_STEPS`] steps of SQLite's virtual machine. Not
//! `sqlite3_interrupt`: it reaches only statements already running, so a
//! read starting its next statement a moment later would run on.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rusqlite::Connection;

/// Steps of SQLite's virtual machine between two looks at the switches: a
/// few microseconds of work, so a stopped read ends at once, and the look
/// costs nothing measurable.
const CHECK_STEPS: i32 = 1000;

/// Once flipped ([`StopSwitch::stop`]), stays flipped. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct StopSwitch(Arc<AtomicBool>);

thread_local! {
    /// The switches the work running on this thread is under.
    static UNDER: RefCell<Vec<StopSwitch>> = const { RefCell::new(Vec::new()) };
}

impl StopSwitch {
    /// Stops the reads of all work under this switch, running or to come.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Runs `work` on this thread under this switch (and any it already
    /// runs under).
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        /// Leaves the switch when `work` ends, even by a panic.
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                UNDER.with(|under| under.borrow_mut().pop());
            }
        }
        UNDER.with(|under| under.borrow_mut().push(self.clone()));
        let _leave = Leave;
        work()
    }
}

/// Whether a switch the work on this thread runs under was flipped.
pub(super) fn stopped() -> bool {
    UNDER.with(|under| under.borrow().iter().any(StopSwitch::is_stopped))
}

/// Makes the queries of read connection `conn` stop when [`stopped`].
pub(super) fn watch(conn: &Connection) {
    conn.progress_handler(CHECK_STEPS, Some(stopped));
}
