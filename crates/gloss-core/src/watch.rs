//! Keeping the library in step with its folder while Gloss runs.
//!
//! Start-up order: start the watcher (its events queue up), reconcile the
//! whole folder, then handle the queued events and go live. Every batch of
//! debounced events becomes one [`reconcile`](crate::ingest) of the paths named,
//! so a file is read once per change however many events it caused, and a
//! file whose size and mtime did not move is not read at all.
//!
//! The folder is watched recursively, never single files (editors replace
//! files on save), and symbolic links are not followed (the scan does not
//! follow them either). When events may have been lost (queue overflow,
//! watch errors) the whole folder is reconciled and the user told. When
//! events can not be had (the system's watch limit, a folder that can not
//! be watched) or polling is asked for (network shares, where no events
//! arrive), the folder is polled instead and the user told. A periodic
//! reconcile is the safety net for anything else.
//!
//! Polling is a quiet reconcile of the whole folder every poll interval: it
//! compares each file's size and mtime to the nanosecond with the database.
//! (notify's `PollWatcher` compares mtimes in whole seconds only, so it
//! misses an edit saved in the same second as its last look, and an older
//! copy put back by a sync tool, and walks the folder a second time.)
//!
//! When the library folder itself goes (deleted, renamed away, replaced by
//! a file) its episodes are marked missing and the user told; the folder is
//! looked for every poll interval and, once back, watched anew and
//! reconciled, which re-attaches the episodes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, RecommendedCache};

use crate::events::{Event, NoticeLevel, ScanReason};
use crate::ingest::{is_hidden, rel_key, Scope};
use crate::library::{Library, Told};
use crate::store::{Error, Result};

/// Watching belongs to the watcher: the library does not know of it.
impl Library {
    /// Reconciles `folder`, then keeps the library in step with it until the
    /// returned [`Watcher`] is dropped.
    pub fn watch(&self, folder: &Path, options: WatchOptions) -> Result<Watcher> {
        let root = self.use_folder(folder)?;
        Watcher::start(self.clone(), root, options)
    }
}

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Poll instead of using file-system events; `None` follows the
    /// library's setting ([`Library::set_force_polling`]).
    pub force_polling: Option<bool>,
    /// How often a polled folder, or a library folder that is gone, is looked at.
    pub poll_interval: Duration,
    /// Quiet time after a file's last event before it is handled: long enough
    /// to gather a save's events into one, short enough to feel live.
    pub debounce: Duration,
    /// How often the whole folder is reconciled anyway.
    pub reconcile_every: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            force_polling: None,
            poll_interval: Duration::from_secs(2),
            debounce: Duration::from_millis(100),
            reconcile_every: Duration::from_secs(10 * 60),
        }
    }
}

/// Watches the library folder until dropped (or [`stop`](Watcher::stop)ped).
#[derive(Debug)]
pub struct Watcher {
    control: Sender<Message>,
    thread: Option<JoinHandle<()>>,
    polling: Arc<AtomicBool>,
}

enum Message {
    Files(DebounceEventResult),
    Stop,
}

impl Watcher {
    /// Starts watching `root` (absolute, canonical), reconciles it, and hands
    /// the rest to a background thread. Returns once the reconcile is done.
    fn start(library: Library, root: PathBuf, options: WatchOptions) -> Result<Watcher> {
        let forced = match options.force_polling {
            Some(polling) => polling,
            None => library.force_polling()?,
        };
        let (control, inbox) = channel();
        let now = Instant::now();
        let mut live = Live {
            library,
            root,
            forced,
            backend: Backend::Polling,
            polling: Arc::new(AtomicBool::new(false)),
            control: control.clone(),
            retries: BTreeMap::new(),
            told: Told::default(),
            next_reconcile: now + options.reconcile_every,
            next_look: now + options.poll_interval,
            options,
        };
        // Its events queue up in `inbox` while the folder is reconciled.
        let backend = live.start_backend();
        live.set_backend(backend);
        let startup = live.library.reconcile_and_announce(&live.root, ScanReason::Startup, &mut live.told)?;
        live.retry_later(startup.unsettled, &BTreeMap::new());
        let polling = Arc::clone(&live.polling);
        let watched = live.root.clone();
        let thread = std::thread::Builder::new()
            .name("gloss-watch".into())
            .spawn(move || live.run(&inbox))
            .map_err(|source| Error::Watch { path: watched, source: notify::Error::io(source) })?;
        Ok(Watcher { control, thread: Some(thread), polling })
    }

