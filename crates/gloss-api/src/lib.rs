//! Gloss's one API.
//!
//! Every operation is a variant of [`ops::Request`], answered by
//! [`Api::call`]. The HTTP server ([`http`]) and the Tauri window (in the
//! `gloss` binary) only carry requests, answers and events; neither knows
//! what an operation does, and gloss-core knows nothing of either. The
//! [`local`] channel carries the command line's requests to a running Gloss.

pub mod api;
pub mod assets;
pub mod error;
pub mod guard;
pub mod http;
#[cfg(unix)]
pub mod local;
pub mod ops;

pub use api::{Answer, Api};
pub use error::{ApiError, ErrorKind};
pub use ops::Request;
