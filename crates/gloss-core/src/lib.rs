//! Gloss's core: the library and the user's annotations, kept in SQLite.
//! No Tauri and no HTTP here; `gloss-api` puts a typed API over it and the
//! binary puts windows and servers over that.
//!
//! The pure parts are crates of their own, used here and not re-exported:
//! gloss-parse (a file to an episode), gloss-anchor (highlights in a text)
//! and gloss-sync (the sync engine). This crate is what needs the database,
//! the library folder or a thread; no two of its modules import each other
//! (annotations and sync still do; that goes next).

pub mod annotations;
pub mod app;
pub mod config;
pub mod events;
pub mod export;
pub mod ingest;
pub mod library;
pub mod panic;
pub mod scan;
pub mod search;
pub mod store;
pub mod sync;
pub mod watch;

pub use app::{Gloss, OpenOptions};
pub use library::Library;
