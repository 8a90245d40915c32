//! Sync through a shared folder: each device appends its changes to its own
//! log in a folder that Syncthing, Dropbox, iCloud Drive or git carries, and
//! reads everyone else's. No server, no live database in the folder, and no
//! file ever written by two devices. docs/sync.md describes the design.
//!
//! This crate is the engine: the hybrid logical [`clock`], the [`op`]s and
//! their [`Change`]s, the [`log`] files and their records, the merge
//! [`State`], compaction and the [`Replica`] that ties them to a folder. It
//! knows nothing of a database: whatever keeps the user's data implements
//! [`SyncTarget`] (gloss-core's `sync` module does, over SQLite).

pub mod clock;
mod compact;
pub mod device;
pub mod log;
pub mod op;
pub mod record;
mod replica;
pub mod state;
pub mod target;

pub use clock::{Clock, Hlc, MAX_AHEAD_MS};
pub use device::{device_id, DeviceError};
pub use log::{Batch, Damage, LogError, LogOptions};
pub use op::{fold_tag, Anchor, Change, DeviceId, Fingerprint, HighlightId, NoteOn, Op, OpId, Tagged, MAX_NUMBER};
pub use replica::{Compacted, Problem, Replica, Round};
pub use state::{CardChoice, HighlightView, Key, NoteVersion, NoteView, ReviewView, State, Version};
pub use target::{episode_of, SyncTarget, Waiting};
