//! Sync while Gloss runs, and the calls the API and the command line need.
//!
//! # Use
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use gloss_core::sync::service::{self, SyncService};
//! # let library = gloss_core::Library::open(std::path::Path::new("data"))?;
//! // The app: one service per running Gloss, started after the library.
//! let sync = SyncService::start(library.clone());
//! sync.set_sync_dir(Some(std::path::Path::new("/home/me/Sync/gloss")))?; // settings.sync_dir
//! let status = sync.status()?;                                            // the `sync_status` op
//! let report = sync.sync_now()?;                                          // a round now
//!
//! // The command line without a running app (`gloss sync [--dir DIR]`):
//! # let dir = std::path::Path::new("/home/me/Sync/gloss");
//! service::set_sync_dir(library.store(), Some(dir))?;
//! let report = service::round(&library, None)?;
//! # Ok(()) }
//! ```
//!
//! - [`SyncService::start`] reads the `sync_dir` setting and, when one is
//!   set, runs a worker thread that does a round ([`SyncSession::round`]):
//!   at start; within a second of a local change (it looks at the outbox
//!   several times a second, and [`SyncService::nudge`] starts one at once);
//!   when anything changes in the sync folder (watched with notify); when
//!   episodes are ingested (annotations waiting for them attach); and
//!   every minute anyway, every few seconds if the folder can not be
//!   watched. After a failed round it tries again with growing pauses;
//!   a round that panics is caught the same way (the session starts
//!   over), so the worker never dies and the status tells what happened.
//! - Each round that applied anything announces it through the write path
//!   (one [`Event::AnnotationChanged`] of origin `remote`), and a round that
//!   sent or received anything then publishes [`Event::SyncDone`].
//! - [`SyncService::set_sync_dir`] stores the setting and restarts or stops
//!   the worker. `None` turns sync off: changes keep being queued and are
//!   sent when it is on again.
//! - Only one round may run per data folder at a time: in a process that
//!   runs a [`SyncService`], go through it ([`SyncService::sync_now`]), not
//!   the free [`round`].
//!
//! # Wiring
//!
//! - `Gloss` keeps one `SyncService::start(library.clone())` and drops it
//!   on exit (that stops the worker after its round).
//! - `get_settings.sync_dir`: [`SyncService::sync_dir`] (or
//!   [`settings::sync_dir`] on a store); `update_settings.sync_dir`:
//!   [`SyncService::set_sync_dir`] (`null` turns sync off). Write the
//!   setting only through it, so the worker follows.
//! - `update_settings.color_names`: the setting follows the user, so
//!   change it with
//!   [`Annotations::set_color_names`](crate::app::Annotations::set_color_names),
//!   which queues it for sync (not `settings::set`).
//! - `sync_status`: [`SyncService::status`] ([`SyncStatus`] serialises as
//!   docs/api.md has it).
//! - `gloss sync [--dir DIR]`: with `--dir`, [`set_sync_dir`] first; then
//!   [`round`] and print its [`RoundReport`]. `gloss sync --off`, if
//!   wanted, is `set_sync_dir(store, None)`.
//! - Earlier versions of notes: `Annotations::note_versions` and
//!   `Annotations::settle_note` (a `NoteRef` names the note).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use serde::Serialize;

use super::session::{self, RoundReport, SyncError, SyncSession};
use crate::annotations::{outbox, Origin};
use crate::events::{Event, NoticeLevel};
use crate::library::Library;
use crate::store::{settings, Store};
use gloss_sync::device_id;
use gloss_sync::log::LogOptions;

/// How the worker paces itself. The defaults suit a desktop; tests shorten them.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// How often the outbox is looked at for local changes to send.
    pub outbox_poll: Duration,
    /// Quiet time after the last change in the sync folder before a round.
    pub debounce: Duration,
    /// A round this often whatever happens (a safety net for missed events).
    pub periodic: Duration,
    /// The same when the folder can not be watched.
    pub periodic_unwatched: Duration,
    /// The longest pause between attempts after rounds failed.
    pub max_backoff: Duration,
    pub log: LogOptions,
}

