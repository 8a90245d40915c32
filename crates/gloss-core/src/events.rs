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

use crate::scan::ScanCounts;
use crate::store::episodes::{EpisodeId, EpisodeSummary};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The user's highlights, notes, tags, stars or reading state changed,
    /// through any window or through sync from another device.
    /// `episode_id` says where; `None` when the change spans the library (a
    /// tag renamed, the trash emptied, a setting that follows the user).
    #[serde(rename = "annotation_changed")]
    AnnotationChanged { episode_id: Option<EpisodeId> },
    /// Something the user should know about the library as a whole.
    #[serde(rename = "library_notice")]
    Notice { level: NoticeLevel, message: String },
    /// A sync round finished that sent or received changes.
    #[serde(rename = "sync_done")]
    SyncDone { changed_episodes: Vec<EpisodeId> },
}

/// The door a request came in by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    /// The desktop window (a Tauri command).
    Desktop,
    /// `gloss serve`'s HTTP API (a browser tab, a script).
    Http,
    /// The `gloss` command line, in-process or through a running instance.
    Cli,
    /// An assistant through `gloss mcp`.
    Mcp,
}

/// Who asked for an operation: the door, and the client that named itself
/// (a window or tab), so that client can skip the echo of its own change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub door: Door,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

impl Caller {
    /// A caller that did not name itself.
    pub fn door(door: Door) -> Caller {
        Caller { door, client: None }
    }

    /// A caller naming itself `client`; a name that is not a short plain
    /// token (at most 64 letters, digits, `-`, `_`) is dropped, since it is
    /// echoed to every other window.
    pub fn client(door: Door, client: Option<&str>) -> Caller {
        let plain = |c: &str| {
            !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        Caller { door, client: client.filter(|c| plain(c)).map(str::to_owned) }
    }
}

/// Where a change to what the user owns came from. It decides whether the
/// change is queued for the user's other devices: a local change (a user
/// action or an import) is, a remote one never is, so nothing echoes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A person's action through a door (restoring from the trash included).
    User(Caller),
    /// An import of a backup, W3C or Readwise file, asked through a door.
    Import(Caller),
    /// Another device's change, applied by sync.
    Remote,
    /// Gloss itself: highlights re-anchored after their summary changed.
    Anchoring,
}

impl Origin {
    /// Whether the change was made on this device, and so goes out to the others.
    pub fn is_local(&self) -> bool {
        matches!(self, Origin::User(_) | Origin::Import(_))
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
