//! Keeping the library in step with its folder while Gloss runs.
//!
//! Start-up order: start the watcher (its events queue up), reconcile the
//! whole folder, then handle the queued events and go live. Every batch of
//! debounced events becomes one [`sync`](crate::ingest) of the paths named,
//! so a file is read once per change however many events it caused, and a
//! file whose size and mtime did not move is not read at all.
//!
//! The folder is watched recursively, never single files (editors replace
//! files on save). When events may have been lost (queue overflow, watch
//! errors) the whole folder is reconciled. When the system's watch limit is
//! reached, or polling is asked for (network shares, where no events arrive),
//! the folder is polled instead and the user told. A periodic reconcile is
//! the safety net for anything else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache};

use crate::events::{Event, NoticeLevel, ScanReason};
use crate::ingest::{is_hidden, rel_key, Scope};
use crate::library::Library;
use crate::store::{Error, Result};

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Poll instead of using file-system events; `None` follows the
    /// library's setting ([`Library::set_force_polling`]).
    pub force_polling: Option<bool>,
    /// How often a polled folder is looked at.
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
    pub(crate) fn start(library: Library, root: PathBuf, options: WatchOptions) -> Result<Watcher> {
        let polling = match options.force_polling {
            Some(polling) => polling,
            None => library.force_polling()?,
        };
        let (control, inbox) = channel();
        let backend = Backend::start(&library, &root, &options, polling, &control)?;
        let watched = root.clone();
        let thread_error = |source| Error::Watch { path: watched, source: notify::Error::io(source) };
        let startup = library.sync_and_announce(&root, ScanReason::Startup)?;
        let polling = Arc::new(AtomicBool::new(backend.polling));
        let mut live = Live {
            library,
            root,
            next_reconcile: Instant::now() + options.reconcile_every,
            options,
            backend,
            polling: Arc::clone(&polling),
            control: control.clone(),
            retries: BTreeMap::new(),
        };
        live.retry_later(startup.unsettled, &BTreeMap::new());
        let thread = std::thread::Builder::new()
            .name("gloss-watch".into())
            .spawn(move || live.run(&inbox))
            .map_err(thread_error)?;
        Ok(Watcher { control, thread: Some(thread), polling })
    }

    /// Whether the folder is being polled rather than watched through
    /// file-system events (asked for, or the system's watch limit was hit).
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

/// The notify watcher in use; dropping it stops it.
struct Backend {
    polling: bool,
    _watcher: Box<dyn Send>,
}

impl Backend {
    /// File-system events if possible, else polling, telling the user why.
    fn start(
        library: &Library,
        root: &Path,
        options: &WatchOptions,
        polling: bool,
        control: &Sender<Message>,
    ) -> Result<Backend> {
        let seconds = options.poll_interval.as_secs_f64();
        if polling {
            let message = format!("watching {} by polling every {seconds} s, as set", root.display());
            library.events().publish(Event::notice(NoticeLevel::Info, message));
            return Backend::polling(root, options, control);
        }
        let watcher = new_debouncer_opt(
            options.debounce,
            None,
            forward(control),
            RecommendedCache::new(),
            notify::Config::default(),
        );
        let watcher: notify::Result<Debouncer<RecommendedWatcher, RecommendedCache>> = watcher;
        match watcher.and_then(|mut watcher| {
            watcher.watch(root, RecursiveMode::Recursive)?;
            Ok(watcher)
        }) {
            Ok(watcher) => Ok(Backend { polling: false, _watcher: Box::new(watcher) }),
            Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                library.events().publish(Event::notice(NoticeLevel::Warning, limit_notice(root, seconds)));
                Backend::polling(root, options, control)
            }
            Err(source) => Err(Error::Watch { path: root.to_owned(), source }),
        }
    }

    fn polling(root: &Path, options: &WatchOptions, control: &Sender<Message>) -> Result<Backend> {
        let config = notify::Config::default().with_poll_interval(options.poll_interval);
        new_debouncer_opt::<_, PollWatcher, NoCache>(options.debounce, None, forward(control), NoCache, config)
            .and_then(|mut watcher| {
                watcher.watch(root, RecursiveMode::Recursive)?;
                Ok(Backend { polling: true, _watcher: Box::new(watcher) })
            })
            .map_err(|source| Error::Watch { path: root.to_owned(), source })
    }
}