    /// Whether the folder is being polled rather than watched through
    /// file-system events (asked for, or events could not be had).
    pub fn is_polling(&self) -> bool {
        self.polling.load(Ordering::Relaxed)
    }

    /// Stops watching and waits for the batch in hand to be stored.
    pub fn stop(self) {}
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.control.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How the folder is followed.
enum Backend {
    /// File-system events from notify, debounced; dropping it stops them.
    Events { _watcher: Debouncer<RecommendedWatcher, RecommendedCache> },
    /// No events: the whole folder is reconciled every poll interval.
    Polling,
    /// The library folder is gone or can not be used; it is looked for
    /// every poll interval. `told` is what the user was told about it.
    Lost { told: Option<String> },
}

fn forward(control: &Sender<Message>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    let control = control.clone();
    move |result| {
        let _ = control.send(Message::Files(result));
    }
}

/// A notify error in the notices' words: where, and what went wrong.
fn describe(error: &notify::Error) -> String {
    match &error.kind {
        notify::ErrorKind::Io(io) if !error.paths.is_empty() => {
            let places: Vec<String> = error.paths.iter().map(|path| path.display().to_string()).collect();
            format!("{}: {io}", places.join(", "))
        }
        _ => error.to_string(),
    }
}

fn limit_notice(root: &Path, seconds: f64) -> String {
    format!(
        "{} has more folders than the system lets Gloss watch; polling every {seconds} s instead. \
         Raising fs.inotify.max_user_watches (sysctl) brings instant updates back.",
        root.display()
    )
}

/// Why the library folder can not be looked at.
enum FolderProblem {
    Gone,
    NotAFolder,
    Unreadable(std::io::Error),
}

impl FolderProblem {
    /// What is wrong with `root` now, if anything.
    fn of(root: &Path) -> Option<FolderProblem> {
        match std::fs::metadata(root) {
            Ok(meta) if meta.is_dir() => None,
            Ok(_) => Some(FolderProblem::NotAFolder),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
                Some(FolderProblem::Gone)
            }
            Err(e) => Some(FolderProblem::Unreadable(e)),
        }
    }

    fn message(&self, root: &Path) -> String {
        let root = root.display();
        let kept = "its episodes stay readable, marked missing, until it is back (or choose another folder)";
        match self {
            FolderProblem::Gone => format!("the library folder {root} is gone; {kept}"),
            FolderProblem::NotAFolder => format!("the library folder {root} is not a folder any more; {kept}"),
            FolderProblem::Unreadable(e) => {
                format!(
                    "the library folder {root} can not be read ({e}); its episodes are kept as they are until it can"
                )
            }
        }
    }

    /// Whether the episodes' files are gone with the folder (rather than
    /// out of sight for now).
    fn files_gone(&self) -> bool {
        !matches!(self, FolderProblem::Unreadable(_))
    }
}

/// What one round of the loop has to do.
#[derive(Default)]
struct Batch {
    paths: BTreeSet<String>,
    full: Option<ScanReason>,
    watch_limit_hit: bool,
    /// The system dropped events (its queue overflowed).
    overflow: bool,
    /// The library folder itself was deleted or renamed.
    root_moved: bool,
}

/// Retrying a file that was changing while read: first after this long,
/// then after growing waits, at most this many times (after that the next
/// event for it, or the periodic reconcile, picks it up).
const RETRY_DELAY: Duration = Duration::from_millis(250);
const MAX_RETRIES: u32 = 20;

struct Live {
    library: Library,
    root: PathBuf,
    options: WatchOptions,
    /// Polling was asked for.
    forced: bool,
    backend: Backend,
    /// What [`Watcher::is_polling`] reports.
    polling: Arc<AtomicBool>,
    control: Sender<Message>,
    /// Unsettled files: when to look again, and how often already tried.
    retries: BTreeMap<String, (Instant, u32)>,
    /// Problems in the folder the user has been told about.
    told: Told,
    next_reconcile: Instant,
    /// When polling, or looking for a lost folder: the next look.
    next_look: Instant,
}

