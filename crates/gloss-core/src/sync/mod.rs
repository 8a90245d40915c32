//! Sync through a shared folder: each device appends its changes to its own
//! log in a folder that Syncthing, Dropbox, iCloud Drive or git carries, and
//! reads everyone else's. No server, no live database in the folder, and no
//! file ever written by two devices. docs/sync.md describes the design.
//!
//! The engine (clock, ops, logs, merge state, replica) is the gloss-sync
//! crate and knows nothing of the database. This module is the database
//! side:
//!
//! - [`outbox`]: every annotation action queues its
//!   [`Change`](gloss_sync::Change)s in the transaction that makes them;
//! - `apply`: the database as a [`SyncTarget`](gloss_sync::SyncTarget),
//!   written without queueing;
//! - [`session`]: [`SyncSession`], rounds of send, receive, compact;
//! - [`service`]: [`SyncService`], the worker thread, the sync folder
//!   setting and the status; start here.

mod applied;
mod apply;
pub mod outbox;
mod seed;
pub mod service;
pub mod session;

pub use service::{DeviceStatus, ServiceOptions, SyncService, SyncStatus};
pub use session::{RoundReport, SyncError, SyncSession};
