//! Sync through a shared folder: each device appends its changes to its own
//! log in a folder that Syncthing, Dropbox, iCloud Drive or git carries, and
//! reads everyone else's. No server, no live database in the folder, and no
//! file ever written by two devices. docs/sync.md describes the design.
//!
//! The engine (clock, ops, logs, merge state, replica) is the gloss-sync
//! crate and knows nothing of the database. This module is the database
//! side:
//!
//! - `annotations::outbox`: the write path queues every local
//!   [`Change`](gloss_sync::Change) in the transaction that makes it;
//! - `apply`: the database as a [`SyncTarget`](gloss_sync::SyncTarget),
//!   written through the same
//!   write path with origin `Remote`, so nothing is queued back;
//! - [`session`]: [`SyncSession`], rounds of send, receive, compact;
//! - [`service`]: [`SyncService`], the worker thread, the sync folder
//!   setting and the status; start here.

mod applied;
mod apply;
mod seed;
pub mod service;
pub mod session;

pub use service::{DeviceStatus, ServiceOptions, SyncService, SyncStatus};
pub use session::{RoundReport, SyncError, SyncSession};