impl Live {
    fn run(&mut self, inbox: &Receiver<Message>) {
        loop {
            let mut batch = Batch::default();
            let wait = self.next_deadline().saturating_duration_since(Instant::now());
            match inbox.recv_timeout(wait) {
                Ok(Message::Files(result)) => self.absorb(result, &mut batch),
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            // Take everything already queued: a burst becomes one batch.
            while let Ok(message) = inbox.try_recv() {
                match message {
                    Message::Files(result) => self.absorb(result, &mut batch),
                    Message::Stop => return,
                }
            }
            self.handle(batch);
        }
    }

    fn next_deadline(&self) -> Instant {
        let retry = self.retries.values().map(|(due, _)| *due).min();
        let due = retry.map_or(self.next_reconcile, |due| due.min(self.next_reconcile));
        match self.backend {
            Backend::Events { .. } => due,
            Backend::Polling => due.min(self.next_look),
            Backend::Lost { .. } => self.next_look,
        }
    }

    /// File-system events if they can be had, else polling, telling the
    /// user why.
    fn start_backend(&self) -> Backend {
        let root = &self.root;
        let seconds = self.options.poll_interval.as_secs_f64();
        if self.forced {
            self.notify(NoticeLevel::Info, format!("watching {} by polling every {seconds} s, as set", root.display()));
            return Backend::Polling;
        }
        // Links are not followed: the scan does not follow them either.
        let config = notify::Config::default().with_follow_symlinks(false);
        let watcher =
            new_debouncer_opt(self.options.debounce, None, forward(&self.control), RecommendedCache::new(), config)
                .and_then(|mut watcher: Debouncer<RecommendedWatcher, RecommendedCache>| {
                    watcher.watch(root, RecursiveMode::Recursive)?;
                    Ok(watcher)
                });
        match watcher {
            Ok(watcher) => Backend::Events { _watcher: watcher },
            Err(e) => {
                let message = match e.kind {
                    notify::ErrorKind::MaxFilesWatch => limit_notice(root, seconds),
                    // notify refuses the whole folder for one folder in it that can
                    // not be read; polling still sees everything readable.
                    _ => format!(
                        "could not watch {} for changes ({}); polling every {seconds} s instead",
                        root.display(),
                        describe(&e)
                    ),
                };
                self.notify(NoticeLevel::Warning, message);
                Backend::Polling
            }
        }
    }

    fn set_backend(&mut self, backend: Backend) {
        match backend {
            Backend::Events { .. } => self.polling.store(false, Ordering::Relaxed),
            Backend::Polling => self.polling.store(true, Ordering::Relaxed),
            Backend::Lost { .. } => {}
        }
        self.backend = backend;
    }

    fn absorb(&self, result: DebounceEventResult, batch: &mut Batch) {
        let errors = match result {
            Ok(events) => {
                for event in events {
                    if event.need_rescan() {
                        batch.full = Some(ScanReason::Rescan);
                        batch.overflow = true;
                    }
                    if is_read_only(&event.kind) {
                        continue;
                    }
                    for path in &event.paths {
                        match path.strip_prefix(&self.root).map(|rel| (rel, rel_key(rel))) {
                            // The library folder itself changed (renamed, replaced).
                            Ok((rel, _)) if rel.as_os_str().is_empty() => {
                                batch.full = Some(ScanReason::Rescan);
                                if matches!(event.kind, EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))) {
                                    batch.root_moved = true;
                                }
                            }
                            Ok((rel, Some(key))) if !is_hidden(rel) => {
                                batch.paths.insert(key);
                            }
                            _ => {}
                        }
                    }
                }
                return;
            }
            Err(errors) => errors,
        };
        for error in errors {
            batch.full = Some(ScanReason::Rescan);
            if matches!(error.kind, notify::ErrorKind::MaxFilesWatch) {
                batch.watch_limit_hit = true;
            } else {
                let message =
                    format!("watching {}: {}; looking through the whole folder", self.root.display(), describe(&error));
                self.notify(NoticeLevel::Warning, message);
            }
        }
    }

    fn handle(&mut self, mut batch: Batch) {
        let now = Instant::now();
        self.follow_up(&batch, now);
        let looking = !matches!(self.backend, Backend::Events { .. }) && now >= self.next_look;
        if looking {
            self.next_look = now + self.options.poll_interval;
        }
        if let Backend::Lost { .. } = self.backend {
            if !looking || !self.found_again() {
                return;
            }
            batch.full = Some(ScanReason::Rescan);
        }
        let due: Vec<String> =
            self.retries.iter().filter(|(_, (at, _))| *at <= now).map(|(path, _)| path.clone()).collect();
        batch.paths.extend(due);
        if now >= self.next_reconcile {
            batch.full.get_or_insert(ScanReason::Periodic);
        }
        let whole_folder = batch.full.is_some() || looking;
        let report = match batch.full {
            Some(reason) => {
                self.next_reconcile = now + self.options.reconcile_every;
                self.library.reconcile_and_announce(&self.root, reason, &mut self.told)
            }
            // A poll: told only through what changed.
            None if looking => self.library.reconcile_scope(&self.root, &Scope::All, &mut self.told),
            None if batch.paths.is_empty() => return,
            None => self.library.reconcile_scope(&self.root, &Scope::Paths(batch.paths.clone()), &mut self.told),
        };
        let unsettled = match report {
            Ok(report) => report.unsettled,
            Err(e) => match FolderProblem::of(&self.root) {
                Some(problem) => return self.lose(&problem, None),
                None => {
                    self.warn(&e);
                    Vec::new()
                }
            },
        };
        // Files just handled are retried only if still unsettled.
        let scope = if whole_folder { Scope::All } else { Scope::Paths(batch.paths) };
        let (handled, waiting) = std::mem::take(&mut self.retries)
            .into_iter()
            .partition::<BTreeMap<_, _>, _>(|(path, _)| scope.contains(path));
        self.retries = waiting;
        self.retry_later(unsettled, &handled);
    }

    /// Changes how the folder is followed when events say so, and tells the
    /// user about events lost.
    fn follow_up(&mut self, batch: &Batch, now: Instant) {
        if batch.root_moved {
            // Its watch is gone, or follows it to where it went: look at
            // once at what is there now.
            self.set_backend(Backend::Lost { told: None });
            self.next_look = now;
        }
        if batch.watch_limit_hit && matches!(self.backend, Backend::Events { .. }) {
            self.set_backend(Backend::Polling);
            self.next_look = now + self.options.poll_interval;
            self.notify(NoticeLevel::Warning, limit_notice(&self.root, self.options.poll_interval.as_secs_f64()));
        }
        if batch.overflow {
            let message = format!(
                "watching {}: more changes at once than the system could report; looking through the whole folder",
                self.root.display()
            );
            self.notify(NoticeLevel::Info, message);
        }
    }

    /// Whether the lost library folder is back; if it is, it is watched
    /// anew (the caller reconciles it), else the user is told why not.
    fn found_again(&mut self) -> bool {
        let Backend::Lost { told } = &self.backend else { return true };
        let told = told.clone();
        if let Some(problem) = FolderProblem::of(&self.root) {
            self.lose(&problem, told);
            return false;
        }
        if told.is_some() {
            self.notify(
                NoticeLevel::Info,
                format!("the library folder {} is back; watching it again", self.root.display()),
            );
        }
        let backend = self.start_backend();
        self.set_backend(backend);
        true
    }

    /// The library folder is gone or can not be used: tells the user (once
    /// per reason; `told` is what they were told already) and marks the
    /// episodes missing if their files went with it.
    fn lose(&mut self, problem: &FolderProblem, told: Option<String>) {
        let message = problem.message(&self.root);
        if told.as_ref() != Some(&message) {
            self.notify(NoticeLevel::Warning, message.clone());
            if problem.files_gone() {
                if let Err(e) = self.library.folder_gone() {
                    self.warn(&e);
                }
            }
        }
        self.retries.clear();
        self.set_backend(Backend::Lost { told: Some(message) });
    }

    /// Schedules another look at files that changed while being read.
    /// `tried` holds earlier attempts at them.
    fn retry_later(&mut self, unsettled: Vec<String>, tried: &BTreeMap<String, (Instant, u32)>) {
        let now = Instant::now();
        for path in unsettled {
            let tries = tried.get(&path).map_or(0, |(_, tries)| *tries) + 1;
            if tries <= MAX_RETRIES {
                self.retries.insert(path, (now + RETRY_DELAY * tries, tries));
            }
        }
    }

    fn notify(&self, level: NoticeLevel, message: String) {
        self.library.events().publish(Event::notice(level, message));
    }

    fn warn(&self, error: &Error) {
        self.notify(NoticeLevel::Warning, error.to_string());
    }
}

/// Opening or reading a file changes nothing (and Gloss's own reads cause
/// them); closing a file written to is the clearest sign a save finished.
fn is_read_only(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}