impl Default for ServiceOptions {
    fn default() -> ServiceOptions {
        ServiceOptions {
            outbox_poll: Duration::from_millis(250),
            debounce: Duration::from_millis(200),
            periodic: Duration::from_secs(60),
            periodic_unwatched: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
            log: LogOptions::default(),
        }
    }
}

/// What `sync_status` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// Whether a sync folder is set.
    pub enabled: bool,
    pub sync_dir: Option<PathBuf>,
    /// When the last round finished (Unix milliseconds).
    pub last_sync: Option<i64>,
    /// Local changes not yet written to the sync folder.
    pub pending: usize,
    /// Every device seen in the folder, latest first.
    pub devices: Vec<DeviceStatus>,
    /// What went wrong in the last round, for the user.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceStatus {
    pub id: String,
    /// When the device made its latest change read here (Unix milliseconds,
    /// its clock); for this device before any is read, its last round.
    pub last_seen: i64,
    /// Whether this is the device asking.
    pub this_device: bool,
}

/// Checks `dir` and stores it as the sync folder (`None`: sync off).
/// Returns the folder as stored: absolute, without symlinks.
pub fn set_sync_dir(store: &Store, dir: Option<&Path>) -> Result<Option<PathBuf>, SyncError> {
    let dir = dir
        .map(|dir| {
            let folder_error = |reason: String| SyncError::Folder { path: dir.to_owned(), reason };
            let canonical = std::fs::canonicalize(dir).map_err(|e| folder_error(e.to_string()))?;
            if !canonical.is_dir() {
                return Err(folder_error("it is a file, not a folder".into()));
            }
            let data_dir = std::fs::canonicalize(store.data_dir()).unwrap_or_else(|_| store.data_dir().to_owned());
            if canonical.starts_with(&data_dir) || data_dir.starts_with(&canonical) {
                return Err(folder_error(
                    "it is or holds Gloss's data folder; sync needs a folder of its own that a sync tool carries"
                        .into(),
                ));
            }
            Ok(canonical)
        })
        .transpose()?;
    store.write(|tx| match &dir {
        Some(dir) => settings::set(tx, settings::SYNC_DIR, &dir.to_string_lossy()),
        None => settings::remove(tx, settings::SYNC_DIR),
    })?;
    Ok(dir)
}

/// One round with the sync folder in the settings (or `dir`, for this
/// round only), from a fresh start: for the command line, when no
/// [`SyncService`] runs on this data folder.
pub fn round(library: &Library, dir: Option<&Path>) -> Result<RoundReport, SyncError> {
    let store = library.store();
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => store.read(|conn| settings::sync_dir(conn))?.ok_or(SyncError::Off)?,
    };
    let mut report = SyncSession::open(store, store.data_dir(), &dir, LogOptions::default())?.round(store)?;
    library.announce(Origin::Remote, std::mem::take(&mut report.changed));
    Ok(report)
}

/// The sync status as stored, with the given problems.
pub fn status(store: &Store, problems: Vec<String>) -> Result<SyncStatus, SyncError> {
    let (sync_dir, last_sync, pending, devices) = store.read(|conn| {
        Ok((settings::sync_dir(conn)?, session::last_round(conn)?, outbox::count(conn)?, session::devices(conn)?))
    })?;
    let this = match sync_dir {
        Some(_) => Some(device_id(store.data_dir())?.to_string()),
        None => None,
    };
    let mut devices: Vec<DeviceStatus> = devices
        .into_iter()
        .map(|(id, last_seen)| DeviceStatus { this_device: this.as_ref() == Some(&id), id, last_seen })
        .collect();
    // This device is in the list from its first round, whether or not it
    // has written anything yet (the table holds devices read in the folder).
    if let (Some(id), Some(at)) = (this, last_sync) {
        if !devices.iter().any(|d| d.this_device) {
            devices.insert(0, DeviceStatus { id, last_seen: at, this_device: true });
        }
    }
    Ok(SyncStatus { enabled: sync_dir.is_some(), sync_dir, last_sync, pending, devices, problems })
}