fn forward(control: &Sender<Message>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    let control = control.clone();
    move |result| {
        let _ = control.send(Message::Files(result));
    }
}

fn limit_notice(root: &Path, seconds: f64) -> String {
    format!(
        "{} has more folders than the system lets Gloss watch; polling every {seconds} s instead. \
         Raising fs.inotify.max_user_watches (sysctl) brings instant updates back.",
        root.display()
    )
}

/// What one round of the loop has to do.
#[derive(Default)]
struct Batch {
    paths: BTreeSet<String>,
    full: Option<ScanReason>,
    watch_limit_hit: bool,
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
    backend: Backend,
    /// What [`Watcher::is_polling`] reports.
    polling: Arc<AtomicBool>,
    control: Sender<Message>,
    /// Unsettled files: when to look again, and how often already tried.
    retries: BTreeMap<String, (Instant, u32)>,
    next_reconcile: Instant,
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
        retry.map_or(self.next_reconcile, |due| due.min(self.next_reconcile))
    }

    fn absorb(&self, result: DebounceEventResult, batch: &mut Batch) {
        let errors = match result {
            Ok(events) => {
                for event in events {
                    if event.need_rescan() {
                        batch.full = Some(ScanReason::Rescan);
                    }
                    if is_read_only(&event.kind) {
                        continue;
                    }
                    for path in &event.paths {
                        match path.strip_prefix(&self.root).map(|rel| (rel, rel_key(rel))) {
                            // The library folder itself changed (renamed, replaced).
                            Ok((rel, _)) if rel.as_os_str().is_empty() => batch.full = Some(ScanReason::Rescan),
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
                let message = format!("watching {}: {error}; looking through the whole folder", self.root.display());
                self.library.events().publish(Event::notice(NoticeLevel::Warning, message));
            }
        }
    }

    fn handle(&mut self, mut batch: Batch) {
        if batch.watch_limit_hit && !self.backend.polling {
            let seconds = self.options.poll_interval.as_secs_f64();
            match Backend::polling(&self.root, &self.options, &self.control) {
                Ok(backend) => {
                    self.backend = backend;
                    self.polling.store(true, Ordering::Relaxed);
                    let notice = Event::notice(NoticeLevel::Warning, limit_notice(&self.root, seconds));
                    self.library.events().publish(notice);
                }
                Err(e) => self.warn(&e),
            }
        }
        let now = Instant::now();
        let due: Vec<String> =
            self.retries.iter().filter(|(_, (at, _))| *at <= now).map(|(path, _)| path.clone()).collect();
        batch.paths.extend(due);
        if now >= self.next_reconcile {
            batch.full.get_or_insert(ScanReason::Periodic);
        }
        let report = match batch.full {
            Some(reason) => {
                self.next_reconcile = now + self.options.reconcile_every;
                self.library.sync_and_announce(&self.root, reason)
            }
            None if batch.paths.is_empty() => return,
            None => self.library.sync(&self.root, &Scope::Paths(batch.paths.clone())),
        };
        let unsettled = match report {
            Ok(report) => report.unsettled,
            Err(e) => {
                self.warn(&e);
                Vec::new()
            }
        };
        // Files just handled are retried only if still unsettled.
        let scope = batch.full.map_or(Scope::Paths(batch.paths), |_| Scope::All);
        let (handled, waiting) = std::mem::take(&mut self.retries)
            .into_iter()
            .partition::<BTreeMap<_, _>, _>(|(path, _)| scope.contains(path));
        self.retries = waiting;
        self.retry_later(unsettled, &handled);
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

    fn warn(&self, error: &Error) {
        self.library.events().publish(Event::notice(NoticeLevel::Warning, error.to_string()));
    }
}

/// Opening or reading a file changes nothing (and Gloss's own reads cause
/// them); closing a file written to is the clearest sign a save finished.
fn is_read_only(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}
