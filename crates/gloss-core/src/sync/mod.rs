//! Sync through a shared folder: each device appends its changes to its own
//! log in a folder that Syncthing, Dropbox, iCloud Drive or git carries, and
//! reads everyone else's. No server, no live database in the folder, and no
//! file ever written by two devices. docs/sync.md describes the design.
//!
//! The engine (clock, ops, logs, merge [`State`], [`Replica`]) knows nothing
//! of the database. The integration with it:
//!
//! - `annotations::outbox`: the write path queues every local [`Change`]
//!   in the transaction that makes it;
//! - `apply`: the database as a [`SyncTarget`], written through the same
//!   write path with origin `Remote`, so nothing is queued back;
//! - [`session`]: [`SyncSession`], rounds of send, receive, compact;
//! - [`service`]: [`SyncService`], the worker thread, the sync folder
//!   setting and the status; start here.

mod applied;
mod apply;
pub mod clock;
mod compact;
pub mod device;
pub mod log;
pub mod op;
mod record;
mod replica;
pub mod schema;
mod seed;
pub mod service;
pub mod session;
pub mod state;
pub mod target;

pub use clock::{Clock, Hlc, Observed, MAX_AHEAD_MS};
pub use device::{device_id, DeviceError};
pub use log::{Damage, LogError, LogOptions};
pub use op::{fold_tag, Anchor, Change, DeviceId, Fingerprint, HighlightId, NoteOn, Op, OpId, Tagged};
pub use replica::{Compacted, Problem, Replica, Round};
pub use service::{DeviceStatus, ServiceOptions, SyncService, SyncStatus};
pub use session::{RoundReport, SyncError, SyncSession};
pub use state::{HighlightView, Key, NoteVersion, NoteView, State, Version};
pub use target::{episode_of, SyncTarget, Waiting};