/// Syncs the library with the folder in its settings while Gloss runs.
/// Cheap to clone; dropping the last clone stops the worker.
#[derive(Clone)]
pub struct SyncService {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SyncService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncService").finish_non_exhaustive()
    }
}

struct Shared {
    library: Library,
    options: ServiceOptions,
    worker: Mutex<Option<Worker>>,
    /// What went wrong in the latest round (or in starting), for the status.
    problems: Arc<Mutex<Vec<String>>>,
}

enum Message {
    /// Something may be new: local changes, the folder.
    Nudge,
    /// Episodes were ingested: annotations waiting for them may attach.
    Ingested,
    Round(Sender<Result<RoundReport, SyncError>>),
    Stop,
}

impl SyncService {
    /// Starts syncing with the folder in the `sync_dir` setting, if any. A
    /// folder that can not be used is reported in the status, not here.
    pub fn start(library: Library) -> SyncService {
        SyncService::with_options(library, ServiceOptions::default())
    }

    pub fn with_options(library: Library, options: ServiceOptions) -> SyncService {
        let shared =
            Arc::new(Shared { library, options, worker: Mutex::new(None), problems: Arc::new(Mutex::new(Vec::new())) });
        // Annotations waiting for an episode attach once it is ingested.
        let weak: Weak<Shared> = Arc::downgrade(&shared);
        shared.library.events().on_event(move |event| {
            let Some(shared) = weak.upgrade() else { return false };
            if matches!(event, Event::Added { .. } | Event::Updated { .. }) {
                shared.send(Message::Ingested);
            }
            true
        });
        let service = SyncService { shared };
        if let Err(error) = service.restart() {
            lock(&service.shared.problems).push(error.to_string());
        }
        service
    }

    /// The sync folder now in use, if sync is on.
    pub fn sync_dir(&self) -> Option<PathBuf> {
        lock(&self.shared.worker).as_ref().map(|worker| worker.sync_dir.clone())
    }

    /// Stores the sync folder (`None`: off) and starts, restarts or stops
    /// the worker. Returns the folder as stored.
    pub fn set_sync_dir(&self, dir: Option<&Path>) -> Result<Option<PathBuf>, SyncError> {
        let stored = set_sync_dir(self.shared.library.store(), dir)?;
        lock(&self.shared.problems).clear();
        self.restart()?;
        Ok(stored)
    }

    /// `sync_status`.
    pub fn status(&self) -> Result<SyncStatus, SyncError> {
        status(self.shared.library.store(), lock(&self.shared.problems).clone())
    }

    /// Runs a round now and waits for it.
    pub fn sync_now(&self) -> Result<RoundReport, SyncError> {
        let (reply, answer) = channel();
        if !self.shared.send(Message::Round(reply.clone())) {
            // No worker: sync is off, or the worker is gone; a set folder
            // gets a worker again rather than a wrong "sync is off".
            self.restart()?;
            if !self.shared.send(Message::Round(reply)) {
                return Err(SyncError::Off);
            }
        }
        answer.recv().unwrap_or_else(|_| Err(SyncError::Crashed("the sync worker stopped".into())))
    }

    /// Asks for a round soon: after local changes or an ingest. Rounds
    /// happen without it too; this only saves waiting.
    pub fn nudge(&self) {
        self.shared.send(Message::Nudge);
    }

    fn restart(&self) -> Result<(), SyncError> {
        // The old worker finishes its round and stops before a new one
        // starts; it is stopped outside the lock, which its events may need.
        let old = lock(&self.shared.worker).take();
        drop(old);
        let Some(dir) = self.shared.library.store().read(|conn| settings::sync_dir(conn))? else { return Ok(()) };
        let worker = Worker::start(&self.shared, dir)?;
        *lock(&self.shared.worker) = Some(worker);
        Ok(())
    }
}

