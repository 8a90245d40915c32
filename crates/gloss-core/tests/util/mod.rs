//! Shared by the tests: temp libraries, summary files and waiting for
//! events; the annotation and export fixtures; the devices of the sync tests
//! and the Syncthing pair that carries their folder; running part of a test
//! as another user or with a kernel setting changed.

pub mod annotations;
pub mod devices;
pub mod export;
pub mod syncthing;
pub mod sysctl;
pub mod unprivileged;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use gloss_core::events::Event;
use gloss_core::Library;
use tempfile::TempDir;

/// How long to wait for the watcher before calling a test failed. Generous:
/// the machine may be busy; no test asserts on how long anything took.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A data folder, a library folder, and the library opened on them.
pub struct Fixture {
    pub data: TempDir,
    pub folder: TempDir,
    pub library: Library,
}

impl Fixture {
    pub fn new() -> Fixture {
        let data = TempDir::new().unwrap();
        let folder = TempDir::new().unwrap();
        let library = Library::open(data.path()).unwrap();
        Fixture { data, folder, library }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.folder.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: &str) {
        write(&self.path(rel), content);
    }

    /// Closes the library, runs `while_closed` on the library folder, and
    /// opens the library again on the same data folder, as a restart of Gloss
    /// does. (Drop any watcher first: it holds the library open.)
    pub fn restart(self, while_closed: impl FnOnce(&Path)) -> Fixture {
        let Fixture { data, folder, library } = self;
        drop(library);
        while_closed(folder.path());
        let library = Library::open(data.path()).unwrap();
        Fixture { data, folder, library }
    }

    pub fn episode_at(&self, rel: &str) -> gloss_core::store::episodes::EpisodeSummary {
        let episodes = self.library.list_episodes().unwrap();
        episodes.into_iter().find(|e| e.source_path == rel).unwrap_or_else(|| panic!("no episode at {rel}"))
    }
}

pub fn write(path: &Path, content: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// A summary in the plain format, distinct per `title`.
pub fn summary(title: &str, show: &str, insight: &str) -> String {
    format!(
        "{title} | {show}\nTL;DR\nA short overview of {title}.\n\
         🧠 Main Ideas 2 insights\nFirst idea\n{insight}\n\
         Second idea\nAnother point about {title} made at length.\n\
         Bottom Line\nThe conclusion of {title}.\n"
    )
}

/// Receives events until one matches `wanted`; returns every event seen up
/// to and including it. Panics, listing them, if none comes in [`PATIENCE`].
pub fn wait_for(events: &Receiver<Event>, what: &str, wanted: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(event) => {
                let done = wanted(&event);
                seen.push(event);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("no event for {what}; saw {seen:#?}"),
        }
    }
}

/// Waits until `done` holds, checking now and after every event (the
/// library's state changes before its events are published); returns the
/// events seen meanwhile. Panics, listing them, if it does not hold in [`PATIENCE`].
pub fn wait_until(events: &Receiver<Event>, what: &str, done: impl Fn() -> bool) -> Vec<Event> {
    if done() {
        return Vec::new();
    }
    wait_for(events, what, |_| done())
}

/// Every event that arrives until none has for `quiet`.
pub fn drain(events: &Receiver<Event>, quiet: Duration) -> Vec<Event> {
    let mut seen = Vec::new();
    while let Ok(event) = events.recv_timeout(quiet) {
        seen.push(event);
    }
    seen
}

/// The path of the episode an event is about, if it is about one.
pub fn event_path(event: &Event) -> Option<&str> {
    match event {
        Event::Added { episode }
        | Event::Updated { episode, .. }
        | Event::Missing { episode }
        | Event::Error { episode } => Some(&episode.source_path),
        _ => None,
    }
}

/// Runs `work` on its own thread and returns what it returns; panics if it
/// has not finished after `patience`. A guard against hangs, not a speed
/// check: `patience` is many times what the work needs on a busy machine.
pub fn within<T: Send + 'static>(what: &str, patience: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = channel();
    let thread = std::thread::spawn(move || {
        let _ = done.send(work());
    });
    match result.recv_timeout(patience) {
        Ok(value) => value,
        // The work panicked: pass its panic on.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the work ended without sending its result"),
        },
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish: it hangs"),
    }
}

/// Checks `done` every 20 ms until it holds; panics naming `what` if it
/// does not within `patience` (a guard against hangs, not a speed check).
pub fn poll(what: &str, patience: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + patience;
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every notice message among `events`.
pub fn notices(events: &[Event]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Notice { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect()
}

/// Says why a test did not run, so a skip is told apart from a pass (shown
/// with `--nocapture`).
pub fn skip(reason: &str) {
    println!("skipped: {reason}");
}
