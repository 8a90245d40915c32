//! Gloss's core: everything Gloss knows about summaries, the library and the
//! user's annotations. No Tauri and no HTTP here; `gloss-api` puts a typed API
//! over it and the binary puts windows and servers over that.

pub mod annotations;
pub mod app;
pub mod config;
pub mod events;
pub mod export;
pub mod ingest;
pub mod library;
pub mod scan;
pub mod search;
pub mod store;
pub mod sync;
pub mod watch;

pub use app::{Gloss, OpenOptions};
pub use library::Library;