impl Shared {
    /// Sends to the worker; false if none runs.
    fn send(&self, message: Message) -> bool {
        lock(&self.worker).as_ref().is_some_and(|worker| worker.control.send(message).is_ok())
    }
}

/// The worker thread and the folder watcher feeding it.
struct Worker {
    sync_dir: PathBuf,
    control: Sender<Message>,
    thread: Option<JoinHandle<()>>,
    _watcher: Option<Debouncer<notify::RecommendedWatcher, RecommendedCache>>,
}

impl Worker {
    fn start(shared: &Shared, sync_dir: PathBuf) -> Result<Worker, SyncError> {
        let (control, inbox) = channel();
        let watcher = watch(&sync_dir, shared.options.debounce, control.clone());
        let periodic = match &watcher {
            Ok(_) => shared.options.periodic,
            Err(error) => {
                let message = format!(
                    "could not watch the sync folder {} ({error}); looking at it every {} s instead",
                    sync_dir.display(),
                    shared.options.periodic_unwatched.as_secs_f64()
                );
                shared.library.events().publish(Event::notice(NoticeLevel::Warning, message));
                shared.options.periodic_unwatched
            }
        };
        let mut run = Run {
            library: shared.library.clone(),
            sync_dir: sync_dir.clone(),
            options: shared.options.clone(),
            periodic,
            problems: Arc::clone(&shared.problems),
            session: None,
            backoff: None,
            last_error: None,
        };
        let thread = std::thread::Builder::new()
            .name("gloss-sync".into())
            .spawn(move || run.run(&inbox))
            .map_err(|error| SyncError::Folder { path: sync_dir.clone(), reason: error.to_string() })?;
        Ok(Worker { sync_dir, control, thread: Some(thread), _watcher: watcher.ok() })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.control.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Watches the sync folder: any change that is not only a read asks for a round.
fn watch(
    dir: &Path,
    debounce: Duration,
    control: Sender<Message>,
) -> notify::Result<Debouncer<notify::RecommendedWatcher, RecommendedCache>> {
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let changed = match result {
            // Rounds read the folder, and reads cause events too: skip those.
            Ok(events) => events.iter().any(|event| !is_read_only(&event.kind)),
            Err(_) => true,
        };
        if changed {
            let _ = control.send(Message::Nudge);
        }
    })?;
    debouncer.watch(dir, RecursiveMode::Recursive)?;
    Ok(debouncer)
}

fn is_read_only(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}

/// The worker thread's state.
struct Run {
    library: Library,
    sync_dir: PathBuf,
    options: ServiceOptions,
    periodic: Duration,
    problems: Arc<Mutex<Vec<String>>>,
    session: Option<SyncSession>,
    /// After a failed round: when to try again, and the pause after that.
    backoff: Option<(Instant, Duration)>,
    /// The last error told the user, so a lasting one is told once.
    last_error: Option<String>,
}

impl Run {
    fn run(&mut self, inbox: &Receiver<Message>) {
        let mut due = true;
        let mut next_periodic = Instant::now() + self.periodic;
        loop {
            let ready = self.backoff.is_none_or(|(at, _)| Instant::now() >= at);
            if due && ready {
                let _ = self.round();
                due = false;
                next_periodic = Instant::now() + self.periodic;
            }
            let mut messages = Vec::new();
            match inbox.recv_timeout(self.options.outbox_poll) {
                Ok(message) => messages.push(message),
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {
                    due |= Instant::now() >= next_periodic || self.outbox_waiting();
                }
            }
            messages.extend(inbox.try_iter());
            for message in messages {
                match message {
                    Message::Nudge => due = true,
                    Message::Ingested => {
                        if let Some(session) = &mut self.session {
                            session.recheck_waiting();
                        }
                        due = true;
                    }
                    Message::Round(reply) => {
                        let _ = reply.send(self.round());
                        due = false;
                    }
                    Message::Stop => return,
                }
            }
        }
    }

