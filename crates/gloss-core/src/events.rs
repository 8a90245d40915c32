//! What the library tells its subscribers: every episode added, updated,
//! gone missing or failing, annotations changed by sync, plus notices and
//! scan and sync results for the user.
//!
//! Subscribers are plain callbacks or std channels, so the core needs no async
//! runtime; an async API forwards from a callback into its own broadcast
//! channel. Events serialise to JSON tagged by `type` (`episode_added`,
//! `episode_updated`, ... as docs/api.md names them).

use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

pub use crate::annotations::{Caller, Door, Origin};
use crate::annotations::{Highlight, HighlightId, Kind};
use crate::scan::ScanCounts;
use crate::store::episodes::{EpisodeId, EpisodeSummary};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// A file seen for the first time.
    #[serde(rename = "episode_added")]
    Added { episode: EpisodeSummary },
    /// A known episode's file changed, moved, or came back after going missing.
    #[serde(rename = "episode_updated")]
    Updated {
        episode: EpisodeSummary,
        /// Whether the canonical text changed, so highlights need re-anchoring.
        text_changed: bool,
        /// The path it had before, when the file was renamed or moved.
        moved_from: Option<String>,
    },
    /// The episode's file is gone; the episode stays readable.
    #[serde(rename = "episode_missing")]
    Missing { episode: EpisodeSummary },
    /// The file's current version could not be read or parsed; `episode.error` says why.
    #[serde(rename = "episode_error")]
    Error { episode: EpisodeSummary },
    /// A reconcile of the library folder finished.
    #[serde(rename = "library_scanned")]
    Scanned { reason: ScanReason, counts: ScanCounts },
    /// What the user owns (highlights, notes, tags, stars, reading state,
    /// settings that follow them) changed, from any origin: a door, an
    /// import, another device, re-anchoring. Published by the write path
    /// after commit (`Library::change`).
    #[serde(rename = "annotation_changed")]
    AnnotationChanged(Box<AnnotationChange>),
    /// Something the user should know about the library as a whole.
    #[serde(rename = "library_notice")]
    Notice { level: NoticeLevel, message: String },
    /// A sync round finished that sent or received changes.
    #[serde(rename = "sync_done")]
    SyncDone { changed_episodes: Vec<EpisodeId> },
}

/// What one committed change did, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotationChange {
    /// Where it came from; `origin.client` lets the window that made it
    /// skip its own echo.
    pub origin: Origin,
    /// The one episode changed; `None` when several were, or none (a
    /// setting, a tag with nothing on it).
    pub episode_id: Option<EpisodeId>,
    pub episode_ids: Vec<EpisodeId>,
    pub kinds: Vec<Kind>,
    /// The highlights written, as they are now (trashed ones with
    /// `deleted_at`).
    pub highlights: Vec<Highlight>,
    /// Whether `highlights` holds every highlight written; when not (a
    /// large import or sync round), reload instead.
    pub highlights_complete: bool,
    /// Highlights removed for good.
    pub purged: Vec<HighlightId>,
}

impl AnnotationChange {
    /// The most highlights an event carries.
    pub const MAX_HIGHLIGHTS: usize = 200;

    /// Whether the change is one a reader of the user's notes cares about:
    /// anything but a reading position moving.
    pub fn changes_content(&self) -> bool {
        self.kinds.iter().any(|kind| *kind != Kind::Position)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanReason {
    /// Asked for (`gloss scan`, a button).
    Manual,
    /// Watching started.
    Startup,
    /// The watcher may have missed events (queue overflow, watch errors).
    Rescan,
    /// The periodic safety net.
    Periodic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    Info,
    Warning,
}

impl Event {
    pub fn notice(level: NoticeLevel, message: impl Into<String>) -> Event {
        Event::Notice { level, message: message.into() }
    }
}

/// A subscriber: returns `false` once it wants no more events.
type Sink = Box<dyn Fn(&Event) -> bool + Send + Sync>;

/// Fans events out to every subscriber, in publication order.
#[derive(Clone, Default)]
pub struct Events {
    sinks: Arc<Mutex<Vec<Sink>>>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").finish_non_exhaustive()
    }
}

impl Events {
    /// Calls `sink` with every later event until it returns `false`. The call
    /// happens on the publishing thread: keep it short (send it on).
    pub fn on_event(&self, sink: impl Fn(&Event) -> bool + Send + Sync + 'static) {
        self.sinks.lock().unwrap_or_else(PoisonError::into_inner).push(Box::new(sink));
    }

    /// A channel receiving every later event; dropping the receiver unsubscribes.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (sender, receiver) = channel();
        self.on_event(move |event| sender.send(event.clone()).is_ok());
        receiver
    }

    pub fn publish(&self, event: Event) {
        self.sinks.lock().unwrap_or_else(PoisonError::into_inner).retain(|sink| sink(&event));
    }
}