    fn outbox_waiting(&self) -> bool {
        self.library.store().read(|conn| outbox::count(conn)).is_ok_and(|pending| pending > 0)
    }

    fn round(&mut self) -> Result<RoundReport, SyncError> {
        let mut result = guarded(|| self.try_round());
        if result.is_err() {
            // Whatever failed half way, the next round starts over.
            self.session = None;
        }
        match &mut result {
            Ok(report) => {
                self.backoff = None;
                self.last_error = None;
                *lock(&self.problems) = report.problems.clone();
                self.publish(report);
            }
            Err(error) => {
                let pause = self.backoff.map_or(Duration::from_secs(1), |(_, pause)| pause * 2);
                let pause = pause.min(self.options.max_backoff);
                self.backoff = Some((Instant::now() + pause, pause));
                let message = format!("sync with {}: {error}", self.sync_dir.display());
                *lock(&self.problems) = vec![message.clone()];
                if self.last_error.as_ref() != Some(&message) {
                    self.library.events().publish(Event::notice(NoticeLevel::Warning, message.clone()));
                    self.last_error = Some(message);
                }
            }
        }
        result
    }

    fn try_round(&mut self) -> Result<RoundReport, SyncError> {
        let store = self.library.store();
        let session = match &mut self.session {
            Some(session) => session,
            None => self.session.insert(SyncSession::open(store, store.data_dir(), &self.sync_dir, self.options.log)?),
        };
        session.round(store)
    }

    fn publish(&self, report: &mut RoundReport) {
        self.library.announce(Origin::Remote, std::mem::take(&mut report.changed));
        let events = self.library.events();
        if let Some(new_device) = &report.new_device {
            lock(&self.problems).push(new_device.clone());
            events.publish(Event::notice(NoticeLevel::Warning, new_device.clone()));
        }
        if report.did_something() {
            events.publish(Event::SyncDone { changed_episodes: report.changed_episodes.clone() });
        }
    }
}

/// Runs a round, turning a panic into an error: the worker thread must
/// outlive any bug a hostile folder finds, and say what happened.
fn guarded<T>(round: impl FnOnce() -> Result<T, SyncError>) -> Result<T, SyncError> {
    crate::panic::caught(round).unwrap_or_else(|message| Err(SyncError::Crashed(message)))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<SyncService>();
    }

    #[test]
    fn a_round_that_panics_becomes_an_error_that_says_sync_restarts() {
        let error = guarded::<()>(|| panic!("forged record")).unwrap_err().to_string();
        assert!(error.contains("forged record") && error.contains("starts again"), "{error}");
        assert!(guarded(|| Ok(7)).is_ok_and(|n| n == 7));
    }

    #[test]
    fn the_sync_folder_must_be_a_folder_apart_from_the_data_folder() {
        let data = tempfile::tempdir().unwrap();
        let sync = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let file = sync.path().join("a file");
        std::fs::write(&file, "").unwrap();
        for bad in [data.path().to_owned(), data.path().join("backups"), file, sync.path().join("missing")] {
            std::fs::create_dir_all(data.path().join("backups")).unwrap();
            let error = set_sync_dir(&store, Some(&bad)).unwrap_err().to_string();
            assert!(error.contains("can not be used") && error.contains(&*bad.to_string_lossy()), "{error}");
        }
        let stored = set_sync_dir(&store, Some(sync.path())).unwrap();
        assert_eq!(stored, Some(std::fs::canonicalize(sync.path()).unwrap()));
        assert!(status(&store, vec![]).unwrap().enabled);
        set_sync_dir(&store, None).unwrap();
        let off = status(&store, vec![]).unwrap();
        assert!(!off.enabled && off.sync_dir.is_none());
        drop(store);
        let library = Library::open(data.path()).unwrap();
        assert!(matches!(round(&library, None), Err(SyncError::Off)));
    }
}
